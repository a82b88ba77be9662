/**
 * kro as the benchmark's peer (`npm run bench -- --peer kro`): its controller process started on a run's control plane
 * with the ResourceGraphDefinition of bench/kro/ installed, its RSS sampled from /proc, its own Prometheus metrics
 * (reconciles, client-side rate limiting), and the filter that counts its writes in kube-apiserver's metrics.
 */
import { installKro, installKroCrds, startKro } from '../../localcluster/kro.js';
import { KRO_INSTANCE, KRO_RGD_PATH } from '../kro/rgd.js';
import type { Ctx } from '../phases/context.js';
import { RssSampler } from './proc.js';
import { isOperatorResource, parseSamples } from './prom.js';
import { sleep, type Log } from './util.js';

/** One kro configuration of the side-by-side (`kro`: its defaults; `kro-4`: 4 instance workers). */
export interface KroConfig {
  readonly name: string;
  /** `--dynamic-controller-concurrent-reconciles` (kro's default: 1). */
  readonly concurrentReconciles: number;
}

/** The configurations every `--peer kro` run measures, so nobody can say kro was starved of workers. */
export const KRO_CONFIGS: readonly KroConfig[] = [
  { name: 'kro', concurrentReconciles: 1 },
  { name: 'kro-4', concurrentReconciles: 4 },
];

/** Counters read from kro's `/metrics`. */
export interface KroCounters {
  /** `instance_reconcile_total`, every instance kind. */
  readonly reconciles: number;
  /** `dynamic_controller_gvr_count`: instance kinds kro serves (1 once the RGD's controller runs). */
  readonly gvrs: number;
  /** `dynamic_controller_queue_length`: instances waiting for a worker now (delayed requeues not yet due excluded). */
  readonly queue: number;
  /** `rest_client_requests_total`: requests kro's clients sent. */
  readonly requests: number;
  /** Of those, answered 429 Too Many Requests (the API server's own limits; client-go retries after Retry-After). */
  readonly throttled: number;
  /** `rest_client_rate_limiter_duration_seconds_sum`: seconds kro's requests waited for its client-side QPS limiter. */
  readonly rateLimiterSeconds: number;
  /**
   * `rest_client_rate_limiter_duration_seconds_count`: requests that went through that limiter. 0 in v0.9.4: its
   * client starts from controller-runtime's config, whose QPS is -1 (no client-side limit), and fills in
   * `--client-qps` only where the QPS is 0 (pkg/client/set.go), so the flag and its default of 100 never apply.
   */
  readonly rateLimited: number;
}

/** Sums every sample of `name` in `text`. */
const total = (text: string, name: string) => parseSamples(text, name).reduce((a, s) => a + s.value, 0);

/** The {@link KroCounters} of a `/metrics` text. Pure. */
export function kroCounters(text: string): KroCounters {
  return {
    reconciles: total(text, 'instance_reconcile_total'),
    gvrs: total(text, 'dynamic_controller_gvr_count'),
    queue: total(text, 'dynamic_controller_queue_length'),
    requests: total(text, 'rest_client_requests_total'),
    throttled: parseSamples(text, 'rest_client_requests_total').filter((s) => s.labels.code === '429').reduce((a, s) => a + s.value, 0),
    rateLimiterSeconds: total(text, 'rest_client_rate_limiter_duration_seconds_sum'),
    rateLimited: total(text, 'rest_client_rate_limiter_duration_seconds_count'),
  };
}

/** The API group of kro's own kinds (ResourceGraphDefinition, GraphRevision) and, by default, of instances. */
const KRO_GROUP = 'kro.run';
/** The group of {@link KRO_INSTANCE}'s apiVersion. */
const INSTANCE_GROUP = KRO_INSTANCE.apiVersion.split('/')[0]!;

/**
 * Whether a kube-apiserver request series is one kro could have sent for the workload: the operator's filter
 * (ACK kinds, Secrets, Events; bench/lib/prom.ts) plus the instance kind's group and kro's own kinds.
 */
export function isKroResource(labels: Readonly<Record<string, string>>): boolean {
  const group = labels.group ?? '';
  return group === KRO_GROUP || group === INSTANCE_GROUP || isOperatorResource(labels);
}

/** A kro controller running for one timed run, with its RSS sampled every 250 ms. */
export interface BenchKro {
  readonly pid: number;
  /** kro's `/metrics` (Prometheus text), for a closer look than {@link BenchKro.counters}. */
  readonly metricsUrl: string;
  readonly rss: RssSampler;
  counters(): Promise<KroCounters>;
  /** Stops the sampler and the process. */
  stop(): Promise<void>;
}

/**
 * Starts kro on `ctx` (`resyncS` undefined: kro's default resync), installs the RGD (kro's CRDs, the RGD, its
 * instance CRD Established), and waits until kro serves the instance kind, so no timed run waits for kro's start.
 */
export async function runKro(ctx: Ctx, config: KroConfig, log: Log, opts: { resyncS?: number; extraArgs?: readonly string[] } = {}): Promise<BenchKro> {
  // kro's CRDs first: started without them, kro retries its watches only every 10 s (localcluster/kro.ts).
  await installKroCrds(ctx.kube);
  const kro = await startKro({ kubeconfigPath: ctx.kubeconfigPath, concurrentReconciles: config.concurrentReconciles, resyncPeriodS: opts.resyncS, extraArgs: opts.extraArgs ? [...opts.extraArgs] : undefined, log });
  const rss = new RssSampler(kro.pid);
  const counters = async () => kroCounters(await fetchText(kro.metricsUrl));
  const stop = async () => {
    rss.stop();
    await kro.stop();
  };
  try {
    await installKro(ctx.kube, KRO_RGD_PATH);
    const t0 = performance.now();
    while (((await counters().catch(() => undefined))?.gvrs ?? 0) < 1) {
      if (performance.now() - t0 > 60_000) throw new Error(`kro does not serve ${KRO_INSTANCE.kind} 60 s after the RGD was installed`);
      await sleep(250);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { pid: kro.pid, metricsUrl: kro.metricsUrl, rss, counters, stop };
}

/**
 * Waits until kro's queue is empty and no reconcile started for `quietMs` (at most `limitMs`): the follow-up work of
 * an instance has settled (an instance whose children are not ready is requeued every 3 s all the same).
 */
export async function waitKroQuiet(kro: BenchKro, quietMs: number, limitMs: number): Promise<void> {
  const t0 = performance.now();
  let last = await kro.counters();
  let since = performance.now();
  while (performance.now() - t0 < limitMs) {
    await sleep(100);
    const now = await kro.counters();
    if (now.reconciles !== last.reconciles || now.queue > 0) [last, since] = [now, performance.now()];
    else if (performance.now() - since >= quietMs) return;
  }
}

/** Waits until kro has reconciled `n` more instances than `from` counted (its start-up pass), at most `limitMs`. */
export async function waitKroReconciles(kro: BenchKro, from: number, n: number, limitMs: number): Promise<number> {
  const t0 = performance.now();
  let c = await kro.counters();
  while (c.reconciles - from < n && performance.now() - t0 < limitMs) {
    await sleep(500);
    c = await kro.counters();
  }
  return c.reconciles - from;
}

async function fetchText(url: string): Promise<string> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return res.text();
}
