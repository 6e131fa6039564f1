import type { CredentialStore } from '../store/credentials.ts';

/**
 * Remembers when each credential last verified an assertion and writes it at most once a
 * minute per credential: `last_used_at` is for people rotating keys, and a write per token
 * request would cost more than the rest of the request.
 */
export class CredentialUsage {
  private pending = new Map<string, number>();
  private written = new Map<string, number>();
  private timer: NodeJS.Timeout;

  constructor(private readonly credentials: CredentialStore, intervalMs = 5_000) {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  record(credentialId: string, at: number): void {
    if (at - (this.written.get(credentialId) ?? 0) >= 60_000) this.pending.set(credentialId, at);
  }

  async flush(): Promise<void> {
    if (!this.pending.size) return;
    const batch = this.pending;
    this.pending = new Map();
    for (const [id, at] of batch) {
      this.written.set(id, at);
      await this.credentials.markUsed([id], at).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
