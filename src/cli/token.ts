import { parseArgs } from 'node:util';
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { signClientAssertion, type AssertionAlg } from '../domain/sign-client-assertion.ts';
import { CLIENT_ASSERTION_TYPE } from '../domain/client-assertion/index.ts';

const common = {
  'client-id': { type: 'string' },
  key: { type: 'string' },
  alg: { type: 'string', default: 'RS256' },
  kid: { type: 'string' },
  lifetime: { type: 'string', default: '60' },
} as const;

function need(v: string | undefined, name: string): string {
  if (!v) throw new Error(`--${name} is required`);
  return v;
}

function sign(values: { 'client-id'?: string; key?: string; alg?: string; kid?: string; lifetime?: string }, audience: string): string {
  return signClientAssertion({
    clientId: need(values['client-id'], 'client-id'),
    audience,
    privateKey: createPrivateKey(readFileSync(need(values.key, 'key'))),
    alg: values.alg as AssertionAlg,
    kid: values.kid,
    lifetimeSeconds: Number(values.lifetime),
  });
}

/** The issuer URL for a domain as Auth0 SDKs take it: https, except plain-HTTP local development hosts. */
export function issuerForDomain(domain: string): URL {
  if (/^https?:\/\//.test(domain)) return new URL(domain.endsWith('/') ? domain : `${domain}/`);
  const host = domain.replace(/\/+$/, '');
  const local = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(host) || /\.localhost(:\d+)?$/.test(host);
  return new URL(`${local ? 'http' : 'https'}://${host}/`);
}

/** `signet assertion`: prints a signed client assertion (for curl or any HTTP client). */
export async function assertionCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { ...common, audience: { type: 'string' } } });
  console.log(sign(values, need(values.audience, 'audience (the tenant issuer, e.g. http://localhost:3000/)')));
  return 0;
}

/** `signet token`: signs an assertion and exchanges it for an access token (client credentials). */
export async function tokenCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { ...common, domain: { type: 'string' }, audience: { type: 'string' }, scope: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const issuer = issuerForDomain(need(values.domain, 'domain'));
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_assertion_type: CLIENT_ASSERTION_TYPE,
    client_assertion: sign(values, issuer.href),
    audience: need(values.audience, 'audience (the API identifier)'),
  });
  if (values.scope) form.set('scope', values.scope);
  const { status, body } = await postForm(new URL('oauth/token', issuer), form.toString());
  if (status !== 200) {
    console.error(`Token request failed (${status}): ${body}`);
    return 1;
  }
  console.log(values.json ? body : (JSON.parse(body) as { access_token: string }).access_token);
  return 0;
}

/** POST a form. `*.localhost` names are connected to loopback (Node does not resolve them itself). */
function postForm(url: URL, body: string): Promise<{ status: number; body: string }> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const loopback = url.hostname.endsWith('.localhost');
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        ...(loopback && { lookup: (_h: string, _o: unknown, cb: (e: null, a: string, f: number) => void) => cb(null, '127.0.0.1', 4) }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), accept: 'application/json' },
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8').on('data', (c) => (data += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
