/**
 * Plays the ACK controllers' part in tests on a cluster where none runs: writes the status an ACK controller would
 * write once the AWS resource exists (conditions, ids, ARNs, kind-specific ready fields), in the region the child's
 * `services.k8s.aws/region` annotation names, as ACK does. Only the fields late bindings, outputs and kind-specific
 * readiness (ack-status.ts) read need to be here; ids are derived from the child's name, so replays agree.
 */
import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import { REGION_ANNOTATION } from '../../../charts/context.js';
import type { KubeClient } from '../../../controllers/runtime/kube-client.js';

type Child = KubernetesObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

const ACCOUNT = '123456789012';
const DEFAULT_REGION = 'us-east-1';

/** What the kind-specific part of a status is built from. */
interface Subject {
  readonly name: string;
  readonly region: string;
  readonly spec: Record<string, unknown>;
  /**
   * `<kind>-<name>`, the base of ids that are prefixed strings (`vpc-...`); past 55 characters cut to 46 and a hash of
   * the whole, so that the ids of long names stay distinct and, prefixed, within the 64 characters the status allows.
   */
  readonly id: string;
  /** An id of `length` lower-case letters and digits, as API Gateway's (`a1b2c3d4e5`); another `salt`, another id. */
  short(length: number, salt?: string): string;
  /** The ACK ARN of kinds that have no better one. */
  readonly arn: string;
}

/** A string field of the child's spec, else `fallback`. */
const specString = (s: Subject, field: string, fallback = s.name): string => (typeof s.spec[field] === 'string' ? (s.spec[field] as string) : fallback);

/** The ARN ACK reports for kinds whose ARN later bindings or outputs read, by `<group>/<kind>`; else {@link Subject.arn}. */
const ARNS: Record<string, (s: Subject) => string> = {
  'dynamodb.services.k8s.aws/Table': (s) => `arn:aws:dynamodb:${s.region}:${ACCOUNT}:table/${specString(s, 'tableName')}`,
  'lambda.services.k8s.aws/Function': (s) => `arn:aws:lambda:${s.region}:${ACCOUNT}:function:${specString(s, 'name')}`,
  // A version ARN: what a function's `layers` takes.
  'lambda.services.k8s.aws/LayerVersion': (s) => `arn:aws:lambda:${s.region}:${ACCOUNT}:layer:${specString(s, 'layerName')}:1`,
  'lambda.services.k8s.aws/Alias': (s) => `arn:aws:lambda:${s.region}:${ACCOUNT}:function:${specString(s, 'functionName')}:${specString(s, 'name')}`,
  'apigatewayv2.services.k8s.aws/API': (s) => `arn:aws:apigateway:${s.region}::/apis/${s.short(10)}`,
  'apigateway.services.k8s.aws/RestAPI': (s) => `arn:aws:apigateway:${s.region}::/restapis/${s.short(10)}`,
  'cloudwatchlogs.services.k8s.aws/LogGroup': (s) => `arn:aws:logs:${s.region}:${ACCOUNT}:log-group:${specString(s, 'name')}`,
  'iam.services.k8s.aws/Role': (s) => `arn:aws:iam::${ACCOUNT}:role/${specString(s, 'name')}`,
  'iam.services.k8s.aws/Policy': (s) => `arn:aws:iam::${ACCOUNT}:policy/${specString(s, 'name')}`,
  'kms.services.k8s.aws/Alias': (s) => `arn:aws:kms:${s.region}:${ACCOUNT}:${specString(s, 'name', `alias/${s.name}`)}`,
};

/** Kind-specific status fields by `<group>/<kind>` (several groups share a kind name: lambda and kms Alias, ...). */
const EXTRA: Record<string, (s: Subject) => Record<string, unknown>> = {
  'ec2.services.k8s.aws/VPC': (s) => ({ vpcID: `vpc-${s.id}` }),
  'ec2.services.k8s.aws/Subnet': (s) => ({ subnetID: `subnet-${s.id}` }),
  'ec2.services.k8s.aws/SecurityGroup': (s) => ({ id: `sg-${s.id}` }),
  'ec2.services.k8s.aws/InternetGateway': (s) => ({ internetGatewayID: `igw-${s.id}` }),
  'ec2.services.k8s.aws/ElasticIPAddress': (s) => ({ allocationID: `eipalloc-${s.id}` }),
  'ec2.services.k8s.aws/NATGateway': (s) => ({ natGatewayID: `nat-${s.id}`, state: 'available' }),
  'ec2.services.k8s.aws/RouteTable': (s) => ({ routeTableID: `rtb-${s.id}` }),
  'ec2.services.k8s.aws/LaunchTemplate': (s) => ({ id: `lt-${s.id}` }),
  // EC2 answers endpoint states in lower case.
  'ec2.services.k8s.aws/VPCEndpoint': (s) => ({ vpcEndpointID: `vpce-${s.short(17)}`, state: 'available', ownerID: ACCOUNT }),
  'rds.services.k8s.aws/DBCluster': (s) => ({
    status: 'available',
    endpoint: `${s.name}.cluster.example`,
    readerEndpoint: `${s.name}.cluster-ro.example`,
    masterUserSecret: { secretARN: `arn:aws:secretsmanager:${s.region}:${ACCOUNT}:secret:rds!cluster-${s.name}-AbCdEf`, secretStatus: 'active' },
  }),
  'rds.services.k8s.aws/DBInstance': (s) => ({ dbInstanceStatus: 'available', endpoint: { address: `${s.name}.instance.example`, port: 3306 } }),
  // Both endpoints: cluster mode reads the configuration endpoint, a single shard its primary's.
  'elasticache.services.k8s.aws/ReplicationGroup': (s) => ({
    status: 'available',
    configurationEndpoint: { address: `${s.name}.cache.example`, port: 6379 },
    nodeGroups: [{ nodeGroupID: '0001', status: 'available', primaryEndpoint: { address: `${s.name}.primary.cache.example`, port: 6379 } }],
  }),
  'kms.services.k8s.aws/Key': (s) => ({ keyID: `key-${s.id}` }),
  'secretsmanager.services.k8s.aws/Secret': (s) => ({ id: s.arn }),
  'cloudfront.services.k8s.aws/OriginAccessControl': (s) => ({ id: `oac-${s.id}` }),
  'cloudfront.services.k8s.aws/Distribution': (s) => ({ id: `dist-${s.id}`, status: 'Deployed', domainName: `${s.id}.cloudfront.net` }),
  'wafv2.services.k8s.aws/WebACL': (s) => ({ id: `waf-${s.id}` }),
  // The application tier.
  'elbv2.services.k8s.aws/LoadBalancer': (s) => ({ dnsName: `${s.name}-1234567890.${s.region}.elb.amazonaws.com`, canonicalHostedZoneID: 'Z35SXDOTRQ7X7K', state: { code: 'active' } }),
  'acm.services.k8s.aws/Certificate': () => ({ status: 'ISSUED' }),
  'ecr.services.k8s.aws/Repository': (s) => ({ repositoryURI: `${ACCOUNT}.dkr.ecr.${s.region}.amazonaws.com/${s.name}` }),
  // The serverless tier.
  'dynamodb.services.k8s.aws/Table': (s) => ({ tableStatus: 'ACTIVE', tableID: uuidOf(s.id) }),
  'lambda.services.k8s.aws/Function': (s) => ({ state: 'Active', lastUpdateStatus: 'Successful', version: '$LATEST', codeSHA256: createHash('sha256').update(s.id).digest('base64'), revisionID: uuidOf(`${s.id}/revision`) }),
  'lambda.services.k8s.aws/LayerVersion': (s) => ({ layerARN: ARNS['lambda.services.k8s.aws/LayerVersion']!(s).replace(/:1$/, ''), versionNumber: 1 }),
  'lambda.services.k8s.aws/Alias': (s) => ({ revisionID: uuidOf(`${s.id}/revision`) }),
  'apigatewayv2.services.k8s.aws/API': (s) => ({ apiID: s.short(10), apiEndpoint: `https://${s.short(10)}.execute-api.${s.region}.amazonaws.com` }),
  'apigatewayv2.services.k8s.aws/Integration': (s) => ({ integrationID: s.short(7) }),
  'apigatewayv2.services.k8s.aws/Route': (s) => ({ routeID: s.short(7) }),
  'apigateway.services.k8s.aws/RestAPI': (s) => ({ id: s.short(10), rootResourceID: s.short(10, 'root') }),
  'apigateway.services.k8s.aws/Resource': (s) => ({ id: s.short(6), path: `/${specString(s, 'pathPart')}` }),
  'apigateway.services.k8s.aws/Deployment': (s) => ({ id: s.short(6) }),
};

/** A UUID-shaped id derived from `seed`. */
function uuidOf(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The API group of an apiVersion (`''` for the core group). */
const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');

/** The status ACK would report for `child` once synced, in the region of its annotation. */
export function syncedStatus(child: Child): Record<string, unknown> {
  const { apiVersion = '', kind = '', metadata } = child;
  const name = metadata?.name ?? '';
  const region = metadata?.annotations?.[REGION_ANNOTATION] ?? DEFAULT_REGION;
  const key = `${groupOf(apiVersion)}/${kind}`;
  const short = (length: number, salt = '') => BigInt(`0x${createHash('sha256').update(`${key}/${region}/${name}/${salt}`).digest('hex')}`).toString(36).slice(0, length);
  const id = `${kind.toLowerCase()}-${name}`;
  const base: Omit<Subject, 'arn'> = { name, region, spec: child.spec ?? {}, id: id.length <= 55 ? id : `${id.slice(0, 46)}-${short(8, 'id')}`, short };
  const subject: Subject = { ...base, arn: `arn:aws:test:${region}:${ACCOUNT}:${kind.toLowerCase()}/${name}` };
  const arn = ARNS[key]?.(subject) ?? subject.arn;
  return {
    ackResourceMetadata: { arn, ownerAccountID: ACCOUNT, region },
    conditions: [
      { type: 'ACK.ResourceSynced', status: 'True', reason: '', message: 'Resource synced successfully' },
      { type: 'Ready', status: 'True', reason: '', message: 'Resource synced successfully' },
    ],
    ...(EXTRA[key]?.({ ...subject, arn }) ?? {}),
  };
}

/**
 * Marks one child synced. A lambda Alias names its function by reference: ACK resolves it to the Function's name,
 * which its ARN contains, and so does this.
 */
export async function markSynced(kube: KubeClient, child: Child): Promise<void> {
  const { apiVersion, kind, metadata } = child;
  const functionRef = (child.spec?.functionRef as { from?: { name?: string } } | undefined)?.from?.name;
  const target = functionRef ? ((await kube.get({ apiVersion: apiVersion!, kind: 'Function', namespace: metadata!.namespace, name: functionRef })) as Child | undefined) : undefined;
  const resolved = typeof target?.spec?.name === 'string' ? { ...child, spec: { ...child.spec, functionName: target.spec.name } } : child;
  await kube.patchStatus({ apiVersion: apiVersion!, kind: kind!, namespace: metadata!.namespace, name: metadata!.name! }, syncedStatus(resolved));
}

/** Marks a child terminally failed, as ACK does on a terminal AWS error. */
export async function markTerminal(kube: KubeClient, child: Child, message: string): Promise<void> {
  const { apiVersion, kind, metadata } = child;
  await kube.patchStatus({ apiVersion: apiVersion!, kind: kind!, namespace: metadata!.namespace, name: metadata!.name! }, {
    conditions: [
      { type: 'ACK.Terminal', status: 'True', reason: 'InvalidParameterCombination', message },
      { type: 'ACK.ResourceSynced', status: 'False', reason: '', message: 'Resource not synced' },
      { type: 'Ready', status: 'False', reason: 'ACK.Terminal', message },
    ],
  });
}
