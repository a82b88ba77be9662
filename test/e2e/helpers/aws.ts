/** Reads the emulated AWS through its API (boto3 in the moto virtualenv), and maps ACK children to AWS ids. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MOTO_PYTHON } from '../../../localcluster/aws-emulator.js';
import { REPO_ROOT } from '../../../localcluster/paths.js';
import type { Child } from './children.js';

/** One region of {@link AwsSnapshot}. */
export interface RegionSnapshot {
  vpcs: { id: string; cidr: string }[];
  subnets: { id: string; vpc: string; cidr: string; az: string }[];
  securityGroups: { id: string; vpc: string; name: string }[];
  dbClusters: { id: string; endpoint?: string; readerEndpoint?: string; port?: number; status?: string; masterUserSecretARN?: string }[];
  dbInstances: { id: string; cluster?: string; address?: string; port?: number; status?: string; masterUserSecretARN?: string }[];
  replicationGroups: { id: string; status?: string; configurationEndpoint?: string; primaryEndpoint?: string }[];
  secrets: { name: string; arn: string; deleted: boolean }[];
  keys: { id: string; arn: string; state: string }[];
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

/**
 * Key of `localcluster/moto/inventory.py` (`<service> <Kind>`) and the AWS id it lists for a child, read from what
 * ACK wrote (status ids) or from the spec (names AWS is addressed by). Undefined when the child has no AWS resource yet.
 */
export function awsIdOf(child: Child): { key: string; id: string } | undefined {
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
    CacheSubnetGroup: spec.cacheSubnetGroupName,
    ReplicationGroup: spec.replicationGroupID,
    Bucket: spec.name,
    Secret: spec.name,
    Key: s.keyID,
  };
  const id = byKind[child.kind ?? ''];
  return typeof id === 'string' && id !== '' ? { key: `${service} ${child.kind}`, id } : undefined;
}

/** Whether `inventory` (awsInventory) lists `id` under `key`; RDS identifiers are stored lower case. */
export function inInventory(inventory: Record<string, string[]>, key: string, id: string): boolean {
  return (inventory[key] ?? []).some((live) => live.toLowerCase() === id.toLowerCase());
}
