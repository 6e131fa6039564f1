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
  /** For express-openid-connect: the secret its session cookie is encrypted with (a fresh random string). */
  sessionSecret?: string;
}

export type SnippetId = 'jsonwebtoken' | 'jose' | 'curl' | 'signet' | 'express-openid-connect';

/**
 * jsonwebtoken signs RS*, PS* and ES* but not EdDSA. express-openid-connect (through
 * oauth4webapi) names an Ed25519 signature `Ed25519`, not the `EdDSA` an Ed25519 credential is
 * registered with, so its assertions would be refused. For an Ed25519 key both are left out.
 */
export const snippetAvailable = (id: SnippetId, alg: string) => !((id === 'jsonwebtoken' || id === 'express-openid-connect') && alg === 'EdDSA');

/**
 * Where the express-openid-connect example listens, and so what must be allowed on the Settings
 * tab: beside Signet, whose own default port is 3000.
 */
export const EXPRESS_PORT = 3001;
export const EXPRESS_BASE_URL = `http://localhost:${EXPRESS_PORT}`;
export const EXPRESS_CALLBACK_URL = `${EXPRESS_BASE_URL}/callback`;

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
    case 'express-openid-connect':
      return expressApp(v);
    case 'signet':
      return `npx signet token --domain ${sh(originOf(v.issuer))} --client-id ${sh(v.clientId)} --key private.pem --audience ${sh(v.apiAudience)}${algFlag}
`;
  }
}

/**
 * A whole Express app that signs users in with the authorization code flow and authenticates
 * at the token endpoint with a client assertion signed by private.pem. The option names are
 * express-openid-connect 3.x's (lib/config.js); `response_type: 'code'` is required, since its
 * default is the implicit id_token flow.
 */
function expressApp(v: SnippetInput): string {
  const url = parseUrl(v.issuer);
  const hostsNote =
    url && url.hostname.endsWith('.localhost')
      ? `// Node does not resolve ${url.hostname}: add "127.0.0.1 ${url.hostname}" to /etc/hosts first.\n`
      : '';
  return `// npm install express express-openid-connect   (Node.js 20+, save as app.mjs, run: node app.mjs)
// On this application's Settings tab, add ${EXPRESS_CALLBACK_URL} to Allowed Callback URLs
// and ${EXPRESS_BASE_URL} to Allowed Logout URLs. Then open ${EXPRESS_BASE_URL}/login.
${hostsNote}import { readFileSync } from 'node:fs';
import express from 'express';
import openid from 'express-openid-connect';

const { auth, requiresAuth } = openid;
const app = express();

app.use(
  auth({
    issuerBaseURL: ${js(v.issuer)},
    baseURL: ${js(EXPRESS_BASE_URL)},
    clientID: ${js(v.clientId)},
    // Encrypts the session cookie. Keep it out of source control (e.g. in an environment variable).
    secret: ${js(v.sessionSecret ?? 'REPLACE_WITH_A_LONG_RANDOM_STRING')},
    authRequired: false,
    // /logout also ends the session at Signet (its end_session_endpoint), not only in this app.
    idpLogout: true,
    clientAuthMethod: 'private_key_jwt',
    clientAssertionSigningKey: readFileSync('private.pem'),
    clientAssertionSigningAlg: ${js(v.alg)},
    authorizationParams: { response_type: 'code', scope: 'openid profile email' },
  }),
);

// /login, /logout and /callback come from auth().
app.get('/', (req, res) => {
  if (!req.oidc.isAuthenticated()) return res.send('Signed out. <a href="/login">Log in</a>');
  res.send('Signed in. <a href="/profile">Profile</a> <a href="/logout">Log out</a>');
});

app.get('/profile', requiresAuth(), (req, res) => {
  res.json(req.oidc.user);
});

app.listen(${EXPRESS_PORT}, () => console.log('Listening on ${EXPRESS_BASE_URL}'));
`;
}

/** A random secret for a session cookie: 32 bytes, base64url (browser and Node alike). */
export function randomSessionSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
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
