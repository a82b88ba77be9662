/**
 * The grants of a function's role, derived from its `access` and placement only (least privilege: every statement
 * names the exact resources; `*` only where AWS offers nothing narrower). A variable naming a table or a bucket
 * grants nothing: only `access` does.
 *
 * - `tables`: per table the actions asked for, on the table and its indexes (`<table ARN>` and `<table ARN>/index/*`).
 * - `buckets`: read lists the bucket and gets objects; write puts and deletes objects.
 * - `kms`: the environment key, through S3 for the KMS-encrypted buckets and through DynamoDB for the tables encrypted
 *   with it; decrypt to read, generate data keys to write.
 * - `logs`: create streams and put events in the function's own log group and in the central one (spec.logGroup).
 * - `vpc`: the network interfaces Lambda manages for a function in the VPC.
 *
 * Table ARNs are built from the table names we render and the account id, one late value for any number of tables
 * (iam.ts: one late value per grant): a grant per table, each with its table's ARN, would reach IAM's default quota of
 * 10 managed policies per role with a function using a handful of tables (access allows 20).
 *
 * No ECR grant for a function running an image of the environment's repository: Lambda pulls it with the repository
 * policy (principal lambda.amazonaws.com), which Lambda adds itself when the function is created, never with the
 * function's role.
 */
import type { FunctionSpec } from '../../api/index.js';
import * as cloudwatchlogs from '../../imports/cloudwatchlogs.services.k8s.aws.js';
import * as kms from '../../imports/kms.services.k8s.aws.js';
import type { EnvironmentContext } from '../context.js';
import { ACCOUNT, ARN } from './iam-grants.js';
import { LATE, partition, type Grant, type LateValue, type Statement } from './iam.js';
import { Tables } from './tables.js';

/** DynamoDB actions of `read` access (on the table and its indexes). */
export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'];
/** DynamoDB actions of `write` access. */
export const TABLE_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:DescribeTable'];
/** EC2 actions Lambda needs to attach a function to the VPC (what AWSLambdaVPCAccessExecutionRole grants). */
export const VPC_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

/** What the grants of one function need besides its spec. */
export interface FunctionGrantOptions {
  /** Kubernetes name of the environment's kms Key. */
  readonly kmsKeyName: string;
  /** CloudWatch Logs name of the function's own log group (`/aws/lambda/<Lambda name>`). */
  readonly logGroupAwsName: string;
  /** Kubernetes name of the function's own LogGroup (the account id is read from it). */
  readonly logGroupResourceName: string;
}

type AccessActions = FunctionSpec['access']['tables'][number]['actions'];
const reads = (a: AccessActions) => a !== 'write';
const writes = (a: AccessActions) => a !== 'read';

/** The grants of the role of function `fn`, in a fixed order (tables, buckets, kms, logs, vpc); empty ones left out. */
export function functionGrants(ctx: EnvironmentContext, fn: FunctionSpec, options: FunctionGrantOptions): Grant[] {
  const account: LateValue = { from: { ...cloudwatchlogs.LogGroup.GVK, name: options.logGroupResourceName }, fieldPath: ACCOUNT };
  return [tablesGrant(ctx, fn, account), bucketsGrant(ctx, fn), kmsGrant(ctx, fn, options.kmsKeyName), logsGrant(ctx, fn, options, account), vpcGrant(fn)].filter(
    (g): g is Grant => g !== undefined,
  );
}

/** One statement per action set, on the tables and indexes of the entries `which` selects (none when there are none). */
function tableStatement(ctx: EnvironmentContext, fn: FunctionSpec, sid: string, actions: string[], which: (a: AccessActions) => boolean): Statement[] {
  const { region } = ctx.spec;
  const tables = fn.access.tables.filter((t) => which(t.actions));
  if (tables.length === 0) return [];
  const arns = tables.map((t) => `arn:${partition(region)}:dynamodb:${region}:${LATE}:table/${Tables.awsName(ctx, t.table)}`);
  return [{ Sid: sid, Effect: 'Allow', Action: actions, Resource: arns.flatMap((arn) => [arn, `${arn}/index/*`]) }];
}

function tablesGrant(ctx: EnvironmentContext, fn: FunctionSpec, account: LateValue): Grant | undefined {
  if (fn.access.tables.length === 0) return undefined;
  return {
    name: 'tables',
    description: `function ${fn.name}: the tables (and indexes) it names, with the actions it names`,
    statements: [...tableStatement(ctx, fn, 'ReadTables', TABLE_READ_ACTIONS, reads), ...tableStatement(ctx, fn, 'WriteTables', TABLE_WRITE_ACTIONS, writes)],
    value: account,
  };
}

function bucketsGrant(ctx: EnvironmentContext, fn: FunctionSpec): Grant | undefined {
  const { buckets } = fn.access;
  if (buckets.length === 0) return undefined;
  const arn = (bucket: string) => `arn:${partition(ctx.spec.region)}:s3:::${ctx.names.bucketAwsName(bucket)}`;
  const read = buckets.filter((b) => reads(b.actions)).map((b) => arn(b.bucket));
  const write = buckets.filter((b) => writes(b.actions)).map((b) => arn(b.bucket));
  const statements: Statement[] = [];
  if (read.length > 0) {
    statements.push({ Sid: 'ListBuckets', Effect: 'Allow', Action: 's3:ListBucket', Resource: read });
    statements.push({ Sid: 'ReadObjects', Effect: 'Allow', Action: 's3:GetObject', Resource: read.map((a) => `${a}/*`) });
  }
  if (write.length > 0) statements.push({ Sid: 'WriteObjects', Effect: 'Allow', Action: ['s3:PutObject', 's3:DeleteObject'], Resource: write.map((a) => `${a}/*`) });
  return { name: 'buckets', description: `function ${fn.name}: the buckets it names, with the actions it names`, statements };
}

/** Use of the environment key through `service` for the given access entries: decrypt, and generate data keys to write. */
function keyStatement(ctx: EnvironmentContext, sid: string, service: string, actions: readonly AccessActions[]): Statement[] {
  if (actions.length === 0) return [];
  return [
    {
      Sid: sid,
      Effect: 'Allow',
      Action: actions.some(writes) ? ['kms:Decrypt', 'kms:GenerateDataKey'] : 'kms:Decrypt',
      Resource: LATE,
      Condition: { StringEquals: { 'kms:ViaService': `${service}.${ctx.spec.region}.amazonaws.com` } },
    },
  ];
}

function kmsGrant(ctx: EnvironmentContext, fn: FunctionSpec, kmsKeyName: string): Grant | undefined {
  const kmsBuckets = new Set(ctx.spec.storage?.buckets.filter((b) => b.encryption === 'KMS').map((b) => b.name));
  const keyTables = new Set(ctx.spec.tables.filter((t) => t.encryption === 'EnvironmentKey').map((t) => t.name));
  const statements = [
    ...keyStatement(ctx, 'UseBucketKey', 's3', fn.access.buckets.filter((b) => kmsBuckets.has(b.bucket)).map((b) => b.actions)),
    ...keyStatement(ctx, 'UseTableKey', 'dynamodb', fn.access.tables.filter((t) => keyTables.has(t.table)).map((t) => t.actions)),
  ];
  if (statements.length === 0) return undefined;
  return {
    name: 'kms',
    description: `function ${fn.name}: the environment key, through S3 and DynamoDB only`,
    statements,
    value: { from: { ...kms.Key.GVK, name: kmsKeyName }, fieldPath: ARN },
  };
}

function logsGrant(ctx: EnvironmentContext, fn: FunctionSpec, options: FunctionGrantOptions, account: LateValue): Grant {
  const { region } = ctx.spec;
  const streams = (group: string) => `arn:${partition(region)}:logs:${region}:${LATE}:log-group:${group}:*`;
  const groups = [options.logGroupAwsName, ...(ctx.spec.logGroup ? [ctx.spec.logGroup.name] : [])];
  return {
    name: 'logs',
    description: `function ${fn.name}: write its logs`,
    statements: [{ Sid: 'WriteLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: groups.map(streams) }],
    value: account,
  };
}

function vpcGrant(fn: FunctionSpec): Grant | undefined {
  if (!fn.vpc) return undefined;
  return {
    name: 'vpc',
    description: `function ${fn.name}: manage its network interfaces in the VPC`,
    // `*`: AWS offers nothing narrower. DescribeNetworkInterfaces takes no resource, and Lambda creates, re-addresses
    // and deletes interfaces whose ids nobody knows in advance (AWS's own AWSLambdaVPCAccessExecutionRole does the same).
    statements: [{ Sid: 'ManageNetworkInterfaces', Effect: 'Allow', Action: VPC_ACTIONS, Resource: '*' }],
  };
}
