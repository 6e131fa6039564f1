import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { request } from 'undici';
import { createNodeM2MApp, managementCall, managementToken, nodeTokenForm, startNode, type SignetNode } from '../support/node-process.ts';
import { tempDir } from '../support/own-services.ts';
import { freshPostgresDatabase, requirePostgres, requireRedis, REDIS_URL } from '../support/services.ts';
import { openDb } from '../../src/store/sql/db.ts';
import { freePort } from '../support/free-port.ts';

/**
 * Two nodes on one PostgreSQL and one Redis, as behind a load balancer. One is killed with
 * SIGKILL while it creates applications and issues tokens: whatever it was writing is either
 * all there or not there at all, and the other node keeps serving throughout.
 */

/** A token request to `node` as the load balancer forwards it: the Host is the public one. */
async function tokenVia(node: SignetNode, publicHost: string, form: Record<string, string>): Promise<number> {
  try {
    const r = await request(`http://127.0.0.1:${node.port}/oauth/token`, {
      method: 'POST',
      headers: { host: publicHost, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    await r.body.text();
    return r.statusCode;
  } catch {
    return 0;
  }
}

test('Two nodes: 200 copies of one assertion across both give exactly one token; SIGKILL during load: no partly written application, credential or log event; the other node keeps serving', async (t) => {
  if (!(await requirePostgres(t)) || !(await requireRedis(t))) return;
  const db = await freshPostgresDatabase();
  const dirA = tempDir('signet-kill-a-');
  const dirB = tempDir('signet-kill-b-');
  const portA = await freePort();
  const publicUrl = `http://127.0.0.1:${portA}`;
  const shared = { SIGNET_DATABASE_URL: db.url, SIGNET_REDIS_URL: REDIS_URL, SIGNET_MASTER_KEY: 'ab'.repeat(32) };
  let a: SignetNode | undefined;
  let b: SignetNode | undefined;
  try {
    a = await startNode({ ...shared, SIGNET_DATA_DIR: dirA.path }, { port: portA });
    b = await startNode({ ...shared, SIGNET_DATA_DIR: dirB.path }, { publicUrl });
    const host = `127.0.0.1:${portA}`;
    const token = await managementToken(a);
    // This test's traffic all comes from one address and its replays are failed
    // authentications, which the default rate limits would (rightly) stop: lift them here.
    const limits = await managementCall(a, token, 'PATCH', 'tenants/settings', { token_rate_limit_per_client: 1_000_000, token_rate_limit_per_address: 1_000_000, management_rate_limit_per_token: 1_000_000 });
    assert.equal(limits.status, 200, JSON.stringify(limits.body));
    const app = await createNodeM2MApp(a, token);
    const issuer = a.base;

    // 200 copies of one assertion, half to each node, at once: exactly one token. The others are
    // refused as replays, or (a node that cannot drain its share quickly sheds it) with 503.
    const one = nodeTokenForm(app, issuer);
    const raced = await Promise.all(Array.from({ length: 200 }, (_, i) => tokenVia(i % 2 ? a! : b!, host, one)));
    assert.deepEqual(raced.filter((s) => s !== 401 && s !== 503), [200], `statuses: ${[...new Set(raced)].join(', ')}`);

    let running = true;
    const created: string[] = [];
    const onB: number[] = [];
    const onA: number[] = [];
    const writer = (async () => {
      for (let i = 0; running; i++) {
        const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
        const r = await managementCall(a!, token, 'POST', 'clients', {
          name: `kill-${i}`,
          app_type: 'non_interactive',
          client_authentication_methods: {
            private_key_jwt: { credentials: [{ credential_type: 'public_key', name: `k${i}`, alg: 'ES256', pem: publicKey.export({ type: 'spki', format: 'pem' }) as string }] },
          },
        }).catch(() => ({ status: 0, body: undefined }));
        if (r.status === 201) created.push(r.body.client_id);
        else if (r.status === 0) return;
      }
    })();
    const tokensOnA = (async () => {
      while (running) {
        const s = await tokenVia(a!, host, nodeTokenForm(app, issuer));
        onA.push(s);
        if (s === 0) return;
      }
    })();
    const tokensOnB = Promise.all(
      [0, 1].map(async () => {
        while (running) onB.push(await tokenVia(b!, host, nodeTokenForm(app, issuer)));
      }),
    );

    await new Promise((r) => setTimeout(r, 2000));
    const beforeKill = onB.length;
    a.proc.kill('SIGKILL');
    await a.exited;
    await new Promise((r) => setTimeout(r, 1500));
    running = false;
    await Promise.all([writer, tokensOnA, tokensOnB]);

    assert.ok(created.length >= 3, `only ${created.length} applications were created before the kill`);
    assert.ok(onA.filter((s) => s === 200).length >= 3);
    assert.ok(onB.length - beforeKill >= 5, 'the other node served nothing after the kill');
    assert.deepEqual([...new Set(onB)], [200], 'every request to the other node succeeded, before and after the kill');

    const store = await openDb(db.url);
    try {
      // Every application is whole: exactly its one credential, enabled, and nothing dangling.
      const apps = await store.all<{ client_id: string; n: number; enabled: number }>(
        `SELECT c.client_id,
                (SELECT COUNT(*) FROM credentials k WHERE k.client_id = c.client_id) AS n,
                (SELECT COUNT(*) FROM client_pkjwt_credentials e JOIN credentials k ON k.id = e.credential_id AND k.client_id = e.client_id WHERE e.client_id = c.client_id) AS enabled
         FROM clients c WHERE c.name LIKE 'kill-%'`,
      );
      for (const row of apps) assert.deepEqual([Number(row.n), Number(row.enabled)], [1, 1], `application ${row.client_id} is partly written`);
      // Every application the killed node confirmed is there (one more may have committed unconfirmed).
      const ids = new Set(apps.map((r) => r.client_id));
      for (const id of created) assert.ok(ids.has(id), `confirmed application ${id} is missing`);
      assert.ok(apps.length <= created.length + 1);
      const orphans = await store.get<{ n: number }>(`SELECT COUNT(*) AS n FROM credentials k WHERE NOT EXISTS (SELECT 1 FROM clients c WHERE c.client_id = k.client_id)`);
      assert.equal(Number(orphans!.n), 0);

      // Log events: each flush is one transaction, so the numbers have no gap and every row is whole.
      const seqs = await store.all<{ tenant_id: string; n: number; top: number; last: number }>(
        `SELECT e.tenant_id, COUNT(*) AS n, MAX(e.seq) AS top, s.last_seq AS last FROM log_events e JOIN log_sequences s ON s.tenant_id = e.tenant_id GROUP BY e.tenant_id, s.last_seq`,
      );
      assert.ok(seqs.length >= 1);
      for (const s of seqs) assert.deepEqual([Number(s.n), Number(s.top)], [Number(s.last), Number(s.last)], `log sequence of ${s.tenant_id}`);
      const details = await store.all<{ details: string }>(`SELECT details FROM log_events`);
      for (const d of details) JSON.parse(d.details);
      t.diagnostic(`killed node: ${created.length} applications confirmed, ${apps.length} stored; other node: ${onB.length} token requests, all 200 (${onB.length - beforeKill} after the kill)`);
    } finally {
      await store.close();
    }
  } finally {
    a?.proc.kill('SIGKILL');
    if (b) {
      b.proc.kill('SIGTERM');
      await b.exited;
    }
    await db.drop();
    dirA.remove();
    dirB.remove();
  }
});
