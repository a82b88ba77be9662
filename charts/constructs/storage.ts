/**
 * Storage: one S3 bucket per `spec.storage.buckets` entry. Public access is always blocked, ACLs are off except on
 * logs buckets (CloudFront standard logging writes with ACLs), and every bucket policy denies requests without TLS.
 *
 * Two values come through late bindings (bindings.ts), because the S3 CRD has no reference fields for them:
 * - KMS buckets: the key ARN (`kmsMasterKeyID`) from the kms Key, required (the bucket waits for the key).
 * - Buckets the CDN serves: the whole `policy`, a template holding the TLS deny and the CloudFront read grant
 *   conditioned on the Distribution ARN. Not required: the bucket is created first (the Distribution needs its
 *   name, not the bucket itself) with the TLS-only policy, which the controller replaces once the Distribution
 *   has an ARN (a binding that is not required leaves the rendered value in place until it resolves).
 *   Buckets the CDN does not serve keep the TLS-only policy.
 * - The bucket the load balancer writes its access logs to (spec.loadBalancer.accessLogs): the whole `policy` too,
 *   the TLS deny plus the write grant of Elastic Load Balancing's log delivery (elb-log-delivery.ts), which names
 *   the account id. Required, from the VPC's `status.ackResourceMetadata.ownerAccountID`: the bucket is created with
 *   its final policy, because ELB refuses to switch logging on (ACK marks that terminal) while it may not write.
 *   The API keeps this bucket off the CDN and off KMS, so no other binding sets its policy.
 */
import { Construct } from 'constructs';
import type { BucketSpec, StorageSpec } from '../../api/index.js';
import * as cloudfront from '../../imports/cloudfront.services.k8s.aws.js';
import * as kms from '../../imports/kms.services.k8s.aws.js';
import * as s3 from '../../imports/s3.services.k8s.aws.js';
import * as ec2 from '../../imports/ec2.services.k8s.aws.js';
import { VALUE_PLACEHOLDER, type Binding } from '../bindings.js';
import type { EnvironmentContext } from '../context.js';
import { allowElbLogDelivery } from './elb-log-delivery.js';
import { ACCOUNT } from './iam-grants.js';

/** Props of {@link Storage}. */
export interface StorageProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** `spec.storage`. */
  readonly spec: StorageSpec;
  /** Kubernetes name of the environment's kms Key (KMS-encrypted buckets). */
  readonly kmsKeyName: string;
  /**
   * Kubernetes name of the VPC, whose account id the log-delivery grant of the load balancer's access-log bucket names.
   * @default none: needed only with spec.loadBalancer.accessLogs
   */
  readonly vpcName?: string;
}

/** Short names of the buckets the CDN reads from (origin bucket and behaviour buckets). */
export function cdnBucketNames(ctx: EnvironmentContext): Set<string> {
  const cdn = ctx.spec.cdn;
  return new Set(cdn ? [cdn.originBucket, ...cdn.behaviors.map((b) => b.bucket)] : []);
}

/** Pointer of the KMS key ARN in a Bucket. */
export const KMS_KEY_PATH = '/spec/encryption/rules/0/applyServerSideEncryptionByDefault/kmsMasterKeyID';
/** Pointer of the bucket policy in a Bucket. */
export const POLICY_PATH = '/spec/policy';

type Statement = Record<string, unknown>;

/** Deny every request to the bucket or its objects that does not use TLS. */
function denyInsecureTransport(arn: string): Statement {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [arn, `${arn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

/** Let CloudFront (through Origin Access Control) read objects, for one distribution only. */
function allowCloudFrontRead(arn: string, distributionArn: string): Statement {
  return {
    Sid: 'AllowCloudFrontServicePrincipalReadOnly',
    Effect: 'Allow',
    Principal: { Service: 'cloudfront.amazonaws.com' },
    Action: 's3:GetObject',
    Resource: `${arn}/*`,
    Condition: { StringEquals: { 'AWS:SourceArn': distributionArn } },
  };
}

/** JSON with object keys sorted at every level, so the same policy always renders to the same string. */
export function stableJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(value));
}

/** Bucket policy document with `statements`. */
function policy(statements: Statement[]): string {
  return stableJson({ Version: '2012-10-17', Statement: statements });
}

/** The S3 buckets of an environment. */
export class Storage extends Construct {
  private readonly ctx: EnvironmentContext;

  constructor(scope: Construct, id: string, private readonly props: StorageProps) {
    super(scope, id);
    this.ctx = props.ctx;
    const served = cdnBucketNames(this.ctx);
    props.spec.buckets.forEach((bucket, i) => this.renderBucket(bucket, i, served.has(bucket.name)));
  }

  /** Renders `bucket`, the `index`th of the spec (its place in the outputs). */
  private renderBucket(bucket: BucketSpec, index: number, servedByCdn: boolean): void {
    const { ctx } = this;
    const { names, spec } = ctx;
    const awsName = names.bucketAwsName(bucket.name);
    const arn = `arn:aws:s3:::${awsName}`;
    const bindings: Binding[] = [];
    const kmsEncrypted = bucket.encryption === 'KMS';
    if (kmsEncrypted) {
      bindings.push({
        path: KMS_KEY_PATH,
        from: { ...kms.Key.GVK, name: this.props.kmsKeyName },
        fieldPath: 'status.ackResourceMetadata.arn',
        required: true,
      });
    }
    const accessLogs = ctx.spec.loadBalancer?.accessLogs;
    if (accessLogs?.bucket === bucket.name) {
      bindings.push({
        path: POLICY_PATH,
        from: { ...ec2.Vpc.GVK, name: this.requiredVpcName() },
        fieldPath: ACCOUNT,
        template: policy([denyInsecureTransport(arn), allowElbLogDelivery(arn, spec.region, VALUE_PLACEHOLDER, accessLogs.prefix)]),
        required: true,
      });
    }
    if (servedByCdn) {
      bindings.push({
        path: POLICY_PATH,
        from: { ...cloudfront.Distribution.GVK, name: names.distribution() },
        fieldPath: 'status.ackResourceMetadata.arn',
        template: policy([denyInsecureTransport(arn), allowCloudFrontRead(arn, VALUE_PLACEHOLDER)]),
        required: false,
      });
    }
    const lifecycleRules: s3.BucketSpecLifecycleRules[] = [];
    if (bucket.expirationDays !== undefined) {
      lifecycleRules.push({ id: 'expire-objects', status: 'Enabled', filter: { prefix: '' }, expiration: { days: bucket.expirationDays } });
    }
    if (bucket.noncurrentVersionExpirationDays !== undefined) {
      lifecycleRules.push({
        id: 'expire-noncurrent-versions',
        status: 'Enabled',
        filter: { prefix: '' },
        noncurrentVersionExpiration: { noncurrentDays: bucket.noncurrentVersionExpirationDays },
      });
    }
    new s3.Bucket(this, bucket.name, {
      metadata: ctx.metadata('storage', names.bucket(bucket.name), {
        dataBearing: true,
        bindings,
        outputs: [
          { output: `/buckets/${index}/name`, value: bucket.name },
          { output: `/buckets/${index}/bucketName`, fieldPath: 'spec.name' },
          { output: `/buckets/${index}/arn`, fieldPath: 'status.ackResourceMetadata.arn' },
        ],
      }),
      spec: {
        name: awsName,
        ...(spec.region !== 'us-east-1' ? { createBucketConfiguration: { locationConstraint: spec.region } } : {}),
        publicAccessBlock: { blockPublicAcLs: true, ignorePublicAcLs: true, blockPublicPolicy: true, restrictPublicBuckets: true },
        // CloudFront standard logging delivers with an ACL grant, which BucketOwnerEnforced (ACLs off) rejects.
        ownershipControls: { rules: [{ objectOwnership: bucket.purpose === 'logs' ? 'BucketOwnerPreferred' : 'BucketOwnerEnforced' }] },
        ...(bucket.versioning ? { versioning: { status: 'Enabled' } } : {}),
        ...(lifecycleRules.length > 0 ? { lifecycle: { rules: lifecycleRules } } : {}),
        encryption: {
          rules: [
            kmsEncrypted
              ? { applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' }, bucketKeyEnabled: true }
              : { applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } },
          ],
        },
        // For a CDN-served bucket this TLS-only policy stands until its binding resolves (required: false keeps the
        // rendered value), then the binding replaces it with TLS deny + the CloudFront read grant. The access-log
        // bucket's binding is required: it is only ever applied with its complete policy.
        policy: policy([denyInsecureTransport(arn)]),
        tagging: { tagSet: names.tags(awsName) },
      },
    });
  }

  /** The VPC's name; the chart passes it whenever the load balancer logs to a bucket. */
  private requiredVpcName(): string {
    if (!this.props.vpcName) throw new Error('loadBalancer.accessLogs needs the VPC the bucket policy reads the account id from (vpcName)');
    return this.props.vpcName;
  }
}
