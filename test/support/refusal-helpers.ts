/**
 * Shared helpers for the end-to-end refusal specs (test/e2e/refusals.test.ts and
 * test/e2e/assertions.test.ts): key and certificate material made at test time, hand-built
 * JWTs (including malformed ones), Management API and OAuth error assertions, and
 * "nothing changed" snapshots read both over HTTP and straight from the store.
 */
import assert from 'node:assert/strict';
import {
  constants,
  createHash,
  createHmac,
  generateKeyPair,
  generateKeyPairSync,
  randomUUID,
  sign,
  type KeyObject,
} from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Harness, TestTenant } from './harness.ts';
import { replayKey } from '../../src/services/client-auth/index.ts';
import { selfSignedCertificate } from './credential-material.ts';

export { CLIENT_ASSERTION_TYPE as ASSERTION_TYPE } from '../../src/domain/client-assertion/index.ts';

// ---------------------------------------------------------------------------------------------
// Keys and certificates
// ---------------------------------------------------------------------------------------------

export interface KeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

export const newRsa = (bits = 2048): KeyPair => generateKeyPairSync('rsa', { modulusLength: bits });
export const newRsaAsync = (bits: number): Promise<KeyPair> =>
  promisify(generateKeyPair)('rsa', { modulusLength: bits }) as unknown as Promise<KeyPair>;
export const newEc = (curve: 'P-256' | 'P-384' = 'P-256'): KeyPair => generateKeyPairSync('ec', { namedCurve: curve });

export const spki = (k: KeyPair): string => k.publicKey.export({ type: 'spki', format: 'pem' }) as string;
export const pkcs1Public = (k: KeyPair): string => k.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string;

/** The base64 body of a PEM, armor and whitespace removed. */
export const pemBody = (pem: string): string => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');

/** RFC 7638 thumbprint computed independently of src/ (RSA and EC only). */
export function rfc7638(k: KeyPair): string {
  const jwk = k.publicKey.export({ format: 'jwk' });
  const canonical =
    jwk.kty === 'RSA'
      ? JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n })
      : JSON.stringify({ crv: jwk.crv, kty: 'EC', x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

export type { TestCertificate as Cert } from './credential-material.ts';
export { datedCertificate as datedCert, opensslCertificateField as opensslCertField } from './credential-material.ts';

/** Self-signed RSA 2048 certificate valid from now for `days` days. */
export const selfSignedCert = (subject = '/C=FR/O=Acme Corp/CN=signet-e2e', days = 30) => selfSignedCertificate({ subject, days });

/** `YYYYMMDDHHMMSSZ` for openssl ca -startdate/-enddate. */
export const asn1Time = (d: Date): string => d.toISOString().replace(/[-:T]/g, '').replace(/\.\d{3}Z$/, 'Z');

// ---------------------------------------------------------------------------------------------
// JWTs
// ---------------------------------------------------------------------------------------------

export const b64url = (v: unknown): string => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** Signs `<b64 header>.<b64 payload>` per RFC 7518 (HS* with `key` as the HMAC secret, `none` unsigned). */
export function jwt(header: Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject | string | Buffer | null): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  const alg = String(header.alg);
  if (key === null || alg.toLowerCase() === 'none') return `${input}.`;
  const data = Buffer.from(input);
  let sig: Buffer;
  if (alg.startsWith('HS')) sig = createHmac(`sha${alg.slice(2)}`, key as string | Buffer).update(data).digest();
  else if (alg.startsWith('RS')) sig = sign(`sha${alg.slice(2)}`, data, key as KeyObject);
  else if (alg.startsWith('PS')) sig = sign(`sha${alg.slice(2)}`, data, { key: key as KeyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 });
  else if (alg.startsWith('ES')) sig = sign(`sha${alg.slice(2)}`, data, { key: key as KeyObject, dsaEncoding: 'ieee-p1363' });
  else throw new Error(`jwt(): unsupported alg ${alg}`);
  return `${input}.${sig.toString('base64url')}`;
}

export interface AssertionOptions {
  clientId: string;
  aud: unknown;
  key: KeyObject;
  alg?: string;
  kid?: string;
  typ?: string | null;
  jti?: string | null;
  /** Claims to add or override; a value of `undefined` removes the claim. */
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
}

/** A client assertion that Signet accepts unless an option says otherwise: iat now, exp now + 60 s. */
export function assertion(o: AssertionOptions): { token: string; jti: string | undefined } {
  const now = Math.floor(Date.now() / 1000);
  const jti = o.jti === null ? undefined : (o.jti ?? randomUUID());
  const payload: Record<string, unknown> = { iss: o.clientId, sub: o.clientId, aud: o.aud, iat: now, exp: now + 60, ...(jti !== undefined && { jti }) };
  for (const [k, v] of Object.entries(o.claims ?? {})) {
    if (v === undefined) delete payload[k];
    else payload[k] = v;
  }
  const header: Record<string, unknown> = { alg: o.alg ?? 'RS256', ...(o.typ !== null && { typ: o.typ ?? 'JWT' }), ...(o.kid && { kid: o.kid }), ...o.header };
  return { token: jwt(header, payload, o.key), jti };
}

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

export interface HttpResult {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

/** Management API call with full control over headers and body (raw string bodies are sent as-is). */
export async function rawApi(
  f: typeof globalThis.fetch,
  tenant: TestTenant,
  method: string,
  path: string,
  opts: { token?: string | null; body?: unknown; rawBody?: string; contentType?: string } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.rawBody !== undefined) {
    body = opts.rawBody;
    headers['content-type'] = opts.contentType ?? 'application/json';
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const res = await f(new URL(`api/v2${path}`, tenant.issuer), { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try { parsed = text ? JSON.parse(text) : undefined; } catch { /* keep text */ }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

/** POST /oauth/token with a raw body and content type. */
export async function rawToken(h: Harness, tenant: TestTenant, body: string, contentType: string, headers: Record<string, string> = {}): Promise<HttpResult> {
  const res = await h.fetch(new URL('oauth/token', tenant.issuer), { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
  const text = await res.text();
  let parsed: unknown = text;
  try { parsed = JSON.parse(text); } catch { /* keep text */ }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

/**
 * Asserts Auth0's Management API error shape `{statusCode, error, message, errorCode}`, plus
 * Signet's optional `field` (the request field at fault, which the dashboard shows the message by).
 */
export function assertMgmtError(
  res: { status: number; body: any },
  status: number,
  errorCode: string | readonly string[],
  message?: string | RegExp,
): void {
  const ctx = JSON.stringify(res.body);
  assert.equal(res.status, status, `HTTP status; body ${ctx}`);
  assert.equal(typeof res.body, 'object', `JSON error body expected, got ${ctx}`);
  assert.deepEqual(Object.keys(res.body).filter((k) => k !== 'field').sort(), ['error', 'errorCode', 'message', 'statusCode'], `error shape; body ${ctx}`);
  if ('field' in res.body) assert.match(res.body.field, /^[a-z_]+$/, `field names a request field; body ${ctx}`);
  assert.equal(res.body.statusCode, status, `statusCode; body ${ctx}`);
  const phrases: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 413: 'Payload Too Large' };
  if (phrases[status]) assert.equal(res.body.error, phrases[status], `error phrase; body ${ctx}`);
  const codes = typeof errorCode === 'string' ? [errorCode] : errorCode;
  assert.ok(codes.includes(res.body.errorCode), `errorCode ${res.body.errorCode} not in ${codes.join('|')}; body ${ctx}`);
  assert.equal(typeof res.body.message, 'string');
  if (typeof message === 'string') assert.equal(res.body.message, message, `message; body ${ctx}`);
  else if (message) assert.match(res.body.message, message, `message; body ${ctx}`);
}

/** Asserts an RFC 6749 §5.2 error body. */
export function assertOAuthError(res: { status: number; body: any }, status: number, error: string, description?: RegExp): void {
  const ctx = JSON.stringify(res.body);
  assert.equal(res.status, status, `HTTP status; body ${ctx}`);
  assert.equal(typeof res.body, 'object', `JSON error body expected, got ${ctx}`);
  assert.equal(res.body.error, error, `error; body ${ctx}`);
  assert.equal(typeof res.body.error_description, 'string', `error_description; body ${ctx}`);
  assert.ok(res.body.error_description.length > 0);
  assert.equal(res.body.access_token, undefined);
  if (description) assert.match(res.body.error_description, description, `error_description; body ${ctx}`);
}

// ---------------------------------------------------------------------------------------------
// Fixtures over the Management API
// ---------------------------------------------------------------------------------------------

export const API_AUDIENCE = 'https://api.e2e.example/';

export async function tenantId(h: Harness, tenant: TestTenant): Promise<string> {
  const t = await h.services.store.tenants.getByName(tenant.tenant);
  assert.ok(t, `tenant ${tenant.tenant} not in the store`);
  return t.id;
}

export async function createApi(tenant: TestTenant, identifier = API_AUDIENCE): Promise<void> {
  const r = await tenant.api('POST', '/resource-servers', { identifier, scopes: [{ value: 'read:things' }] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

export async function grant(tenant: TestTenant, clientId: string, audience = API_AUDIENCE, scope = ['read:things']): Promise<void> {
  const r = await tenant.api('POST', '/client-grants', { client_id: clientId, audience, scope });
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

export interface PkjwtApp {
  clientId: string;
  key: KeyPair;
  credentialId: string;
  kid: string;
}

/** An M2M app using private_key_jwt with one enabled RS256 credential, granted API_AUDIENCE (created if needed). */
export async function pkjwtApp(tenant: TestTenant, opts: { key?: KeyPair; alg?: string; withApi?: boolean } = {}): Promise<PkjwtApp> {
  if (opts.withApi !== false) await createApi(tenant);
  const key = opts.key ?? newRsa();
  const r = await tenant.api('POST', '/clients', {
    name: 'backend',
    app_type: 'non_interactive',
    client_authentication_methods: {
      private_key_jwt: { credentials: [{ credential_type: 'public_key', name: 'k1', pem: spki(key), ...(opts.alg && { alg: opts.alg }) }] },
    },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const clientId = r.body.client_id as string;
  const creds = await tenant.api('GET', `/clients/${clientId}/credentials`);
  assert.equal(creds.status, 200, JSON.stringify(creds.body));
  assert.equal(creds.body.length, 1);
  await grant(tenant, clientId);
  return { clientId, key, credentialId: creds.body[0].id, kid: creds.body[0].kid };
}

/** An application with a client secret (the default for confidential types). */
export async function secretApp(tenant: TestTenant, appType = 'non_interactive', name = 'app'): Promise<{ clientId: string; secret?: string; body: any }> {
  const r = await tenant.api('POST', '/clients', { name, app_type: appType });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { clientId: r.body.client_id, secret: r.body.client_secret, body: r.body };
}

export const credentialBody = (pem: string, extra: Record<string, unknown> = {}) => ({ credential_type: 'public_key', name: 'key', pem, ...extra });

// ---------------------------------------------------------------------------------------------
// "Nothing changed"
// ---------------------------------------------------------------------------------------------

export interface Snapshot {
  apiCredentials: { status: number; body: unknown };
  apiClient: { status: number; body: unknown };
  storeCredentials: unknown;
  storeClient: unknown;
  enabled: string[];
  tenantCredentialRows: number;
  usedJtis: number;
}

/**
 * Everything observable about one client's credentials: over HTTP (GET credentials and GET
 * client, whatever status they answer) and in the store (credential rows, client row with its
 * version and encrypted secret, enabled ids, the tenant's credential row count, and the jtis
 * recorded for the client). Pending `last_used_at` writes are flushed first so the comparison
 * is not racing the usage timer.
 */
export async function snapshot(h: Harness, tenant: TestTenant, clientId: string): Promise<Snapshot> {
  await h.services.usage.flush();
  const tid = await tenantId(h, tenant);
  const [apiCredentials, apiClient] = await Promise.all([
    tenant.api('GET', `/clients/${encodeURIComponent(clientId)}/credentials`),
    tenant.api('GET', `/clients/${encodeURIComponent(clientId)}`),
  ]);
  const rows = await h.services.store.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM credentials WHERE tenant_id = ?`, [tid]);
  return {
    apiCredentials,
    apiClient,
    storeCredentials: await h.services.store.credentials.list(tid, clientId),
    storeClient: (await h.services.store.clients.get(tid, clientId)) ?? null,
    enabled: await h.services.store.clients.enabledCredentialIds(clientId),
    tenantCredentialRows: Number(rows?.n ?? 0),
    usedJtis: await usedJtiCount(h),
  };
}

/** Every recorded jti (keys are hashes, so not attributable to a client; tests in a file run one at a time). */
export async function usedJtiCount(h: Harness): Promise<number> {
  const r = await h.services.store.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM used_jtis`);
  return Number(r?.n ?? 0);
}

export async function jtiUsed(h: Harness, tenant: TestTenant, clientId: string, jti: string): Promise<boolean> {
  return h.services.store.replay.isUsed(replayKey(await tenantId(h, tenant), clientId, jti), Date.now());
}

export async function assertUnchanged(h: Harness, tenant: TestTenant, clientId: string, before: Snapshot): Promise<void> {
  const after = await snapshot(h, tenant, clientId);
  assert.deepEqual(after, before, 'nothing may change');
}

/** Total credential rows in the whole database. */
export async function totalCredentialRows(h: Harness): Promise<number> {
  const r = await h.services.store.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM credentials`);
  return Number(r?.n ?? 0);
}

// ---------------------------------------------------------------------------------------------
// Logs
// ---------------------------------------------------------------------------------------------

export async function logsOfType(tenant: TestTenant, type: string): Promise<any[]> {
  const r = await tenant.api('GET', `/logs?q=${encodeURIComponent(`type:"${type}"`)}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

// ---------------------------------------------------------------------------------------------
// Leak scanning
// ---------------------------------------------------------------------------------------------

/** Every `width`-character slice of `secret` (whitespace removed). */
export function slices(secret: string, width = 32): Set<string> {
  const s = secret.replace(/\s+/g, '');
  const out = new Set<string>();
  for (let i = 0; i + width <= s.length; i++) out.add(s.slice(i, i + width));
  return out;
}

/** Offset of the first `width`-char window of `haystack` that is a slice of the secret, or -1. */
export function findSlice(haystack: string, secretSlices: Set<string>, width = 32): number {
  for (let i = 0; i + width <= haystack.length; i++) {
    if (secretSlices.has(haystack.slice(i, i + width))) return i;
  }
  return -1;
}

/**
 * The haystacks to scan for leaked key material in files: raw (latin1), and with whitespace and
 * literal `\n` escapes removed (a PEM stored with its line breaks would otherwise dodge slices
 * that span a line end).
 */
export function haystacks(text: string): string[] {
  return [text, text.replace(/\\r|\\n|\s+/g, '')];
}

export function readDataFiles(dataDir: string): { name: string; text: string }[] {
  return readdirSync(dataDir)
    .filter((n) => n.startsWith('signet.db'))
    .map((n) => ({ name: n, text: readFileSync(join(dataDir, n)).toString('latin1') }));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
