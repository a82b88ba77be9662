/**
 * The environment KMS key: one customer-managed key encrypting the database, the cache, KMS-encrypted buckets, the
 * application secrets and, with `encryption.logs`, the CloudWatch Logs groups. Every consumer points at it with a
 * `kmsKeyRef`, so ACK resolves the ARN (or key id) once the key is synced. It is data-bearing: deleting it makes
 * everything encrypted with it unreadable.
 *
 * Key policy. Without `encryption.logs` the key keeps the default key policy (none rendered). CloudWatch Logs uses a
 * key only if the key policy itself names its service principal `logs.<region>.amazonaws.com`
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html), so with `encryption.logs` the
 * key is created with a policy: the default policy's statement (the account's root, so IAM policies keep governing the
 * key) plus that grant, restricted by encryption context to log groups of the account in spec.region. Both name the
 * account id, which only AWS knows: the policy is a required late binding on the VPC's
 * `status.ackResourceMetadata.ownerAccountID`. The key is therefore held back until the VPC exists and is created with
 * its final policy in one call, and everything referencing the key (the log groups through `kmsKeyRef`) only starts once
 * CloudWatch Logs may use it: a log group created with a key it may not use fails with AccessDeniedException.
 * The binding only orders creation: deleting the environment applies nothing, so the key (last wave) never waits for
 * the VPC (wave 17) it outlives.
 */
import { Construct } from 'constructs';
import { IDENTITY } from '../adoption.js';
import * as cloudwatchlogs from '../../imports/cloudwatchlogs.services.k8s.aws.js';
import * as ec2 from '../../imports/ec2.services.k8s.aws.js';
import * as kms from '../../imports/kms.services.k8s.aws.js';
import { VALUE_PLACEHOLDER, type Binding } from '../bindings.js';
import type { EnvironmentContext } from '../context.js';
import { partition } from './iam.js';
import { ACCOUNT } from './iam-grants.js';
import { stableJson } from './storage.js';

/** ACK annotation setting the waiting period of ScheduleKeyDeletion (the controller's default is 7 days). */
export const PENDING_WINDOW_ANNOTATION = 'kms.services.k8s.aws/pending-window-in-days';
/** Pointer of the key policy in a Key. */
export const KEY_POLICY_PATH = '/spec/policy';

/** Props of {@link KmsKey}. */
export interface KmsKeyProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** Kubernetes name of the VPC, whose account id the key policy names (encryption.logs). @default none: needed with encryption.logs only */
  readonly vpcName?: string;
}

/**
 * The key policy with `encryption.logs`, `{{value}}` standing for the account id: the default key policy's statement
 * (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html) and CloudWatch Logs' use of the key
 * for the account's log groups in `region`.
 */
export function logsKeyPolicy(region: string): string {
  const part = partition(region);
  const logsService = `logs.${region}.amazonaws.com${part === 'aws-cn' ? '.cn' : ''}`;
  return stableJson({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:${part}:iam::${VALUE_PLACEHOLDER}:root` }, Action: 'kms:*', Resource: '*' },
      {
        Sid: 'AllowCloudWatchLogs',
        Effect: 'Allow',
        Principal: { Service: logsService },
        Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        Resource: '*',
        Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${part}:logs:${region}:${VALUE_PLACEHOLDER}:*` } },
      },
    ],
  });
}

/**
 * The key setting of a LogGroup: `kmsKeyRef` to the environment key with `encryption.logs`, nothing otherwise. Every
 * LogGroup the charts render spreads it into its spec.
 */
export function logGroupEncryption(ctx: EnvironmentContext): Pick<cloudwatchlogs.LogGroupSpec, 'kmsKeyRef'> {
  return ctx.spec.encryption.logs ? { kmsKeyRef: ctx.ref(KmsKey.resourceName(ctx)) } : {};
}

/** The customer-managed KMS key of one environment. */
export class KmsKey extends Construct {
  /** Kubernetes name of the Key (what consumers put in `kmsKeyRef`). */
  static resourceName(ctx: EnvironmentContext): string {
    return ctx.names.k8s('kms');
  }

  /** Kubernetes name of the Key (what consumers put in `kmsKeyRef`). */
  readonly name: string;

  constructor(scope: Construct, id: string, props: KmsKeyProps) {
    super(scope, id);
    const { ctx } = props;
    const { names, spec } = ctx;
    this.name = KmsKey.resourceName(ctx);
    new kms.Key(this, 'key', {
      metadata: ctx.metadata('encryption', this.name, {
        dataBearing: true,
        identity: IDENTITY.kmsKey,
        // Only used when ACK deletes the key (deletionPolicy Delete); with Retain the key stays untouched.
        annotations: { [PENDING_WINDOW_ANNOTATION]: String(spec.encryption.pendingWindowDays) },
        outputs: [{ output: '/kmsKeyARN', fieldPath: 'status.ackResourceMetadata.arn' }],
        bindings: spec.encryption.logs ? [this.policyBinding(ctx, props.vpcName)] : [],
      }),
      spec: {
        // description is immutable in ACK: it depends only on immutable spec fields (project, environmentSuffix).
        description: `${names.aws()}: environment key for the database, cache, buckets and secrets`,
        enableKeyRotation: spec.encryption.keyRotation,
        // kms Key is the one ACK kind whose tags use tagKey/tagValue instead of key/value.
        tags: names.tags(names.aws('kms')).map(({ key, value }) => ({ tagKey: key, tagValue: value })),
      },
    });
  }

  /** The key policy of encryption.logs, held back until the VPC reports the account id (see the module comment). */
  private policyBinding(ctx: EnvironmentContext, vpcName: string | undefined): Binding {
    if (!vpcName) throw new Error('encryption.logs needs the VPC the key policy reads the account id from (vpcName)');
    return { path: KEY_POLICY_PATH, from: { ...ec2.Vpc.GVK, name: vpcName }, fieldPath: ACCOUNT, template: logsKeyPolicy(ctx.spec.region), required: true };
  }
}
