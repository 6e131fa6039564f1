import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { request } from 'undici';
import { freePort } from './free-port.ts';
import { signClientAssertion } from '../../src/domain/sign-client-assertion.ts';
import { CLIENT_ASSERTION_TYPE } from '../../src/domain/client-assertion/index.ts';

/**
 * `signet serve` as its own process (a node), for what an in-process harness cannot show:
 * signals (SIGTERM, SIGKILL) and several nodes on one database. The source runs through tsx,
 * as in every test, so what is tested is the code in this checkout, never an older build.
 */
export interface SignetNode {
  proc: ChildProcess;
  /** http://127.0.0.1:PORT/ (the default tenant's issuer). */
  base: string;
  port: number;
  env: NodeJS.ProcessEnv;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
  /** What the process printed to stdout and stderr so far. */
  output(): string;
}

const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

/** Runs a `signet` command (not `serve`) with `env`, returning its stdout. */
export function signetCommand(env: NodeJS.ProcessEnv, ...args: string[]): string {
  return execFileSync(process.execPath, [...CLI, ...args], { env, encoding: 'utf8' });
}

export async function startNode(env: Record<string, string>, opts: { port?: number; publicUrl?: string } = {}): Promise<SignetNode> {
  const port = opts.port ?? (await freePort());
  const base = `http://127.0.0.1:${port}/`;
  const fullEnv = { ...process.env, PORT: String(port), SIGNET_BIND: '127.0.0.1', SIGNET_PUBLIC_URL: opts.publicUrl ?? base.slice(0, -1), ...env };
  const proc = spawn(process.execPath, [...CLI, 'serve'], { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | string>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`signet serve exited (${proc.exitCode}): ${out.slice(-2000)}`);
    try {
      // Asked as the load balancer would: on this node's port, for the public host.
      const r = await request(`http://127.0.0.1:${port}/.well-known/openid-configuration`, { headers: { host: new URL(fullEnv.SIGNET_PUBLIC_URL).host } });
      await r.body.dump();
      if (r.statusCode === 200) break;
    } catch {
      /* not listening yet */
    }
    if (i > 300) throw new Error(`signet serve did not start within 30 s: ${out.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { proc, base, port, env: fullEnv, exited, output: () => out };
}

/** A Management API token for the default tenant, from its management client (read with the CLI). */
export async function managementToken(node: SignetNode): Promise<string> {
  const creds = JSON.parse(signetCommand(node.env, 'tenants', 'credentials', 'default', '--json'));
  const r = await fetch(node.base + 'oauth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: creds.management.client_id, client_secret: creds.management.client_secret, audience: creds.management.audience }),
  });
  const body = (await r.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no management token: ${JSON.stringify(body)}`);
  return body.access_token;
}

export async function managementCall(node: SignetNode, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${node.base}api/v2/${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** A Machine-to-Machine app with one RS256 credential and a grant to `audience` (created if missing). */
export async function createNodeM2MApp(node: SignetNode, token: string, audience = 'https://faults.example/') {
  const api = await managementCall(node, token, 'POST', 'resource-servers', { identifier: audience, scopes: [{ value: 'x' }] });
  if (api.status !== 201 && api.status !== 409) throw new Error(`resource server: ${api.status} ${JSON.stringify(api.body)}`);
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const app = await managementCall(node, token, 'POST', 'clients', {
    name: 'faults',
    app_type: 'non_interactive',
    client_authentication_methods: { private_key_jwt: { credentials: [{ credential_type: 'public_key', pem: publicKey.export({ type: 'spki', format: 'pem' }) }] } },
  });
  if (app.status !== 201) throw new Error(`client: ${app.status} ${JSON.stringify(app.body)}`);
  const grant = await managementCall(node, token, 'POST', 'client-grants', { client_id: app.body.client_id, audience, scope: ['x'] });
  if (grant.status !== 201) throw new Error(`grant: ${grant.status} ${JSON.stringify(grant.body)}`);
  return { clientId: app.body.client_id as string, privateKey, audience };
}

/** A client-credentials form with a fresh assertion for `issuer` (the node's base URL). */
export function nodeTokenForm(app: { clientId: string; privateKey: KeyObject; audience: string }, issuer: string): Record<string, string> {
  return {
    grant_type: 'client_credentials',
    client_assertion_type: CLIENT_ASSERTION_TYPE,
    client_assertion: signClientAssertion({ clientId: app.clientId, audience: issuer, privateKey: app.privateKey }),
    audience: app.audience,
  };
}

export async function postToken(base: string, form: Record<string, string>): Promise<{ status: number; body: any }> {
  const r = await fetch(base + 'oauth/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
  return { status: r.status, body: await r.json().catch(() => undefined) };
}
