import type { Store } from '../store/index.ts';

const DAY_MS = 86_400_000;

export interface LogRetentionOptions {
  /** The most events kept per tenant (the newest); older ones go even within the retention period. */
  maxEventsPerTenant: number;
  /** Rows per DELETE statement. */
  batchSize?: number;
}

/**
 * Log retention: each tenant's events older than its `log_retention_days` are deleted, and
 * beyond the `maxEventsPerTenant` newest ones too, so the log table is bounded however many
 * events callers cause. Deletes are batched and the purge yields to the event loop between
 * batches, so requests keep being served (and logged) while a large backlog is removed. Every
 * statement names its tenant: one tenant's purge never touches another's events.
 */
export class LogRetention {
  private running: Promise<number> | null = null;
  private readonly batchSize: number;

  constructor(private readonly store: Store, private readonly opts: LogRetentionOptions) {
    this.batchSize = opts.batchSize ?? 2000;
  }

  /** Runs one purge over every tenant; a call while one runs waits for that one. Returns events deleted. */
  purge(now: number): Promise<number> {
    this.running ??= this.run(now).finally(() => (this.running = null));
    return this.running;
  }

  /** Resolves when no purge is running (closing the store under one would fail it midway). */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private async run(now: number): Promise<number> {
    let deleted = 0;
    for (const tenant of await this.store.tenants.list()) {
      const before = now - tenant.settings.log_retention_days * DAY_MS;
      deleted += await this.inBatches((n) => this.store.logs.deleteOlderThan(tenant.id, before, n));
      const edge = await this.store.logs.firstBeyond(tenant.id, this.opts.maxEventsPerTenant);
      if (edge) deleted += await this.inBatches((n) => this.store.logs.deleteThrough(tenant.id, edge, n));
    }
    return deleted;
  }

  private async inBatches(step: (limit: number) => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await step(this.batchSize);
      total += n;
      if (n < this.batchSize) return total;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
