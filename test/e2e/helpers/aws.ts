/** Reads the emulated AWS through its API (boto3 in the moto virtualenv), and maps ACK children to AWS ids. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MOTO_INVENTORY_SCRIPT, MOTO_PYTHON } from '../../../localcluster/aws-emulator.js';
import { REPO_ROOT } from '../../../localcluster/paths.js';
import type { Child } from './children.js';

/** One region of {@link AwsSnapshot}. */
export interface RegionSnapshot {
  vpcs: { id: string; cidr: string }[];
  subnets: { id: string; vpc: string; cidr: string; az: string }[];
  /** Ingress rules as `<protocol> <from>-<to> <CIDR or group id>`, sorted. */
  securityGroups: { id: string; vpc: string; name: string; ingress: string[] }[];
  /** Route tables of our VPCs (main tables left out): associated subnets, routes as destination (CIDR or prefix list) → target. */
  routeTables: { id: string; vpc: string; subnets: string[]; routes: { destination?: string; target?: string }[] }[];
  /** AWS-managed prefix lists, name (`com.amazonaws.<region>.s3`) → id. */
  prefixLists: Record<string, string>;
  /** VPC endpoints of our VPCs, deleted ones included (state `deleted`). */
  vpcEndpoints: {
    id: string;
    vpc: string;
    type: string;
    serviceName: string;
    state: string;
    routeTables: string[];
    subnets: string[];
    securityGroups: string[];
    privateDNSEnabled?: boolean;
  }[];
  dbClusters: { id: string; endpoint?: string; readerEndpoint?: string; port?: number; status?: string; masterUserSecretARN?: string }[];
  dbInstances: { id: string; cluster?: string; address?: string; port?: number; status?: string; masterUserSecretARN?: string }[];
  replicationGroups: { id: string; status?: string; configurationEndpoint?: string; primaryEndpoint?: string }[];
  secrets: { name: string; arn: string; deleted: boolean }[];
  keys: { id: string; arn: string; state: string }[];
  /** Customer aliases (`alias/aws/*` left out). */
  aliases: { name: string; arn: string; targetKeyID?: string }[];
  loadBalancers: { arn: string; name: string; dnsName?: string; canonicalHostedZoneID?: string }[];
  targetGroups: { arn: string; name: string }[];
  repositories: { name: string; arn: string; uri: string }[];
}

/** What test/e2e/aws_snapshot.py reports. */
export interface AwsSnapshot {
  regions: Record<string, RegionSnapshot>;
  buckets: { name: string; sseAlgorithm?: string; kmsKeyID?: string }[];
}

/** Describes the resources of `regions` through moto's AWS API. */
export async function awsSnapshot(endpoint: string, regions: readonly string[]): Promise<AwsSnapshot> {
  const script = join(REPO_ROOT, 'test', 'e2e', 'aws_snapshot.py');
  const { stdout } = await promisify(execFile)(MOTO_PYTHON, [script, endpoint, ...regions], { timeout: 120_000, maxBuffer: 32 << 20 });
  return JSON.parse(stdout) as AwsSnapshot;
}

/** moto's facts about the application-tier resources (`inventory.py --details`): `<service> <Kind>` → AWS id → facts. */
export type AwsDetails = Record<string, Record<string, Record<string, unknown>>>;

/** `localcluster/moto/inventory.py --details` over `regions` (IAM, being global, is listed once). */
export async function awsDetails(endpoint: string, regions: readonly string[]): Promise<AwsDetails> {
  const { stdout } = await promisify(execFile)(MOTO_PYTHON, [MOTO_INVENTORY_SCRIPT, '--details', endpoint, ...regions], { timeout: 120_000, maxBuffer: 32 << 20 });
  return JSON.parse(stdout) as AwsDetails;
}

/** How a child is found in the inventory: its key, and a test of the ids listed there. */
export interface AwsMatch {
  /** Key of `localcluster/moto/inventory.py`: `<service> <Kind>`. */
  key: string;
  /** The id (or name) the child is known by in AWS. */
  id: string;
  matches(listed: string): boolean;
}

/**
 * How to find a child in `localcluster/moto/inventory.py`'s listing, from what ACK wrote (status ids) or from the spec
 * (names AWS is addressed by). Undefined when the child has no AWS id (yet), or is of a kind the inventory does not list.
 */
export function awsIdOf(child: Child): AwsMatch | undefined {
  const service = child.apiVersion?.split('.')[0] ?? '';
  const s = child.status ?? {};
  const spec = child.spec ?? {};
  const byKind: Record<string, unknown> = {
    VPC: s.vpcID,
    Subnet: s.subnetID,
    SecurityGroup: s.id,
    InternetGateway: s.internetGatewayID,
    ElasticIPAddress: s.allocationID,
    NATGateway: s.natGatewayID,
    RouteTable: s.routeTableID,
    DBSubnetGroup: spec.name,
    DBCluster: spec.dbClusterIdentifier,
    DBInstance: spec.dbInstanceIdentifier,
    DBProxy: spec.name,
    UserPool: s.id,
    CacheSubnetGroup: spec.cacheSubnetGroupName,
    ReplicationGroup: spec.replicationGroupID,
    Bucket: spec.name,
    Secret: spec.name,
    Key: s.keyID,
    VPCEndpoint: s.vpcEndpointID,
    Alias: spec.name,
    Topic: s.ackResourceMetadata?.arn,
    Subscription: s.ackResourceMetadata?.arn,
    LoadBalancer: s.ackResourceMetadata?.arn,
    TargetGroup: s.ackResourceMetadata?.arn,
    Listener: s.ackResourceMetadata?.arn,
    Rule: s.ackResourceMetadata?.arn,
    Policy: s.ackResourceMetadata?.arn,
    Role: spec.name,
    InstanceProfile: spec.name,
    Repository: spec.name,
    LaunchTemplate: s.id,
  };
  const id = byKind[child.kind ?? ''];
  // RDS identifiers are stored lower case.
  return typeof id === 'string' && id !== '' ? { key: `${service} ${child.kind}`, id, matches: (listed) => listed.toLowerCase() === id.toLowerCase() } : undefined;
}

/** How many ids `inventory` (awsInventory) lists for `aws`. */
export function countInInventory(inventory: Record<string, string[]>, aws: AwsMatch): number {
  return (inventory[aws.key] ?? []).filter(aws.matches).length;
}
