import type { Clock, TimerHandle } from '../../../controllers/runtime/clock.js';

/** Lets every pending promise callback run (a real macrotask turn; we never fake setImmediate). */
export async function flushPromises(): Promise<void> {
  for (let i = 0; i < 3; i += 1) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** A deterministic {@link Clock}: time only moves when a test calls {@link ManualClock.advance}. */
export class ManualClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = 1_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    this.seq += 1;
    this.timers.set(this.seq, { at: this.time + Math.max(0, ms), fn });
    return this.seq;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  /** Number of timers not yet fired or cleared. */
  pending(): number {
    return this.timers.size;
  }

  /** Delays (from now) of the pending timers, ascending. */
  pendingDelays(): number[] {
    return [...this.timers.values()].map((t) => t.at - this.time).sort((a, b) => a - b);
  }

  /** Moves time forward by `ms`, firing due timers in order and flushing promises after each. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    // Let work started before this call (e.g. a handler that is about to schedule a retry) settle
    // first, so its timers are seen.
    await flushPromises();
    for (let next = this.nextDue(target); next !== undefined; next = this.nextDue(target)) {
      const [id, timer] = next;
      this.timers.delete(id);
      this.time = timer.at;
      timer.fn();
      await flushPromises();
    }
    this.time = target;
    await flushPromises();
  }

  private nextDue(limit: number): [number, { at: number; fn: () => void }] | undefined {
    let best: [number, { at: number; fn: () => void }] | undefined;
    for (const entry of this.timers) {
      if (entry[1].at <= limit && (best === undefined || entry[1].at < best[1].at)) {
        best = entry;
      }
    }
    return best;
  }
}

/** A promise with its resolve/reject exposed, to hold a handler mid-run. */
export interface Deferred<T = void> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

/** Creates a {@link Deferred}. */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
