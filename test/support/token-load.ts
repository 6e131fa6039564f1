import type { Harness, TestTenant } from './harness.ts';
import { signedForm, type M2MApp } from './fixtures.ts';

/** One token request made under load: what was sent, what came back, and when. */
export interface LoadResult {
  status: number;
  body: any;
  headers: Headers;
  /** The assertion's jti (to look up its replay record). */
  jti: string;
  /** Epoch ms the request was sent and answered. */
  sentAt: number;
  doneAt: number;
}

/**
 * Keeps `concurrency` client-credentials requests in flight, each with a fresh assertion,
 * until `stop()`; a request that fails below HTTP (connection refused) is recorded as status 0.
 */
export function tokenLoad(h: Pick<Harness, 'token'>, tenant: TestTenant, app: M2MApp, concurrency = 4) {
  const results: LoadResult[] = [];
  let running = true;
  const loop = async () => {
    while (running) {
      const form = signedForm(tenant, app);
      const jti = JSON.parse(Buffer.from(form.client_assertion!.split('.')[1]!, 'base64url').toString()).jti as string;
      const sentAt = Date.now();
      try {
        const r = await h.token(tenant, form);
        results.push({ ...r, jti, sentAt, doneAt: Date.now() });
      } catch (err) {
        results.push({ status: 0, body: String(err), headers: new Headers(), jti, sentAt, doneAt: Date.now() });
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  return {
    results,
    /** Results answered after `since` (epoch ms). */
    since: (since: number) => results.filter((r) => r.sentAt >= since),
    async stop(): Promise<LoadResult[]> {
      running = false;
      await Promise.all(loops);
      return results;
    },
  };
}

/** Resolves when `cond` holds, polling every `everyMs`; rejects after `timeoutMs`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 20): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** What happened around one outage of a dependency under token load (see outageUnderLoad). */
export interface Outage {
  results: LoadResult[];
  /** Requests sent after the dependency had stopped and answered before it was started again. */
  during: LoadResult[];
  /** /readyz in the middle of the outage, and once service had resumed. */
  readyDuring: { status: number; body: string };
  readyAfter: number;
  /** The first token after the restart, and how long after the dependency was back it came. */
  firstOk: LoadResult;
  recoveryMs: number;
  stopMs: number;
  startMs: number;
}

/**
 * Runs token load, stops a dependency for two seconds, starts it again, and waits until 20
 * tokens have been issued after the first success: the shared choreography of the fault tests.
 * Requests sent within `settleMs` of the stop are not counted as during it (they may have been
 * in flight when it happened).
 */
export async function outageUnderLoad(
  h: Pick<Harness, 'token' | 'fetch'>,
  tenant: TestTenant,
  app: M2MApp,
  dependency: { stop(): Promise<void>; start(): Promise<void> },
  settleMs = 0,
): Promise<Outage> {
  const load = tokenLoad(h, tenant, app, 4);
  try {
    await waitFor(() => load.results.filter((r) => r.status === 200).length >= 20, 20_000);
    const stopping = Date.now();
    await dependency.stop();
    const stopped = Date.now();
    await new Promise((r) => setTimeout(r, 2000));
    const ready = await h.fetch(`${tenant.base}readyz`);
    const readyDuring = { status: ready.status, body: await ready.text() };
    const restarting = Date.now();
    await dependency.start();
    const restarted = Date.now();
    await waitFor(() => load.since(restarted).some((r) => r.status === 200), 30_000);
    const firstOk = load.since(restarted).find((r) => r.status === 200)!;
    // Once back, it stays back.
    await waitFor(() => load.since(firstOk.doneAt).filter((r) => r.status === 200).length >= 20, 20_000);
    const results = await load.stop();
    return {
      results,
      during: results.filter((r) => r.sentAt >= stopped + settleMs && r.doneAt <= restarting),
      readyDuring,
      readyAfter: (await h.fetch(`${tenant.base}readyz`)).status,
      firstOk,
      recoveryMs: firstOk.doneAt - restarted,
      stopMs: stopped - stopping,
      startMs: restarted - restarting,
    };
  } finally {
    await load.stop();
  }
}
