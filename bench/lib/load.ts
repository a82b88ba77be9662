/**
 * Machine load during the benchmark: the 1-minute load average, sampled every 5 s and on every phase change, tagged
 * with the current phase, so each figure can be read against how busy this machine was while it was measured.
 * Module state (one benchmark per process): sampling starts when this module is first imported.
 */
import { loadavg } from 'node:os';
import { round } from './stats.js';

/** Minimum, mean and maximum of the 1-minute load average (2 decimals). */
export interface Load {
  readonly min: number;
  readonly mean: number;
  readonly max: number;
}

const loadSamples: { phase: string; load1: number }[] = [];
let phase = 'start';
const loadTimer = setInterval(() => loadSamples.push({ phase, load1: loadavg()[0]! }), 5_000);
// Sampling must not keep the process alive (e.g. after `--help` or a failed run).
loadTimer.unref();

/** Load over the samples of phase `p` (all samples when omitted); the current load when there is none yet. */
export function loadOf(p?: string): Load {
  const xs = loadSamples.filter((s) => !p || s.phase === p).map((s) => s.load1);
  return xs.length ? { min: round(Math.min(...xs), 2), mean: round(xs.reduce((a, b) => a + b, 0) / xs.length, 2), max: round(Math.max(...xs), 2) } : { min: round(loadavg()[0]!, 2), mean: round(loadavg()[0]!, 2), max: round(loadavg()[0]!, 2) };
}

/** Tags the following samples with `p`, and takes one now so even a short phase has a sample. */
export function setPhase(p: string): void {
  phase = p;
  loadSamples.push({ phase, load1: loadavg()[0]! });
}

/** The `machine.load` figures of the results: the first sample, the whole run, and each phase. */
export function loadReport(): { start: number | undefined; run: Load; byPhase: Record<string, Load> } {
  return { start: loadSamples[0]?.load1, run: loadOf(), byPhase: Object.fromEntries([...new Set(loadSamples.map((s) => s.phase))].map((p) => [p, loadOf(p)])) };
}
