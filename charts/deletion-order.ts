/**
 * Deletion waves, as the child kinds declare them (child-kinds.ts): children are deleted wave by wave, the next wave
 * only once the previous one is gone, in reverse dependency order. Keyed by API version and kind: two groups may use
 * one kind name with different waves (a lambda Alias goes before its function, a KMS Alias just before its key).
 */
import { CHILD_KINDS, gvkKey } from './child-kinds.js';

const waveByGvk = new Map(CHILD_KINDS.map((k) => [gvkKey(k), k.deletionWave]));

/**
 * Wave of a child kind (lower = deleted earlier).
 * @throws Error for a kind that is not a child kind: every kind the charts render declares its wave.
 */
export function deletionWave(gvk: { readonly apiVersion?: string; readonly kind?: string }): number {
  const wave = waveByGvk.get(gvkKey(gvk));
  if (wave === undefined) throw new Error(`${gvkKey(gvk)} is not a child kind: declare it with its deletion wave in charts/child-kinds.ts`);
  return wave;
}

/** The kinds deleted in `wave` (kind names, each once). */
export function kindsOfWave(wave: number): string[] {
  return [...new Set(CHILD_KINDS.filter((k) => k.deletionWave === wave).map((k) => k.kind))];
}
