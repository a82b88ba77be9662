/** P3: writes in steady state, a controller restarted on the converged P2 namespace with a short resync period. */
import { apiserverMetrics, requestDelta } from '../lib/cluster.js';
import { loadOf, setPhase } from '../lib/load.js';
import { delta, isOperatorResource, writesByVerb } from '../lib/prom.js';
import { round } from '../lib/stats.js';
import { sleep, type Log } from '../lib/util.js';
import { startWorker } from '../lib/workers.js';
import { controllerConfig, cpuDelta, cpuSnapshot, type BenchParams, type Ctx } from './context.js';

/**
 * Counts writes over `params.p3Periods` resync periods on namespace `ns` (its `n` environments converged).
 * @param fakeAws the controller's aws-gaps against an in-memory AWS (the synced steady state of `--peer kro`)
 */
export async function benchSteadyState(ctx: Ctx, params: BenchParams, log: Log, ns: string, n: number, fakeAws = false) {
  setPhase('p3');
  const resyncMs = params.resyncS * 1000;
  const worker = startWorker({ ...controllerConfig(ctx, params, [ns], resyncMs, resyncMs), ...(fakeAws ? { fakeAws } : {}) }, params, log);
  const t0 = performance.now();
  await worker.ready;
  // The start-up pass: every environment is listed and reconciled once (unchanged: no write expected either).
  let s = await worker.stats();
  while ((s.reconciles?.total ?? 0) < n && performance.now() - t0 < params.timeoutMs) {
    await sleep(500);
    s = await worker.stats();
  }
  const startupMs = performance.now() - t0;
  const startupWrites = s.writes;
  await sleep(2_000);
  const windowMs = params.p3Periods * resyncMs;
  const m0 = await apiserverMetrics(ctx.kc);
  const w0 = await worker.stats(true);
  const cpu0 = cpuSnapshot(ctx, worker);
  log(`P3: ${n} environments converged; counting writes for ${windowMs / 1000} s (${params.p3Periods} × ${params.resyncS} s periods)`);
  await sleep(windowMs);
  const cpu = cpuDelta(cpu0, cpuSnapshot(ctx, worker));
  const w1 = await worker.stats();
  const m1 = await apiserverMetrics(ctx.kc);
  const live = await worker.stats(false, true);
  const final = await worker.stop();
  const operator = m0 && m1 ? delta(writesByVerb(m0, isOperatorResource), writesByVerb(m1, isOperatorResource)) : undefined;
  const all = m0 && m1 ? delta(writesByVerb(m0), writesByVerb(m1)) : undefined;
  // The controller's own write counter; `managerWrites` keeps the key of the recorded results in bench/results.
  const managerWrites = w1.writes && w0.writes ? delta(w0.writes, w1.writes) : undefined;
  const total = (r?: Record<string, number>) => (r ? Object.values(r).reduce((a, b) => a + b, 0) : undefined);
  log(`P3: apiserver writes to operator resources ${total(operator) ?? 'n/a'} (${JSON.stringify(operator)}), controller write counter ${total(managerWrites)}, reconciles in window ${(w1.reconciles?.total ?? 0) - (w0.reconciles?.total ?? 0)}`);
  return {
    namespace: ns,
    environments: n,
    resyncS: params.resyncS,
    progressRequeueS: params.resyncS,
    windowS: windowMs / 1000,
    startup: { ms: round(startupMs), writes: startupWrites },
    apiserverWrites: operator,
    apiserverWritesTotal: total(operator),
    apiserverWritesAllResources: all,
    managerWrites,
    managerWritesTotal: total(managerWrites),
    reconcilesInWindow: (w1.reconciles?.total ?? 0) - (w0.reconciles?.total ?? 0),
    cpuSeconds: cpu,
    apiserverRequests: requestDelta(m0, m1),
    liveHeapMiB: round(live.heapUsedMiB),
    memory: final ? { rssMiB: round(final.rssMiB), heapUsedMiB: round(final.heapUsedMiB), heapTotalMiB: round(final.heapTotalMiB), peakRssMiB: round(final.peakRssMiB), peakHeapUsedMiB: round(final.peakHeapUsedMiB) } : undefined,
    load: loadOf('p3'),
  };
}

/** The P3 figures (see benchSteadyState). */
export type SteadyStateResult = Awaited<ReturnType<typeof benchSteadyState>>;
