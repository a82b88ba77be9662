/**
 * P2 at one size N: pairs of runs back to back (baseline, controller and, when asked, the ceiling side), each on its
 * own cluster, the side that goes first rotating from pair to pair; the pair with the median controller/baseline ratio
 * is reported. The same work took 29–42 s on this shared machine from one run to the next, far more than the sides of
 * one pair differ, hence pairs and medians rather than one run per side.
 */
import type { Clusters } from '../lib/clusters.js';
import { round } from '../lib/stats.js';
import type { Log } from '../lib/util.js';
import type { Example } from '../lib/workload.js';
import type { BenchParams, Ctx } from './context.js';
import { benchBaseline, benchCeiling, benchController, type BaselineResult, type CeilingResult, type ControllerResult, type ThroughputResult } from './throughput.js';

interface Pair {
  controller?: ControllerResult;
  baseline?: BaselineResult;
  ceiling?: CeilingResult;
  ratio?: number;
  ceilingRatio?: number;
  controllerFirst: boolean;
}

const median = <T>(xs: readonly T[], by: (x: T) => number | undefined): T => [...xs].sort((a, b) => (by(a) ?? 0) - (by(b) ?? 0))[Math.floor((xs.length - 1) / 2)]!;

/**
 * Runs P2 at `n`. `afterController` runs on the controller's cluster of the last pair before it closes (P3 and the
 * steady part of P4 use those converged environments).
 */
export async function benchP2Size(clusters: Clusters, params: BenchParams, log: Log, examples: readonly Example[], n: number, afterController?: (ctx: Ctx, controller: ControllerResult) => Promise<void>): Promise<ThroughputResult> {
  const pairs: Pair[] = [];
  for (let k = 0; k < params.p2Pairs; k++) {
    const pair: Pair = { controllerFirst: false };
    const last = k === params.p2Pairs - 1;
    const sides: Record<string, () => Promise<void>> = {
      baseline: async () => {
        const ctx = await clusters.open();
        pair.baseline = await benchBaseline(ctx, params, log, examples, n);
        await clusters.close(ctx);
      },
      controller: async () => {
        const ctx = await clusters.open();
        pair.controller = await benchController(ctx, params, log, examples, n);
        if (last && afterController) await afterController(ctx, pair.controller);
        await clusters.close(ctx);
      },
      ceiling: async () => {
        const ctx = await clusters.open();
        pair.ceiling = await benchCeiling(ctx, params, log, examples, n);
        await clusters.close(ctx);
      },
    };
    const order = Object.keys(sides).filter((s) => params.p2Sides.has(s));
    // Rotate which side goes first, so no side always meets a cooler (or warmer) machine.
    const rotated = [...order.slice(k % order.length), ...order.slice(0, k % order.length)];
    pair.controllerFirst = rotated[0] === 'controller';
    for (const side of rotated) await sides[side]!();
    if (pair.controller && pair.baseline) pair.ratio = round(pair.controller.perSecond / pair.baseline.perSecond, 2);
    if (pair.ceiling && pair.baseline) pair.ceilingRatio = round(pair.ceiling.perSecond / pair.baseline.perSecond, 2);
    pairs.push(pair);
    log(`P2 N=${n} pair ${k + 1}/${params.p2Pairs} (${rotated.join(', ')}): ratio ${pair.ratio}${pair.ceilingRatio !== undefined ? `, ceiling ratio ${pair.ceilingRatio}` : ''}`);
  }
  const mid = median(pairs, (p) => p.ratio);
  const ratio = pairs.some((p) => p.ratio !== undefined) ? mid.ratio : undefined;
  const ceilingRatio = pairs.some((p) => p.ceilingRatio !== undefined) ? median(pairs, (p) => p.ceilingRatio).ceilingRatio : undefined;
  log(`P2 N=${n}: median ratio ${ratio} over ${pairs.length} pairs (${pairs.map((p) => p.ratio).join(', ')})${ceilingRatio !== undefined ? `; median ceiling ratio ${ceilingRatio}` : ''}`);
  return {
    n,
    controller: mid.controller,
    baseline: mid.baseline,
    ceiling: mid.ceiling,
    ratio,
    ceilingRatio,
    pairs: pairs.map((p) => ({ controllerPerSecond: p.controller?.perSecond, baselinePerSecond: p.baseline?.perSecond, ceilingPerSecond: p.ceiling?.perSecond, ratio: p.ratio, ceilingRatio: p.ceilingRatio, controllerFirst: p.controllerFirst, controllerPeakRssMiB: p.controller?.memory?.peakRssMiB, controllerPeakHeapMiB: p.controller?.memory?.peakHeapUsedMiB })),
  };
}
