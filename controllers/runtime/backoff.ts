import type { RandomSource } from './clock.js';

/** Parameters of a capped exponential backoff with jitter. */
export interface BackoffOptions {
  /** Delay of the first retry (attempt 0), before jitter. */
  readonly baseMs: number;
  /** Upper bound of the un-jittered delay; the jittered delay never exceeds it either. */
  readonly maxMs: number;
  /**
   * Growth factor per attempt.
   * @default 2
   */
  readonly factor?: number;
  /**
   * Fraction of the delay that is randomised: the result lies in `[d * (1 - jitter), d]`.
   * Jitter only ever shortens the delay so `maxMs` stays a hard cap, and it spreads retries of many
   * keys (or many replicas' informers) that failed at the same moment, avoiding request storms
   * (kubernetes-client/javascript#1933).
   * @default 0.2
   */
  readonly jitter?: number;
  /**
   * Random source in [0, 1).
   * @default Math.random
   */
  readonly random?: RandomSource;
}

/**
 * Delay before retry number `attempt` (0-based): `min(maxMs, baseMs * factor^attempt)`, then
 * jittered downwards by up to `jitter`.
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const factor = options.factor ?? 2;
  const jitter = options.jitter ?? 0.2;
  const random = options.random ?? Math.random;
  // Exponent is clamped so huge attempt counts cannot overflow to Infinity * 0 = NaN.
  const exponent = Math.min(Math.max(attempt, 0), 64);
  const raw = Math.min(options.maxMs, options.baseMs * factor ** exponent);
  return Math.round(raw * (1 - jitter * random()));
}
