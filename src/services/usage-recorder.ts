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

  async flush(): Promise<void> {
    if (!this.pending.size) return;
    const batch = this.pending;
    this.pending = new Map();
    for (const [id, at] of batch) {
      this.written.set(id, at);
      // The row may be gone meanwhile (credential or application deleted): nothing to remember.
      await this.write(id, at).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
