import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { scryptMaxmem, type DeriveKey, type ScryptParams } from '../domain/password-hash.ts';

/**
 * The worker's whole program. scryptSync runs on the worker's own thread: the asynchronous
 * scrypt would go to libuv's pool, which every thread of the process shares with the token
 * endpoint's RSA signing (128 MiB, ~0.7 s per hash would hold those threads). Plain JavaScript
 * evaluated as a string, so it needs no TypeScript loader.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { scryptSync } = require('node:crypto');
parentPort.on('message', (job) => {
  try {
    const key = scryptSync(job.password, job.salt, job.keyLength, { N: job.N, r: job.r, p: job.p, maxmem: job.maxmem });
    parentPort.postMessage({ id: job.id, key });
  } catch (err) {
    parentPort.postMessage({ id: job.id, error: String(err && err.message) });
  }
});
`;

interface Job {
  id: number;
  password: string;
  salt: Buffer;
  params: ScryptParams;
  keyLength: number;
  resolve(key: Buffer): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  job?: Job;
}

export interface HasherStats {
  /** Key derivations finished since start (each sign-in check and each new password is one). */
  derived: number;
  running: number;
  queued: number;
}

/**
 * Password key derivation on a small pool of dedicated worker threads (default: one), never on
 * libuv's pool or the event loop. Jobs beyond the pool wait in order; callers that must not
 * wait (sign-in) bound what they submit. Workers start on first use and do not keep the
 * process alive while idle.
 */
export class PasswordHasher {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private readonly counts = { derived: 0 };

  constructor(private readonly threads = Math.max(1, Math.min(2, availableParallelism() - 1))) {}

  /** The `DeriveKey` the password-hash rules take. */
  readonly derive: DeriveKey = (password, salt, params, keyLength) =>
    new Promise<Buffer>((resolve, reject) => {
      if (this.closed) return reject(new Error('The password hasher is closed.'));
      this.queue.push({ id: this.nextId++, password, salt, params, keyLength, resolve, reject });
      this.pump();
    });

  stats(): HasherStats {
    return { derived: this.counts.derived, running: this.slots.filter((s) => s.job).length, queued: this.queue.length };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('The password hasher is closed.'));
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  private pump(): void {
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.job);
      if (!slot && this.slots.length < this.threads) slot = this.spawn();
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.ref();
      const { N, r, p } = job.params;
      slot.worker.postMessage({ id: job.id, password: job.password, salt: job.salt, keyLength: job.keyLength, N, r, p, maxmem: scryptMaxmem(job.params) });
    }
  }

  private spawn(): Slot {
    // No execArgv: the worker needs no loader, and starts faster without one.
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    const slot: Slot = { worker };
    worker.on('message', (m: { id: number; key?: Uint8Array; error?: string }) => {
      const job = slot.job;
      if (!job || job.id !== m.id) return;
      slot.job = undefined;
      worker.unref();
      this.counts.derived++;
      if (m.key) job.resolve(Buffer.from(m.key.buffer, m.key.byteOffset, m.key.byteLength));
      else job.reject(new Error(`Password hashing failed: ${m.error}`));
      this.pump();
    });
    // A worker that dies (out of memory, say) fails its job and is replaced on the next one.
    const lost = (err: Error) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      slot.job?.reject(err);
      slot.job = undefined;
      if (!this.closed) this.pump();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`The password hashing worker exited (${code}).`)));
    worker.unref();
    this.slots.push(slot);
    return slot;
  }
}
