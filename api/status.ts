/** The MarketplaceEnvironment status, following the Kubernetes API conventions for conditions. */
import { Type, type Static } from '@sinclair/typebox';
import { Obj, StringEnum } from './schema-kit.js';

/** Summary phase shown in the printer columns. */
export const PHASES = ['Pending', 'Progressing', 'Ready', 'Degraded', 'Deleting'] as const;
/** Condition types the operator sets. */
export const CONDITION_TYPES = ['Ready', 'Progressing', 'Degraded'] as const;
/** State of one child resource. */
export const COMPONENT_STATES = ['Ready', 'Progressing', 'Failed', 'Waiting'] as const;

const str = (description: string) => Type.String({ description, maxLength: 2048 });
const opt = (description: string) => Type.Optional(str(description));

const ConditionSchema = Obj(
  {
    type: Type.String({ description: 'Ready, Progressing or Degraded.', maxLength: 316 }),
    status: StringEnum(['True', 'False', 'Unknown'] as const, { description: 'True, False or Unknown.' }),
    reason: Type.String({ description: 'Machine-readable PascalCase reason.', maxLength: 1024 }),
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
    reason: opt('Reason from the ACK conditions.'),
    message: opt('Message from the ACK conditions.'),
  },
  { description: 'State of one child resource.' },
);

const OutputsSchema = Obj(
  {
    vpcID: opt('VPC id.'),
    subnetIDs: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String({ maxLength: 64, description: 'Subnet id.' }), { maxItems: 12, description: 'Subnet ids of one tier, zone by zone.' }), { description: 'Subnet ids by tier (public, private, isolated).' })),
    securityGroupIDs: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 64, description: 'Security group id.' }), { description: 'Security group ids by tier (lb, app, db, cache).' })),
    kmsKeyARN: opt('ARN of the environment KMS key.'),
    database: Type.Optional(
      Obj(
        {
          writerEndpoint: opt('Writer (cluster) endpoint.'),
          readerEndpoint: opt('Reader endpoint (Aurora).'),
          port: Type.Optional(Type.Integer({ description: 'Port.' })),
          credentialsSecret: opt('Kubernetes Secret with the master password (GeneratedSecret).'),
          masterUserSecretARN: opt('Secrets Manager ARN of the AWS-managed master password (AWSManaged).'),
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
    secrets: Type.Optional(
      Type.Array(
        Obj({ name: str('Short name from the spec.'), arn: opt('Secrets Manager ARN.'), rotationDays: Type.Integer({ description: 'Intended rotation period.' }) }, { description: 'A secret.' }),
        { description: 'Application secrets.', maxItems: 20 },
      ),
    ),
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
