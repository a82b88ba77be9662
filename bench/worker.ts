/**
 * A benchmark child process (forked by bench/run.ts with IPC; config as JSON in argv[2]):
 * - `controller`: the EnvironmentController, exactly as `npm run controller` builds it, on the given namespaces;
 * - `baseline`: a bare client that server-side applies the very objects the controller would apply for the
 *   environments found in a namespace, with the same concurrency (workers × applies per environment), on `go`;
 * - `ceiling`: the baseline plus the API-server work every operator with our API has to do per environment, as the
 *   environments the benchmark applies appear (bench/lib/ceiling-client.ts); `done` once all of them are handled.
 * Either way it samples its own memory every 250 ms and answers `stats` requests.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { API_VERSION, KIND } from '../api/index.js';
import { EnvironmentController, FIELD_MANAGER } from '../controllers/environment-controller.js';
import type { ReconcileMetrics } from '../controllers/metrics.js';
import { ClientNodeKubeClient } from '../controllers/runtime/client-node-kube-client.js';
import { reuseConnections } from '../controllers/runtime/keep-alive.js';
import { forEachLimited } from '../controllers/runtime/for-each-limited.js';
import { createLogger } from '../controllers/runtime/logger.js';
import { AwsGapActions } from '../controllers/aws-gaps/actions.js';
import { planEnvironment, unavoidableWork, watchChildren, watchEnvironments, type CeilingPlan } from './lib/ceiling-client.js';
import type { FromWorker, ToWorker, WorkerConfig, WorkerStats } from './lib/ipc.js';
import { applicableChildren, environmentManifests, loadExamples, type Manifest } from './lib/workload.js';

const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
const send = (m: FromWorker) => process.send?.(m);
const MiB = 1024 * 1024;
const kc = new KubeConfig();
kc.loadFromFile(config.kubeconfig);
// The baseline reuses connections as the controller does (controllers/runtime/keep-alive.ts): same client stack.
reuseConnections(kc);

let peakRss = 0;
let peakHeap = 0;
const sampleMemory = () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
  return m;
};
const sampler = setInterval(sampleMemory, 250);

/** Counts reconciles for the stats (the controller's reconcileMetrics hook). */
class Reconciles implements ReconcileMetrics {
  total = 0;
  errors = 0;
  seconds = 0;
  last = performance.now();
  observeReconcile(_c: string, result: string, seconds: number): void {
    this.total++;
    if (result === 'error') this.errors++;
    this.seconds += seconds;
    this.last = performance.now();
  }
}

let operator: EnvironmentController | undefined;
const reconciles = new Reconciles();

function stats(): WorkerStats {
  const m = sampleMemory();
  const cpu = process.cpuUsage();
  return {
    rssMiB: m.rss / MiB,
    heapUsedMiB: m.heapUsed / MiB,
    heapTotalMiB: m.heapTotal / MiB,
    externalMiB: m.external / MiB,
    peakRssMiB: peakRss / MiB,
    peakHeapUsedMiB: peakHeap / MiB,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    ...(operator
      ? { writes: operator.writes.snapshot(), reconciles: { total: reconciles.total, errors: reconciles.errors, seconds: reconciles.seconds, idleMs: performance.now() - reconciles.last } }
      : {}),
  };
}


let go: () => void = () => undefined;
const started = new Promise<void>((resolve) => (go = resolve));

async function baseline(c: Extract<WorkerConfig, { mode: 'baseline' }>): Promise<void> {
  const kube = ClientNodeKubeClient.fromKubeConfig(kc, { fieldManager: FIELD_MANAGER });
  const unserved = new Set(c.unserved);
  const envs = await kube.list({ apiVersion: API_VERSION, kind: KIND, namespace: c.namespace });
  // Rendered before the clock starts: the baseline measures what the API server can take, not rendering.
  // The very objects the observer expects (applicableChildren, as bench/run.ts counts them).
  const perEnv = envs.map((e) => applicableChildren(e as unknown as Manifest, unserved));
  send({ type: 'ready', environments: envs.length, objects: perEnv.reduce((n, l) => n + l.length, 0) });
  await started;
  const t0 = performance.now();
  const errors: string[] = [];
  let applied = 0;
  await forEachLimited(perEnv, c.concurrency, (objects) =>
    forEachLimited(objects, c.applyConcurrency, async (o) => {
      try {
        await kube.apply(o as never);
        applied++;
      } catch (err) {
        errors.push(`${o.kind}/${o.metadata.name}: ${(err as Error).message}`);
      }
    }),
  );
  send({ type: 'done', ms: performance.now() - t0, applied, errors: errors.slice(0, 10) });
}

async function ceiling(c: Extract<WorkerConfig, { mode: 'ceiling' }>): Promise<void> {
  const kube = ClientNodeKubeClient.fromKubeConfig(kc, { fieldManager: FIELD_MANAGER });
  const logger = createLogger({ level: 'warn' });
  const unserved = new Set(c.unserved);
  // Prepared before the clock starts, as the baseline renders ahead (see ceiling-client.ts).
  const plans = new Map<string, CeilingPlan>();
  const available = loadExamples(c.examplesDir);
  const examples = c.examples.map((id) => {
    const e = available.find((x) => x.id === id);
    if (!e) throw new Error(`ceiling: no example ${id} in ${c.examplesDir}`);
    return e;
  });
  for (const m of environmentManifests(examples, c.namespace, c.environments)) plans.set(m.metadata.name, await planEnvironment(m, unserved, logger));
  const objects = [...plans.values()].reduce((n, p) => n + p.children.length, 0);
  const errors: string[] = [];
  let handled = 0;
  let t0 = 0;
  const stopChildren = await watchChildren(kc, c.namespace, unserved);
  const stopEnvironments = await watchEnvironments(kc, c.namespace, c.concurrency, async (env) => {
    t0 ||= performance.now();
    const plan = plans.get(env.metadata.name);
    if (!plan) return;
    try {
      await unavoidableWork(kube, env, plan, c.applyConcurrency, logger);
    } catch (err) {
      errors.push(`${env.metadata.name}: ${(err as Error).message}`);
    }
    if (++handled < plans.size) return;
    stopChildren();
    stopEnvironments();
    send({ type: 'done', ms: performance.now() - t0, applied: objects, errors: errors.slice(0, 10) });
  });
  send({ type: 'ready', environments: plans.size, objects });
}

async function controller(c: Extract<WorkerConfig, { mode: 'controller' }>): Promise<void> {
  const logger = createLogger({ level: 'warn' });
  // Once children are synced (kro's steady state), the AWS-side actions of example 000 would call real AWS: there is
  // none here, so they answer from the in-memory fake the unit tests use (loaded only then).
  const awsGaps = c.fakeAws ? new AwsGapActions({ clients: new (await import('../test/unit/aws-gaps/fake-aws.js')).FakeWafv2(), logger }) : undefined;
  operator = new EnvironmentController({
    kubeConfig: kc,
    logger,
    awsGaps,
    namespaces: [...c.namespaces],
    concurrency: c.concurrency,
    resyncPeriodMs: c.resyncPeriodMs,
    progressRequeueMs: c.progressRequeueMs,
    reconcileMetrics: reconciles,
  });
  await operator.start();
  send({ type: 'ready' });
}

process.on('message', (m: ToWorker) => {
  if (m.type === 'go') go();
  if (m.type === 'stats') {
    if (m.gc) (globalThis as { gc?: () => void }).gc?.();
    const s = stats();
    if (m.resetPeaks) [peakRss, peakHeap] = [0, 0];
    send({ type: 'stats', stats: s });
  }
  if (m.type === 'stop') {
    void (async () => {
      await operator?.stop();
      clearInterval(sampler);
      process.send?.({ type: 'stats', stats: stats() } satisfies FromWorker, undefined, {}, () => process.exit(0));
    })();
  }
});
process.on('disconnect', () => process.exit(0));

(config.mode === 'controller' ? controller(config) : config.mode === 'ceiling' ? ceiling(config) : baseline(config)).catch((err: unknown) => {
  send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
