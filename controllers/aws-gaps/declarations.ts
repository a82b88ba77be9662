/**
 * Reads the aws-gaps declarations of a child (charts/aws-gaps.ts) and resolves their late values from live children.
 * Pure.
 */
import { AWS_GAP_TYPES, AWS_GAPS_ANNOTATION, EXPLICIT_AUTH_FLOWS, OAUTH_FLOWS, TARGET_TRACKING_METRICS, type AutoScalingTargetTracking, type AwsGap, type LateValue } from '../../charts/aws-gaps.js';
import { REGION_ANNOTATION } from '../../charts/context.js';
import { COMPONENT_LABEL } from '../../charts/naming.js';

/** The parts of a child (rendered or live) the executor reads. */
export interface AwsGapChild {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly status?: unknown;
}

/** The declarations of one child, or why they cannot be read. */
export interface ChildDeclarations {
  readonly gaps: readonly AwsGap[];
  /** Set when the annotation is not a valid declaration array; `gaps` is then empty. */
  readonly invalid?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string' && v !== '';

function isLateValue(v: unknown): v is LateValue {
  return isObject(v) && isString(v.fieldPath) && isObject(v.from) && isString(v.from.apiVersion) && isString(v.from.kind) && isString(v.from.name);
}

const LATE_VALUE_SHAPE = 'must be {from: {apiVersion, kind, name}, fieldPath}';

/** Why field `key` of `gap` is not a late value (or absent, when `optional`); undefined when it is fine. */
function lateValueProblem(gap: Record<string, unknown>, key: string, optional = false): string | undefined {
  if (optional && gap[key] === undefined) return undefined;
  return isLateValue(gap[key]) ? undefined : `.${key} ${LATE_VALUE_SHAPE}`;
}

/** Why field `key` of `gap` is not a number at least `min` (or absent, when `optional`); undefined when it is fine. */
function numberProblem(gap: Record<string, unknown>, key: string, min: number, optional: boolean): string | undefined {
  const v = gap[key];
  if (optional && v === undefined) return undefined;
  return typeof v === 'number' && Number.isFinite(v) && v >= min ? undefined : `.${key} must be a number >= ${min}`;
}

/** Why field `key` of `gap` is not an integer in [min, max] (or absent); undefined when it is fine. */
function rangeProblem(gap: Record<string, unknown>, key: string, min: number, max: number): string | undefined {
  const v = gap[key];
  return v === undefined || (Number.isInteger(v) && (v as number) >= min && (v as number) <= max) ? undefined : `.${key} must be an integer from ${min} to ${max}`;
}

/** Why field `key` of `gap` is not a non-empty string (or absent, when `optional`); undefined when it is fine. */
function stringProblem(gap: Record<string, unknown>, key: string, optional = false): string | undefined {
  return (optional && gap[key] === undefined) || isString(gap[key]) ? undefined : `.${key} must be a non-empty string`;
}

/** Why field `key` of `gap` is not a list of non-empty strings (of `allowed`, when given; non-empty when `minItems`). */
function listProblem(gap: Record<string, unknown>, key: string, allowed?: readonly string[], minItems = 0): string | undefined {
  const v = gap[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length < minItems || !v.every(isString)) return `.${key} must be a list of ${minItems > 0 ? 'at least one ' : ''}non-empty strings`;
  const unknown = allowed ? v.find((item) => !allowed.includes(item)) : undefined;
  return unknown === undefined ? undefined : `.${key} ${JSON.stringify(unknown)} is not one of ${allowed!.join(', ')}`;
}

/** Kubernetes object names (DNS-1123 subdomain). */
const K8S_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** The first problem of the fields of each type (`type` and `name` are checked for all). */
const FIELD_PROBLEMS: { readonly [T in AwsGap['type']]: (gap: Record<string, unknown>) => (string | undefined)[] } = {
  WebACLAssociation: (gap) => [lateValueProblem(gap, 'resourceARN'), lateValueProblem(gap, 'webACLARN', true)],
  AutoScalingTargetTracking: (gap) => [
    lateValueProblem(gap, 'autoScalingGroupARN'),
    isString(gap.autoScalingGroupName) ? undefined : '.autoScalingGroupName must be a non-empty string',
    isString(gap.policyName) ? undefined : '.policyName must be a non-empty string',
    TARGET_TRACKING_METRICS.includes(gap.metric as AutoScalingTargetTracking['metric']) ? undefined : `.metric ${JSON.stringify(gap.metric)} is not one of ${TARGET_TRACKING_METRICS.join(', ')}`,
    numberProblem(gap, 'targetValue', 0, true),
    numberProblem(gap, 'estimatedInstanceWarmup', 0, true),
  ],
  RdsProxyTargets: (gap) => [
    lateValueProblem(gap, 'proxyARN'),
    stringProblem(gap, 'proxyName'),
    lateValueProblem(gap, 'databaseARN'),
    stringProblem(gap, 'dbClusterIdentifier', true),
    stringProblem(gap, 'dbInstanceIdentifier', true),
    (gap.dbClusterIdentifier === undefined) !== (gap.dbInstanceIdentifier === undefined) ? undefined : ' must set exactly one of dbClusterIdentifier and dbInstanceIdentifier',
  ],
  CognitoUserPoolClient: (gap) => [
    lateValueProblem(gap, 'userPoolID'),
    stringProblem(gap, 'clientName'),
    typeof gap.generateSecret === 'boolean' ? undefined : '.generateSecret must be true or false',
    listProblem(gap, 'allowedOAuthFlows', OAUTH_FLOWS),
    listProblem(gap, 'allowedOAuthScopes'),
    listProblem(gap, 'callbackURLs'),
    listProblem(gap, 'logoutURLs'),
    listProblem(gap, 'supportedIdentityProviders'),
    // Never empty: an UpdateUserPoolClient without flows gives the client AWS's default ones.
    listProblem(gap, 'explicitAuthFlows', EXPLICIT_AUTH_FLOWS, 1),
    rangeProblem(gap, 'accessTokenValidityMinutes', 5, 1440),
    rangeProblem(gap, 'idTokenValidityMinutes', 5, 1440),
    rangeProblem(gap, 'refreshTokenValidityDays', 1, 3650),
    gap.clientIDOutput === undefined || (isString(gap.clientIDOutput) && gap.clientIDOutput.startsWith('/')) ? undefined : '.clientIDOutput must be a JSON pointer (starting with /)',
    gap.secretName === undefined || (isString(gap.secretName) && K8S_NAME.test(gap.secretName)) ? undefined : '.secretName must be a Kubernetes object name',
  ],
};

/** Why `gap` is not a declaration this controller can act on, or undefined when it is one. */
function problemOf(gap: unknown, index: number): string | undefined {
  if (!isObject(gap)) return `[${index}] is not an object`;
  if (!AWS_GAP_TYPES.includes(gap.type as AwsGap['type'])) return `[${index}].type ${JSON.stringify(gap.type)} is not one of ${AWS_GAP_TYPES.join(', ')}`;
  if (!isString(gap.name)) return `[${index}].name must be a non-empty string`;
  const problem = FIELD_PROBLEMS[gap.type as AwsGap['type']](gap).find((p) => p !== undefined);
  return problem === undefined ? undefined : `[${index}]${problem}`;
}

/** The declarations in the {@link AWS_GAPS_ANNOTATION} of `child` (none when it has no such annotation). */
export function declarationsOf(child: AwsGapChild): ChildDeclarations {
  const raw = child.metadata?.annotations?.[AWS_GAPS_ANNOTATION];
  if (raw === undefined) return { gaps: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    return { gaps: [], invalid: `annotation ${AWS_GAPS_ANNOTATION} is not JSON: ${(err as Error).message}` };
  }
  if (!Array.isArray(parsed)) return { gaps: [], invalid: `annotation ${AWS_GAPS_ANNOTATION} must be a JSON array` };
  const problems = parsed.map(problemOf).filter((p): p is string => p !== undefined);
  if (problems.length > 0) return { gaps: [], invalid: `annotation ${AWS_GAPS_ANNOTATION}: ${problems.join('; ')}` };
  return { gaps: parsed as AwsGap[] };
}

/** The AWS region of a child's resource (`services.k8s.aws/region`); undefined: the SDK's default region. */
export function regionOf(child: AwsGapChild): string | undefined {
  return child.metadata?.annotations?.[REGION_ANNOTATION] || undefined;
}

/** The spec section of a child (its component label), as status.components names it. */
export function componentOf(child: AwsGapChild): string {
  return child.metadata?.labels?.[COMPONENT_LABEL] ?? 'unknown';
}

/** Live children of one environment, by `apiVersion/kind/name`. */
export class ChildIndex {
  private readonly byKey = new Map<string, AwsGapChild>();

  constructor(children: Iterable<AwsGapChild>) {
    for (const c of children) this.byKey.set(`${c.apiVersion}/${c.kind}/${c.metadata?.name}`, c);
  }

  /**
   * The value of `late`: a non-empty string at its field path of a child that exists and, when `synced` is asked for,
   * reports ACK.ResourceSynced=True (an ARN can appear while AWS is still creating the resource).
   */
  resolve(late: LateValue, synced: boolean): string | undefined {
    const { apiVersion, kind, name } = late.from;
    const child = this.byKey.get(`${apiVersion}/${kind}/${name}`);
    if (!child || (synced && !isSynced(child))) return undefined;
    let cur: unknown = child;
    for (const part of late.fieldPath.split('.')) cur = isObject(cur) ? cur[part] : undefined;
    return isString(cur) ? cur : undefined;
  }
}

function isSynced(child: AwsGapChild): boolean {
  const conditions = isObject(child.status) && Array.isArray(child.status.conditions) ? (child.status.conditions as unknown[]) : [];
  return conditions.some((c) => isObject(c) && c.type === 'ACK.ResourceSynced' && c.status === 'True');
}

/** `Kind/name fieldPath` of a late value, for "waiting for ..." messages (as status.ts words held-back bindings). */
export function describeLateValue(late: LateValue): string {
  return `${late.from.kind}/${late.from.name} ${late.fieldPath}`;
}
