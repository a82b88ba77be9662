/** P1: latency of one environment, from its apply to the last of its children existing, with the controller running. */
import { loadOf, setPhase } from '../lib/load.js';
import { ChildObserver } from '../lib/observer.js';
import { round, summarize, type Summary } from '../lib/stats.js';
import type { Log } from '../lib/util.js';
import { startWorker } from '../lib/workers.js';
import { instantiate, type Example } from '../lib/workload.js';
import { controllerConfig, expectedKeys, runNamespace, waitQuiet, type BenchParams, type Ctx } from './context.js';

const roundSummary = (s: Summary) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, round(v, 1)])) as unknown as Summary;

/** Applies `example` `params.p1Runs` times, one at a time, and times each until all its children exist. */
export async function benchLatency(ctx: Ctx, params: BenchParams, log: Log, example: Example) {
  setPhase('p1');
  const ns = await runNamespace(ctx, 'bench-p1');
  const observer = new ChildObserver(ctx.kc, ns, ctx.kinds);
  await observer.start();
  const worker = startWorker(controllerConfig(ctx, params, [ns], params.p12ResyncMs, params.p12ProgressMs), params, log);
  await worker.ready;
  const latencies: number[] = [];
  try {
    for (let i = 0; i < params.p1Runs; i++) {
      const m = instantiate(example, ns, `p1-${String(i).padStart(3, '0')}`);
      const keys = expectedKeys(ctx, [m]);
      const t0 = performance.now();
      await ctx.kube.apply(m as never);
      const last = await observer.waitFor(keys, params.timeoutMs);
      latencies.push(last - t0);
      // Let the follow-up reconciles (status, child events) finish before the next run.
      await waitQuiet(worker, 500, 10_000);
    }
  } finally {
    observer.stop();
  }
  const stats = await worker.stop();
  const s = summarize(latencies)!;
  log(`P1 ${example.id}: p50 ${s.p50.toFixed(0)} ms, p95 ${s.p95.toFixed(0)} ms over ${s.n} runs`);
  return { example: example.id, children: expectedKeys(ctx, [instantiate(example, ns, 'x')]).length, runs: latencies.map((l) => round(l, 1)), summary: roundSummary(s), writes: stats?.writes, load: loadOf('p1') };
}

/** The P1 figures (see benchLatency). */
export type LatencyResult = Awaited<ReturnType<typeof benchLatency>>;
