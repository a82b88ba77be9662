/** Formatting of the main job's progress lines (pure). */
import type { MarketplaceEnvironmentStatus } from '../api/index.js';

/** One line per change: phase, summary and the Ready condition's reason and message. */
export function statusLine(name: string, status: MarketplaceEnvironmentStatus | undefined): string {
  if (!status?.phase) return `${name}: Pending (no status yet)`;
  const ready = status.conditions?.find((c) => c.type === 'Ready');
  return `${name}: ${status.phase} ${status.summary ?? ''} — ${ready?.reason ?? ''}${ready?.message ? `: ${ready.message}` : ''}`.slice(0, 400);
}

/** The children table: component, kind/name, state and reason, aligned. */
export function componentTable(status: MarketplaceEnvironmentStatus | undefined): string[] {
  const rows = (status?.components ?? []).map((c) => [c.component, `${c.kind}/${c.name}`, c.state, c.reason ?? '']);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length), 0));
  return rows.map((r) => r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  ').trimEnd());
}

/** Whether the status has settled: Ready or Degraded for the current generation, or unchanged for `stableMs`. */
export function settled(status: MarketplaceEnvironmentStatus | undefined, generation: number | undefined, unchangedForMs: number, stableMs: number): boolean {
  if (!status || status.observedGeneration !== generation) return false;
  if (status.phase === 'Ready' || status.phase === 'Degraded') return true;
  return unchangedForMs >= stableMs;
}
