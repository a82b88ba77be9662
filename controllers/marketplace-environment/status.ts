/**
 * Computes the whole status of an environment from what one reconcile saw (pure): per-child components,
 * Ready / Progressing / Degraded conditions, phase, summary and outputs. Condition reasons are ours (REASONS); what
 * ACK says about a child goes into the component entry and the condition messages.
 */
import { COMPONENT_REASONS, REASONS, type ComponentStatus, type Condition, type ConditionReason, type FieldError, type MarketplaceEnvironmentStatus, type Outputs } from '../../api/index.js';
import type { Binding } from '../../charts/bindings.js';
import { COMPONENT_LABEL } from '../../charts/naming.js';
import type { RenderedObject } from '../../charts/render.js';
import { childState } from './ack-status.js';
import { gvkKey, objectKey } from './child-kinds.js';
import { mergeConditions, type ConditionInput, type Failure } from './conditions.js';
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
  /** The error that stopped the reconcile, if one did. */
  readonly failure?: Failure;
  /** The AWS actions the operator performs itself (controllers/aws-gaps), one component each. */
  readonly awsActions?: readonly ComponentStatus[];
  readonly outputs: Outputs;
  /** RFC 3339 time used for new transitions. */
  readonly now: string;
}

const label = (c: ComponentStatus) => `${c.kind}/${c.name}`;

function componentOf(o: RenderedObject, obs: Observation): ComponentStatus {
  const key = objectKey(o);
  const base = { component: o.metadata.labels[COMPONENT_LABEL] ?? 'unknown', kind: o.kind, name: o.metadata.name };
  if (obs.unserved.has(gvkKey(o))) {
    return { ...base, state: 'Failed', reason: COMPONENT_REASONS.KindNotInstalled, message: `the API server does not serve ${o.apiVersion} ${o.kind}: install the CRDs of its ACK controller` };
  }
  const applyError = obs.applyErrors.get(key);
  if (applyError) return { ...base, state: 'Failed', reason: COMPONENT_REASONS.ApplyFailed, message: applyError.slice(0, 1024) };
  const waiting = obs.heldBack.get(key);
  if (waiting?.length) {
    // One source may feed several fields (a Distribution's origins share one access control): name it once.
    const what = [...new Set(waiting.map((b) => `${b.from.kind}/${b.from.name} ${b.fieldPath}`))].join(', ');
    return { ...base, state: 'Waiting', reason: COMPONENT_REASONS.WaitingForDependency, message: `waiting for ${what}` };
  }
  const live = obs.live.get(key);
  if (!live) return { ...base, state: 'Progressing', reason: COMPONENT_REASONS.NotCreated };
  return { ...base, ...childState(live) };
}

const OUR_COMPONENT_REASONS: ReadonlySet<string> = new Set(Object.values(COMPONENT_REASONS));

/** What a condition message says about a component: its message, led by ACK's reason when it has one of ACK's. */
function detailOf(c: ComponentStatus): string | undefined {
  if (!c.message) return c.reason;
  const ackReason = c.reason && !OUR_COMPONENT_REASONS.has(c.reason) ? c.reason : undefined;
  return ackReason && !c.message.startsWith(ackReason) ? `${ackReason}: ${c.message}` : c.message;
}

function list(components: readonly ComponentStatus[], max = 3): string {
  const shown = components.slice(0, max).map((c) => {
    const detail = detailOf(c);
    return `${label(c)}${detail ? ` (${detail})` : ''}`;
  });
  return shown.join('; ') + (components.length > max ? `; and ${components.length - max} more` : '');
}

/** The condition reason for failed components: the operator's own failures first, then ACK's. */
export function failedReason(failed: readonly ComponentStatus[]): ConditionReason {
  if (failed.some((c) => c.reason === COMPONENT_REASONS.ApplyFailed)) return REASONS.ApplyFailed;
  if (failed.some((c) => c.reason === COMPONENT_REASONS.KindNotInstalled)) return REASONS.KindNotInstalled;
  return REASONS.ComponentFailed;
}

function deletingConditions(deleting: NonNullable<Observation['deleting']>): ConditionInput[] {
  const message = `deleting ${deleting.kinds.join(', ') || 'children'}; ${deleting.remaining} children left`;
  return [
    { type: 'Ready', status: 'False', reason: REASONS.Deleting, message },
    { type: 'Progressing', status: 'True', reason: REASONS.Deleting, message },
    { type: 'Degraded', status: 'False', reason: REASONS.AsExpected, message: '' },
  ];
}

function invalidConditions(invalid: readonly FieldError[]): ConditionInput[] {
  const message = invalid.map((e) => `${e.field}: ${e.message}`).join('; ');
  return [
    { type: 'Ready', status: 'False', reason: REASONS.InvalidSpec, message },
    { type: 'Progressing', status: 'False', reason: REASONS.InvalidSpec, message: 'fix the spec to continue' },
    { type: 'Degraded', status: 'True', reason: REASONS.InvalidSpec, message },
  ];
}

function componentConditions(components: readonly ComponentStatus[]): ConditionInput[] {
  const failed = components.filter((c) => c.state === 'Failed');
  const pending = components.filter((c) => c.state === 'Progressing' || c.state === 'Waiting');
  const ready = components.length - failed.length - pending.length;
  const counts = `${ready}/${components.length} children ready`;
  const degraded: ConditionInput = failed.length
    ? { type: 'Degraded', status: 'True', reason: failedReason(failed), message: `${failed.length} failed: ${list(failed)}` }
    : { type: 'Degraded', status: 'False', reason: REASONS.AsExpected, message: '' };
  if (failed.length === 0 && pending.length === 0) {
    return [
      { type: 'Ready', status: 'True', reason: REASONS.AllComponentsReady, message: counts },
      { type: 'Progressing', status: 'False', reason: REASONS.Complete, message: counts },
      degraded,
    ];
  }
  const reason = failed.length ? failedReason(failed) : pending.every((c) => c.state === 'Waiting') ? REASONS.WaitingForDependencies : REASONS.Reconciling;
  return [
    { type: 'Ready', status: 'False', reason, message: `${counts}; not ready: ${list([...failed, ...pending])}` },
    pending.length
      ? { type: 'Progressing', status: 'True', reason: REASONS.Reconciling, message: `${counts}; waiting on ${list(pending)}` }
      : { type: 'Progressing', status: 'False', reason: failedReason(failed), message: counts },
    degraded,
  ];
}

/**
 * `conditions` with the reconcile's failure on top: never Ready; a failure a retry may fix is Progressing (the work
 * queue retries it), one it cannot is Degraded.
 */
function withFailure(conditions: readonly ConditionInput[], failure: Failure): ConditionInput[] {
  const { reason, message, terminal } = failure;
  return conditions.map((c): ConditionInput => {
    if (c.type === 'Ready') return { type: 'Ready', status: 'False', reason, message };
    if (c.type === 'Progressing') {
      return terminal
        ? { type: 'Progressing', status: 'False', reason, message: 'not retried: waiting for a change to the environment' }
        : { type: 'Progressing', status: 'True', reason, message: `retrying: ${message}` };
    }
    return terminal ? { type: 'Degraded', status: 'True', reason, message } : c;
  });
}

function conditionsFor(obs: Observation, components: readonly ComponentStatus[]): ConditionInput[] {
  const conditions = obs.deleting ? deletingConditions(obs.deleting) : obs.invalid?.length ? invalidConditions(obs.invalid) : componentConditions(components);
  return obs.failure ? withFailure(conditions, obs.failure) : conditions;
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
  const components = obs.invalid?.length ? (obs.previous?.components ?? []) : [...obs.desired.map((o) => componentOf(o, obs)), ...(obs.awsActions ?? [])];
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
