/**
 * `npm run bench -- [--envs 100,500] [--p1-runs 20] [--only render,p1,p2,p3] ...` (see USAGE): the operator's
 * benchmarks on the local control plane (or MPE_KUBECONFIG). Prints a table, writes bench/results/latest.json and
 * bench/results/latest.svg. docs/benchmarks.md explains the method and records the figures.
 *
 * The controller runs in a child process (bench/worker.ts, the same Manager as `npm run controller`), so its RSS and
 * CPU are its own; the baseline client runs in a child process too, and both are timed by one observer here (watches
 * on every child kind: "all children exist" = the last expected ADDED event).
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { KubeConfig, VersionApi } from '@kubernetes/client-node';
import { API_VERSION, KIND, validateEnvironment } from '../api/index.js';
import { renderEnvironment } from '../charts/index.js';
import { FIELD_MANAGER } from '../controllers/manager.js';
import { CHILD_KINDS } from '../controllers/marketplace-environment/child-kinds.js';
import { DEFAULT_APPLY_CONCURRENCY, FINALIZER } from '../controllers/marketplace-environment/reconciler.js';
import { ClientNodeKubeClient } from '../controllers/runtime/client-node-kube-client.js';
import type { KubeClient } from '../controllers/runtime/kube-client.js';
import { applyCrds, loadCrds, waitForCrdsEstablished } from '../localcluster/crds.js';
import { startControlPlane, type ControlPlane } from '../localcluster/control-plane.js';
import { REPO_ROOT } from '../localcluster/paths.js';
import type { FromWorker, ToWorker, WorkerConfig, WorkerStats } from './lib/ipc.js';
import { withKeepAlive } from './lib/keepalive.js';
import { ChildObserver } from './lib/observer.js';
import { delta, isOperatorResource, requestSecondsByVerbAndResource, requestsByVerbAndResource, writesByVerb } from './lib/prom.js';
import { round, summarize, type Summary } from './lib/stats.js';
import { renderSvg, type Panel } from './lib/svg.js';
import { applicableChildren, childKey, instantiate, loadExamples, type Example, type Manifest } from './lib/workload.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const USAGE = `npm run bench -- [options]
  --envs LIST            P2 sizes, comma-separated (default 100,500); P3/P4 use the largest
  --p1-runs N            P1 repetitions (default 20)
  --p1-example ID        example applied in P1 (default the one with most children)
  --concurrency N        controller workers = baseline environments in parallel (default 4, the Manager's)
  --env-apply-concurrency N  environments the benchmark applies at once in P2 (default 16)
  --resync-s S           P3 resync and progress-requeue period (default 10)
  --p3-periods K         P3 window in periods (default 3.5)
  --only LIST            phases to run: render,p1,p2,p3 (default all; p3 needs p2)
  --timeout-s S          per-run limit for "all children exist" (default 900)
 --p2-sides LIST        P2 runs: baseline,controller (default both; the ratio needs both)
  --runtime compiled|tsx  how the controller and baseline processes run: compiled JS on plain node, as the
                         container image does (default; compiled to .cache/bench-build first), or through tsx
  --keepalive            experiment: controller and baseline reuse connections (bench/lib/keepalive.ts)
  --cpu-prof DIR         write V8 CPU profiles of the controller processes to DIR
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
    'p2-sides': { type: 'string', default: 'baseline,controller' },
    keepalive: { type: 'boolean', default: false },
    runtime: { type: 'string', default: 'compiled' },
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
const params = {
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
  /** Production defaults of the Manager during P1/P2 (300 s resync, 30 s progress requeue). */
  p12ResyncMs: 300_000,
  p12ProgressMs: 30_000,
};
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const runId = Date.now().toString(36).slice(-5);

// ---------------------------------------------------------------------------------------------------------------
// machine and load

const loadSamples: { phase: string; load1: number }[] = [];
let phase = 'start';
const loadTimer = setInterval(() => loadSamples.push({ phase, load1: loadavg()[0]! }), 5_000);
loadTimer.unref();
function loadOf(p?: string) {
  const xs = loadSamples.filter((s) => !p || s.phase === p).map((s) => s.load1);
  return xs.length ? { min: round(Math.min(...xs), 2), mean: round(xs.reduce((a, b) => a + b, 0) / xs.length, 2), max: round(Math.max(...xs), 2) } : { min: round(loadavg()[0]!, 2), mean: round(loadavg()[0]!, 2), max: round(loadavg()[0]!, 2) };
}
function setPhase(p: string): void {
  phase = p;
  loadSamples.push({ phase, load1: loadavg()[0]! });
}

/** CPU seconds (user + system) of a process, from /proc (Linux); undefined elsewhere. */
function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// worker processes

interface Worker {
  readonly child: ChildProcess;
  readonly ready: Promise<Extract<FromWorker, { type: 'ready' }>>;
  readonly done: Promise<Extract<FromWorker, { type: 'done' }>>;
  stats(resetPeaks?: boolean, gc?: boolean): Promise<WorkerStats>;
  send(m: ToWorker): void;
  /** Stops the worker and resolves with its final stats. */
  stop(): Promise<WorkerStats | undefined>;
}

const liveWorkers = new Set<ChildProcess>();

/**
 * Compiles bench/worker.ts and what it imports with the project's tsconfig into .cache/bench-build, so the worker runs
 * as the container image runs the controller (`node --enable-source-maps build/controllers/run.js`, see Dockerfile).
 */
function compileWorker(): string {
  const tsconfig = join(REPO_ROOT, '.cache', 'tsconfig.bench-build.json');
  mkdirSync(dirname(tsconfig), { recursive: true });
  const config = { extends: '../tsconfig.json', compilerOptions: { outDir: 'bench-build', rootDir: '..', noEmit: false }, include: ['../bench/worker.ts'] };
  writeFileSync(tsconfig, JSON.stringify(config));
  const t0 = performance.now();
  execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig], { stdio: 'inherit' });
  log(`compiled the worker in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return join(REPO_ROOT, '.cache', 'bench-build', 'bench', 'worker.js');
}
let compiledWorker: string | undefined;

function startWorker(config: WorkerConfig): Worker {
  const prof = args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${args['cpu-prof']}`] : [];
  const compiled = args.runtime === 'compiled';
  if (compiled) compiledWorker ??= compileWorker();
  const child = fork(compiled ? compiledWorker! : join(BENCH_DIR, 'worker.ts'), [JSON.stringify(config)], {
    // --expose-gc only lets the benchmark ask for a full GC before reading the live heap; it changes no GC behaviour.
    execArgv: [...(compiled ? ['--enable-source-maps'] : ['--import', 'tsx']), '--expose-gc', ...(config.mode === 'controller' ? prof : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  liveWorkers.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => (liveWorkers.delete(child), resolve())));
  const waiters: ((m: FromWorker) => boolean)[] = [];
  let failed: Error | undefined;
  child.on('message', (m: FromWorker) => {
    if (m.type === 'error') failed = new Error(`${config.mode} worker failed: ${m.message}`);
    const i = waiters.findIndex((w) => w(m));
    if (i >= 0) waiters.splice(i, 1);
  });
  const next = <T extends FromWorker['type']>(type: T) =>
    new Promise<Extract<FromWorker, { type: T }>>((resolve, reject) => {
      waiters.push((m) => {
        if (m.type === 'error') return reject(failed), true;
        if (m.type !== type) return false;
        resolve(m as Extract<FromWorker, { type: T }>);
        return true;
      });
      void exited.then(() => reject(failed ?? new Error(`${config.mode} worker exited`)));
    });
  const ready = next('ready');
  const done = config.mode === 'baseline' ? next('done') : new Promise<never>(() => undefined);
  ready.catch(() => undefined);
  done.catch(() => undefined);
  return {
    child,
    ready,
    done,
    send: (m) => child.send(m),
    stats: async (resetPeaks, gc) => {
      const p = next('stats');
      child.send({ type: 'stats', resetPeaks, gc } satisfies ToWorker);
      return (await p).stats;
    },
    stop: async () => {
      if (child.exitCode !== null) return undefined;
      const p = next('stats').catch(() => undefined);
      child.send({ type: 'stop' } satisfies ToWorker);
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const s = await p;
      await exited;
      clearTimeout(timer);
      return s?.stats;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// cluster helpers

async function applyInParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function createNamespace(kube: KubeClient, name: string): Promise<void> {
  await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } } as never);
}

/** Deletes a namespace (dropping our finalizer from its environments first: no controller runs) and waits until gone. */
async function deleteNamespace(kube: KubeClient, name: string, timeoutMs = 300_000): Promise<number> {
  const t0 = performance.now();
  const envs = await kube.list({ apiVersion: API_VERSION, kind: KIND, namespace: name });
  await applyInParallel(envs, 16, async (e) => {
    const finalizers = (e.metadata?.finalizers ?? []).filter((f) => f !== FINALIZER);
    if (finalizers.length !== (e.metadata?.finalizers ?? []).length) {
      await kube.patchMetadata({ apiVersion: API_VERSION, kind: KIND, namespace: name, name: e.metadata!.name! }, { finalizers });
    }
  });
  await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name });
  while (await kube.get({ apiVersion: 'v1', kind: 'Namespace', name })) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`namespace ${name} still terminating after ${timeoutMs / 1000} s`);
    await sleep(500);
  }
  return performance.now() - t0;
}

/** kube-apiserver's `/metrics` (needs the admin kubeconfig); undefined when not allowed. */
async function apiserverMetrics(kc: KubeConfig): Promise<string | undefined> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) return undefined;
  const url = new URL('/metrics', server);
  const opts: Parameters<typeof request>[1] = { method: 'GET', hostname: url.hostname, port: url.port, path: url.pathname, headers: {} };
  await kc.applyToHTTPSOptions(opts as never);
  return new Promise((resolve) => {
    const req = request(opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(res.statusCode === 200 ? Buffer.concat(chunks).toString('utf8') : undefined));
    });
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/**
 * Waits until the API server is quiet (fewer than 5 requests/s besides watches, over 3 s; at most `limitMs`): after a
 * namespace deletion the garbage collector keeps verifying owners for a while, which would load the next run.
 */
async function waitApiserverQuiet(kc: KubeConfig, limitMs = 120_000): Promise<number> {
  const t0 = performance.now();
  const busy = (text: string | undefined) =>
    text ? Object.entries(requestsByVerbAndResource(text)).filter(([k]) => !k.startsWith('WATCH') && !k.startsWith('LIST')).reduce((n, [, v]) => n + v, 0) : 0;
  let before = busy(await apiserverMetrics(kc));
  while (performance.now() - t0 < limitMs) {
    await sleep(3_000);
    const now = busy(await apiserverMetrics(kc));
    if (now - before < 15) break;
    before = now;
  }
  return performance.now() - t0;
}

/** Seconds the API server spent per `VERB resource` between two scrapes (top 12; latency, summed over requests). */
function secondsDelta(before: string | undefined, after: string | undefined): Record<string, number> | undefined {
  if (!before || !after) return undefined;
  const d = delta(requestSecondsByVerbAndResource(before), requestSecondsByVerbAndResource(after));
  return Object.fromEntries(Object.entries(d).filter(([, v]) => v > 0.05).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => [k, round(v, 1)]));
}

/** Waits for a quiet API server before a timed run (logs when that took long). */
async function settle(ctx: Ctx): Promise<void> {
  setPhase('settle');
  const ms = await waitApiserverQuiet(ctx.kc, 60_000);
  if (ms > 5_000) log(`waited ${(ms / 1000).toFixed(1)} s for the API server to become quiet`);
}

/** Requests the API server served between two scrapes, by `VERB resource`, largest first (non-zero only). */
function requestDelta(before: string | undefined, after: string | undefined): Record<string, number> | undefined {
  if (!before || !after) return undefined;
  const d = delta(requestsByVerbAndResource(before), requestsByVerbAndResource(after));
  return Object.fromEntries(Object.entries(d).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]));
}

/** The kinds the API server does not serve (a LIST answers 404). */
async function unservedKinds(kube: KubeClient): Promise<Set<string>> {
  const missing = new Set<string>();
  for (const k of CHILD_KINDS) {
    try {
      await kube.list({ apiVersion: k.apiVersion, kind: k.kind, namespace: 'default' });
    } catch {
      missing.add(`${k.apiVersion}/${k.kind}`);
    }
  }
  return missing;
}

/** CloudFront and WAFv2 CRDs, from the pinned upstream files beside the repository when present (as the integration suite does). */
async function installReferenceCrds(kc: KubeConfig): Promise<string[]> {
  const dir = join(REPO_ROOT, '../shared/ack-crds');
  const files = [
    'cloudfront-controller/cloudfront.services.k8s.aws_distributions.yaml',
    'cloudfront-controller/cloudfront.services.k8s.aws_originaccesscontrols.yaml',
    'wafv2-controller/wafv2.services.k8s.aws_webacls.yaml',
  ].map((f) => join(dir, f));
  try {
    const crds = loadCrds(files);
    await applyCrds(kc, crds);
    await waitForCrdsEstablished(kc, crds.map((c) => c.name));
    return crds.map((c) => c.name);
  } catch (err) {
    log(`reference CRDs not installed (${(err as Error).message.split('\n')[0]}); CDN and WAF children are left out`);
    return [];
  }
}

// ---------------------------------------------------------------------------------------------------------------
// phases

interface RenderResult {
  readonly example: string;
  readonly children: number;
  readonly ms: number;
  readonly iterations: number;
}

/** Validate + render (what each reconcile does), warm, per example. */
function benchRender(examples: readonly Example[]): RenderResult[] {
  return examples.map((ex) => {
    const run = () => renderEnvironment(validateEnvironment(structuredClone(ex.manifest)));
    const children = run().length;
    for (let i = 0; i < 30; i++) run();
    let iterations = 0;
    const t0 = performance.now();
    while (iterations < 300 && (iterations < 50 || performance.now() - t0 < 2_000)) {
      run();
      iterations++;
    }
    const ms = (performance.now() - t0) / iterations;
    log(`render ${ex.id}: ${ms.toFixed(2)} ms/env (${children} children, ${iterations} iterations)`);
    return { example: ex.id, children, ms: round(ms, 2), iterations };
  });
}

interface Ctx {
  readonly kc: KubeConfig;
  readonly kubeconfigPath: string;
  readonly kube: KubeClient;
  readonly plane: ControlPlane;
  readonly unserved: Set<string>;
  readonly kinds: typeof CHILD_KINDS;
  readonly namespaces: string[];
}

/** Expected child keys of `manifests`. */
function expectedKeys(ctx: Ctx, manifests: readonly Manifest[]): string[] {
  return manifests.flatMap((m) => applicableChildren(m, ctx.unserved).map((o) => childKey({ ...o, metadata: { ...o.metadata, namespace: m.metadata.namespace } })));
}

function controllerConfig(ctx: Ctx, namespaces: string[], resyncPeriodMs: number, progressRequeueMs: number): WorkerConfig {
  return { mode: 'controller', kubeconfig: ctx.kubeconfigPath, namespaces, concurrency: params.concurrency, resyncPeriodMs, progressRequeueMs, keepAlive: args.keepalive };
}

/** CPU seconds of the control-plane components and a worker. */
function cpuSnapshot(ctx: Ctx, worker?: Worker): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, pid] of Object.entries(ctx.plane.pids)) {
    const s = cpuSecondsOf(pid);
    if (s !== undefined) out[name] = s;
  }
  const w = cpuSecondsOf(worker?.child.pid);
  if (w !== undefined) out.worker = w;
  out.bench = process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6;
  return out;
}
const cpuDelta = (a: Record<string, number>, b: Record<string, number>) => Object.fromEntries(Object.keys(b).map((k) => [k, round((b[k] ?? 0) - (a[k] ?? 0), 1)]));

/** Waits until the controller has had no reconcile for `quietMs` (its work after creation has settled). */
async function waitQuiet(worker: Worker, quietMs: number, limitMs: number): Promise<WorkerStats> {
  const t0 = performance.now();
  for (;;) {
    const s = await worker.stats();
    if ((s.reconciles?.idleMs ?? 0) >= quietMs || performance.now() - t0 > limitMs) return s;
    await sleep(500);
  }
}

async function benchP1(ctx: Ctx, example: Example) {
  setPhase('p1');
  const ns = `bench-p1-${runId}`;
  await createNamespace(ctx.kube, ns);
  ctx.namespaces.push(ns);
  const observer = new ChildObserver(ctx.kc, ns, ctx.kinds);
  await observer.start();
  const worker = startWorker(controllerConfig(ctx, [ns], params.p12ResyncMs, params.p12ProgressMs));
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

const roundSummary = (s: Summary) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, round(v, 1)])) as unknown as Summary;

function manifestsFor(examples: readonly Example[], ns: string, n: number): Manifest[] {
  return Array.from({ length: n }, (_, i) => instantiate(examples[i % examples.length]!, ns, `env-${String(i).padStart(4, '0')}`));
}

async function benchBaseline(ctx: Ctx, examples: readonly Example[], n: number) {
  await settle(ctx);
  setPhase(`p2-baseline-${n}`);
  const ns = `bench-base-${n}-${runId}`;
  await createNamespace(ctx.kube, ns);
  const manifests = manifestsFor(examples, ns, n);
  // The environments exist (no controller watches this namespace) so the children carry the same owner references.
  await applyInParallel(manifests, params.envApplyConcurrency, async (m) => void (await ctx.kube.apply(m as never)));
  const keys = expectedKeys(ctx, manifests);
  const observer = new ChildObserver(ctx.kc, ns, ctx.kinds);
  await observer.start();
  const worker = startWorker({ mode: 'baseline', kubeconfig: ctx.kubeconfigPath, namespace: ns, concurrency: params.concurrency, applyConcurrency: params.applyConcurrency, unserved: [...ctx.unserved], keepAlive: args.keepalive });
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
  // Kept until the end: deleting it now would keep the garbage collector busy (it verifies the owner of every child
  // at kube-controller-manager's 20 requests/s) through the next runs.
  ctx.namespaces.push(ns);
  return { namespace: ns, children: keys.length, ms: round(ms), perSecond: round(keys.length / (ms / 1000)), cpuSeconds: cpu, applyErrors: done.errors.length, apiserverRequests: requests, apiserverRequestSeconds: requestSeconds, load };
}

async function benchController(ctx: Ctx, examples: readonly Example[], n: number) {
  await settle(ctx);
  setPhase(`p2-controller-${n}`);
  const ns = `bench-ctl-${n}-${runId}`;
  await createNamespace(ctx.kube, ns);
  ctx.namespaces.push(ns);
  const manifests = manifestsFor(examples, ns, n);
  const keys = expectedKeys(ctx, manifests);
  const observer = new ChildObserver(ctx.kc, ns, ctx.kinds);
  await observer.start();
  const worker = startWorker(controllerConfig(ctx, [ns], params.p12ResyncMs, params.p12ProgressMs));
  await worker.ready;
  const before = await worker.stats(true);
  const m0 = await apiserverMetrics(ctx.kc);
  const cpu0 = cpuSnapshot(ctx, worker);
  const t0 = performance.now();
  let ms: number;
  let envApplyMs = 0;
  try {
    await applyInParallel(manifests, params.envApplyConcurrency, async (m) => void (await ctx.kube.apply(m as never)));
    envApplyMs = performance.now() - t0;
    ms = (await observer.waitFor(keys, params.timeoutMs)) - t0;
  } finally {
    observer.stop();
  }
  const cpu = cpuDelta(cpu0, cpuSnapshot(ctx, worker));
  const atDone = await worker.stats();
  const m1 = await apiserverMetrics(ctx.kc);
  const load = loadOf(phase);
  // Converged: every environment reconciled and its status written (the follow-up reconciles have settled).
  const settled = await waitQuiet(worker, 3_000, 120_000);
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
    memory: final ? { idleRssMiB: round(before.rssMiB), idleHeapUsedMiB: round(before.heapUsedMiB), liveHeapAfterMiB: round(live.heapUsedMiB), peakRssMiB: round(final.peakRssMiB), peakHeapUsedMiB: round(final.peakHeapUsedMiB), rssMiB: round(final.rssMiB), heapUsedMiB: round(final.heapUsedMiB) } : undefined,
    load,
  };
}

async function benchP3(ctx: Ctx, ns: string, n: number) {
  setPhase('p3');
  const resyncMs = params.resyncS * 1000;
  const worker = startWorker(controllerConfig(ctx, [ns], resyncMs, resyncMs));
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
  const managerWrites = w1.writes && w0.writes ? delta(w0.writes, w1.writes) : undefined;
  const total = (r?: Record<string, number>) => (r ? Object.values(r).reduce((a, b) => a + b, 0) : undefined);
  log(`P3: apiserver writes to operator resources ${total(operator) ?? 'n/a'} (${JSON.stringify(operator)}), manager.writes ${total(managerWrites)}, reconciles in window ${(w1.reconciles?.total ?? 0) - (w0.reconciles?.total ?? 0)}`);
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

// ---------------------------------------------------------------------------------------------------------------
// report

function table(rows: (string | number)[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => String(c ?? '').padEnd(widths[i]!)).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const examples = loadExamples();
  const startedAt = new Date().toISOString();
  const result: Record<string, unknown> = {};
  const machine = { cores: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: round(totalmem() / 1024 ** 3, 1), node: process.version, platform: `${process.platform}-${process.arch}` };
  log(`machine: ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  let render: RenderResult[] | undefined;
  if (params.phases.has('render')) {
    setPhase('render');
    render = benchRender(examples);
  }

  const needCluster = ['p1', 'p2', 'p3'].some((p) => params.phases.has(p));
  let plane: ControlPlane | undefined;
  const p2: { n: number; controller?: Awaited<ReturnType<typeof benchController>>; baseline?: Awaited<ReturnType<typeof benchBaseline>>; ratio?: number }[] = [];
  let p1: Awaited<ReturnType<typeof benchP1>> | undefined;
  let p3: Awaited<ReturnType<typeof benchP3>> | undefined;
  let cluster: Record<string, unknown> | undefined;
  const stopAll = async () => {
    for (const c of liveWorkers) c.kill('SIGKILL');
    if (plane) {
      const report = await plane.stop();
      plane = undefined;
      return report;
    }
    return undefined;
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    if (needCluster) {
      setPhase('setup');
      plane = await startControlPlane({ log });
      // The benchmark's own requests (creating environments, observing) reuse connections, as kubectl does, so
      // they cost the API server as little as possible in either run.
      const kc = withKeepAlive(new KubeConfig());
      kc.loadFromFile(plane.kubeconfigPath);
      const kube = ClientNodeKubeClient.fromKubeConfig(kc, { fieldManager: `${FIELD_MANAGER}-bench` });
      const reference = await installReferenceCrds(kc);
      const unserved = await unservedKinds(kube);
      if (unserved.size) log(`not served (left out): ${[...unserved].join(', ')}`);
      const version = await kc.makeApiClient(VersionApi).getCode();
      cluster = { mode: plane.external ? 'external (MPE_KUBECONFIG)' : 'local control plane', server: plane.server, version: version.gitVersion, referenceCrds: reference.length, unserved: [...unserved] };
      const ctx: Ctx = { kc, kubeconfigPath: plane.kubeconfigPath, kube, plane, unserved, kinds: CHILD_KINDS.filter((k) => !unserved.has(`${k.apiVersion}/${k.kind}`)), namespaces: [] };
      if (params.phases.has('p1')) {
        const id = args['p1-example'] ?? [...examples].sort((a, b) => applicableChildren(b.manifest).length - applicableChildren(a.manifest).length)[0]!.id;
        const ex = examples.find((e) => e.id === id || e.id.startsWith(id));
        if (!ex) throw new Error(`--p1-example ${id}: no such example`);
        p1 = await benchP1(ctx, ex);
      }
      if (params.phases.has('p2')) {
        for (const n of params.envs) {
          const baseline = params.p2Sides.has('baseline') ? await benchBaseline(ctx, examples, n) : undefined;
          const controller = params.p2Sides.has('controller') ? await benchController(ctx, examples, n) : undefined;
          const ratio = controller && baseline ? round(controller.perSecond / baseline.perSecond, 2) : undefined;
          p2.push({ n, controller, baseline, ratio });
          log(`P2 N=${n}: ratio ${ratio}`);
        }
        if (params.phases.has('p3') && params.p2Sides.has('controller')) {
          const last = p2[p2.length - 1]!;
          p3 = await benchP3(ctx, last.controller!.namespace, last.n);
        }
      }
      if (plane.external) {
        setPhase('cleanup');
        for (const ns of ctx.namespaces) await deleteNamespace(kube, ns).catch((err: unknown) => log(`cleanup of ${ns} failed: ${String(err)}`));
      }
    }
  } finally {
    const report = await stopAll();
    if (report) result.controlPlanePeakRssMiB = Object.fromEntries(Object.entries(report.peakRssKiB).map(([k, v]) => [k, round(v / 1024)]));
  }

  // ---- results
  const largest = p2[p2.length - 1];
  const num = (v: number | undefined) => (v === undefined ? null : v);
  const out = {
    p1_ms_p50: num(p1?.summary.p50),
    p1_ms_p95: num(p1?.summary.p95),
    p2_ratio: p2.some((r) => r.ratio !== undefined) ? Math.min(...p2.map((r) => r.ratio ?? Infinity)) : null,
    p2_ratio_by_n: Object.fromEntries(p2.map((r) => [r.n, r.ratio])),
    p3_writes: num(p3?.apiserverWritesTotal),
    p4_rss_mib: num(largest?.controller?.memory?.peakRssMiB),
    p4_heap_mib: num(largest?.controller?.memory?.peakHeapUsedMiB),
    render_ms: render ? Object.fromEntries(render.map((r) => [r.example, r.ms])) : null,
    goals: { p2_ratio: '>= 0.8', p3_writes: 0, p4_rss_mib: '<= 300' },
    machine: { ...machine, load: { start: loadSamples[0]?.load1, run: loadOf(), byPhase: Object.fromEntries([...new Set(loadSamples.map((s) => s.phase))].map((p) => [p, loadOf(p)])) } },
    cluster,
    params: {
      envs: params.envs,
      p1Runs: params.p1Runs,
      p1Example: p1?.example,
      controllerWorkers: params.concurrency,
      applyConcurrency: params.applyConcurrency,
      baselineConcurrency: `${params.concurrency} environments × ${params.applyConcurrency} applies`,
      envApplyConcurrency: params.envApplyConcurrency,
      p1p2ResyncS: params.p12ResyncMs / 1000,
      p1p2ProgressRequeueS: params.p12ProgressMs / 1000,
      p3ResyncS: params.resyncS,
      p3Periods: params.p3Periods,
      keepAlive: args.keepalive,
      runtime: args.runtime === 'compiled' ? 'compiled JS on plain node --enable-source-maps (as the Dockerfile runs it)' : 'tsx (as npm run controller runs it)',
      p4: 'controller in a child process (bench/worker.ts), process.memoryUsage() sampled every 250 ms; peak during the P2 run at the largest N',
      examples: examples.map((e) => e.id),
    },
    startedAt,
    finishedAt: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    details: { render, p1, p2, p3, ...result },
  };
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, `${JSON.stringify(out, null, 1)}\n`);
  const svgPath = args.out.replace(/\.json$/, '') + '.svg';
  writeFileSync(svgPath, chart(out, p2, p1, render));

  // ---- table
  const rows: (string | number)[][] = [['figure', 'value', 'goal', 'load (1 min avg)']];
  if (render) for (const r of render) rows.push([`render ${r.example} (${r.children} children)`, `${r.ms} ms/env`, '', out.machine.load.byPhase.render?.mean ?? '']);
  if (p1) rows.push([`P1 latency ${p1.example} (${p1.children} children)`, `p50 ${p1.summary.p50} ms, p95 ${p1.summary.p95} ms (n=${p1.summary.n})`, '', p1.load.mean]);
  for (const r of p2) {
    for (const [side, x] of [['controller', r.controller], ['baseline', r.baseline]] as const) {
      if (x) rows.push([`P2 N=${r.n} ${side}`, `${x.children} children in ${(x.ms / 1000).toFixed(1)} s = ${x.perSecond}/s`, '', x.load.mean]);
    }
    if (r.ratio !== undefined) rows.push([`P2 N=${r.n} ratio`, r.ratio, '>= 0.8', '']);
  }
  if (p3) rows.push([`P3 writes, ${p3.environments} envs, ${p3.windowS} s`, `${p3.apiserverWritesTotal ?? 'n/a'} (apiserver), ${p3.managerWritesTotal} (manager.writes); ${p3.reconcilesInWindow} reconciles`, '0', p3.load.mean]);
  if (largest?.controller?.memory) rows.push([`P4 controller N=${largest.n}`, `peak RSS ${largest.controller.memory.peakRssMiB} MiB, heap ${largest.controller.memory.peakHeapUsedMiB} MiB`, '<= 300 MiB', largest.controller.load.mean]);
  if (p3?.memory) rows.push([`P4 steady (P3) N=${p3.environments}`, `RSS ${p3.memory.rssMiB} MiB, heap ${p3.memory.heapUsedMiB} MiB`, '<= 300 MiB', '']);
  process.stdout.write(`\n${table(rows)}\n\nmachine: ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}; load during the run ${JSON.stringify(out.machine.load.run)}\n`);
  process.stdout.write(`wrote ${relative(process.cwd(), args.out)} and ${relative(process.cwd(), svgPath)}\n`);
}

function chart(out: { machine: { cores: number; memoryGiB: number; node: string; load: { run: { mean: number } } } }, p2: { n: number; controller?: { perSecond: number }; baseline?: { perSecond: number }; ratio?: number }[], p1?: { summary: Summary; example: string }, render?: RenderResult[]): string {
  const panels: Panel[] = [];
  if (p2.length) {
    panels.push({
      title: 'P2 throughput: children created per second (controller vs bare SSA client)',
      unit: 'children/s',
      groups: p2.map((r) => ({ label: `N = ${r.n}`, note: `ratio ${r.ratio}`, bars: [{ label: 'controller', value: r.controller?.perSecond ?? 0 }, { label: 'baseline', value: r.baseline?.perSecond ?? 0 }] })),
    });
  }
  if (p1) panels.push({ title: `P1 latency: one environment (${p1.example}) to all children`, unit: 'ms', groups: [{ label: 'p50', bars: [{ label: 'controller', value: p1.summary.p50 }] }, { label: 'p95', bars: [{ label: 'controller', value: p1.summary.p95 }] }] });
  if (render) panels.push({ title: 'Render cost (validate + render), warm', unit: 'ms/env', groups: render.map((r) => ({ label: r.example.slice(0, 3), note: `${r.children} children`, bars: [{ label: 'render', value: r.ms }] })) });
  const m = out.machine;
  return renderSvg(panels, `${m.cores} cores, ${m.memoryGiB} GiB, node ${m.node}, mean load ${m.load.run.mean}; ${new Date().toISOString().slice(0, 16)}Z`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
