/** The benchmark's outputs: the results JSON (bench/results/latest.json), its SVG chart, and the table on stdout. */
import type { BenchParams } from '../phases/context.js';
import type { LatencyResult } from '../phases/latency.js';
import type { SteadyStateResult } from '../phases/steady-state.js';
import type { ThroughputResult } from '../phases/throughput.js';
import type { RenderResult } from '../phases/render.js';
import type { KroSideResult } from '../phases/peer-kro.js';
import { loadReport } from './load.js';
import { scaleSummary, type ScaleResult } from '../phases/scale.js';
import { peerPanels, peerResults, peerRows, type PeerResults } from './peer-report.js';
import type { Summary } from './stats.js';
import { renderSvg, type Panel } from './svg.js';
import type { Example } from './workload.js';

/** The machine the benchmark ran on (`machine` in the results, beside its load). */
export interface Machine {
  readonly cores: number;
  readonly cpuModel: string | undefined;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
}

/** Everything the results are assembled from; a phase not run is undefined (or, for P2, empty). */
export interface ResultsInput {
  readonly params: BenchParams;
  readonly machine: Machine;
  readonly examples: readonly Example[];
  readonly startedAt: string;
  readonly cluster: Record<string, unknown> | undefined;
  readonly render: RenderResult[] | undefined;
  readonly p1: LatencyResult | undefined;
  readonly p2: ThroughputResult[];
  readonly p3: SteadyStateResult | undefined;
  /** `--peer kro`: kro's side (undefined when skipped: `skipped` says why) and the example our P2/P3 ran. */
  readonly peer?: { readonly kro?: KroSideResult; readonly skipped?: string; readonly workload?: string };
  /** `--scale`: controller-only runs at large N (bench/phases/scale.ts). */
  readonly scale?: readonly ScaleResult[];
  /** More details (the control plane's peak RSS). */
  readonly extra: Record<string, unknown>;
}

/** The results JSON: headline figures first (null when not measured), then machine, parameters and details. */
export function assembleResults({ params, machine, examples, startedAt, cluster, render, p1, p2, p3, peer, scale, extra }: ResultsInput) {
  const largest = p2[p2.length - 1];
  const num = (v: number | undefined) => (v === undefined ? null : v);
  // The worst controller run at the largest N (every pair, not only the median one).
  const p4Rss = num(maxOf(largest?.pairs?.map((p) => p.controllerPeakRssMiB)) ?? largest?.controller?.memory?.peakRssMiB);
  const side = peer ? peerResults({ kro: peer.kro, skipped: peer.skipped, ours: { workload: peer.workload, p1, p2, p3WritesPending: num(p3?.apiserverWritesTotal), p4RssMiB: p4Rss, p4SteadyRssMiB: num(p3?.memory?.rssMiB) } }) : undefined;
  return {
    p1_ms_p50: num(p1?.summary.p50),
    p1_ms_p95: num(p1?.summary.p95),
    p2_ratio: p2.some((r) => r.ratio !== undefined) ? Math.min(...p2.map((r) => r.ratio ?? Infinity)) : null,
    p2_ratio_by_n: Object.fromEntries(p2.map((r) => [r.n, r.ratio])),
    // `--p2-sides ...,ceiling`: the ceiling side ÷ the baseline (what any operator with our API could reach here), and
    // the controller ÷ the ceiling (how much of that the controller reaches).
    p2_ceiling_ratio_by_n: p2.some((r) => r.ceilingRatio !== undefined) ? Object.fromEntries(p2.map((r) => [r.n, r.ceilingRatio ?? null])) : null,
    p2_controller_to_ceiling_by_n: p2.some((r) => r.ceiling && r.controller) ? Object.fromEntries(p2.map((r) => [r.n, r.ceiling && r.controller ? Math.round((100 * r.controller.perSecond) / r.ceiling.perSecond) / 100 : null])) : null,
    p3_writes: num(p3?.apiserverWritesTotal),
    p4_rss_mib: p4Rss,
    p4_heap_mib: num(maxOf(largest?.pairs?.map((p) => p.controllerPeakHeapMiB)) ?? largest?.controller?.memory?.peakHeapUsedMiB),
    render_ms: render ? Object.fromEntries(render.map((r) => [r.example, r.ms])) : null,
    // `--peer kro` (null without it): kro's figures per configuration, and ours ÷ kro's.
    peers: side?.peers ?? null,
    vs_kro: side?.vs_kro ?? null,
    scale: scale?.length ? scaleSummary(scale) : null,
    // Measured by bench/ack-steady.ts on the end-to-end stack (see details.ackSteady for when and how).
    ack_steady_writes: (extra.ackSteady as { writes?: number } | undefined)?.writes ?? null,
    goals: { p2_ratio: '>= 0.8', p3_writes: 0, p4_rss_mib: '<= 300' },
    machine: { ...machine, load: loadReport() },
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
      connections: 'reused (keep-alive) by the controller, the baseline and the benchmark itself (controllers/runtime/keep-alive.ts)',
      runtime: params.runtime === 'compiled' ? 'compiled JS on plain node --enable-source-maps (as the Dockerfile runs it)' : 'tsx (as npm run controller runs it)',
      p4: 'controller in a child process (bench/worker.ts), process.memoryUsage() sampled every 250 ms; peak during the P2 run at the largest N',
      examples: examples.map((e) => e.id),
      ...(peer ? { workload: peer.workload ?? 'every example in turn' } : {}),
    },
    startedAt,
    finishedAt: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    details: { render, p1, p2, p3, ...(scale?.length ? { scale } : {}), ...(peer?.kro ? { kro: peer.kro } : {}), ...extra },
  };
}

/** The results JSON as written (see assembleResults). */
export type Results = ReturnType<typeof assembleResults>;

/** The rows of the stdout table, header first: one figure per row, with its goal and the load while measured. */
export function tableRows(out: Results, render: RenderResult[] | undefined, p1: LatencyResult | undefined, p2: ThroughputResult[], p3: SteadyStateResult | undefined, kro?: KroSideResult): (string | number)[][] {
  const largest = p2[p2.length - 1];
  const rows: (string | number)[][] = [['figure', 'value', 'goal', 'load (1 min avg)']];
  if (render) for (const r of render) rows.push([`render ${r.example} (${r.children} children)`, `${r.ms} ms/env`, '', out.machine.load.byPhase.render?.mean ?? '']);
  if (p1) rows.push([`P1 latency ${p1.example} (${p1.children} children)`, `p50 ${p1.summary.p50} ms, p95 ${p1.summary.p95} ms (n=${p1.summary.n})`, '', p1.load.mean]);
  for (const r of p2) {
    for (const [side, x] of [['controller', r.controller], ['baseline', r.baseline], ['ceiling', r.ceiling]] as const) {
      if (x) rows.push([`P2 N=${r.n} ${side}`, `${x.children} children in ${(x.ms / 1000).toFixed(1)} s = ${x.perSecond}/s`, '', x.load.mean]);
    }
    if (r.ratio !== undefined) rows.push([`P2 N=${r.n} ratio (median pair above)`, `${r.ratio}${r.pairs && r.pairs.length > 1 ? ` (pairs: ${r.pairs.map((p) => p.ratio).join(', ')})` : ''}`, '>= 0.8', '']);
    if (r.ceilingRatio !== undefined) rows.push([`P2 N=${r.n} ceiling ratio (ceiling ÷ baseline)`, `${r.ceilingRatio}${r.pairs && r.pairs.length > 1 ? ` (pairs: ${r.pairs.map((p) => p.ceilingRatio).join(', ')})` : ''}`, '', '']);
    const perChild = (x: { cpuSeconds: Record<string, number>; children: number } | undefined, who: string) => (x ? ((1000 * (x.cpuSeconds[who] ?? 0)) / x.children).toFixed(1) : '-');
    rows.push([`P2 N=${r.n} CPU ms/child ctl / ceil / base`, `kube-apiserver ${perChild(r.controller, 'kube-apiserver')} / ${perChild(r.ceiling, 'kube-apiserver')} / ${perChild(r.baseline, 'kube-apiserver')}, client process ${perChild(r.controller, 'worker')} / ${perChild(r.ceiling, 'worker')} / ${perChild(r.baseline, 'worker')}`, '', '']);
  }
  if (p3) {
    rows.push([`P3 writes, ${p3.environments} envs, ${p3.windowS} s`, `${p3.apiserverWritesTotal ?? 'n/a'} (apiserver), ${p3.managerWritesTotal} (controller counter); ${p3.reconcilesInWindow} reconciles`, '0', p3.load.mean]);
    rows.push([`P3 controller CPU`, `${((1000 * (p3.cpuSeconds.worker ?? 0)) / Math.max(1, p3.reconcilesInWindow)).toFixed(2)} ms/reconcile`, '', '']);
  }
  if (largest?.controller?.memory) rows.push([`P4 controller N=${largest.n} (worst of ${largest.pairs?.length ?? 1} runs)`, `peak RSS ${out.p4_rss_mib} MiB, heap ${out.p4_heap_mib} MiB`, '<= 300 MiB', largest.controller.load.mean]);
  if (p3?.memory) rows.push([`P4 steady (P3) N=${p3.environments}`, `RSS ${p3.memory.rssMiB} MiB, heap ${p3.memory.heapUsedMiB} MiB`, '<= 300 MiB', '']);
  for (const [n, x] of Object.entries(out.scale ?? {})) rows.push([`Scale N=${n} controller`, `${x.children} children, ${x.children_per_s}/s; peak RSS ${x.rss_mib} MiB, live heap ${x.live_heap_mib} MiB (${x.live_heap_kib_per_env} KiB/env); kube-apiserver peak RSS ${x.apiserver_rss_mib ?? '-'} MiB`, '', '']);
  if (out.peers) rows.push(...peerRows(out, kro));
  return rows;
}

/** `rows` as columns padded to their widest cell, two spaces apart. */
export function table(rows: (string | number)[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => String(c ?? '').padEnd(widths[i]!)).join('  ')).join('\n');
}

type ChartP2 = { n: number; controller?: { perSecond: number; memory?: { peakRssMiB: number; peakHeapUsedMiB: number } }; baseline?: { perSecond: number }; ratio?: number };
type ChartP3 = { environments: number; apiserverWritesTotal?: number; memory?: { rssMiB: number; heapUsedMiB: number } };

/** The SVG chart of the results: one panel per phase that ran, the machine and its mean load in the footer. */
export function chart(out: { machine: { cores: number; memoryGiB: number; node: string; load: { run: { mean: number } } } }, p2: ChartP2[], p1?: { summary: Summary; example: string }, render?: RenderResult[], p3?: ChartP3, peer?: PeerResults): string {
  const panels: Panel[] = [];
  if (p2.length) {
    panels.push({
      title: 'P2 throughput: children created per second (controller vs bare SSA client)',
      unit: 'children/s',
      groups: p2.map((r) => ({ label: `N = ${r.n}`, note: `ratio ${r.ratio}`, bars: [{ label: 'controller', value: r.controller?.perSecond ?? 0 }, { label: 'baseline', value: r.baseline?.perSecond ?? 0 }] })),
    });
  }
  if (p1) panels.push({ title: `P1 latency: one environment (${p1.example}) to all children`, unit: 'ms', groups: [{ label: 'p50', bars: [{ label: 'controller', value: p1.summary.p50 }] }, { label: 'p95', bars: [{ label: 'controller', value: p1.summary.p95 }] }] });
  const mem = [
    ...p2.filter((r) => r.controller?.memory).map((r) => ({ label: `peak, N = ${r.n}`, bars: [{ label: 'RSS', value: r.controller!.memory!.peakRssMiB }, { label: 'heap used', value: r.controller!.memory!.peakHeapUsedMiB }] })),
    ...(p3?.memory ? [{ label: `steady, N = ${p3.environments}`, note: `P3 writes: ${p3.apiserverWritesTotal ?? 'n/a'}`, bars: [{ label: 'RSS', value: p3.memory.rssMiB }, { label: 'heap used', value: p3.memory.heapUsedMiB }] }] : []),
  ];
  if (mem.length) panels.push({ title: 'P4 controller memory (goal: RSS <= 300 MiB at N = 500)', unit: 'MiB', groups: mem });
  if (peer) panels.push(...peerPanels(peer));
  if (render) panels.push({ title: 'Render cost (validate + render), warm', unit: 'ms/env', groups: render.map((r) => ({ label: r.example.slice(0, 3), note: `${r.children} children`, bars: [{ label: 'render', value: r.ms }] })) });
  const m = out.machine;
  return renderSvg(panels, `${m.cores} cores, ${m.memoryGiB} GiB, node ${m.node}, mean load ${m.load.run.mean}; ${new Date().toISOString().slice(0, 16)}Z`);
}

/** The largest defined number, or undefined. */
function maxOf(xs: readonly (number | undefined)[] | undefined): number | undefined {
  const defined = (xs ?? []).filter((x): x is number => x !== undefined);
  return defined.length ? Math.max(...defined) : undefined;
}
