/**
 * Copy-paste examples for signing a client assertion and exchanging it for a token, filled with
 * this tenant's real endpoints. Values are quoted for the language they land in, since an API
 * identifier is free text chosen by whoever created the API.
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

/** A single-quoted JavaScript string literal. */
const js = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;

/** A shell word: bare when it is obviously safe, otherwise single-quoted. */
const sh = (s: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

const fetchToken = (v: SnippetInput) => `const res = await fetch(${js(v.tokenEndpoint)}, {
  method: 'POST',
  body: new URLSearchParams({
    grant_type: 'client_credentials',
    audience: ${js(v.apiAudience)},
    client_assertion_type: ${js(ASSERTION_TYPE)},
    client_assertion: clientAssertion,
  }),
});
const { access_token } = await res.json();
console.log(access_token);`;

export function snippet(id: SnippetId, v: SnippetInput): string {
  const algFlag = v.alg === 'RS256' ? '' : ` --alg ${sh(v.alg)}`;
  switch (id) {
    case 'jsonwebtoken':
      return `// npm install jsonwebtoken   (Node.js 18+, ES module)
import { readFileSync } from 'node:fs';
import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';

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

${fetchToken(v)}
`;
    case 'jose':
      return `// npm install jose   (Node.js 18+, ES module)
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { SignJWT, importPKCS8 } from 'jose';

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

${fetchToken(v)}
`;
    case 'curl':
      return `curl -s ${sh(v.tokenEndpoint)} \\
  -d grant_type=client_credentials \\
  -d audience=${sh(v.apiAudience)} \\
  -d client_assertion_type=${ASSERTION_TYPE} \\
  -d client_assertion="$(npx signet assertion --client-id ${sh(v.clientId)} --key private.pem --audience ${sh(v.issuer)}${algFlag})"
`;
    case 'signet':
      return `npx signet token --domain ${sh(originOf(v.issuer))} --client-id ${sh(v.clientId)} --key private.pem --audience ${sh(v.apiAudience)}${algFlag}
`;
  }
}

/** `signet token --domain` takes the issuer's origin (https is assumed for bare non-local hosts). */
function originOf(issuer: string): string {
  try {
    return new URL(issuer).origin;
  } catch {
    return issuer.replace(/\/+$/, '');
  }
}
