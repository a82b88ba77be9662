/**
 * The state of one ACK child, from its conditions and kind-specific status fields (ack-reference.md §2.2):
 * ACK.Terminal=True → Failed; Ready=True, or ACK.ResourceSynced=True with the kind's own status ready → Ready;
 * anything else → Progressing, with ACK's reason and message. Pure.
 */
import type { ComponentStatus } from '../../api/index.js';

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

/** Kind-specific readiness: the status field ACK's own "synced" rule checks, and its ready values. */
const KIND_READY: Record<string, { field: string; ready: readonly string[]; failed?: readonly string[] }> = {
  NATGateway: { field: 'state', ready: ['available'], failed: ['failed'] },
  DBCluster: { field: 'status', ready: ['available'] },
  DBInstance: { field: 'dbInstanceStatus', ready: ['available'], failed: ['failed', 'incompatible-parameters', 'incompatible-restore', 'storage-full'] },
  ReplicationGroup: { field: 'status', ready: ['available'], failed: ['create-failed'] },
  Distribution: { field: 'status', ready: ['Deployed'] },
};

const find = (o: AckObject, type: string) => o.status?.conditions?.find((c) => c.type === type);
const truncate = (s: string | undefined) => (s && s.length > 1024 ? `${s.slice(0, 1021)}...` : s);

function progressing(reason: string, message?: string): ChildState {
  return { state: 'Progressing', reason, ...(message ? { message: truncate(message) } : {}) };
}

/** The state of a live child. */
export function childState(o: AckObject): ChildState {
  const terminal = find(o, 'ACK.Terminal');
  if (terminal?.status === 'True') {
    return { state: 'Failed', reason: terminal.reason ?? 'ACKTerminal', message: truncate(terminal.message ?? 'ACK reports a terminal error') };
  }
  const special = o.kind ? KIND_READY[o.kind] : undefined;
  const value = special ? String(o.status?.[special.field] ?? '') : '';
  if (special?.failed?.includes(value)) return { state: 'Failed', reason: `Status${value.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}`, message: `${special.field} is ${value}` };
  const synced = find(o, 'ACK.ResourceSynced');
  const ready = find(o, 'Ready');
  const recoverable = find(o, 'ACK.Recoverable');
  if (recoverable?.status === 'True') return progressing('ACKRecoverable', recoverable.message);
  const refs = find(o, 'ACK.ReferencesResolved');
  if (refs && refs.status !== 'True') return progressing('ReferencesUnresolved', refs.reason ?? refs.message);
  const ackReady = ready?.status === 'True' || synced?.status === 'True';
  if (ackReady && (!special || special.ready.includes(value))) return { state: 'Ready' };
  if (ackReady && special) return progressing('AWSStatus', `${special.field} is ${value || 'not reported yet'}`);
  if (!synced && !ready) return progressing('NotReconciledByACK', 'no ACK conditions yet: is the ACK controller for this kind running?');
  return progressing(synced?.reason ?? 'NotSynced', synced?.message ?? ready?.message);
}
