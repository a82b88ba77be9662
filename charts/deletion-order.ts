/**
 * Deletion waves, as the child kinds declare them (child-kinds.ts): children are deleted wave by wave, the next wave
 * only once the previous one is gone, in reverse dependency order.
 */
import { CHILD_KINDS } from './child-kinds.js';

const waveByKind = new Map(CHILD_KINDS.map((k) => [k.kind, k.deletionWave]));

/**
 * Wave of a child kind (lower = deleted earlier).
 * @throws Error for a kind that is not a child kind: every kind the charts render declares its wave.
 */
export function deletionWave(kind: string): number {
  const wave = waveByKind.get(kind);
  if (wave === undefined) throw new Error(`${kind} is not a child kind: declare it with its deletion wave in charts/child-kinds.ts`);
  return wave;
}

/** The kinds deleted in `wave`. */
export function kindsOfWave(wave: number): string[] {
  return CHILD_KINDS.filter((k) => k.deletionWave === wave).map((k) => k.kind);
}
