/**
 * Scale (`--scale 2000`): our controller alone on a fresh control plane at N environments of the P2 mix, timed as a P2
 * controller run (bench/phases/throughput.ts), plus what the size costs in memory: the controller's idle, peak and
 * live (after a full GC, once converged) heap and RSS, their growth per environment and per child, and the control
 * plane's peak RSS and stored objects. docs/benchmarks.md projects 10,000 environments from these figures.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { peakRssKiB } from '../../localcluster/processes.js';
import { apiserverMetrics } from '../lib/cluster.js';
import type { Clusters } from '../lib/clusters.js';
import { parseSamples } from '../lib/prom.js';
import { round } from '../lib/stats.js';
import { sleep, type Log } from '../lib/util.js';
import type { Example } from '../lib/workload.js';
import type { BenchParams } from './context.js';
import { benchController } from './throughput.js';

/** KiB per MiB (and bytes per KiB). */
const K = 1024;

/** One size: throughput, the controller's memory, and the control plane's. */
export interface ScaleResult {
  readonly n: number;
  readonly children: number;
  readonly ms: number;
  readonly perSecond: number;
  /** CPU ms per child, per process (kube-apiserver, etcd, worker = the controller, ...). */
  readonly cpuMsPerChild: Record<string, number>;
  readonly controller: {
    readonly idleRssMiB: number;
    readonly idleHeapMiB: number;
    readonly peakRssMiB: number;
    readonly peakHeapMiB: number;
    /** Heap used after a full GC once converged: what the caches of N environments hold. */
    readonly liveHeapMiB: number;
    /** RSS once converged, after the same full GC. */
    readonly rssMiB: number;
  };
  /** (figure at N − the same figure idle) ÷ N, KiB: what one more environment costs the controller. */
  readonly perEnvironmentKiB: { readonly liveHeap: number; readonly rss: number };
  /** Live heap growth ÷ children, KiB (the informer caches hold one copy of each child). */
  readonly perChildLiveHeapKiB: number;
  readonly controlPlane: {
    /** VmHWM of each component at the end of the run, MiB (undefined on MPE_KUBECONFIG). */
    readonly peakRssMiB: Record<string, number>;
    /** Objects stored per resource (`apiserver_storage_objects`), the ten largest, and their total. */
    readonly storedObjects: Record<string, number>;
    readonly storedObjectsTotal: number;
    /** etcd's database size as kube-apiserver reports it (`apiserver_storage_size_bytes`), MiB. */
    readonly etcdDbMiB?: number;
  };
  readonly reconciles?: { readonly total: number; readonly errors: number; readonly meanMs: number };
  readonly load: { readonly min: number; readonly mean: number; readonly max: number };
}

/** Runs one size on a cluster of its own from `clusters` (a fresh local control plane unless shared). */
export async function benchScale(clusters: Clusters, params: BenchParams, log: Log, examples: readonly Example[], n: number): Promise<ScaleResult> {
  const ctx = await clusters.open();
  try {
    const run = await benchController(ctx, params, log, examples, n);
    const metrics = await storageMetrics(ctx.kc, run.children);
    const peakRssMiB = Object.fromEntries(
      Object.entries(ctx.plane.pids)
        .map(([name, pid]) => [name, peakRssKiB(pid)] as const)
        .filter((e): e is [string, number] => e[1] !== undefined)
        .map(([name, kib]) => [name, round(kib / K)]),
    );
    const stored = metrics ? storedObjects(metrics) : {};
    const dbBytes = metrics ? parseSamples(metrics, 'apiserver_storage_size_bytes').reduce((a, s) => a + s.value, 0) : 0;
    const m = run.memory!;
    const result: ScaleResult = {
      n,
      children: run.children,
      ms: run.ms,
      perSecond: run.perSecond,
      cpuMsPerChild: Object.fromEntries(Object.entries(run.cpuSeconds).map(([k, s]) => [k, round((1000 * s) / run.children, 2)])),
      controller: { idleRssMiB: m.idleRssMiB, idleHeapMiB: m.idleHeapUsedMiB, peakRssMiB: m.peakRssMiB, peakHeapMiB: m.peakHeapUsedMiB, liveHeapMiB: m.liveHeapAfterMiB, rssMiB: m.liveRssAfterMiB },
      perEnvironmentKiB: { liveHeap: round(((m.liveHeapAfterMiB - m.idleHeapUsedMiB) * K) / n), rss: round(((m.liveRssAfterMiB - m.idleRssMiB) * K) / n) },
      perChildLiveHeapKiB: round(((m.liveHeapAfterMiB - m.idleHeapUsedMiB) * K) / run.children, 2),
      controlPlane: {
        peakRssMiB,
        storedObjects: Object.fromEntries(Object.entries(stored).sort((a, b) => b[1] - a[1]).slice(0, 10)),
        storedObjectsTotal: Object.values(stored).reduce((a, b) => a + b, 0),
        ...(dbBytes > 0 ? { etcdDbMiB: round(dbBytes / K / K) } : {}),
      },
      reconciles: run.reconciles,
      load: run.load,
    };
    log(`scale N=${n}: ${run.children} children at ${run.perSecond}/s; controller peak RSS ${m.peakRssMiB} MiB, live heap ${m.liveHeapAfterMiB} MiB (${result.perEnvironmentKiB.liveHeap} KiB/environment); kube-apiserver peak RSS ${peakRssMiB['kube-apiserver'] ?? 'n/a'} MiB`);
    return result;
  } finally {
    await clusters.close(ctx);
  }
}

/**
 * kube-apiserver's metrics once its stored-object gauges count at least the `children` (they are refreshed about once a
 * minute), or after 90 s.
 */
async function storageMetrics(kc: KubeConfig, children: number): Promise<string | undefined> {
  const t0 = performance.now();
  for (;;) {
    const metrics = await apiserverMetrics(kc);
    const ours = metrics ? Object.entries(storedObjects(metrics)).filter(([r]) => r.endsWith('.services.k8s.aws')).reduce((a, [, v]) => a + v, 0) : 0;
    if (!metrics || ours >= children || performance.now() - t0 > 90_000) return metrics;
    await sleep(5_000);
  }
}

/** `apiserver_storage_objects` by resource (a gauge kube-apiserver refreshes about once a minute). */
function storedObjects(metrics: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of parseSamples(metrics, 'apiserver_storage_objects')) {
    const resource = s.labels.resource ?? '';
    out[resource] = (out[resource] ?? 0) + s.value;
  }
  return out;
}

/** The `scale` entry of bench/results/latest.json: per N, the headline figures (see ScaleResult for the details). */
export function scaleSummary(results: readonly ScaleResult[]): Record<string, { children_per_s: number; children: number; rss_mib: number; heap_mib: number; live_heap_mib: number; live_heap_kib_per_env: number; apiserver_rss_mib: number | null }> {
  return Object.fromEntries(
    results.map((r) => [
      String(r.n),
      {
        children_per_s: r.perSecond,
        children: r.children,
        rss_mib: r.controller.peakRssMiB,
        heap_mib: r.controller.peakHeapMiB,
        live_heap_mib: r.controller.liveHeapMiB,
        live_heap_kib_per_env: r.perEnvironmentKiB.liveHeap,
        apiserver_rss_mib: r.controlPlane.peakRssMiB['kube-apiserver'] ?? null,
      },
    ]),
  );
}
