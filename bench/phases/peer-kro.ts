/**
 * The kro side of `npm run bench -- --peer kro` (and our side's steady state under the same conditions): kro v0.9.4
 * with the ResourceGraphDefinition of bench/kro/ (equivalent to example 000), on fresh control planes, timed by the
 * same observer as our controller on the same workload (N environments of example 000 = N kro instances).
 * - P1: one instance applied → all the children kro can create exist; `--p1-runs` times.
 * - P2: N instances applied (as many in flight as for ours) → all children exist; one run per N per configuration.
 *   At the largest N, right after: the writes of the next 3.5 periods with no ACK controller ("pending": kro
 *   requeues every instance every 3 s while a child is not ready).
 * - P3: on a fresh plane, `p3Envs` instances converged with every child marked synced (bench/lib/peer-ack-player.ts);
 *   writes over 3.5 of our resync periods with kro's default resync (the process that converged them, once quiet),
 *   then with its resync aligned to ours (restarted, after its start-up pass). Ours: the same conditions.
 * - P4: kro's RSS (VmRSS every 250 ms): peak over the P2 runs, steady at the end of the default-resync window.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { forEachLimited } from '../../controllers/runtime/for-each-limited.js';
import { KRO_INSTANCE, kroExpectedChildren, kroInstance } from '../kro/rgd.js';
import { apiserverMetrics, requestDelta, secondsDelta } from '../lib/cluster.js';
import type { Clusters } from '../lib/clusters.js';
import type { WorkerConfig } from '../lib/ipc.js';
import { loadOf, setPhase } from '../lib/load.js';
import { ChildObserver } from '../lib/observer.js';
import { playAck, type AckPlay } from '../lib/peer-ack-player.js';
import { isKroResource, runKro, waitKroQuiet, waitKroReconciles, type BenchKro, type KroConfig } from '../lib/peer-kro.js';
import { delta, writesByVerb } from '../lib/prom.js';
import { round, summarize } from '../lib/stats.js';
import { sleep, type Log } from '../lib/util.js';
import { startWorker } from '../lib/workers.js';
import { environmentManifests, instantiate, type Example, type Manifest } from '../lib/workload.js';
import { controllerConfig, cpuDelta, cpuSnapshot, runNamespace, settle, type BenchParams, type Ctx } from './context.js';
import { benchSteadyState, type SteadyStateResult } from './steady-state.js';

/** Options of the kro side (bench/run.ts `--peer kro`, `--peer-configs`, `--peer-p3-envs`, `--kro-args`). */
export interface KroSideOptions {
  readonly configs: readonly KroConfig[];
  /** Environments (instances) of the synced steady state. */
  readonly p3Envs: number;
  /** More kro flags for every run (e.g. `--client-qps=1000`). */
  readonly extraArgs: readonly string[];
  /** Per-run limit for "all children exist" and for the ACK player. */
  readonly timeoutMs: number;
}

const kroKeys = (ctx: Ctx, manifests: readonly Manifest[]) => manifests.flatMap((m) => kroExpectedChildren(m, ctx.unserved));

/** CPU seconds of the control-plane components, the benchmark and kro. */
const cpuOf = (ctx: Ctx, kro: BenchKro) => cpuSnapshot(ctx, undefined, { kro: kro.pid });

/**
 * P1 for kro: `example` applied as an instance `params.p1Runs` times, one at a time, each on a kro whose other
 * instances are converged. After each run (and after a warm-up instance) the ACK player marks the instance's children
 * synced until it is ACTIVE: a pending instance would be re-read and re-applied every 3 s (from the third one on, kro's
 * worker would never be idle), and a suspended one releases kro's per-kind informers, which the next instance would
 * then start again (one 100 ms cache-sync poll per kind: ~2 s). Ours needs neither: its informers start with it, and
 * a pending environment costs a cheap reconcile every 30 s.
 */
export async function kroLatency(ctx: Ctx, params: BenchParams, log: Log, config: KroConfig, example: Example, opts: KroSideOptions) {
  const phase = `p1-${config.name}`;
  setPhase(phase);
  const ns = await runNamespace(ctx, `bench-p1-${config.name}`);
  const observer = new ChildObserver(ctx.kc, ns, ctx.kinds);
  await observer.start();
  const kro = await runKro(ctx, config, log, { extraArgs: opts.extraArgs });
  const latencies: number[] = [];
  const active = (o: WithStatus) => o.status?.state === 'ACTIVE';
  try {
    for (let i = -1; i < params.p1Runs; i++) {
      const m = instantiate(example, ns, i < 0 ? 'p1-warm-up' : `p1-${String(i).padStart(3, '0')}`);
      const keys = kroKeys(ctx, [m]);
      const t0 = performance.now();
      await ctx.kube.apply(kroInstance(m) as never);
      const ms = (await observer.waitFor(keys, opts.timeoutMs)) - t0;
      if (i >= 0) latencies.push(ms);
      const converged = await playAck(ctx, ns, () => allReady(ctx, ns, i + 2, KRO_INSTANCE, active), log, 120_000);
      if (!converged.converged) log(`P1 ${config.name}: ${m.metadata.name} not ACTIVE after 120 s`);
      // As for ours (waitQuiet): the follow-up reconciles settle before the next run (longer than its 3 s requeue).
      await waitKroQuiet(kro, 3_500, 15_000);
    }
  } finally {
    observer.stop();
    await kro.stop();
  }
  const s = summarize(latencies)!;
  log(`P1 ${config.name} ${example.id}: p50 ${s.p50.toFixed(0)} ms, p95 ${s.p95.toFixed(0)} ms over ${s.n} runs`);
  const summary = { n: s.n, p50: round(s.p50), p95: round(s.p95), min: round(s.min), max: round(s.max), mean: round(s.mean) };
  return { example: example.id, children: kroKeys(ctx, [instantiate(example, ns, 'x')]).length, runs: latencies.map((l) => round(l)), summary, load: loadOf(phase) };
}

/** kube-apiserver's and kro's counters over `ms` from now: writes to the workload's resources, reconciles, CPU. */
async function writesWindow(ctx: Ctx, kro: BenchKro, ms: number) {
  const m0 = await apiserverMetrics(ctx.kc);
  const k0 = await kro.counters();
  const cpu0 = cpuOf(ctx, kro);
  await sleep(ms);
  const cpu = cpuDelta(cpu0, cpuOf(ctx, kro));
  const k1 = await kro.counters();
  const m1 = await apiserverMetrics(ctx.kc);
  const writes = m0 && m1 ? delta(writesByVerb(m0, isKroResource), writesByVerb(m1, isKroResource)) : undefined;
  return {
    windowS: ms / 1000,
    apiserverWrites: writes,
    apiserverWritesTotal: writes ? Object.values(writes).reduce((a, b) => a + b, 0) : undefined,
    apiserverWritesAllResources: m0 && m1 ? delta(writesByVerb(m0), writesByVerb(m1)) : undefined,
    reconcilesInWindow: k1.reconciles - k0.reconciles,
    kroRequests: k1.requests - k0.requests,
    cpuSeconds: cpu,
    apiserverRequests: requestDelta(m0, m1),
    rssMiB: round(kro.rss.read().rssMiB ?? 0),
  };
}

/** The P3 window: 3.5 (`params.p3Periods`) of our resync periods. */
const windowMs = (params: BenchParams) => params.p3Periods * params.resyncS * 1000;

/**
 * P2 for kro: N instances of `example` applied (`params.envApplyConcurrency` in flight) to a running kro, timed until
 * every child kro can create exists. With `pendingWindow`, the writes of the following window too (no ACK).
 */
export async function kroThroughput(ctx: Ctx, params: BenchParams, log: Log, config: KroConfig, example: Example, n: number, opts: KroSideOptions, pendingWindow: boolean) {
  await settle(ctx, log);
  const phase = `p2-${config.name}-${n}`;
  setPhase(phase);
  const ns = await runNamespace(ctx, `bench-${config.name}-${n}`);
  const manifests = environmentManifests([example], ns, n);
  const keys = kroKeys(ctx, manifests);
  const observer = new ChildObserver(ctx.kc, ns, ctx.kinds);
  await observer.start();
  const kro = await runKro(ctx, config, log, { extraArgs: opts.extraArgs });
  try {
    const m0 = await apiserverMetrics(ctx.kc);
    const k0 = await kro.counters();
    const cpu0 = cpuOf(ctx, kro);
    kro.rss.resetPeak();
    const t0 = performance.now();
    let ms: number;
    let envApplyMs: number;
    try {
      await forEachLimited(manifests, params.envApplyConcurrency, async (m) => void (await ctx.kube.apply(kroInstance(m) as never)));
      envApplyMs = performance.now() - t0;
      ms = (await observer.waitFor(keys, opts.timeoutMs)) - t0;
    } finally {
      observer.stop();
    }
    const cpu = cpuDelta(cpu0, cpuOf(ctx, kro));
    const k1 = await kro.counters();
    const m1 = await apiserverMetrics(ctx.kc);
    const memory = kro.rss.read();
    const load = loadOf(phase);
    const seconds = ms / 1000;
    log(`P2 ${config.name} N=${n}: ${keys.length} children in ${seconds.toFixed(1)} s (${(keys.length / seconds).toFixed(0)}/s); kro ${((k1.requests - k0.requests) / seconds).toFixed(0)} requests/s (${k1.rateLimited - k0.rateLimited} through its client-side rate limiter, ${(k1.rateLimiterSeconds - k0.rateLimiterSeconds).toFixed(0)} s waited); peak RSS ${memory.peakRssMiB.toFixed(0)} MiB`);
    let pending: Awaited<ReturnType<typeof writesWindow>> | undefined;
    if (pendingWindow) {
      setPhase(`p3-${config.name}-pending`);
      await sleep(2_000);
      pending = await writesWindow(ctx, kro, windowMs(params));
      log(`P3 ${config.name} pending (no ACK, N=${n}): ${pending.apiserverWritesTotal} writes in ${pending.windowS} s, ${pending.reconcilesInWindow} reconciles`);
    }
    return {
      namespace: ns,
      children: keys.length,
      ms: round(ms),
      perSecond: round(keys.length / seconds),
      envApplyMs: round(envApplyMs),
      cpuSeconds: cpu,
      apiserverRequests: requestDelta(m0, m1),
      apiserverRequestSeconds: secondsDelta(m0, m1),
      kro: {
        reconciles: k1.reconciles - k0.reconciles,
        requests: k1.requests - k0.requests,
        requestsPerSecond: round((k1.requests - k0.requests) / seconds),
        rateLimiterWaitS: round(k1.rateLimiterSeconds - k0.rateLimiterSeconds),
        rateLimitedRequests: k1.rateLimited - k0.rateLimited,
        throttledRequests: k1.throttled - k0.throttled,
      },
      memory: { peakRssMiB: round(memory.peakRssMiB), rssMiB: round(memory.rssMiB ?? 0) },
      pending,
      load,
    };
  } finally {
    await kro.stop();
  }
}

type ControllerConfig = Extract<WorkerConfig, { mode: 'controller' }>;
type WithStatus = KubernetesObject & { status?: Record<string, unknown> };

/** Lists the instances (kro) or environments (ours) of `ns` and tells whether all `n` are ready. */
async function allReady(ctx: Ctx, ns: string, n: number, ref: { apiVersion: string; kind: string }, ready: (o: WithStatus) => boolean): Promise<boolean> {
  const items = await ctx.kube.list<WithStatus>({ ...ref, namespace: ns });
  return items.length === n && items.every(ready);
}

/** P3 for kro, children synced: default resync (the converging process, once quiet), then resync aligned to ours. */
export async function kroSteadyState(ctx: Ctx, params: BenchParams, log: Log, config: KroConfig, example: Example, n: number, opts: KroSideOptions) {
  setPhase(`p3-${config.name}-converge`);
  const ns = await runNamespace(ctx, `bench-p3-${config.name}`);
  const manifests = environmentManifests([example], ns, n);
  let kro = await runKro(ctx, config, log, { extraArgs: opts.extraArgs });
  let ack: AckPlay;
  let defaultResync: Awaited<ReturnType<typeof writesWindow>>;
  try {
    await forEachLimited(manifests, params.envApplyConcurrency, async (m) => void (await ctx.kube.apply(kroInstance(m) as never)));
    ack = await playAck(ctx, ns, () => allReady(ctx, ns, n, KRO_INSTANCE, (o) => o.status?.state === 'ACTIVE'), log, opts.timeoutMs);
    log(`P3 ${config.name}: ${n} instances ${ack.converged ? 'ACTIVE' : 'NOT all ACTIVE'} after ${(ack.ms / 1000).toFixed(0)} s (${ack.marked} children marked synced)`);
    await waitKroQuiet(kro, 5_000, 120_000);
    setPhase(`p3-${config.name}-default`);
    defaultResync = await writesWindow(ctx, kro, windowMs(params));
    log(`P3 ${config.name} default resync (${n} synced instances): ${defaultResync.apiserverWritesTotal} writes in ${defaultResync.windowS} s, ${defaultResync.reconcilesInWindow} reconciles`);
  } finally {
    await kro.stop();
  }
  setPhase(`p3-${config.name}-aligned`);
  kro = await runKro(ctx, config, log, { extraArgs: opts.extraArgs, resyncS: params.resyncS });
  try {
    const t0 = performance.now();
    const startupReconciles = await waitKroReconciles(kro, 0, n, opts.timeoutMs);
    const startupMs = performance.now() - t0;
    await sleep(2_000);
    const alignedResync = { ...(await writesWindow(ctx, kro, windowMs(params))), resyncS: params.resyncS, startup: { ms: round(startupMs), reconciles: startupReconciles } };
    log(`P3 ${config.name} resync ${params.resyncS} s: start-up pass ${(startupMs / 1000).toFixed(0)} s, then ${alignedResync.apiserverWritesTotal} writes in ${alignedResync.windowS} s, ${alignedResync.reconcilesInWindow} reconciles`);
    return { namespace: ns, environments: n, ack, defaultResync, alignedResync, load: loadOf(`p3-${config.name}-default`) };
  } finally {
    await kro.stop();
  }
}

/**
 * Our controller under the conditions of kro's P3: `n` environments of `example` converged with every child marked
 * synced (the late-bound children created, the environments Ready), then P3 as usual (a fresh controller, resync
 * `params.resyncS`, after its start-up pass).
 */
export async function oursSyncedSteadyState(ctx: Ctx, params: BenchParams, log: Log, example: Example, n: number, opts: KroSideOptions): Promise<{ ack: AckPlay; p3: SteadyStateResult }> {
  setPhase('p3-ours-converge');
  const ns = await runNamespace(ctx, 'bench-p3-ours');
  // No AWS here: the aws-gaps that the synced ALB and ASG set off (WAF association, target tracking) go to a fake.
  const worker = startWorker({ ...(controllerConfig(ctx, params, [ns], params.p12ResyncMs, params.p12ProgressMs) as ControllerConfig), fakeAws: true }, params, log);
  let ack: AckPlay;
  try {
    await worker.ready;
    await forEachLimited(environmentManifests([example], ns, n), params.envApplyConcurrency, async (m) => void (await ctx.kube.apply(m as never)));
    const envReady = (o: WithStatus) => ((o.status?.conditions ?? []) as { type?: string; status?: string }[]).some((c) => c.type === 'Ready' && c.status === 'True');
    // Bounded below kro's limit: ours converges in about a minute at N = 100; a worker that ignores `fakeAws` never does.
    ack = await playAck(ctx, ns, () => allReady(ctx, ns, n, { apiVersion: example.manifest.apiVersion, kind: example.manifest.kind }, envReady), log, Math.min(opts.timeoutMs, 300_000));
    log(`P3 ours: ${n} environments ${ack.converged ? 'Ready' : 'NOT all Ready (its window is measured all the same)'} after ${(ack.ms / 1000).toFixed(0)} s (${ack.marked} children marked synced)`);
  } finally {
    await worker.stop();
  }
  return { ack, p3: await benchSteadyState(ctx, params, log, ns, n, true) };
}

/** Every figure of one kro configuration (a phase not run, or failed, is undefined; `error` says why). */
export interface KroConfigResult {
  readonly config: KroConfig;
  p1?: Awaited<ReturnType<typeof kroLatency>>;
  readonly p2: { n: number; run: Awaited<ReturnType<typeof kroThroughput>> }[];
  p3?: Awaited<ReturnType<typeof kroSteadyState>>;
  error?: string;
}

/** The kro side of the run, and ours under kro's P3 conditions. */
export interface KroSideResult {
  readonly example: string;
  readonly p3Envs: number;
  readonly extraArgs: readonly string[];
  readonly configs: KroConfigResult[];
  oursSynced?: { ack: AckPlay; p3: SteadyStateResult };
}

/** Runs every kro configuration's phases (as `params.phases` selects), each timed run on a cluster of its own. */
export async function benchKroSide(clusters: Clusters, params: BenchParams, log: Log, example: Example, opts: KroSideOptions): Promise<KroSideResult> {
  const side: KroSideResult = { example: example.id, p3Envs: opts.p3Envs, extraArgs: opts.extraArgs, configs: [] };
  const largest = Math.max(...params.envs);
  const onPlane = async <T>(fn: (ctx: Ctx) => Promise<T>): Promise<T> => {
    const ctx = await clusters.open();
    try {
      return await fn(ctx);
    } finally {
      await clusters.close(ctx);
    }
  };
  for (const config of opts.configs) {
    const r: KroConfigResult = { config, p2: [] };
    side.configs.push(r);
    // One configuration failing (a timeout, kro rejecting the graph) leaves the others and the rest of the run.
    try {
      if (params.phases.has('p1')) r.p1 = await onPlane((ctx) => kroLatency(ctx, params, log, config, example, opts));
      if (params.phases.has('p2')) {
        for (const n of params.envs) r.p2.push({ n, run: await onPlane((ctx) => kroThroughput(ctx, params, log, config, example, n, opts, n === largest && params.phases.has('p3'))) });
      }
      if (params.phases.has('p3')) r.p3 = await onPlane((ctx) => kroSteadyState(ctx, params, log, config, example, opts.p3Envs, opts));
    } catch (err) {
      r.error = err instanceof Error ? err.message : String(err);
      log(`${config.name}: failed, the rest of its figures are missing: ${r.error}`);
    }
  }
  if (params.phases.has('p3')) {
    try {
      side.oursSynced = await onPlane((ctx) => oursSyncedSteadyState(ctx, params, log, example, opts.p3Envs, opts));
    } catch (err) {
      log(`our synced steady state failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return side;
}
