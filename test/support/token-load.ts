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
