/**
 * "What ACK lacks": AWS actions that no ACK kind or field performs, declared by the charts and carried out by the
 * controller through the AWS API (controllers/aws-gaps/, docs/aws-gaps.md). Members: associating a REGIONAL WAFv2
 * web ACL with an Application Load Balancer (wafv2:AssociateWebACL), and the target tracking scaling policy of an EC2
 * Auto Scaling group (autoscaling:PutScalingPolicy).
 *
 * Declared as JSON in an annotation on the child the action acts on (the load balancer, the group), like late bindings
 * (bindings.ts): the rendered YAML holds only kinds the API server knows, so `npm run render | kubectl apply` and a
 * GitOps diff show the declaration next to the object it changes; and the annotation stays on the live object, so
 * the controller can undo the action on deletion without rendering the spec again. Inputs are late-bound values read
 * from other children's status (the ARNs ACK reports) once those children are synced. Pure data: no AWS SDK here.
 */
import { PREFIX } from './naming.js';

/** Annotation carrying the JSON array of {@link AwsGap} declarations of a child. */
export const AWS_GAPS_ANNOTATION = `${PREFIX}/aws-gaps`;
/** Where ACK reports the ARN of the AWS resource of every kind. */
export const ARN_FIELD = 'status.ackResourceMetadata.arn';

/** A child of the same environment (same namespace), as a late value names it. */
export interface ChildRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

/**
 * A value the controller reads from another child's status once that child reports ACK.ResourceSynced=True: the
 * source half of a late binding (bindings.ts), without a target field.
 */
export interface LateValue {
  /** The child whose status holds the value. */
  readonly from: ChildRef;
  /** Dot path of the value in that child, e.g. `status.ackResourceMetadata.arn`. */
  readonly fieldPath: string;
}

/**
 * The web ACL of a regional resource (an Application Load Balancer), kept as declared: associated with
 * `webACLARN`, or with no web ACL at all when `webACLARN` is absent (a spec without a firewall removes an association
 * an earlier spec made, before the web ACL's deletion, which AWS refuses while it is associated).
 */
export interface WebAclAssociation {
  readonly type: 'WebACLAssociation';
  /** Name of the entry in `status.components`; unique in the environment. */
  readonly name: string;
  /** ARN of the protected resource: the annotated child's own ARN. */
  readonly resourceARN: LateValue;
  /** ARN of the REGIONAL web ACL (same region as the resource). @default none: the resource has no web ACL */
  readonly webACLARN?: LateValue;
}

/** Predefined metrics a {@link AutoScalingTargetTracking} can track. */
export const TARGET_TRACKING_METRICS = ['ASGAverageCPUUtilization'] as const;

/**
 * The target tracking scaling policy `policyName` of an EC2 Auto Scaling group, kept as declared: tracking `metric` at
 * `targetValue`, or absent when `targetValue` is (a spec that drops its CPU target deletes the policy it had created,
 * while the group stays). The group is named by its AWS name, which the charts render; its ARN is the late value the
 * action waits for, as it proves that ACK has created the group.
 */
export interface AutoScalingTargetTracking {
  readonly type: 'AutoScalingTargetTracking';
  /** Name of the entry in `status.components`; unique in the environment. */
  readonly name: string;
  /** ARN of the group: the annotated child's own ARN (known once the group exists in AWS). */
  readonly autoScalingGroupARN: LateValue;
  /** AWS name of the group (`spec.name` of the annotated child): what the Auto Scaling API takes. */
  readonly autoScalingGroupName: string;
  /** Name of the scaling policy in the group. */
  readonly policyName: string;
  /** The predefined metric tracked. */
  readonly metric: (typeof TARGET_TRACKING_METRICS)[number];
  /** Value of the metric to keep the group near (percent for CPU). @default none: the group has no such policy */
  readonly targetValue?: number;
  /**
   * Seconds a new instance takes before its metrics count.
   * @default AWS's: the group's default instance warmup, else its default cooldown
   */
  readonly estimatedInstanceWarmup?: number;
}

/** Every kind of declaration (RDS Proxy targets and Cognito app clients are to follow). */
export type AwsGap = WebAclAssociation | AutoScalingTargetTracking;

/** The `type` of every declaration the controller knows. */
export const AWS_GAP_TYPES: readonly AwsGap['type'][] = ['WebACLAssociation', 'AutoScalingTargetTracking'];

/** The ARN of `child` as a late value (`child` may be a cdk8s ApiObject: it has apiVersion, kind and name). */
export function arnOf(child: ChildRef): LateValue {
  return { from: { apiVersion: child.apiVersion, kind: child.kind, name: child.name }, fieldPath: ARN_FIELD };
}

/** The annotation declaring `gaps` (omitted when empty), for `ChildMetadataOptions.annotations`. */
export function awsGapAnnotations(gaps: readonly AwsGap[]): Record<string, string> {
  return gaps.length > 0 ? { [AWS_GAPS_ANNOTATION]: JSON.stringify(gaps) } : {};
}
