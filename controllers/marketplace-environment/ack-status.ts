/**
 * The state of one ACK child, from its conditions and kind-specific status fields (docs/ack-facts.md, "Conditions"):
 * ACK.Terminal=True → Failed; Ready=True, or ACK.ResourceSynced=True with the kind's own status ready → Ready;
 * anything else → Progressing, with ACK's reason and message. ACK often leaves a reason (or a message) empty: a
 * missing reason becomes one of COMPONENT_REASONS, a missing message is left out. Pure.
 */
import { COMPONENT_REASONS, type ComponentStatus } from '../../api/index.js';

/** A condition as ACK writes it. */
interface AckCondition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
}

/** The parts of a live ACK object this module reads. */
export interface AckObject {
  readonly kind?: string;
  readonly status?: Record<string, unknown> & { readonly conditions?: readonly AckCondition[] };
}

/** State, reason and message of one child. */
export type ChildState = Pick<ComponentStatus, 'state' | 'reason' | 'message'>;

/** Kind-specific readiness: the status field (a dot path) ACK's own "synced" rule checks, and its ready values. */
const KIND_READY: Record<string, { field: string; ready: readonly string[]; failed?: readonly string[] }> = {
  NATGateway: { field: 'state', ready: ['available'], failed: ['failed'] },
  DBCluster: { field: 'status', ready: ['available'] },
  DBInstance: { field: 'dbInstanceStatus', ready: ['available'], failed: ['failed', 'incompatible-parameters', 'incompatible-restore', 'storage-full'] },
  ReplicationGroup: { field: 'status', ready: ['available'], failed: ['create-failed'] },
  Distribution: { field: 'status', ready: ['Deployed'] },
  LoadBalancer: { field: 'state.code', ready: ['active'], failed: ['failed'] },
  // ELB refuses a listener certificate ACM has not issued yet: DNS validation can take minutes.
  Certificate: { field: 'status', ready: ['ISSUED'], failed: ['FAILED', 'VALIDATION_TIMED_OUT', 'REVOKED'] },
};

/** The value at a dot path of a status, as a string ('' when absent). */
function statusField(o: AckObject, path: string): string {
  let value: unknown = o.status;
  for (const part of path.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return value === undefined || value === null ? '' : String(value);
}

const find = (o: AckObject, type: string) => o.status?.conditions?.find((c) => c.type === type);
const truncate = (s: string) => (s.length > 1024 ? `${s.slice(0, 1021)}...` : s);
/** `s` unless it is missing or blank. */
const given = (s: string | undefined) => (s !== undefined && s.trim() !== '' ? s : undefined);

function progressing(reason: string, message?: string): ChildState {
  return { state: 'Progressing', reason: truncate(reason), ...(message ? { message: truncate(message) } : {}) };
}

/** The state of a live child. */
export function childState(o: AckObject): ChildState {
  const terminal = find(o, 'ACK.Terminal');
  if (terminal?.status === 'True') {
    return { state: 'Failed', reason: truncate(given(terminal.reason) ?? COMPONENT_REASONS.ACKTerminal), message: truncate(given(terminal.message) ?? 'ACK reports a terminal error') };
  }
  const special = o.kind ? KIND_READY[o.kind] : undefined;
  const value = special ? statusField(o, special.field) : '';
  if (special?.failed?.includes(value)) return { state: 'Failed', reason: COMPONENT_REASONS.AWSStatusFailed, message: `${special.field} is ${value}` };
  const synced = find(o, 'ACK.ResourceSynced');
  const ready = find(o, 'Ready');
  const recoverable = find(o, 'ACK.Recoverable');
  if (recoverable?.status === 'True') return progressing(COMPONENT_REASONS.ACKRecoverable, given(recoverable.message) ?? given(recoverable.reason));
  const refs = find(o, 'ACK.ReferencesResolved');
  if (refs && refs.status !== 'True') return progressing(COMPONENT_REASONS.ReferencesUnresolved, given(refs.reason) ?? given(refs.message));
  const ackReady = ready?.status === 'True' || synced?.status === 'True';
  if (ackReady && (!special || special.ready.includes(value))) return { state: 'Ready' };
  if (ackReady && special) return progressing(COMPONENT_REASONS.AWSStatus, `${special.field} is ${value || 'not reported yet'}`);
  if (!synced && !ready) return progressing(COMPONENT_REASONS.NotReconciledByACK, 'no ACK conditions yet: is the ACK controller for this kind running?');
  return progressing(given(synced?.reason) ?? COMPONENT_REASONS.NotSynced, given(synced?.message) ?? given(ready?.message));
}
