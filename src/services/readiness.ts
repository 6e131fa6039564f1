import type { Store } from '../store/index.ts';
import { LATEST_VERSION, schemaVersion } from '../store/sql/migrations.ts';
import { unavailableReason } from '../store/unavailable.ts';

/** Each part's state: `ok`, or why it is not (`timeout`, `unreachable: ...`, `behind: ...`). */
export interface ReadinessChecks {
  database: string;
  replay_store: string;
  migrations: string;
}

export interface Readiness {
  ready: boolean;
  checks: ReadinessChecks;
}

/** How long one check may take: a hung database answers "timeout" rather than hanging the probe. */
export const READINESS_TIMEOUT_MS = 1000;

/**
 * GET /readyz's checks: a cheap round trip to the database and to the replay store (the same
 * database, or Redis), and the schema applied equal to the code's. All run at once, each
 * bounded by `timeoutMs`. Probes arriving while one is running share it, so a flood of probes
 * against a hung database costs one pending query per part, not one per probe.
 */
export class ReadinessProbe {
  private running: Promise<Readiness> | undefined;

  constructor(
    private readonly store: Store,
    private readonly timeoutMs = READINESS_TIMEOUT_MS,
  ) {}

  check(): Promise<Readiness> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<Readiness> {
    const { db, replay } = this.store;
    const [database, replayStore, schema] = await Promise.all([
      bounded(db.ping(), this.timeoutMs),
      bounded(replay.ping(), this.timeoutMs),
      bounded(schemaVersion(db), this.timeoutMs),
    ]);
    const checks: ReadinessChecks = {
      database: database.ok ? 'ok' : database.failure,
      replay_store: replayStore.ok ? 'ok' : replayStore.failure,
      migrations: !schema.ok ? `unknown: ${schema.failure}` : schemaState(schema.value),
    };
    return { ready: Object.values(checks).every((c) => c === 'ok'), checks };
  }
}

function schemaState(applied: number): string {
  if (applied === LATEST_VERSION) return 'ok';
  return applied < LATEST_VERSION
    ? `behind: the database is at schema ${applied}, this code needs ${LATEST_VERSION} (run the migrations)`
    : `ahead: the database is at schema ${applied}, newer than this code's ${LATEST_VERSION}`;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; failure: string };

/** `work`'s result, or its failure in a few words, or `timeout` once `ms` have passed (the work itself is left to finish). */
async function bounded<T>(work: Promise<T>, ms: number): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome<T>>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, failure: 'timeout' }), ms);
  });
  try {
    return await Promise.race([work.then((value) => ({ ok: true as const, value }), (err: unknown) => ({ ok: false as const, failure: `unreachable: ${shortReason(err)}` })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * An error in a few words for a response anyone can request: the outage's reason when the
 * error is a known one (connection refused, timed out, ...), else its code and the first line
 * of its message, bounded, with network addresses taken out (they describe the private network).
 */
export function shortReason(err: unknown): string {
  const known = unavailableReason(err);
  if (known) return known;
  const e = err as { code?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message.split('\n', 1)[0]!.slice(0, 160) : String(err).slice(0, 160);
  const code = typeof e?.code === 'string' && e.code.length <= 32 ? e.code : undefined;
  const text = (code && !message.includes(code) ? `${code}: ${message}` : message)
    .replace(/\[?[0-9a-f]*:[0-9a-f:]+\]?:\d+/gi, '<address>')
    .replace(/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '<address>');
  return text.slice(0, 120) || 'error';
}
