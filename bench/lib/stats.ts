/** Small statistics helpers for the benchmarks. Pure. */

/**
 * The `p`-th percentile (0–100) of `values`, by linear interpolation between closest ranks (numpy's default,
 * Prometheus' `quantile`): p50 of [1, 2, 3, 4] is 2.5. Undefined for an empty list.
 */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

/** Summary of a sample. */
export interface Summary {
  readonly n: number;
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

/** n, min, mean, p50, p95, max of a non-empty sample; undefined when empty. */
export function summarize(values: readonly number[]): Summary | undefined {
  if (values.length === 0) return undefined;
  return {
    n: values.length,
    min: Math.min(...values),
    mean: values.reduce((a, b) => a + b, 0) / values.length,
    p50: percentile(values, 50)!,
    p95: percentile(values, 95)!,
    max: Math.max(...values),
  };
}

/** Rounds to `digits` decimals (for reports; avoids 0.30000000000000004 in JSON). */
export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
