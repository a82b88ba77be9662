/**
 * The grants of the application tier's roles, derived from the spec (least privilege: every statement names the exact
 * resources the spec makes the application use; `*` only where AWS offers nothing narrower).
 *
 * - Task execution role (ECS pulls the image, writes the logs and injects the secrets with it): ecr:GetAuthorizationToken
 *   (account-wide by AWS's design) and pull from the environment's repository, when an image comes from it; write the
 *   streams of the environment's log group; read exactly the secrets the container references, and decrypt them with
 *   the environment key through Secrets Manager only.
 * - Task role (the application's own calls): read, write and list the buckets the environment variables name (and use
 *   the environment key through S3 for KMS-encrypted ones). No variable naming a bucket, no task role.
 * - Instance role: write the streams of the environment's log group (plus AWS's AmazonSSMManagedInstanceCore, attached
 *   by ARN, so instances can be reached through Session Manager instead of SSH).
 *
 * Late values (iam.ts): ARNs ACK reports, or the account id where the ARN is built from a name we render. Application
 * secrets are named as `<name>-??????`: Secrets Manager appends six random characters to a secret's name, and naming
 * them keeps one policy for any number of secrets (a role takes 10 managed policies by default).
 */
import type { ContainersSpec, ImageSpec } from '../../api/index.js';
import * as cloudwatchlogs from '../../imports/cloudwatchlogs.services.k8s.aws.js';
import * as ecr from '../../imports/ecr.services.k8s.aws.js';
import * as kms from '../../imports/kms.services.k8s.aws.js';
import * as rds from '../../imports/rds.services.k8s.aws.js';
import * as secretsmanager from '../../imports/secretsmanager.services.k8s.aws.js';
import type { EnvironmentContext } from '../context.js';
import { AppLogGroup } from './app-log-group.js';
import { AppSecrets } from './app-secrets.js';
import { Database, isAurora } from './database.js';
import { LATE, partition, type Grant, type LateValue } from './iam.js';
import { Registry } from './registry.js';

/** Where ACK reports a resource's ARN. */
export const ARN = 'status.ackResourceMetadata.arn';
/** Where ACK reports the account a resource was created in. */
export const ACCOUNT = 'status.ackResourceMetadata.ownerAccountID';
/** AWS-managed policy letting Systems Manager (Session Manager, patching) manage an instance. */
export const SSM_MANAGED_POLICY = 'AmazonSSMManagedInstanceCore';

/** The images of the containers: the image, and the green one with blueGreen. */
export function imagesOf(containers: ContainersSpec): ImageSpec[] {
  const green = containers.blueGreen?.greenImage;
  return green ? [containers.image, green] : [containers.image];
}

/** Short names of the buckets the environment variables name (fromOutput bucketName), in spec order, once each. */
export function namedBuckets(containers: ContainersSpec): string[] {
  return [...new Set(containers.environment.flatMap((e) => (e.fromOutput === 'bucketName' && e.bucket ? [e.bucket] : [])))];
}

/** Short names of the spec.secrets entries the container secrets reference, in spec order, once each. */
export function referencedSecrets(containers: ContainersSpec): string[] {
  return [...new Set(containers.secrets.flatMap((s) => (s.fromSecret ? [s.fromSecret] : [])))];
}

/** The environment KMS key's ARN as a late value. */
function keyArn(kmsKeyName: string): LateValue {
  return { from: { ...kms.Key.GVK, name: kmsKeyName }, fieldPath: ARN };
}

/** ARN pattern of the streams of the environment's log group, in the account the late value supplies. */
function logStreamsArn(ctx: EnvironmentContext): string {
  return `arn:${partition(ctx.spec.region)}:logs:${ctx.spec.region}:${LATE}:log-group:${AppLogGroup.awsName(ctx)}:*`;
}

/** The account id, as reported on the environment's log group. */
function logGroupAccount(ctx: EnvironmentContext): LateValue {
  return { from: { ...cloudwatchlogs.LogGroup.GVK, name: AppLogGroup.resourceName(ctx) }, fieldPath: ACCOUNT };
}

/** Grants of the ECS task execution role. */
export function executionRoleGrants(ctx: EnvironmentContext, containers: ContainersSpec, kmsKeyName: string): Grant[] {
  const { region } = ctx.spec;
  const grants: Grant[] = [];
  if (imagesOf(containers).some((image) => image.repository === 'environment')) {
    grants.push({
      name: 'pull',
      description: 'pull images from the environment repository',
      statements: [
        // AWS offers no narrower resource for the registry login.
        { Sid: 'RegistryLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        { Sid: 'PullImages', Effect: 'Allow', Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: LATE },
      ],
      value: { from: { ...ecr.Repository.GVK, name: Registry.resourceName(ctx) }, fieldPath: ARN },
    });
  }
  grants.push({
    name: 'logs',
    description: 'write the container logs',
    statements: [{ Sid: 'WriteLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: logStreamsArn(ctx) }],
    value: logGroupAccount(ctx),
  });
  const secrets = referencedSecrets(containers);
  if (secrets.length > 0) {
    grants.push({
      name: 'secrets',
      description: 'read the application secrets the container references',
      statements: [
        {
          Sid: 'ReadSecrets',
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: secrets.map((s) => `arn:${partition(region)}:secretsmanager:${region}:${LATE}:secret:${AppSecrets.awsName(ctx, s)}-??????`),
        },
      ],
      value: { from: { ...secretsmanager.Secret.GVK, name: AppSecrets.resourceName(ctx, secrets[0]!) }, fieldPath: ACCOUNT },
    });
  }
  const database = ctx.spec.database;
  const readsDatabaseSecret = containers.secrets.some((s) => s.fromDatabaseCredentials);
  if (database && readsDatabaseSecret) {
    const gvk = isAurora(database.engine) ? rds.DbCluster.GVK : rds.DbInstance.GVK;
    grants.push({
      name: 'db-credentials',
      description: 'read the database master user secret RDS manages',
      statements: [{ Sid: 'ReadDatabaseSecret', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: LATE }],
      value: { from: { ...gvk, name: Database.primaryName(ctx) }, fieldPath: 'status.masterUserSecret.secretARN' },
    });
  }
  if (secrets.length > 0 || readsDatabaseSecret) {
    grants.push({
      name: 'kms',
      description: 'decrypt the secrets with the environment key, through Secrets Manager only',
      statements: [
        { Sid: 'DecryptSecrets', Effect: 'Allow', Action: 'kms:Decrypt', Resource: LATE, Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } } },
      ],
      value: keyArn(kmsKeyName),
    });
  }
  return grants;
}

/** Grants of the ECS task role (none when no environment variable names a bucket). */
export function taskRoleGrants(ctx: EnvironmentContext, containers: ContainersSpec, kmsKeyName: string): Grant[] {
  const buckets = namedBuckets(containers);
  if (buckets.length === 0) return [];
  const { region } = ctx.spec;
  const arns = buckets.map((b) => `arn:${partition(region)}:s3:::${ctx.names.bucketAwsName(b)}`);
  const grants: Grant[] = [
    {
      name: 'buckets',
      description: 'read, write and list the buckets the environment variables name',
      statements: [
        { Sid: 'ListBuckets', Effect: 'Allow', Action: 's3:ListBucket', Resource: arns },
        { Sid: 'ReadWriteObjects', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: arns.map((arn) => `${arn}/*`) },
      ],
    },
  ];
  const kmsBuckets = ctx.spec.storage?.buckets.filter((b) => buckets.includes(b.name) && b.encryption === 'KMS') ?? [];
  if (kmsBuckets.length > 0) {
    grants.push({
      name: 'kms',
      description: 'use the environment key for the KMS-encrypted buckets, through S3 only',
      statements: [
        {
          Sid: 'UseBucketKey',
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: LATE,
          Condition: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
        },
      ],
      value: keyArn(kmsKeyName),
    });
  }
  return grants;
}

/** Grants of the EC2 instance role. */
export function instanceRoleGrants(ctx: EnvironmentContext): Grant[] {
  return [
    {
      name: 'logs',
      description: 'write the instance logs',
      statements: [{ Sid: 'WriteLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'], Resource: logStreamsArn(ctx) }],
      value: logGroupAccount(ctx),
    },
  ];
}

/** ARN of an AWS-managed policy in the environment's partition. */
export function awsManagedPolicy(ctx: EnvironmentContext, name: string): string {
  return `arn:${partition(ctx.spec.region)}:iam::aws:policy/${name}`;
}
