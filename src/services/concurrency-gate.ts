/**
 * Admission for expensive work: at most `total` jobs at once in this process, and at most
 * `perKey` for one key (a client address). `enter` never waits: it admits and returns the
 * release function, or returns undefined and the caller refuses (HTTP 429) at no cost.
 */
export class ConcurrencyGate {
  private inFlight = 0;
  private readonly byKey = new Map<string, number>();

  constructor(private readonly total: number, private readonly perKey: number) {}

  enter(key: string): (() => void) | undefined {
    const mine = this.byKey.get(key) ?? 0;
    if (this.inFlight >= this.total || mine >= this.perKey) return undefined;
    this.inFlight++;
    this.byKey.set(key, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
      const left = (this.byKey.get(key) ?? 1) - 1;
      if (left > 0) this.byKey.set(key, left);
      else this.byKey.delete(key);
    };
  }
}
