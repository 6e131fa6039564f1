import type { ClaimResult, ReplayStore } from './replay.ts';

/** What a storage call reports: which store and operation, how long it took, whether it failed. */
export interface StoreObserver {
  observe(store: 'database' | 'replay', op: string, seconds: number, failed: boolean): void;
  /** A claim found its jti already recorded: an assertion presented a second time. */
  replayRejected(): void;
}

/** Times `fn` and reports it to `observer`, failure included; the result or error passes through unchanged. */
export async function observed<T>(observer: StoreObserver, store: 'database' | 'replay', op: string, fn: () => Promise<T>): Promise<T> {
  const start = process.hrtime.bigint();
  let failed = true;
  try {
    const r = await fn();
    failed = false;
    return r;
  } finally {
    observer.observe(store, op, Number(process.hrtime.bigint() - start) / 1e9, failed);
  }
}

/**
 * The replay store with its claims timed and their refusals counted. Wraps whichever store is
 * configured (database or Redis), so the count means the same thing on both.
 */
export function observeReplay(replay: ReplayStore, observer: StoreObserver): ReplayStore {
  return {
    // Every argument passed on as given (the claim may carry rate counts to pipeline with it).
    async claim(...args: Parameters<ReplayStore['claim']>): Promise<ClaimResult> {
      const r = await observed(observer, 'replay', 'claim', () => replay.claim(...args));
      if (!r.claimed) observer.replayRejected();
      return r;
    },
    isUsed: (key, now) => observed(observer, 'replay', 'is_used', () => replay.isUsed(key, now)),
    purgeExpired: (now) => observed(observer, 'replay', 'purge', () => replay.purgeExpired(now)),
    ping: () => replay.ping(),
    ...(replay.connected && { connected: () => replay.connected!() }),
    ...(replay.close && { close: () => replay.close!() }),
  };
}
