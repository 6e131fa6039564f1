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

/**
 * The issuer URL for --domain: a full URL (http:// or https://) is used as given; a bare domain
 * is taken as Auth0 SDKs take it, https, except local development hosts (localhost,
 * *.localhost, loopback addresses), which are guessed to be plain HTTP.
 */
export function issuerForDomain(domain: string): URL {
  const explicit = /^https?:\/\//i.test(domain);
  const host = domain.replace(/\/+$/, '');
  const local = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/i.test(host) || /\.localhost(:\d+)?$/i.test(host);
  let url: URL;
  try {
    url = new URL(explicit ? host : `${local ? 'http' : 'https'}://${host}`);
  } catch {
    url = new URL('invalid:');
  }
  if (!/^https?:$/.test(url.protocol) || url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
    throw new Error(`--domain must be a domain such as acme.example.com (or acme.localhost:3000), or a URL such as https://acme.example.com; got "${domain.slice(0, 100)}"`);
  }
  return url;
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

const REQUEST_TIMEOUT_MS = 30_000;

/**
 * POST a form. `*.localhost` names are connected to loopback (Node does not resolve them
 * itself); the lookup answers both forms Node asks in (a single address, or `{ all: true }`
 * when it tries address families in turn). Failures say which URL was tried and what to do.
 */
function postForm(url: URL, body: string): Promise<{ status: number; body: string }> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const loopback = url.hostname.endsWith('.localhost');
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        ...(loopback && { lookup: loopbackLookup }),
        timeout: REQUEST_TIMEOUT_MS,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), accept: 'application/json' },
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8').on('data', (c) => (data += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', (err) => reject(new Error(explainRequestError(url, err as NodeJS.ErrnoException))));
    req.end(body);
  });
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | { address: string; family: number }[], family?: number) => void;

function loopbackLookup(_host: string, options: { all?: boolean } | number | LookupCallback, cb?: LookupCallback): void {
  const done = (typeof options === 'function' ? options : cb)!;
  if (typeof options === 'object' && options.all) done(null, [{ address: '127.0.0.1', family: 4 }]);
  else done(null, '127.0.0.1', 4);
}

/** A message that names the URL and, where the cause is clear, the fix (most often: the other scheme). */
export function explainRequestError(url: URL, err: NodeJS.ErrnoException): string {
  const where = `${url.origin}`;
  const other = `${url.protocol === 'https:' ? 'http' : 'https'}://${url.host}`;
  const code = err.code ?? '';
  if (url.protocol === 'http:' && (code === 'ECONNRESET' || /socket hang up/.test(err.message))) {
    return `${url.host} closed the connection on plain HTTP (${where}). If it serves HTTPS, pass --domain ${other}`;
  }
  if (url.protocol === 'https:' && (code === 'EPROTO' || /wrong version number|packet length too long/i.test(err.message))) {
    return `${url.host} does not answer HTTPS (${where}). If it serves plain HTTP, pass --domain ${other}`;
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(code)) {
    return `The certificate of ${url.host} is not trusted (${code}): ${err.message}. For a private CA, set NODE_EXTRA_CA_CERTS to its PEM file.`;
  }
  if (code === 'ECONNREFUSED') return `Nothing is listening at ${where} (connection refused). Is Signet running on that port?`;
  if (code === 'ETIMEDOUT') return `No answer from ${where} within ${REQUEST_TIMEOUT_MS / 1000} s.`;
  return `Request to ${where} failed: ${err.message}`;
}
