/**
 * The side-by-side with kro in the benchmark's outputs (`--peer kro`): `peers` and `vs_kro` in the results JSON, the
 * rows of the stdout table, and the panels of the SVG chart. Pure.
 */
import type { KroSideResult } from '../phases/peer-kro.js';
import { round } from './stats.js';
import type { Panel } from './svg.js';

/** Our figures on the same workload, from the same run (P1, the median P2 pair per N, P3, P4). */
export interface OursSameWorkload {
  /** The example our P2/P3 ran (every environment the same); the comparison needs the RGD's, 000. */
  readonly workload: string | undefined;
  readonly p1?: { summary: { p50: number; p95: number; n: number } };
  readonly p2: readonly { n: number; controller?: { perSecond: number; children: number; cpuSeconds: Record<string, number> } }[];
  readonly p3WritesPending: number | null;
  readonly p4RssMiB: number | null;
  readonly p4SteadyRssMiB: number | null;
}

/** What the side-by-side section of the results is made from. */
export interface PeerInput {
  readonly kro?: KroSideResult;
  /** Why the kro side did not run (not built). */
  readonly skipped?: string;
  readonly ours: OursSameWorkload;
}

const num = (v: number | undefined | null): number | null => (v === undefined || v === null || !Number.isFinite(v) ? null : v);
const perChildMs = (x: { cpuSeconds: Record<string, number>; children: number } | undefined, who: string): number | null => (x && x.children ? round((1000 * (x.cpuSeconds[who] ?? 0)) / x.children, 2) : null);
const maxOf = (xs: readonly number[]): number | null => (xs.length ? Math.max(...xs) : null);

/** `peers[<config>]`: one kro configuration's headline figures (null: not measured). */
export function peerFigures(c: KroSideResult['configs'][number]) {
  return {
    concurrent_reconciles: c.config.concurrentReconciles,
    p1_ms_p50: num(c.p1?.summary.p50),
    p1_ms_p95: num(c.p1?.summary.p95),
    p2_children_per_s: Object.fromEntries(c.p2.map((r) => [r.n, r.run.perSecond])),
    p2_apiserver_cpu_ms_per_child: Object.fromEntries(c.p2.map((r) => [r.n, perChildMs(r.run, 'kube-apiserver')])),
    p2_client_requests_per_s: Object.fromEntries(c.p2.map((r) => [r.n, r.run.kro.requestsPerSecond])),
    p2_rate_limiter_wait_s: Object.fromEntries(c.p2.map((r) => [r.n, r.run.kro.rateLimiterWaitS])),
    // Whether kro's requests went through a client-side rate limiter at all (`--client-qps`, default 100).
    client_rate_limited: c.p2.length ? c.p2.some((r) => r.run.kro.rateLimitedRequests > 0) : null,
    p3_writes: {
      pending: num(c.p2[c.p2.length - 1]?.run.pending?.apiserverWritesTotal),
      default_resync: num(c.p3?.defaultResync.apiserverWritesTotal),
      aligned_resync: num(c.p3?.alignedResync.apiserverWritesTotal),
    },
    /** Whether every instance was ACTIVE before the synced windows (else those counts include convergence). */
    p3_converged: c.p3 ? c.p3.ack.converged : null,
    p4_rss_mib: maxOf(c.p2.map((r) => r.run.memory.peakRssMiB)),
    // At the end of the no-ACK window at the largest N, as ours is at the end of P3 (same N).
    p4_steady_rss_mib: num(c.p2[c.p2.length - 1]?.run.pending?.rssMiB),
    runs_per_n: 1,
    error: c.error ?? null,
  };
}

/** Our same-workload figures as they stand beside kro's. */
function oursFigures(ours: OursSameWorkload, kro: KroSideResult | undefined) {
  return {
    workload: ours.workload ?? 'every example in turn',
    p1_ms_p50: num(ours.p1?.summary.p50),
    p1_ms_p95: num(ours.p1?.summary.p95),
    p2_children_per_s: Object.fromEntries(ours.p2.map((r) => [r.n, num(r.controller?.perSecond)])),
    p2_apiserver_cpu_ms_per_child: Object.fromEntries(ours.p2.map((r) => [r.n, perChildMs(r.controller, 'kube-apiserver')])),
    p3_writes: { pending: ours.p3WritesPending, synced: num(kro?.oursSynced?.p3.apiserverWritesTotal) },
    p3_converged: kro?.oursSynced ? kro.oursSynced.ack.converged : null,
    p4_rss_mib: ours.p4RssMiB,
    p4_steady_rss_mib: ours.p4SteadyRssMiB,
  };
}

/**
 * `peers` and `vs_kro`: kro's figures per configuration, and ours ÷ kro's default configuration (`throughput_ratio`
 * at N = 500, or the largest N both measured; `rss_ratio` of the peak RSS). null when a side is missing or when our
 * workload is not the RGD's example (a comparison of different workloads).
 */
export function peerResults({ kro, skipped, ours }: PeerInput): PeerResults {
  if (!kro) return { peers: skipped ? { kro: { skipped } } : null, vs_kro: null };
  const peers = Object.fromEntries(kro.configs.map((c) => [c.config.name, peerFigures(c)]));
  const reference = kro.configs.find((c) => c.config.concurrentReconciles === 1) ?? kro.configs[0];
  const sameWorkload = ours.workload === kro.example;
  const both = reference ? ours.p2.filter((o) => o.controller && reference.p2.some((k) => k.n === o.n)).map((o) => o.n) : [];
  const n = both.includes(500) ? 500 : maxOf(both);
  const oursRate = ours.p2.find((o) => o.n === n)?.controller?.perSecond;
  const kroRate = reference?.p2.find((k) => k.n === n)?.run.perSecond;
  const kroRss = reference ? peerFigures(reference).p4_rss_mib : null;
  return {
    peers,
    vs_kro: {
      workload: kro.example,
      same_workload: sameWorkload,
      reference: reference?.config.name ?? null,
      throughput_ratio: sameWorkload && oursRate && kroRate ? round(oursRate / kroRate, 2) : null,
      throughput_ratio_n: n,
      rss_ratio: ours.p4RssMiB && kroRss ? round(ours.p4RssMiB / kroRss, 2) : null,
      ours: oursFigures(ours, kro),
    },
  };
}

type Figures = ReturnType<typeof peerFigures>;
type Ours = ReturnType<typeof oursFigures>;

/** Ours ÷ kro, and our figures beside kro's. */
export interface VsKro {
  readonly workload: string;
  readonly same_workload: boolean;
  /** The kro configuration the ratios divide by (its defaults: 1 worker). */
  readonly reference: string | null;
  readonly throughput_ratio: number | null;
  readonly throughput_ratio_n: number | null;
  readonly rss_ratio: number | null;
  readonly ours: Ours;
}

/** The side-by-side section of the results JSON (see peerResults); `peers.kro.skipped` when kro is not built. */
export interface PeerResults {
  readonly peers: Readonly<Record<string, Figures>> | { readonly kro: { readonly skipped: string } } | null;
  readonly vs_kro: VsKro | null;
}

/** Table rows (figure, value, goal, load): each figure for ours | kro | kro-4, side by side. */
export function peerRows(res: PeerResults, kro: KroSideResult | undefined): (string | number)[][] {
  if (!res.peers) return [];
  if ('skipped' in (res.peers.kro ?? {}) || !res.vs_kro || !kro) return [['kro', (res.peers as { kro?: { skipped?: string } }).kro?.skipped ?? 'not run', '', '']];
  const ours = res.vs_kro.ours;
  const names = Object.keys(res.peers);
  const peers = res.peers as Record<string, Figures>;
  const f = (v: number | null | undefined) => (v === null || v === undefined ? '-' : String(v));
  const side = (o: string, get: (p: Figures) => string) => `ours ${o} | ${names.map((n) => `${n} ${get(peers[n]!)}`).join(' | ')}`;
  const largest = Object.keys(ours.p2_children_per_s).at(-1) ?? '-';
  const label = 'vs kro:';
  const rows: (string | number)[][] = [[`${label} ours | ${names.join(' | ')}`, `workload ${kro.example} × N on both sides; kro: one run per N per configuration`, '', '']];
  rows.push([`${label} P1 p50 / p95 ms`, side(`${f(ours.p1_ms_p50)} / ${f(ours.p1_ms_p95)}`, (p) => `${f(p.p1_ms_p50)} / ${f(p.p1_ms_p95)}`), '', '']);
  for (const n of Object.keys(ours.p2_children_per_s)) {
    rows.push([`${label} P2 N=${n} children/s`, side(f(ours.p2_children_per_s[n]), (p) => f(p.p2_children_per_s[n])), '', '']);
    rows.push([`${label} P2 N=${n} kube-apiserver CPU ms/child`, side(f(ours.p2_apiserver_cpu_ms_per_child[n]), (p) => f(p.p2_apiserver_cpu_ms_per_child[n])), '', '']);
    rows.push([`${label} P2 N=${n} kro requests/s, --client-qps wait`, names.map((k) => `${k} ${f(peers[k]!.p2_client_requests_per_s[n])}/s, ${peers[k]!.client_rate_limited === false ? 'no limiter' : `${f(peers[k]!.p2_rate_limiter_wait_s[n])} s`}`).join(' | '), '', '']);
  }
  const writes = (o: Ours['p3_writes'] | Figures['p3_writes'], k: string) => f((o as Record<string, number | null>)[k]);
  const synced = (o: Ours | Figures, k: string) => `${writes(o.p3_writes, k)}${o.p3_converged === false ? ' (not converged)' : ''}`;
  rows.push([`${label} P3 writes, no ACK, N=${largest}`, side(writes(ours.p3_writes, 'pending'), (p) => writes(p.p3_writes, 'pending')), '0', '']);
  rows.push([`${label} P3 writes, synced, kro resync 10 h, N=${kro.p3Envs}`, side(synced(ours, 'synced'), (p) => synced(p, 'default_resync')), '0', '']);
  rows.push([`${label} P3 writes, synced, resync = ours, N=${kro.p3Envs}`, side(synced(ours, 'synced'), (p) => synced(p, 'aligned_resync')), '0', '']);
  rows.push([`${label} P4 peak / steady RSS MiB, N=${largest}`, side(`${f(ours.p4_rss_mib)} / ${f(ours.p4_steady_rss_mib)}`, (p) => `${f(p.p4_rss_mib)} / ${f(p.p4_steady_rss_mib)}`), '', '']);
  rows.push([`${label} ours ÷ ${res.vs_kro.reference}`, `throughput ${f(res.vs_kro.throughput_ratio)} (N=${f(res.vs_kro.throughput_ratio_n)}), peak RSS ${f(res.vs_kro.rss_ratio)}${res.vs_kro.same_workload ? '' : ' (our workload is not the RGD example: no throughput ratio)'}`, '', '']);
  for (const [name, p] of Object.entries(peers)) if (p.error) rows.push([`${name} failed`, p.error, '', '']);
  return rows;
}

/** SVG panels: throughput by N, P1, memory, and steady-state writes, ours beside each kro configuration. */
export function peerPanels(res: PeerResults): Panel[] {
  if (!res.vs_kro || !res.peers) return [];
  const ours = res.vs_kro.ours;
  const peers = res.peers as Record<string, Figures>;
  const bars = (o: number | null, get: (p: Figures) => number | null) => [{ label: 'controller', value: o ?? 0 }, ...Object.entries(peers).map(([name, p]) => ({ label: name, value: get(p) ?? 0 }))];
  const w = `(${res.vs_kro.workload} × N)`;
  return [
    { title: `Side by side with kro ${w}: children created per second`, unit: 'children/s', groups: Object.keys(ours.p2_children_per_s).map((n) => ({ label: `N = ${n}`, note: n === String(res.vs_kro!.throughput_ratio_n) ? `ours ÷ kro ${res.vs_kro!.throughput_ratio ?? '-'}` : undefined, bars: bars(ours.p2_children_per_s[n] ?? null, (p) => p.p2_children_per_s[n] ?? null) })) },
    { title: 'Side by side with kro: P1, one environment to all children', unit: 'ms', groups: [{ label: 'p50', bars: bars(ours.p1_ms_p50, (p) => p.p1_ms_p50) }, { label: 'p95', bars: bars(ours.p1_ms_p95, (p) => p.p1_ms_p95) }] },
    { title: 'Side by side with kro: controller RSS', unit: 'MiB', groups: [{ label: 'peak (P2, largest N)', note: `ours ÷ kro ${res.vs_kro.rss_ratio ?? '-'}`, bars: bars(ours.p4_rss_mib, (p) => p.p4_rss_mib) }, { label: 'steady', bars: bars(ours.p4_steady_rss_mib, (p) => p.p4_steady_rss_mib) }] },
    {
      title: 'Side by side with kro: writes in the P3 window (steady state)',
      unit: 'writes',
      groups: [
        { label: 'no ACK (never ready)', bars: bars(ours.p3_writes.pending, (p) => p.p3_writes.pending) },
        { label: 'synced, kro default resync', bars: bars(ours.p3_writes.synced, (p) => p.p3_writes.default_resync) },
        { label: 'synced, resync = ours', bars: bars(ours.p3_writes.synced, (p) => p.p3_writes.aligned_resync) },
      ],
    },
  ];
}
