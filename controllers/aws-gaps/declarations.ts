/**
 * Reads the aws-gaps declarations of a child (charts/aws-gaps.ts) and resolves their late values from live children.
 * Pure.
 */
import { AWS_GAP_TYPES, AWS_GAPS_ANNOTATION, TARGET_TRACKING_METRICS, type AutoScalingTargetTracking, type AwsGap, type LateValue } from '../../charts/aws-gaps.js';
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
