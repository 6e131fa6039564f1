/**
 * Admission of requests to a process that can only do so much at once: at most `concurrency`
 * requests are worked on, more wait in a FIFO queue, and the queue tells a burst (it drains:
 * let it wait) from overload (it does not: shed).
 *
 * The overload signal is how long requests waited in the queue (CoDel's idea): a burst makes
 * a few requests wait and then the queue empties; offered more than it can serve, the process
 * sees every request wait longer than `targetMs` for a whole `intervalMs`. From then on, and
 * until `holdMs` pass without a request finding every slot taken, a request that cannot start
 * at once is refused at once, and so is a queued one whose wait has passed `targetMs` when its
 * turn comes: the ones served wait for little but their own work, and the ones refused are
 * told in about the time it takes to write a 503 (a client that was made to wait gets its 503
 * then, rather than a token later than it can use). `maxQueue` bounds the queue in any case.
 *
 * Pure bookkeeping over an injected clock; the HTTP side is in load-shedding.ts.
 */
export interface AdmissionPolicy {
  concurrency: number;
  maxQueue: number;
  targetMs: number;
  intervalMs: number;
  holdMs: number;
}

export type Admitted = { release(): void };

interface Waiter {
  since: number;
  start(): void;
  refuse(): void;
}

export class Admission {
  private running = 0;
  private readonly queue: Waiter[] = [];
  private aboveSince: number | undefined;
  private shedUntil = 0;

  constructor(private readonly policy: AdmissionPolicy, private readonly now: () => number) {}

  /** Whether the process is shedding (arrivals that cannot start at once are refused). */
  get shedding(): boolean {
    return this.now() < this.shedUntil;
  }

  get inFlight(): number {
    return this.running;
  }

  /**
   * Starts the request now (`release` when it is done), queues it (the promise resolves when it
   * may start, or with undefined when it is refused after all), or refuses it: undefined.
   */
  admit(): Admitted | Promise<Admitted | undefined> | undefined {
    const now = this.now();
    if (this.running < this.policy.concurrency && this.queue.length === 0) return this.start();
    if (now < this.shedUntil || this.queue.length >= this.policy.maxQueue) {
      // Still refusing arrivals: overload is not over while they keep finding every slot taken.
      if (now < this.shedUntil) this.shedUntil = now + this.policy.holdMs;
      return undefined;
    }
    return new Promise<Admitted | undefined>((resolve) =>
      this.queue.push({ since: now, start: () => resolve(this.start()), refuse: () => resolve(undefined) }),
    );
  }

  private start(): Admitted {
    this.running++;
    let done = false;
    return {
      release: () => {
        if (done) return;
        done = true;
        this.running--;
        this.next();
      },
    };
  }

  private next(): void {
    const now = this.now();
    for (let w = this.queue.shift(); w; w = this.queue.shift()) {
      const waited = now - w.since;
      if (waited > this.policy.targetMs) {
        this.aboveSince ??= now;
        if (now - this.aboveSince >= this.policy.intervalMs) this.shedUntil = now + this.policy.holdMs;
        // Overloaded: a request that has already waited past the target is refused, not served
        // late; the slot goes to the next one in line.
        if (now < this.shedUntil) {
          w.refuse();
          continue;
        }
      } else {
        this.aboveSince = undefined;
      }
      w.start();
      return;
    }
    this.aboveSince = undefined;
  }
}
