/**
 * Copy-paste examples for signing a client assertion and exchanging it for a token, filled with
 * this tenant's real endpoints. Each one runs as printed (a test runs every one against a real
 * server) and fails loudly: the server's error is printed and the exit status is non-zero.
 * Values are quoted for the language they land in, since an API identifier is free text chosen
 * by whoever created the API.
 */

export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
export const API_PLACEHOLDER = 'YOUR_API_IDENTIFIER';

export interface SnippetInput {
  clientId: string;
  /** The tenant issuer: the audience of the assertion. */
  issuer: string;
  tokenEndpoint: string;
  /** The API to get a token for (the `audience` form parameter). */
  apiAudience: string;
  alg: string;
}

export type SnippetId = 'jsonwebtoken' | 'jose' | 'curl' | 'signet';

/** jsonwebtoken signs RS*, PS* and ES* but not EdDSA: for an Ed25519 key that example is left out. */
export const snippetAvailable = (id: SnippetId, alg: string) => !(id === 'jsonwebtoken' && alg === 'EdDSA');

/** A single-quoted JavaScript string literal. */
const js = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;

/** A shell word: bare when it is obviously safe, otherwise single-quoted. */
const sh = (s: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

const formFields = (v: SnippetInput) => `{
    grant_type: 'client_credentials',
    audience: ${js(v.apiAudience)},
    client_assertion_type: ${js(ASSERTION_TYPE)},
    client_assertion: clientAssertion,
  }`;

const FAILED = 'console.error(`Token request failed (${status}): ${body}`);';

/**
 * Node cannot resolve `{tenant}.localhost` (browsers and curl map it to loopback themselves), and
 * fetch may not set Host. For such a tenant the exchange goes through node:http(s) to localhost
 * with the tenant named in Host; everywhere else it is a plain fetch.
 */
function exchange(v: SnippetInput): { imports: string; code: string } {
  const url = parseUrl(v.tokenEndpoint);
  if (!url || !url.hostname.endsWith('.localhost')) {
    return {
      imports: '',
      code: `const res = await fetch(${js(v.tokenEndpoint)}, {
  method: 'POST',
  body: new URLSearchParams(${formFields(v)}),
});
const status = res.status;
const body = await res.text();
if (res.ok) console.log(JSON.parse(body).access_token);
else {
  ${FAILED}
  process.exitCode = 1;
}`,
    };
  }
  const https = url.protocol === 'https:';
  const port = url.port || (https ? '443' : '80');
  return {
    imports: `import { request } from ${js(https ? 'node:https' : 'node:http')};\n`,
    code: `// Node does not resolve ${url.hostname}: connect to localhost and name the tenant in the Host header.
const form = new URLSearchParams(${formFields(v)}).toString();
const { status, body } = await new Promise((resolve, reject) => {
  const req = request(
    {
      host: 'localhost',
      port: ${port},${https ? `\n      servername: ${js(url.hostname)},` : ''}
      path: ${js(url.pathname)},
      method: 'POST',
      headers: { host: ${js(url.host)}, 'content-type': 'application/x-www-form-urlencoded' },
    },
    (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body: text }));
    },
  );
  req.on('error', reject);
  req.end(form);
});
if (status === 200) console.log(JSON.parse(body).access_token);
else {
  ${FAILED}
  process.exitCode = 1;
}`,
  };
}

export function snippet(id: SnippetId, v: SnippetInput): string {
  const algFlag = v.alg === 'RS256' ? '' : ` --alg ${sh(v.alg)}`;
  const ex = exchange(v);
  switch (id) {
    case 'jsonwebtoken':
      return `// npm install jsonwebtoken   (Node.js 18+, save as token.mjs, run: node token.mjs)
import { readFileSync } from 'node:fs';
import crypto from 'node:crypto';
${ex.imports}import jwt from 'jsonwebtoken';

const key = readFileSync('private.pem', 'utf8');
const clientAssertion = jwt.sign(
  {
    iss: ${js(v.clientId)},
    sub: ${js(v.clientId)},
    aud: ${js(v.issuer)},
    jti: crypto.randomUUID(),
  },
  key,
  { algorithm: ${js(v.alg)}, expiresIn: 60 },
);

${ex.code}
`;
    case 'jose':
      return `// npm install jose   (Node.js 18+, save as token.mjs, run: node token.mjs)
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
${ex.imports}import { SignJWT, importPKCS8 } from 'jose';

const key = await importPKCS8(readFileSync('private.pem', 'utf8'), ${js(v.alg)});
const clientAssertion = await new SignJWT({})
  .setProtectedHeader({ alg: ${js(v.alg)} })
  .setIssuer(${js(v.clientId)})
  .setSubject(${js(v.clientId)})
  .setAudience(${js(v.issuer)})
  .setIssuedAt()
  .setExpirationTime('1m')
  .setJti(randomUUID())
  .sign(key);

${ex.code}
`;
    case 'curl':
      // --fail-with-body: a refusal prints the server's error and exits non-zero (curl 7.76+).
      return `curl -sS --fail-with-body ${sh(v.tokenEndpoint)} \\
  --data-urlencode grant_type=client_credentials \\
  --data-urlencode audience=${sh(v.apiAudience)} \\
  --data-urlencode client_assertion_type=${ASSERTION_TYPE} \\
  --data-urlencode client_assertion="$(npx signet assertion --client-id ${sh(v.clientId)} --key private.pem --audience ${sh(v.issuer)}${algFlag})"
`;
    case 'signet':
      return `npx signet token --domain ${sh(originOf(v.issuer))} --client-id ${sh(v.clientId)} --key private.pem --audience ${sh(v.apiAudience)}${algFlag}
`;
  }
}

function parseUrl(s: string): URL | null {
  try {
    return new URL(s);
  } catch {
    return null;
  }
}

/** `signet token --domain` takes the issuer's origin (https is assumed for bare non-local hosts). */
function originOf(issuer: string): string {
  return parseUrl(issuer)?.origin ?? issuer.replace(/\/+$/, '');
}
