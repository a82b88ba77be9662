/**
 * The state of one ACK child, from its conditions and kind-specific status fields (docs/ack-facts.md, "Conditions"):
 * ACK.Terminal=True, or a kind's own status field in a failed state → Failed; Ready=True, or ACK.ResourceSynced=True,
 * with the kind's own status fields ready → Ready; anything else → Progressing, with ACK's reason and message. ACK often leaves a reason (or a message) empty: a
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
  /** Selects the kind-specific checks with `kind`: several API groups share a kind name. */
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly status?: Record<string, unknown> & { readonly conditions?: readonly AckCondition[] };
}

/** State, reason and message of one child. */
export type ChildState = Pick<ComponentStatus, 'state' | 'reason' | 'message'>;

/**
 * One kind-specific status field (a dot path) and what its values mean. Values compare case-insensitively: EC2
 * documents VPC endpoint states capitalised (`Available`) but answers them in lower case (`available`).
 */
interface StatusCheck {
  readonly field: string;
  /** Values meaning ready; any other value, or none yet, holds readiness back. Omitted: only `progressing` does. */
  readonly ready?: readonly string[];
  /** With no `ready` list: the values that hold readiness back (an absent field does not). */
  readonly progressing?: readonly string[];
  /** Values meaning AWS gave up on the resource: Failed, even when ACK reports it synced. */
  readonly failed?: readonly string[];
  /** Dot path of the status field where AWS says why it failed, quoted in the message. */
  readonly why?: string;
}

/**
 * Kind-specific readiness, by `<API group>/<kind>` (several groups share a kind name: lambda and kms `Alias`,
 * apigateway and apigatewayv2 `Integration` and `Stage`, lambda and cloudfront `Function`): the status fields ACK's
 * own "synced" rule checks, and those it does not check although they tell of progress or failure
 * (docs/ack-facts.md, "Conditions" and "The serverless tier"). Kinds not listed are ready when ACK says so.
 */
const KIND_STATUS: Record<string, readonly StatusCheck[]> = {
  'ec2.services.k8s.aws/NATGateway': [{ field: 'state', ready: ['available'], failed: ['failed'] }],
  // ACK syncs a VPC endpoint as soon as it exists; an interface endpoint is usable once `available`.
  'ec2.services.k8s.aws/VPCEndpoint': [{ field: 'state', ready: ['available'], failed: ['failed', 'rejected', 'expired'], why: 'lastError.message' }],
  'rds.services.k8s.aws/DBCluster': [{ field: 'status', ready: ['available'] }],
  'rds.services.k8s.aws/DBInstance': [{ field: 'dbInstanceStatus', ready: ['available'], failed: ['failed', 'incompatible-parameters', 'incompatible-restore', 'storage-full'] }],
  'elasticache.services.k8s.aws/ReplicationGroup': [{ field: 'status', ready: ['available'], failed: ['create-failed'] }],
  'cloudfront.services.k8s.aws/Distribution': [{ field: 'status', ready: ['Deployed'] }],
  'elbv2.services.k8s.aws/LoadBalancer': [{ field: 'state.code', ready: ['active'], failed: ['failed'] }],
  // ELB refuses a listener certificate ACM has not issued yet: DNS validation can take minutes.
  'acm.services.k8s.aws/Certificate': [{ field: 'status', ready: ['ISSUED'], failed: ['FAILED', 'VALIDATION_TIMED_OUT', 'REVOKED'] }],
  // ACK also syncs an ARCHIVED table (its KMS key stayed inaccessible): the data is then out of reach until restored.
  'dynamodb.services.k8s.aws/Table': [{ field: 'tableStatus', ready: ['ACTIVE'], failed: ['INACCESSIBLE_ENCRYPTION_CREDENTIALS', 'ARCHIVING', 'ARCHIVED'], why: 'archivalSummary.archivalReason' }],
  // ACK syncs a function only while it is Active or Inactive (Lambda makes an idle function Inactive and reactivates
  // it on the next call): a Failed one stays unsynced for good, like a failed NAT gateway. ACK's rule ignores the last
  // update, whose failure leaves the function Active on its previous code and configuration: the spec did not apply.
  'lambda.services.k8s.aws/Function': [
    { field: 'state', ready: ['Active', 'Inactive'], failed: ['Failed'], why: 'stateReason' },
    { field: 'lastUpdateStatus', progressing: ['InProgress'], failed: ['Failed'], why: 'lastUpdateStatusReason' },
  ],
  // apiStatus is a recent addition to API Gateway's answer and may be absent: only its failure and pending values count.
  'apigateway.services.k8s.aws/RestAPI': [{ field: 'apiStatus', progressing: ['PENDING'], failed: ['FAILED'] }],
};

/** The API group of an apiVersion (`''` for the core group or when absent). */
const groupOf = (apiVersion: string | undefined) => (apiVersion?.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');

/** The kind-specific checks of an object (none when its kind has none, or its apiVersion is unknown). */
function checksOf(o: AckObject): readonly StatusCheck[] {
  return o.kind ? (KIND_STATUS[`${groupOf(o.apiVersion)}/${o.kind}`] ?? []) : [];
}

/** The value at a dot path of a status, as a string ('' when absent). */
function statusField(o: AckObject, path: string): string {
  let value: unknown = o.status;
  for (const part of path.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return value === undefined || value === null ? '' : String(value);
}

const among = (value: string, values: readonly string[] | undefined) => values?.some((v) => v.toLowerCase() === value.toLowerCase()) ?? false;
const holdsBack = (check: StatusCheck, value: string) => (check.ready ? !among(value, check.ready) : among(value, check.progressing));

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
  const fields = checksOf(o).map((check) => ({ check, value: statusField(o, check.field) }));
  const failed = fields.find(({ check, value }) => among(value, check.failed));
  if (failed) {
    const why = failed.check.why ? statusField(o, failed.check.why) : '';
    return { state: 'Failed', reason: COMPONENT_REASONS.AWSStatusFailed, message: truncate(`${failed.check.field} is ${failed.value}${why ? `: ${why}` : ''}`) };
  }
  const synced = find(o, 'ACK.ResourceSynced');
  const ready = find(o, 'Ready');
  const recoverable = find(o, 'ACK.Recoverable');
  if (recoverable?.status === 'True') return progressing(COMPONENT_REASONS.ACKRecoverable, given(recoverable.message) ?? given(recoverable.reason));
  const refs = find(o, 'ACK.ReferencesResolved');
  if (refs && refs.status !== 'True') return progressing(COMPONENT_REASONS.ReferencesUnresolved, given(refs.reason) ?? given(refs.message));
  const ackReady = ready?.status === 'True' || synced?.status === 'True';
  const pending = fields.find(({ check, value }) => holdsBack(check, value));
  if (ackReady && !pending) return { state: 'Ready' };
  if (ackReady && pending) return progressing(COMPONENT_REASONS.AWSStatus, `${pending.check.field} is ${pending.value || 'not reported yet'}`);
  if (!synced && !ready) return progressing(COMPONENT_REASONS.NotReconciledByACK, 'no ACK conditions yet: is the ACK controller for this kind running?');
  return progressing(given(synced?.reason) ?? COMPONENT_REASONS.NotSynced, given(synced?.message) ?? given(ready?.message));
}
