/**
 * Computes the whole status of an environment from what one reconcile saw (pure): per-child components,
 * Ready / Progressing / Degraded conditions, phase, summary and outputs.
 */
import type { ComponentStatus, Condition, FieldError, MarketplaceEnvironmentStatus, Outputs } from '../../api/index.js';
import type { Binding } from '../../charts/bindings.js';
import { COMPONENT_LABEL } from '../../charts/naming.js';
import type { RenderedObject } from '../../charts/render.js';
import { childState } from './ack-status.js';
import { gvkKey, objectKey } from './child-kinds.js';
import { mergeConditions, type ConditionInput } from './conditions.js';
import type { LiveChild } from './outputs.js';

/** Everything one reconcile observed. */
export interface Observation {
  readonly generation: number;
  readonly previous?: MarketplaceEnvironmentStatus;
  /** Field errors when the spec could not be rendered. */
  readonly invalid?: readonly FieldError[];
  readonly desired: readonly RenderedObject[];
  /** Live children by objectKey. */
  readonly live: ReadonlyMap<string, LiveChild>;
  /** Objects held back, with the required bindings still unresolved, by objectKey. */
  readonly heldBack: ReadonlyMap<string, readonly Binding[]>;
  /** Apply failures by objectKey. */
  readonly applyErrors: ReadonlyMap<string, string>;
  /** `apiVersion/kind` keys the API server does not serve. */
  readonly unserved: ReadonlySet<string>;
  /** Set while the environment is being deleted. */
  readonly deleting?: { readonly kinds: readonly string[]; readonly remaining: number };
  readonly outputs: Outputs;
  /** RFC 3339 time used for new transitions. */
  readonly now: string;
}

const label = (c: ComponentStatus) => `${c.kind}/${c.name}`;

function componentOf(o: RenderedObject, obs: Observation): ComponentStatus {
  const key = objectKey(o);
  const base = { component: o.metadata.labels[COMPONENT_LABEL] ?? 'unknown', kind: o.kind, name: o.metadata.name };
  if (obs.unserved.has(gvkKey(o))) {
    return { ...base, state: 'Failed', reason: 'KindNotInstalled', message: `the API server does not serve ${o.apiVersion} ${o.kind}: install the CRDs of its ACK controller` };
  }
  const applyError = obs.applyErrors.get(key);
  if (applyError) return { ...base, state: 'Failed', reason: 'ApplyFailed', message: applyError.slice(0, 1024) };
  const waiting = obs.heldBack.get(key);
  if (waiting?.length) {
    // One source may feed several fields (a Distribution's origins share one access control): name it once.
    const what = [...new Set(waiting.map((b) => `${b.from.kind}/${b.from.name} ${b.fieldPath}`))].join(', ');
    return { ...base, state: 'Waiting', reason: 'WaitingForDependency', message: `waiting for ${what}` };
  }
  const live = obs.live.get(key);
  if (!live) return { ...base, state: 'Progressing', reason: 'NotCreated' };
  return { ...base, ...childState(live) };
}

function list(components: readonly ComponentStatus[], max = 3): string {
  const shown = components.slice(0, max).map((c) => `${label(c)}${c.message ? ` (${c.message})` : c.reason ? ` (${c.reason})` : ''}`);
  return shown.join('; ') + (components.length > max ? `; and ${components.length - max} more` : '');
}

function conditionsFor(obs: Observation, components: readonly ComponentStatus[]): ConditionInput[] {
  if (obs.deleting) {
    const message = `deleting ${obs.deleting.kinds.join(', ')}; ${obs.deleting.remaining} children left`;
    return [
      { type: 'Ready', status: 'False', reason: 'Deleting', message },
      { type: 'Progressing', status: 'True', reason: 'Deleting', message },
      { type: 'Degraded', status: 'False', reason: 'AsExpected', message: '' },
    ];
  }
  if (obs.invalid?.length) {
    const message = obs.invalid.map((e) => `${e.field}: ${e.message}`).join('; ');
    return [
      { type: 'Ready', status: 'False', reason: 'InvalidSpec', message },
      { type: 'Progressing', status: 'False', reason: 'InvalidSpec', message: 'fix the spec to continue' },
      { type: 'Degraded', status: 'True', reason: 'InvalidSpec', message },
    ];
  }
  const failed = components.filter((c) => c.state === 'Failed');
  const pending = components.filter((c) => c.state === 'Progressing' || c.state === 'Waiting');
  const ready = components.length - failed.length - pending.length;
  const counts = `${ready}/${components.length} children ready`;
  const degraded: ConditionInput = failed.length
    ? { type: 'Degraded', status: 'True', reason: failed[0]!.reason ?? 'ComponentFailed', message: `${failed.length} failed: ${list(failed)}` }
    : { type: 'Degraded', status: 'False', reason: 'AsExpected', message: '' };
  if (failed.length === 0 && pending.length === 0) {
    return [
      { type: 'Ready', status: 'True', reason: 'AllComponentsReady', message: counts },
      { type: 'Progressing', status: 'False', reason: 'Complete', message: counts },
      degraded,
    ];
  }
  const reason = failed.length ? 'ComponentFailed' : pending.every((c) => c.state === 'Waiting') ? 'WaitingForDependencies' : 'Reconciling';
  return [
    { type: 'Ready', status: 'False', reason, message: `${counts}; not ready: ${list([...failed, ...pending])}` },
    pending.length
      ? { type: 'Progressing', status: 'True', reason: 'Reconciling', message: `${counts}; waiting on ${list(pending)}` }
      : { type: 'Progressing', status: 'False', reason: 'ComponentFailed', message: counts },
    degraded,
  ];
}

function phaseOf(obs: Observation, conditions: readonly Condition[]): MarketplaceEnvironmentStatus['phase'] {
  const is = (type: string) => conditions.find((c) => c.type === type)?.status === 'True';
  if (obs.deleting) return 'Deleting';
  if (is('Degraded')) return 'Degraded';
  if (is('Ready')) return 'Ready';
  return obs.live.size > 0 ? 'Progressing' : 'Pending';
}

/** The status to write for `obs`. */
export function computeStatus(obs: Observation): MarketplaceEnvironmentStatus {
  const components = obs.invalid?.length ? (obs.previous?.components ?? []) : obs.desired.map((o) => componentOf(o, obs));
  const conditions = mergeConditions(obs.previous?.conditions, conditionsFor(obs, components), obs.generation, obs.now);
  const ready = components.filter((c) => c.state === 'Ready').length;
  return {
    observedGeneration: obs.generation,
    phase: phaseOf(obs, conditions),
    summary: `${ready}/${components.length}`,
    conditions,
    components,
    outputs: obs.outputs,
  };
}
