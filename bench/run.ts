/**
 * `npm run bench -- [--envs 100,500] [--p1-runs 20] [--only render,p1,p2,p3] ...` (see USAGE): the operator's
 * benchmarks on the local control plane (or MPE_KUBECONFIG). Prints a table, writes bench/results/latest.json and
 * bench/results/latest.svg. docs/benchmarks.md explains the method and records the figures.
 *
 * The controller runs in a child process (bench/worker.ts, the same EnvironmentController as `npm run controller`), so
 * its RSS and CPU are its own; the baseline client runs in a child process too, and both are timed by one observer
 * here (watches on every child kind: "all children exist" = the last expected ADDED event).
 *
 * This file parses the options and orchestrates; the phases are in bench/phases, the helpers in bench/lib.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_APPLY_CONCURRENCY } from '../controllers/marketplace-environment/reconciler.js';
import { Clusters } from './lib/clusters.js';
import { setPhase } from './lib/load.js';
import { assembleResults, chart, table, tableRows, type Machine } from './lib/report.js';
import { round } from './lib/stats.js';
import type { Log } from './lib/util.js';
import { applicableChildren, loadExamples } from './lib/workload.js';
import type { BenchParams } from './phases/context.js';
import { benchLatency, type LatencyResult } from './phases/latency.js';
import type { ThroughputResult } from './phases/throughput.js';
import { benchP2Size } from './phases/p2-size.js';
import { benchScale, type ScaleResult } from './phases/scale.js';
import { benchSteadyState, type SteadyStateResult } from './phases/steady-state.js';
import { benchRender, type RenderResult } from './phases/render.js';
import { benchKroSide, type KroSideResult } from './phases/peer-kro.js';
import { KRO_CONFIGS } from './lib/peer-kro.js';
import { KRO_EXAMPLE } from './kro/rgd.js';
import { kroUnavailable } from '../localcluster/kro.js';
import { BYO_KUBECONFIG_ENV } from '../localcluster/paths.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const USAGE = `npm run bench -- [options]
  --envs LIST            P2 sizes, comma-separated (default 100,500); P3/P4 use the largest
  --p1-runs N            P1 repetitions (default 20)
  --p1-example ID        example applied in P1 (default the one with most children)
  --concurrency N        controller workers = baseline environments in parallel (default 4, the controller's)
  --env-apply-concurrency N  environments the benchmark applies at once in P2 (default 16)
  --resync-s S           P3 resync and progress-requeue period (default 10)
  --p3-periods K         P3 window in periods (default 3.5)
  --only LIST            phases to run: render,p1,p2,p3 (default all; p3 needs p2)
  --timeout-s S          per-run limit for "all children exist" (default 900)
  --p2-sides LIST        P2 runs: baseline,controller,ceiling (default baseline,controller; the ratio needs both;
                         ceiling = the bare client plus the API-server work every operator with our API must do,
                         bench/lib/ceiling-client.ts)
  --scale LIST           controller-only runs at these N after P2 (e.g. 2000): children/s, memory per environment
  --runtime compiled|tsx  how the controller and baseline processes run: compiled JS on plain node, as the
                         container image does (default; compiled to .cache/bench-build first), or through tsx
  --cpu-prof DIR         write V8 CPU profiles of the controller processes to DIR
  --p2-pairs K           baseline + controller pairs per N, back to back, alternating order; the median pair is
                         reported (default 3)
  --shared-plane         one local control plane for every timed run (default: a fresh one per run, so no run
                         meets an earlier run's objects; bench/lib/clusters.ts)
  --workload ID          P2/P3 environments all of one example (default: every example in turn)
  --peer kro             also measure kro v0.9.4 (hack/build-kro.sh; skipped with a message when not built) on the
                         example its RGD renders (bench/kro/): implies --workload 000; P1, P2 per N, P3, P4 for each
                         --peer-configs, one run per N each, and ours in kro's P3 conditions (children synced)
  --peer-configs LIST    kro configurations: kro (its defaults, 1 worker), kro-4 (4 workers) (default both)
  --peer-p3-envs N       instances of the synced steady state (default the smallest of --envs)
  --peer-timeout-s S     per-run limit of the kro side (default 2400: kro is slower)
  --kro-args "ARGS"      more kro flags for every kro run, space-separated (e.g. "--client-qps=1000")
  --out FILE             JSON output (default bench/results/latest.json; the SVG goes beside it)
`;

const { values: args } = parseArgs({
  options: {
    envs: { type: 'string', default: '100,500' },
    'p1-runs': { type: 'string', default: '20' },
    'p1-example': { type: 'string' },
    concurrency: { type: 'string', default: '4' },
    'env-apply-concurrency': { type: 'string', default: '16' },
    'resync-s': { type: 'string', default: '10' },
    'p3-periods': { type: 'string', default: '3.5' },
    only: { type: 'string', default: 'render,p1,p2,p3' },
    'timeout-s': { type: 'string', default: '900' },
    'cpu-prof': { type: 'string' },
    'shared-plane': { type: 'boolean', default: false },
    'p2-pairs': { type: 'string', default: '3' },
    'p2-sides': { type: 'string', default: 'baseline,controller' },
    scale: { type: 'string', default: '' },
    runtime: { type: 'string', default: 'compiled' },
    workload: { type: 'string' },
    peer: { type: 'string' },
    'peer-configs': { type: 'string', default: KRO_CONFIGS.map((c) => c.name).join(',') },
    'peer-p3-envs': { type: 'string' },
    'peer-timeout-s': { type: 'string', default: '2400' },
    'kro-args': { type: 'string', default: '' },
    out: { type: 'string', default: join(BENCH_DIR, 'results', 'latest.json') },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (args.runtime !== 'compiled' && args.runtime !== 'tsx') throw new Error(`--runtime must be compiled or tsx, got "${args.runtime}"`);
const positive = (name: string, v: string): number => {
  const n = Number(v);
  if (!(n > 0)) throw new Error(`--${name} must be a positive number, got "${v}"`);
  return n;
};
const params: BenchParams = {
  envs: args.envs.split(',').map((s) => positive('envs', s.trim())),
  p1Runs: positive('p1-runs', args['p1-runs']),
  concurrency: positive('concurrency', args.concurrency),
  applyConcurrency: DEFAULT_APPLY_CONCURRENCY,
  envApplyConcurrency: positive('env-apply-concurrency', args['env-apply-concurrency']),
  resyncS: positive('resync-s', args['resync-s']),
  p3Periods: positive('p3-periods', args['p3-periods']),
  phases: new Set(args.only.split(',').map((s) => s.trim())),
  p2Sides: new Set(args['p2-sides'].split(',').map((s) => s.trim())),
  timeoutMs: positive('timeout-s', args['timeout-s']) * 1000,
  /** Production defaults of the controller during P1/P2 (300 s resync, 30 s progress requeue). */
  p12ResyncMs: 300_000,
  p12ProgressMs: 30_000,
  runtime: args.runtime,
  cpuProf: args['cpu-prof'],
  freshPlane: !args['shared-plane'],
  p2Pairs: positive('p2-pairs', args['p2-pairs']),
};
if (args.peer !== undefined && args.peer !== 'kro') throw new Error(`--peer: only kro is supported, got "${args.peer}"`);
// kro reconciles every instance of the cluster and its finalizer outlives it: each kro run needs a plane of its own.
if (args.peer && (args['shared-plane'] || process.env[BYO_KUBECONFIG_ENV])) throw new Error(`--peer kro needs a fresh local control plane per run: drop --shared-plane and ${BYO_KUBECONFIG_ENV}`);
// The kro RGD renders example 000 only: the side-by-side compares N environments of 000 on both sides.
const workloadId = args.workload ?? (args.peer ? KRO_EXAMPLE : undefined);
if (args.peer && !KRO_EXAMPLE.startsWith(workloadId!)) throw new Error(`--peer kro compares the workload of its RGD, ${KRO_EXAMPLE}: drop --workload ${workloadId}`);
const peerConfigs = args['peer-configs'].split(',').map((name) => {
  const c = KRO_CONFIGS.find((k) => k.name === name.trim());
  if (!c) throw new Error(`--peer-configs: unknown "${name}" (${KRO_CONFIGS.map((k) => k.name).join(', ')})`);
  return c;
});
const log: Log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const runId = Date.now().toString(36).slice(-5);

async function main(): Promise<void> {
  const examples = loadExamples();
  const workload = workloadId === undefined ? undefined : examples.find((e) => e.id === workloadId || e.id.startsWith(workloadId));
  if (workloadId !== undefined && !workload) throw new Error(`--workload ${workloadId}: no such example`);
  const p2Examples = workload ? [workload] : examples;
  const startedAt = new Date().toISOString();
  const result: Record<string, unknown> = {};
  const machine: Machine = { cores: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: round(totalmem() / 1024 ** 3, 1), node: process.version, platform: `${process.platform}-${process.arch}` };
  log(`machine: ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  let render: RenderResult[] | undefined;
  if (params.phases.has('render')) {
    setPhase('render');
    render = benchRender(examples, log);
  }

  const scaleSizes = args.scale.split(',').filter((x) => x.trim()).map((x) => positive('scale', x.trim()));
  const scale: ScaleResult[] = [];
  const needCluster = ['p1', 'p2', 'p3'].some((p) => params.phases.has(p)) || scaleSizes.length > 0;
  const p2: ThroughputResult[] = [];
  let p1: LatencyResult | undefined;
  let p3: SteadyStateResult | undefined;
  let cluster: Record<string, unknown> | undefined;
  let kro: KroSideResult | undefined;
  const kroSkipped = args.peer ? kroUnavailable() : undefined;
  if (kroSkipped) log(`--peer kro: ${kroSkipped}; the kro side is skipped, the rest runs`);
  const clusters = new Clusters(log, runId, params.freshPlane);
  process.once('SIGINT', () => void clusters.closeAll().then(() => process.exit(130)));
  try {
    if (needCluster) {
      if (params.phases.has('p1')) {
        const id = args['p1-example'] ?? workload?.id ?? [...examples].sort((a, b) => applicableChildren(b.manifest).length - applicableChildren(a.manifest).length)[0]!.id;
        const ex = examples.find((e) => e.id === id || e.id.startsWith(id));
        if (!ex) throw new Error(`--p1-example ${id}: no such example`);
        const ctx = await clusters.open();
        p1 = await benchLatency(ctx, params, log, ex);
        await clusters.close(ctx);
      }
      if (params.phases.has('p2')) {
        for (const [i, n] of params.envs.entries()) {
          const largest = i === params.envs.length - 1;
          p2.push(
            await benchP2Size(clusters, params, log, p2Examples, n, largest && params.phases.has('p3') ? async (ctx, controller) => void (p3 = await benchSteadyState(ctx, params, log, controller.namespace, n)) : undefined),
          );
        }
      }
      for (const n of scaleSizes) scale.push(await benchScale(clusters, params, log, p2Examples, n));
      if (args.peer && !kroSkipped) {
        kro = await benchKroSide(clusters, params, log, workload!, {
          configs: peerConfigs,
          p3Envs: args['peer-p3-envs'] ? positive('peer-p3-envs', args['peer-p3-envs']) : Math.min(...params.envs),
          extraArgs: args['kro-args'].split(' ').filter(Boolean),
          timeoutMs: positive('peer-timeout-s', args['peer-timeout-s']) * 1000,
        });
      }
      cluster = clusters.description;
    }
  } finally {
    await clusters.closeAll();
    if (clusters.peakRssMiB) result.controlPlanePeakRssMiB = clusters.peakRssMiB;
  }

  // ---- results
  const peer = args.peer ? { kro, skipped: kroSkipped, workload: workload?.id } : undefined;
  // The steady state under real ACK controllers needs the end-to-end stack, not these control planes: it is measured by
  // `npx tsx bench/ack-steady.ts` (its own JSON beside this one) and carried into these results with when it was measured.
  const ackSteadyPath = join(dirname(args.out), 'ack-steady.json');
  if (existsSync(ackSteadyPath)) {
    const a = JSON.parse(readFileSync(ackSteadyPath, 'utf8')) as { ack_steady_writes?: number; startedAt?: string; command?: string };
    result.ackSteady = { writes: a.ack_steady_writes ?? null, measuredAt: a.startedAt, command: a.command, file: relative(BENCH_DIR, ackSteadyPath) };
  }
  const out = assembleResults({ params, machine, examples, startedAt, cluster, render, p1, p2, p3, peer, scale, extra: result });
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, `${JSON.stringify(out, null, 1)}\n`);
  const svgPath = args.out.replace(/\.json$/, '') + '.svg';
  writeFileSync(svgPath, chart(out, p2, p1, render, p3, out.peers ? out : undefined));

  // ---- table
  process.stdout.write(`\n${table(tableRows(out, render, p1, p2, p3, kro))}\n\nmachine: ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}; load during the run ${JSON.stringify(out.machine.load.run)}\n`);
  process.stdout.write(`wrote ${relative(process.cwd(), args.out)} and ${relative(process.cwd(), svgPath)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
