/** The MarketplaceEnvironment status, following the Kubernetes API conventions for conditions. */
import { Type, type Static } from '@sinclair/typebox';
import { DnsOutputsSchema } from './dns.js';
import { IdentityOutputsSchema } from './identity.js';
import { Obj, StringEnum } from './schema-kit.js';

/** Summary phase shown in the printer columns. */
export const PHASES = ['Pending', 'Progressing', 'Ready', 'Degraded', 'Deleting'] as const;
/** Condition types the operator sets. */
export const CONDITION_TYPES = ['Ready', 'Progressing', 'Degraded'] as const;
/** State of one child resource. */
export const COMPONENT_STATES = ['Ready', 'Progressing', 'Failed', 'Waiting'] as const;

/**
 * Reasons of the Ready, Progressing and Degraded conditions: a closed set (an enum in the CRD). ACK's own reasons and
 * messages never become a condition reason; they go into the condition message and the component entry.
 */
export const REASONS = {
  /** Ready=True: every child reports ready. */
  AllComponentsReady: 'AllComponentsReady',
  /** Progressing=False: nothing left to do. */
  Complete: 'Complete',
  /** Degraded=False. */
  AsExpected: 'AsExpected',
  /** Children are being created, or ACK has not reported them ready yet. */
  Reconciling: 'Reconciling',
  /** The only children not ready are held back until another child reports a value. */
  WaitingForDependencies: 'WaitingForDependencies',
  /** A child failed: ACK reports a terminal error, or AWS a failed state. */
  ComponentFailed: 'ComponentFailed',
  /** The API server does not serve the kind of a child (its ACK controller's CRDs are not installed). */
  KindNotInstalled: 'KindNotInstalled',
  /** The API server refused to apply a child. */
  ApplyFailed: 'ApplyFailed',
  /** The spec does not validate; nothing happens until it changes. */
  InvalidSpec: 'InvalidSpec',
  /** The environment is being deleted, children wave by wave. */
  Deleting: 'Deleting',
  /** Reading or creating a generated Secret failed. */
  SecretGenerationFailed: 'SecretGenerationFailed',
  /** Deleting a child that is no longer rendered failed. */
  PruneFailed: 'PruneFailed',
  /** Listing or deleting children during the environment's deletion failed. */
  DeletionFailed: 'DeletionFailed',
  /** An AWS action the operator performs itself, where ACK has no kind for it (controllers/aws-gaps), failed. */
  AWSActionFailed: 'AWSActionFailed',
  /** Any other error of a reconcile. */
  ReconcileFailed: 'ReconcileFailed',
} as const;
/** One of {@link REASONS}. */
export type ConditionReason = (typeof REASONS)[keyof typeof REASONS];

/**
 * Reasons the operator sets on a component (`status.components[].reason`) when ACK's own does not apply or is empty.
 * A component may also carry ACK's reason as ACK wrote it.
 */
export const COMPONENT_REASONS = {
  /** The API server does not serve the child's kind. */
  KindNotInstalled: 'KindNotInstalled',
  /** The API server refused to apply the child. */
  ApplyFailed: 'ApplyFailed',
  /** Held back until another child reports a value. */
  WaitingForDependency: 'WaitingForDependency',
  /** Not created yet. */
  NotCreated: 'NotCreated',
  /** No ACK condition yet: ACK has not seen the child. */
  NotReconciledByACK: 'NotReconciledByACK',
  /** ACK.Terminal=True without a reason. */
  ACKTerminal: 'ACKTerminal',
  /** ACK.Recoverable=True: ACK retries. */
  ACKRecoverable: 'ACKRecoverable',
  /** ACK.ReferencesResolved is not True. */
  ReferencesUnresolved: 'ReferencesUnresolved',
  /** ACK synced the child, but the kind's own AWS status is not ready yet. */
  AWSStatus: 'AWSStatus',
  /** The kind's own AWS status is a failed one. */
  AWSStatusFailed: 'AWSStatusFailed',
  /** ACK.ResourceSynced is not True, and ACK gave no reason. */
  NotSynced: 'NotSynced',
  /** An AWS action the operator performs itself (controllers/aws-gaps) failed in a way retrying can fix. */
  AWSCallFailed: 'AWSCallFailed',
  /** AWS refused an action the operator performs itself, in a way retrying cannot fix (access denied, invalid input). */
  AWSCallRejected: 'AWSCallRejected',
  /** The declaration of an operator-performed AWS action on a child cannot be read (edited by hand). */
  InvalidDeclaration: 'InvalidDeclaration',
} as const;

const str = (description: string) => Type.String({ description, maxLength: 2048 });
const opt = (description: string) => Type.Optional(str(description));

const ConditionSchema = Obj(
  {
    type: StringEnum(CONDITION_TYPES, { description: 'Ready, Progressing or Degraded.' }),
    status: StringEnum(['True', 'False', 'Unknown'] as const, { description: 'True, False or Unknown.' }),
    reason: StringEnum(Object.values(REASONS), { description: 'Machine-readable reason, one of the operator\'s own (never an ACK reason).' }),
    message: Type.String({ description: 'Human-readable detail.', maxLength: 32768 }),
    lastTransitionTime: Type.String({ description: 'When status last changed.', format: 'date-time' }),
    observedGeneration: Type.Integer({ description: 'metadata.generation this condition was computed for.', minimum: 0 }),
  },
  { description: 'A condition (Kubernetes API conventions).' },
);

const ComponentSchema = Obj(
  {
    component: str('Spec section the child belongs to (network, database, ...).'),
    kind: str('Kind of the child (an ACK kind, or Secret).'),
    name: str('Name of the child object.'),
    state: StringEnum(COMPONENT_STATES, { description: 'Ready, Progressing, Failed (ACK.Terminal) or Waiting (for a value another child has not reported yet).' }),
    reason: opt('ACK\'s reason from the child\'s conditions, or the operator\'s own (NotCreated, WaitingForDependency, ApplyFailed, ...).'),
    message: opt('Detail: ACK\'s reason and message, the apply error, or the value waited for.'),
  },
  { description: 'State of one child resource.' },
);

const OutputsSchema = Obj(
  {
    vpcID: opt('VPC id.'),
    subnetIDs: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String({ maxLength: 64, description: 'Subnet id.' }), { maxItems: 12, description: 'Subnet ids of one tier, zone by zone.' }), { description: 'Subnet ids by tier (public, private, isolated).' })),
    securityGroupIDs: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 64, description: 'Security group id.' }), { description: 'Security group ids by tier (lb, app, db, cache, dbProxy).' })),
    kmsKeyARN: opt('ARN of the environment KMS key.'),
    database: Type.Optional(
      Obj(
        {
          writerEndpoint: opt('Writer (cluster) endpoint.'),
          readerEndpoint: opt('Reader endpoint (Aurora).'),
          port: Type.Optional(Type.Integer({ description: 'Port.' })),
          credentialsSecret: opt('Kubernetes Secret with the master password (GeneratedSecret).'),
          masterUserSecretARN: opt('Secrets Manager ARN of the AWS-managed master password (AWSManaged).'),
          proxyEndpoint: opt('RDS Proxy endpoint (spec.database.proxy): connect through it instead of the writer endpoint.'),
        },
        { description: 'Database connection data.' },
      ),
    ),
    cache: Type.Optional(
      Obj(
        { configurationEndpoint: opt('Configuration endpoint (cluster mode) or primary endpoint.'), port: Type.Optional(Type.Integer({ description: 'Port.' })) },
        { description: 'Cache connection data.' },
      ),
    ),
    buckets: Type.Optional(
      Type.Array(
        Obj({ name: str('Short name from the spec.'), bucketName: str('S3 bucket name.'), arn: opt('Bucket ARN.') }, { description: 'A bucket.' }),
        { description: 'Buckets.', maxItems: 10 },
      ),
    ),
    cdn: Type.Optional(Obj({ domainName: opt('CloudFront domain name (*.cloudfront.net).'), distributionID: opt('Distribution id.') }, { description: 'CDN.' })),
    firewall: Type.Optional(Obj({ webACLARN: opt('Web ACL ARN.') }, { description: 'Firewall.' })),
    loadBalancer: Type.Optional(
      Obj(
        {
          dnsName: opt('DNS name of the load balancer (point a CNAME, or an alias record with canonicalHostedZoneID, at it).'),
          canonicalHostedZoneID: opt('Route 53 hosted zone id of the load balancer, for alias records.'),
          arn: opt('Load balancer ARN.'),
          targetGroupARN: opt('ARN of the target group (the blue one with blue/green).'),
          greenTargetGroupARN: opt('ARN of the green target group (blue/green only).'),
          certificateARN: opt('ARN of the HTTPS listener\'s certificate: the one given, or the one the environment requested.'),
        },
        { description: 'Load balancer.' },
      ),
    ),
    registry: Type.Optional(Obj({ repositoryURI: opt('URI of the ECR repository (docker push <uri>:<tag>).') }, { description: 'Image registry.' })),
    compute: Type.Optional(
      Obj(
        {
          clusterName: opt('ECS cluster name (containers).'),
          serviceNames: Type.Optional(
            Type.Array(Type.String({ maxLength: 255, description: 'ECS service name.' }), { maxItems: 2, description: 'ECS service names (containers): one, or blue then green.' }),
          ),
          autoScalingGroupName: opt('Auto Scaling group name (instances).'),
          logGroupName: opt('CloudWatch Logs group of the application\'s output.'),
        },
        { description: 'Application tier.' },
      ),
    ),
    dns: Type.Optional(DnsOutputsSchema),
    identity: Type.Optional(IdentityOutputsSchema),
    monitoring: Type.Optional(
      Obj(
        {
          topicARN: opt('ARN of the SNS topic every alarm notifies.'),
          billingTopicARN: opt('ARN of the us-east-1 topic the billing alarm notifies (monitoring.billing outside us-east-1).'),
          dashboardName: opt('Name of the CloudWatch dashboard.'),
        },
        { description: 'Monitoring.' },
      ),
    ),
    secrets: Type.Optional(
      Type.Array(
        Obj({ name: str('Short name from the spec.'), arn: opt('Secrets Manager ARN.'), rotationDays: Type.Integer({ description: 'Intended rotation period.' }) }, { description: 'A secret.' }),
        { description: 'Application secrets.', maxItems: 20 },
      ),
    ),
    tables: Type.Optional(
      Type.Array(Obj({ name: str('Short name from the spec.'), tableName: str('DynamoDB table name.'), arn: opt('Table ARN.') }, { description: 'A table.' }), {
        description: 'DynamoDB tables.',
        maxItems: 20,
      }),
    ),
    functions: Type.Optional(
      Type.Array(Obj({ name: str('Short name from the spec.'), functionName: str('Lambda function name.'), arn: opt('Function ARN.') }, { description: 'A function.' }), {
        description: 'Lambda functions.',
        maxItems: 20,
      }),
    ),
    api: Type.Optional(
      Obj(
        {
          id: opt('API id.'),
          url: opt('Invoke URL: the HTTP API\'s endpoint, or https://<id>.execute-api.<region>.amazonaws.com/<stage> of a REST API.'),
        },
        { description: 'API.' },
      ),
    ),
    logGroupName: opt('Name of the central log group (spec.logGroup).'),
    kmsAliasName: opt('Alias of the environment KMS key (encryption.alias).'),
  },
  { description: 'Values applications need, read from the children once AWS reports them.' },
);

/** Schema of `status`. */
export const StatusSchema = Obj(
  {
    observedGeneration: Type.Optional(Type.Integer({ description: 'metadata.generation of the spec last reconciled.', minimum: 0 })),
    phase: Type.Optional(StringEnum(PHASES, { description: 'Pending, Progressing, Ready, Degraded or Deleting.' })),
    summary: opt('Ready children / all children, e.g. 38/40.'),
    conditions: Type.Optional(
      Type.Array(ConditionSchema, {
        description: 'Ready (everything synced), Progressing (work under way), Degraded (a child failed terminally).',
        maxItems: 16,
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
      }),
    ),
    components: Type.Optional(Type.Array(ComponentSchema, { description: 'Per-child state.', maxItems: 200 })),
    outputs: Type.Optional(OutputsSchema),
  },
  { description: 'Observed state, written by the operator.' },
);

/** `status` as TypeScript. */
export type MarketplaceEnvironmentStatus = Static<typeof StatusSchema>;
/** One status condition. */
export type Condition = Static<typeof ConditionSchema>;
/** One entry of `status.components`. */
export type ComponentStatus = Static<typeof ComponentSchema>;
/** `status.outputs`. */
export type Outputs = Static<typeof OutputsSchema>;
