/**
 * A log exporter pages through GET /api/v2/logs by checkpoint (the auth0 SDK's
 * `logs.getAll({from, take})`, keeping the last log_id it saw) while `signet serve --workers 3`
 * records token successes, token failures and Management API calls from every worker at once.
 * Every event must reach the exporter exactly once, in log_id order: an event that commits
 * after the exporter has passed its number would be lost for good. On SQLite and PostgreSQL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagementClient as LegacyManagementClient } from 'auth0/legacy';
import { freePort } from '../support/free-port.ts';
import { freshPostgresDatabase, requirePostgres } from '../support/services.ts';

const WORKERS = 3;
const TOKEN_REQUESTS = 240;
const MANAGEMENT_CALLS = 30;
const CONCURRENCY = 24;
const TAKE = 7;

async function runExport(databaseUrl: string | undefined) {
  const dir = mkdtempSync(join(tmpdir(), 'signet-log-export-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}/`;
  const env = { ...process.env, PORT: String(port), SIGNET_DATA_DIR: dir, SIGNET_PUBLIC_URL: base.slice(0, -1), SIGNET_BIND: '127.0.0.1', ...(databaseUrl && { SIGNET_DATABASE_URL: databaseUrl }) };
  const proc = spawn(process.execPath, ['bin/signet.js', 'serve', '--workers', String(WORKERS)], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    for (let i = 0; i < 200; i++) {
      try {
        if ((await fetch(base + '.well-known/openid-configuration')).ok) break;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const creds = JSON.parse(execFileSync(process.execPath, ['bin/signet.js', 'tenants', 'credentials', 'default', '--json'], { env }).toString());
    const m = creds.management;
    const form = (extra: Record<string, string> = {}) =>
      new URLSearchParams({ grant_type: 'client_credentials', client_id: m.client_id, client_secret: m.client_secret, audience: m.audience, ...extra }).toString();
    const token = async (extra?: Record<string, string>) =>
      (await fetch(base + 'oauth/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(extra) })).status;
    const tr = await fetch(base + 'oauth/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form() });
    const mgmt = ((await tr.json()) as { access_token: string }).access_token;
    const api = async (method: string, path: string, body?: unknown) =>
      (await fetch(base + `api/v2/${path}`, { method, headers: { authorization: `Bearer ${mgmt}`, ...(body !== undefined && { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) })).status;

    // The SDK addresses https://{domain}; this server speaks plain HTTP on loopback.
    const sdkFetch = ((input: string | URL, init?: RequestInit) => fetch(String(input).replace(/^https:/, 'http:'), init)) as typeof fetch;
    const sdk = new LegacyManagementClient({ domain: `127.0.0.1:${port}`, token: mgmt, fetch: sdkFetch });

    // Writers: successes, failures of a known client and of an unknown one, and Management API calls.
    const jobs: (() => Promise<number>)[] = [];
    for (let i = 0; i < TOKEN_REQUESTS; i++) {
      jobs.push(i % 3 === 0 ? () => token() : i % 3 === 1 ? () => token({ client_secret: 'wrong' }) : () => token({ client_id: `ghost-${i}` }));
    }
    for (let i = 0; i < MANAGEMENT_CALLS; i++) jobs.push(() => api('POST', 'resource-servers', { name: `export ${i}`, identifier: `https://export-${i}.example/` }));
    jobs.sort(() => Math.random() - 0.5);
    let writing = true;
    const writers = (async () => {
      const statuses: number[] = [];
      let next = 0;
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (next < jobs.length) statuses.push(await jobs[next++]!());
      }));
      writing = false;
      return statuses;
    })();

    // The exporter: from the start of the log, `take` at a time, checkpoint = the last log_id seen.
    const exported: { log_id: string; type: string }[] = [];
    let from: string | undefined;
    let quiet = 0;
    let pages = 0;
    while (writing || quiet < 3) {
      const { data } = await sdk.logs.getAll({ ...(from && { from }), take: TAKE });
      const page = data as unknown as { log_id: string; type: string }[];
      pages++;
      exported.push(...page);
      if (page.length) from = page.at(-1)!.log_id;
      if (!writing) {
        quiet = page.length ? 0 : quiet + 1;
        // Each worker flushes its buffered events within 50 ms: give every one time to.
        if (!page.length) await new Promise((r) => setTimeout(r, 150));
      }
    }
    const statuses = await writers;
    assert.equal(statuses.filter((s) => s === 200).length, TOKEN_REQUESTS / 3, 'the successes succeeded');
    assert.equal(statuses.filter((s) => s === 401).length, (TOKEN_REQUESTS * 2) / 3, 'the failures failed');
    assert.equal(statuses.filter((s) => s === 201).length, MANAGEMENT_CALLS, 'the management calls succeeded');

    // The whole log, read afterwards, is what the exporter saw while it was being written.
    const all: string[] = [];
    for (let after: string | undefined; ;) {
      const { data } = await sdk.logs.getAll({ ...(after && { from: after }), take: 100 });
      const page = data as unknown as { log_id: string }[];
      if (!page.length) break;
      all.push(...page.map((e) => e.log_id));
      after = all.at(-1);
    }
    const ids = exported.map((e) => e.log_id);
    assert.equal(new Set(ids).size, ids.length, 'no event twice');
    assert.deepEqual(ids, all, 'no event missed, in log_id order');
    const count = (type: string) => exported.filter((e) => e.type === type).length;
    // Plus the exporter's own token: one success more than the writers asked for.
    assert.equal(count('seccft'), TOKEN_REQUESTS / 3 + 1);
    assert.equal(count('feccft'), (TOKEN_REQUESTS * 2) / 3);
    assert.equal(count('sapi'), MANAGEMENT_CALLS);
    assert.ok(pages > (TOKEN_REQUESTS + MANAGEMENT_CALLS) / TAKE, `the exporter paged while events were written (${pages} pages)`);
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

test(`SQLite, ${WORKERS} workers: a from/take exporter sees every event exactly once while they are written`, async () => {
  await runExport(undefined);
});

test(`PostgreSQL, ${WORKERS} workers: a from/take exporter sees every event exactly once while they are written`, async (t) => {
  if (!(await requirePostgres(t))) return;
  const db = await freshPostgresDatabase();
  try {
    await runExport(db.url);
  } finally {
    await db.drop();
  }
});
