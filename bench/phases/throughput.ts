/**
 * P2: throughput of N environments to all their children, for the controller and for a baseline (a bare client that
 * server-side applies the very objects the controller would, with the same concurrency), timed by one observer.
 */
import { EXAMPLES_DIR } from '../../cli/examples.js';
import { forEachLimited } from '../../controllers/runtime/for-each-limited.js';
import { apiserverMetrics, requestDelta, secondsDelta } from '../lib/cluster.js';
import { loadOf, setPhase } from '../lib/load.js';
import { ChildObserver } from '../lib/observer.js';
import { round } from '../lib/stats.js';
import type { Log } from '../lib/util.js';
import { startWorker } from '../lib/workers.js';
import { environmentManifests, type Example, type Manifest } from '../lib/workload.js';
import { controllerConfig, cpuDelta, cpuSnapshot, expectedKeys, runNamespace, settle, waitQuiet, type BenchParams, type Ctx } from './context.js';

/** A P2 run's set-up: a quiet API server, the phase, its namespace, the N manifests, their expected children, and the observer watching for them. */
async function prepareRun(ctx: Ctx, log: Log, side: 'baseline' | 'controller' | 'ceiling', prefix: string, examples: readonly Example[], n: number) {
  await settle(ctx, log);
  const phase = `p2-${side}-${n}`;
  setPhase(phase);
  const ns = await runNamespace(ctx, `bench-${prefix}-${n}`);
  const manifests = environmentManifests(examples, ns, n);
  const keys = expectedKeys(ctx, manifests);
  const observer = new ChildObserver(ctx.kc, ns, ctx.kinds);
  await observer.start();
  return { phase, ns, manifests, keys, observer };
}

/** P2 baseline: the environments exist first, then a baseline worker applies all their children on `go`. */
export async function benchBaseline(ctx: Ctx, params: BenchParams, log: Log, examples: readonly Example[], n: number) {
  const { phase, ns, manifests, keys, observer } = await prepareRun(ctx, log, 'baseline', 'base', examples, n);
  // The environments exist (no controller watches this namespace) so the children carry the same owner references.
  await forEachLimited(manifests, params.envApplyConcurrency, async (m) => void (await ctx.kube.apply(m as never)));
  const worker = startWorker({ mode: 'baseline', kubeconfig: ctx.kubeconfigPath, namespace: ns, concurrency: params.concurrency, applyConcurrency: params.applyConcurrency, unserved: [...ctx.unserved] }, params, log);
  const ready = await worker.ready;
  if (ready.objects !== keys.length) log(`baseline: worker rendered ${ready.objects} objects, expected ${keys.length}`);
  const m0 = await apiserverMetrics(ctx.kc);
  const cpu0 = cpuSnapshot(ctx, worker);
  const t0 = performance.now();
  worker.send({ type: 'go' });
  let ms: number;
  try {
    ms = (await observer.waitFor(keys, params.timeoutMs)) - t0;
  } finally {
    observer.stop();
  }
  const done = await worker.done;
  const cpu = cpuDelta(cpu0, cpuSnapshot(ctx, worker));
  const m1 = await apiserverMetrics(ctx.kc);
  const requests = requestDelta(m0, m1);
  const requestSeconds = secondsDelta(m0, m1);
  await worker.stop();
  if (done.errors.length) log(`baseline: ${done.errors.length} apply errors, e.g. ${done.errors[0]}`);
  log(`P2 baseline N=${n}: ${keys.length} children in ${(ms / 1000).toFixed(1)} s (${(keys.length / (ms / 1000)).toFixed(0)}/s)`);
  const load = loadOf(phase);
  return { namespace: ns, children: keys.length, ms: round(ms), perSecond: round(keys.length / (ms / 1000)), cpuSeconds: cpu, applyErrors: done.errors.length, apiserverRequests: requests, apiserverRequestSeconds: requestSeconds, load };
}

/**
 * What the controller and ceiling runs time: the benchmark applies the environments (`params.envApplyConcurrency` at
 * once), and the clock stops when the last expected child is first seen. `envApplyMs`: the applies alone (inside `ms`).
 */
async function applyEnvironments(ctx: Ctx, params: BenchParams, manifests: readonly Manifest[], observer: ChildObserver, keys: readonly string[]): Promise<{ ms: number; envApplyMs: number }> {
  const t0 = performance.now();
  try {
    await forEachLimited(manifests, params.envApplyConcurrency, async (m) => void (await ctx.kube.apply(m as never)));
    const envApplyMs = performance.now() - t0;
    return { ms: (await observer.waitFor(keys, params.timeoutMs)) - t0, envApplyMs };
  } finally {
    observer.stop();
  }
}

/** P2 controller: a controller worker runs first, then the benchmark applies the environments. */
export async function benchController(ctx: Ctx, params: BenchParams, log: Log, examples: readonly Example[], n: number) {
  const { phase, ns, manifests, keys, observer } = await prepareRun(ctx, log, 'controller', 'ctl', examples, n);
  const worker = startWorker(controllerConfig(ctx, params, [ns], params.p12ResyncMs, params.p12ProgressMs), params, log);
  await worker.ready;
  const before = await worker.stats(true);
  const m0 = await apiserverMetrics(ctx.kc);
  const cpu0 = cpuSnapshot(ctx, worker);
  const { ms, envApplyMs } = await applyEnvironments(ctx, params, manifests, observer, keys);
  const cpu = cpuDelta(cpu0, cpuSnapshot(ctx, worker));
  const atDone = await worker.stats();
  const m1 = await apiserverMetrics(ctx.kc);
  const load = loadOf(phase);
  // Converged: every environment reconciled and its status written (the follow-up reconciles have settled).
  // (At most 20 s: with the 30 s progress requeue of 500 non-Ready environments the controller is never idle long.)
  const settled = await waitQuiet(worker, 3_000, 20_000);
  const live = await worker.stats(false, true);
  const final = await worker.stop();
  const requests = requestDelta(m0, m1);
  const requestSeconds = secondsDelta(m0, m1);
  const writes = settled.writes;
  log(`P2 controller N=${n}: ${keys.length} children in ${(ms / 1000).toFixed(1)} s (${(keys.length / (ms / 1000)).toFixed(0)}/s); peak RSS ${final?.peakRssMiB.toFixed(0)} MiB; reconciles ${settled.reconciles?.total}`);
  return {
    namespace: ns,
    children: keys.length,
    ms: round(ms),
    perSecond: round(keys.length / (ms / 1000)),
    cpuSeconds: cpu,
    reconcilesAtDone: atDone.reconciles?.total,
    reconciles: settled.reconciles ? { total: settled.reconciles.total - (before.reconciles?.total ?? 0), errors: settled.reconciles.errors, meanMs: round((settled.reconciles.seconds / Math.max(1, settled.reconciles.total)) * 1000) } : undefined,
    writes,
    apiserverRequests: requests,
    apiserverRequestSeconds: requestSeconds,
    /** Time the benchmark took to apply the N environments themselves (inside `ms`). */
    envApplyMs: round(envApplyMs),
    memory: final ? { idleRssMiB: round(before.rssMiB), idleHeapUsedMiB: round(before.heapUsedMiB), liveHeapAfterMiB: round(live.heapUsedMiB), liveRssAfterMiB: round(live.rssMiB), peakRssMiB: round(final.peakRssMiB), peakHeapUsedMiB: round(final.peakHeapUsedMiB), rssMiB: round(final.rssMiB), heapUsedMiB: round(final.heapUsedMiB) } : undefined,
    load,
  };
}

/**
 * P2 ceiling: a ceiling worker (bench/lib/ceiling-client.ts: the baseline's applies plus the API-server work every
 * operator with our API has to do per environment, without our controller's CPU) watches first, then the benchmark
 * applies the environments, timed as the controller run. Its rate ÷ the baseline's is the highest P2 ratio an operator
 * with our API contract can reach on this machine; the controller's distance to it is the controller's own cost.
 */
export async function benchCeiling(ctx: Ctx, params: BenchParams, log: Log, examples: readonly Example[], n: number) {
  const { phase, ns, manifests, keys, observer } = await prepareRun(ctx, log, 'ceiling', 'ceil', examples, n);
  const worker = startWorker({ mode: 'ceiling', kubeconfig: ctx.kubeconfigPath, namespace: ns, environments: n, examplesDir: EXAMPLES_DIR, examples: examples.map((e) => e.id), concurrency: params.concurrency, applyConcurrency: params.applyConcurrency, unserved: [...ctx.unserved] }, params, log);
  const ready = await worker.ready;
  if (ready.objects !== keys.length) log(`ceiling: worker rendered ${ready.objects} objects, expected ${keys.length}`);
  const m0 = await apiserverMetrics(ctx.kc);
  const cpu0 = cpuSnapshot(ctx, worker);
  const { ms, envApplyMs } = await applyEnvironments(ctx, params, manifests, observer, keys);
  const cpu = cpuDelta(cpu0, cpuSnapshot(ctx, worker));
  const m1 = await apiserverMetrics(ctx.kc);
  // Its last status patches and Events come after the last child, as the controller's do.
  const done = await worker.done;
  await worker.stop();
  if (done.errors.length) log(`ceiling: errors, e.g. ${done.errors[0]}`);
  log(`P2 ceiling N=${n}: ${keys.length} children in ${(ms / 1000).toFixed(1)} s (${(keys.length / (ms / 1000)).toFixed(0)}/s)`);
  return {
    namespace: ns,
    children: keys.length,
    ms: round(ms),
    perSecond: round(keys.length / (ms / 1000)),
    cpuSeconds: cpu,
    errors: done.errors.length,
    apiserverRequests: requestDelta(m0, m1),
    apiserverRequestSeconds: secondsDelta(m0, m1),
    /** Time the benchmark took to apply the N environments themselves (inside `ms`). */
    envApplyMs: round(envApplyMs),
    load: loadOf(phase),
  };
}

/** The P2 baseline figures (see benchBaseline). */
export type BaselineResult = Awaited<ReturnType<typeof benchBaseline>>;
/** The P2 controller figures (see benchController). */
export type ControllerResult = Awaited<ReturnType<typeof benchController>>;
/** The P2 ceiling figures (see benchCeiling). */
export type CeilingResult = Awaited<ReturnType<typeof benchCeiling>>;

/** One P2 size: both sides (as far as run) and their throughput ratio. */
export interface ThroughputResult {
  n: number;
  /** The pair whose ratio is the median (its full details). */
  controller?: ControllerResult;
  baseline?: BaselineResult;
  /** The ceiling run of the median pair (with `--p2-sides ...,ceiling`). */
  ceiling?: CeilingResult;
  /** Median over the pairs. */
  ratio?: number;
  /** Ceiling ÷ baseline children/s, median over the pairs: the highest `ratio` an operator with our API can reach here. */
  ceilingRatio?: number;
  /** Every pair, in run order (each pair ran back to back; the side that runs first alternates). */
  pairs?: { controllerPerSecond?: number; baselinePerSecond?: number; ceilingPerSecond?: number; ratio?: number; ceilingRatio?: number; controllerFirst: boolean; controllerPeakRssMiB?: number; controllerPeakHeapMiB?: number }[];
}
