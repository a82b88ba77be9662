/**
 * Time source and timer scheduling, injected into every runtime component that waits.
 *
 * The work queue, informer and leader elector never call the global timers directly: tests pass a
 * manual clock and step time forward instead of sleeping, and production passes {@link systemClock}.
 */

/** Opaque handle returned by {@link Clock.setTimeout}; only ever passed back to {@link Clock.clearTimeout}. */
export type TimerHandle = unknown;

/** The subset of timer functionality the runtime needs. */
export interface Clock {
  /** Milliseconds since the epoch (same unit as `Date.now()`). */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer created by {@link Clock.setTimeout}; unknown or fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The real clock. Globals are looked up at call time (not captured at import), so jest fake
 * timers installed after import still take effect.
 *
 * Timers are `unref()`ed: a pending requeue or resync must not keep the process alive after the
 * controller has shut down; the HTTP watch connections and the controller's own lifecycle do that.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A source of uniformly distributed numbers in [0, 1); injected so jitter is deterministic in tests. */
export type RandomSource = () => number;

/**
 * Formats epoch milliseconds as a Kubernetes `MicroTime` (`2025-01-02T03:04:05.678000Z`). The API
 * server parses MicroTime with exactly six fractional digits, so `toISOString()` (three) is rejected
 * in Lease `renewTime` and Event `eventTime`.
 */
export function formatMicroTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
