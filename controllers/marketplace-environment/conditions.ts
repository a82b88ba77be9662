/** Condition bookkeeping by the Kubernetes API conventions. Pure. */
import type { Condition } from '../../api/index.js';

/** A condition without the bookkeeping fields. */
export type ConditionInput = Pick<Condition, 'type' | 'status' | 'reason' | 'message'>;

/**
 * The new condition list: each input stamped with `observedGeneration`, keeping `lastTransitionTime` of the previous
 * condition of that type when its status did not change (cluster-api `conditions.Set`).
 */
export function mergeConditions(
  previous: readonly Condition[] | undefined,
  next: readonly ConditionInput[],
  generation: number,
  now: string,
): Condition[] {
  return next.map((c) => {
    const old = previous?.find((p) => p.type === c.type);
    const lastTransitionTime = old && old.status === c.status ? old.lastTransitionTime : now;
    return { ...c, lastTransitionTime, observedGeneration: generation };
  });
}
