/**
 * "What ACK lacks": AWS actions that no ACK kind or field performs, declared by the charts and carried out by the
 * controller through the AWS API (controllers/aws-gaps/, docs/aws-gaps.md). Members: associating a REGIONAL WAFv2
 * web ACL with an Application Load Balancer (wafv2:AssociateWebACL), the target tracking scaling policy of an EC2
 * Auto Scaling group (autoscaling:PutScalingPolicy), the database behind an RDS Proxy (rds:RegisterDBProxyTargets) and
 * the app clients of a Cognito user pool (cognito-idp:CreateUserPoolClient).
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

/**
 * The database behind an RDS Proxy: registered as the target of the proxy's `default` target group (the only one a
 * proxy has; it holds exactly one DB instance or Aurora DB cluster). A database of another identifier registered there
 * is deregistered first, so the proxy fronts what the spec names. Both resources are named by the AWS names the
 * charts render; their ARNs are the late values the action waits for, as they prove that ACK has created them.
 */
export interface RdsProxyTargets {
  readonly type: 'RdsProxyTargets';
  /** Name of the entry in `status.components`; unique in the environment. */
  readonly name: string;
  /** ARN of the proxy: the annotated DBProxy child's own ARN. */
  readonly proxyARN: LateValue;
  /** AWS name of the proxy (`spec.name` of the annotated child): what the RDS API takes. */
  readonly proxyName: string;
  /** ARN of the database's child (DBCluster or DBInstance): registering a database that does not exist fails. */
  readonly databaseARN: LateValue;
  /** DB cluster identifier (Aurora). Exactly one of dbClusterIdentifier and dbInstanceIdentifier. */
  readonly dbClusterIdentifier?: string;
  /** DB instance identifier (every other engine). Exactly one of dbClusterIdentifier and dbInstanceIdentifier. */
  readonly dbInstanceIdentifier?: string;
}

/** OAuth 2.0 grants a {@link CognitoUserPoolClient} may allow. */
export const OAUTH_FLOWS = ['code', 'implicit', 'client_credentials'] as const;

/** Sign-in flows of the Cognito API (not the hosted UI) a {@link CognitoUserPoolClient} may allow. */
export const EXPLICIT_AUTH_FLOWS = ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_CUSTOM_AUTH', 'ALLOW_USER_AUTH'] as const;

/** Explicit auth flows when a {@link CognitoUserPoolClient} declares none: SRP sign-in and refresh. */
export const DEFAULT_EXPLICIT_AUTH_FLOWS: readonly (typeof EXPLICIT_AUTH_FLOWS)[number][] = ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];

/** Token lifetimes when a {@link CognitoUserPoolClient} declares none (AWS's defaults). */
export const DEFAULT_TOKEN_VALIDITY = { accessTokenMinutes: 60, idTokenMinutes: 60, refreshTokenDays: 30 } as const;

/**
 * An app client of a Cognito user pool, kept as declared. The cognitoidentityprovider-controller has `UserPool` but no
 * client kind. Cognito generates client ids, so `clientName` is the client's identity in its pool. The client id
 * becomes the output at `clientIDOutput`; the client id and, with `generateSecret`, the client secret are written to
 * the Kubernetes Secret `secretName` (keys `clientID`, `clientSecret`), never to the status. Every setting is sent on
 * each update: Cognito resets what an UpdateUserPoolClient leaves out to its default.
 */
export interface CognitoUserPoolClient {
  readonly type: 'CognitoUserPoolClient';
  /** Name of the entry in `status.components`; unique in the environment. */
  readonly name: string;
  /** Id of the user pool: the annotated UserPool child's `status.id`. */
  readonly userPoolID: LateValue;
  /** Name of the app client in the pool (unique there by the operator's choice; Cognito does not enforce it). */
  readonly clientName: string;
  /**
   * A confidential client with a client secret. Cognito cannot change it on an existing client: a change deletes the
   * client and creates a new one (new client id, new secret).
   */
  readonly generateSecret: boolean;
  /** OAuth 2.0 grants of the hosted UI / authorization server. @default none: OAuth is off for this client */
  readonly allowedOAuthFlows?: readonly (typeof OAUTH_FLOWS)[number][];
  /** OAuth scopes, e.g. `openid`, `email`, `profile`, `aws.cognito.signin.user.admin`. @default none */
  readonly allowedOAuthScopes?: readonly string[];
  /** Where the authorization server may redirect after sign-in. @default none */
  readonly callbackURLs?: readonly string[];
  /** Where the authorization server may redirect after sign-out. @default none */
  readonly logoutURLs?: readonly string[];
  /** Identity providers of the client, e.g. `COGNITO`. @default none */
  readonly supportedIdentityProviders?: readonly string[];
  /** Sign-in flows of the Cognito API. @default {@link DEFAULT_EXPLICIT_AUTH_FLOWS} */
  readonly explicitAuthFlows?: readonly (typeof EXPLICIT_AUTH_FLOWS)[number][];
  /** Lifetime of access tokens, 5 to 1440 minutes. @default 60 */
  readonly accessTokenValidityMinutes?: number;
  /** Lifetime of ID tokens, 5 to 1440 minutes. @default 60 */
  readonly idTokenValidityMinutes?: number;
  /** Lifetime of refresh tokens, 1 to 3650 days. @default 30 */
  readonly refreshTokenValidityDays?: number;
  /** JSON pointer into `status.outputs` receiving the client id, e.g. `/identity/clients/0/clientID`. @default none */
  readonly clientIDOutput?: string;
  /**
   * Kubernetes Secret, in the environment's namespace and owned by it, receiving `clientID` and (with
   * `generateSecret`) `clientSecret`. @default none: no Secret
   */
  readonly secretName?: string;
}

/** Every kind of declaration. */
export type AwsGap = WebAclAssociation | AutoScalingTargetTracking | RdsProxyTargets | CognitoUserPoolClient;

/** The `type` of every declaration the controller knows. */
export const AWS_GAP_TYPES: readonly AwsGap['type'][] = ['WebACLAssociation', 'AutoScalingTargetTracking', 'RdsProxyTargets', 'CognitoUserPoolClient'];

/** The ARN of `child` as a late value (`child` may be a cdk8s ApiObject: it has apiVersion, kind and name). */
export function arnOf(child: ChildRef): LateValue {
  return { from: { apiVersion: child.apiVersion, kind: child.kind, name: child.name }, fieldPath: ARN_FIELD };
}

/** The annotation declaring `gaps` (omitted when empty), for `ChildMetadataOptions.annotations`. */
export function awsGapAnnotations(gaps: readonly AwsGap[]): Record<string, string> {
  return gaps.length > 0 ? { [AWS_GAPS_ANNOTATION]: JSON.stringify(gaps) } : {};
}
