/** What the benchmark phases share: the cluster context, the parameters, and helpers used by more than one phase. */
import type { KubeConfig } from '@kubernetes/client-node';
import type { CHILD_KINDS } from '../../controllers/marketplace-environment/child-kinds.js';
import type { KubeClient } from '../../controllers/runtime/kube-client.js';
import type { ControlPlane } from '../../localcluster/control-plane.js';
import { createNamespace, waitApiserverQuiet } from '../lib/cluster.js';
import type { WorkerConfig, WorkerStats } from '../lib/ipc.js';
import { setPhase } from '../lib/load.js';
import { round } from '../lib/stats.js';
import { sleep, type Log } from '../lib/util.js';
import { cpuSecondsOf, type Worker, type WorkerRuntime } from '../lib/workers.js';
import { applicableChildren, childKey, type Manifest } from '../lib/workload.js';

/** The benchmark's parameters, from the command line (see USAGE in bench/run.ts). */
export interface BenchParams extends WorkerRuntime {
  /** P2 sizes; P3/P4 use the largest. */
  readonly envs: readonly number[];
  readonly p1Runs: number;
  /** Controller workers = baseline environments in parallel. */
  readonly concurrency: number;
  /** Applies in flight per environment (the reconciler's). */
  readonly applyConcurrency: number;
  /** Environments the benchmark applies at once in P2. */
  readonly envApplyConcurrency: number;
  readonly resyncS: number;
  readonly p3Periods: number;
  readonly phases: ReadonlySet<string>;
  readonly p2Sides: ReadonlySet<string>;
  /** Per-run limit for "all children exist". */
  readonly timeoutMs: number;
  /** Production defaults of the controller during P1/P2 (300 s resync, 30 s progress requeue). */
  readonly p12ResyncMs: number;
  readonly p12ProgressMs: number;
  /** A fresh local control plane per timed run (bench/lib/clusters.ts). */
  readonly freshPlane: boolean;
  /** Baseline + controller pairs per N (the median pair is reported). */
  readonly p2Pairs: number;
}

/** The cluster the phases run against, and the namespaces they leave for the cleanup. */
export interface Ctx {
  readonly kc: KubeConfig;
  readonly kubeconfigPath: string;
  readonly kube: KubeClient;
  readonly plane: ControlPlane;
  readonly unserved: Set<string>;
  readonly kinds: typeof CHILD_KINDS;
  readonly namespaces: string[];
  /** Suffix of this run's namespace names, so runs against one cluster do not collide. */
  readonly runId: string;
}

/** Expected child keys of `manifests`. */
export function expectedKeys(ctx: Ctx, manifests: readonly Manifest[]): string[] {
  return manifests.flatMap((m) => applicableChildren(m, ctx.unserved).map((o) => childKey({ ...o, metadata: { ...o.metadata, namespace: m.metadata.namespace } })));
}

/** A controller worker's configuration on `namespaces` with the given periods. */
export function controllerConfig(ctx: Ctx, params: BenchParams, namespaces: string[], resyncPeriodMs: number, progressRequeueMs: number): WorkerConfig {
  return { mode: 'controller', kubeconfig: ctx.kubeconfigPath, namespaces, concurrency: params.concurrency, resyncPeriodMs, progressRequeueMs };
}

/** CPU seconds of the control-plane components, a worker, the benchmark itself and any `others` (name → pid). */
export function cpuSnapshot(ctx: Ctx, worker?: Worker, others: Readonly<Record<string, number>> = {}): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, pid] of Object.entries({ ...ctx.plane.pids, ...others })) {
    const s = cpuSecondsOf(pid);
    if (s !== undefined) out[name] = s;
  }
  const w = cpuSecondsOf(worker?.child.pid);
  if (w !== undefined) out.worker = w;
  out.bench = process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6;
  return out;
}

/**
 * Creates the run's namespace `<name>-<runId>`, recorded for the cleanup. Deleted at the end only (on MPE_KUBECONFIG):
 * deleting it now would keep the garbage collector busy (it verifies the owner of every child at
 * kube-controller-manager's 20 requests/s) through the next runs.
 */
export async function runNamespace(ctx: Ctx, name: string): Promise<string> {
  const ns = `${name}-${ctx.runId}`;
  await createNamespace(ctx.kube, ns);
  ctx.namespaces.push(ns);
  return ns;
}

/** CPU seconds spent between two snapshots, per process. */
export const cpuDelta = (a: Record<string, number>, b: Record<string, number>): Record<string, number> => Object.fromEntries(Object.keys(b).map((k) => [k, round((b[k] ?? 0) - (a[k] ?? 0), 1)]));

/** Waits until the controller has had no reconcile for `quietMs` (its work after creation has settled). */
export async function waitQuiet(worker: Worker, quietMs: number, limitMs: number): Promise<WorkerStats> {
  const t0 = performance.now();
  for (;;) {
    const s = await worker.stats();
    if ((s.reconciles?.idleMs ?? 0) >= quietMs || performance.now() - t0 > limitMs) return s;
    await sleep(500);
  }
}

/** Waits for a quiet API server before a timed run (logs when that took long). */
export async function settle(ctx: Ctx, log: Log): Promise<void> {
  setPhase('settle');
  const ms = await waitApiserverQuiet(ctx.kc, 60_000);
  if (ms > 5_000) log(`waited ${(ms / 1000).toFixed(1)} s for the API server to become quiet`);
}
