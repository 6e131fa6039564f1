/**
 * Remembers when something (a credential, an application) was last used and writes it at most
 * once a minute per id: these timestamps are for people (rotating keys, leaving the legacy
 * audience policy), and a write per token request would cost more than the rest of the request.
 */
export class UsageRecorder {
  private pending = new Map<string, number>();
  private written = new Map<string, number>();
  private timer: NodeJS.Timeout;

  constructor(private readonly write: (id: string, at: number) => Promise<void>, intervalMs = 5_000) {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  record(id: string, at: number): void {
    if (at - (this.written.get(id) ?? 0) >= 60_000) this.pending.set(id, at);
  }

  async flush(now = Date.now()): Promise<void> {
    // What was written over a minute ago suppresses nothing any more: forgotten, so the map holds
    // only ids used in the last minute, however many exist.
    for (const [id, at] of this.written) if (now - at >= 60_000) this.written.delete(id);
    if (!this.pending.size) return;
    const batch = this.pending;
    this.pending = new Map();
    for (const [id, at] of batch) {
      this.written.set(id, at);
      // The row may be gone meanwhile (credential or application deleted): nothing to remember.
      await this.write(id, at).catch(() => undefined);
    }
  }

  /** Ids remembered as written within the last minute. */
  get remembered(): number {
    return this.written.size;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
