/**
 * What moto's own AWS API holds of one environment's network and key, for the fault matrix (test/e2e/faults.test.ts):
 * duplicates (two AWS resources for one rendered child) and orphans (resources left after a Delete environment went).
 * A resource belongs to an environment when it carries the environment's tag (`marketplace.platform.dev/environment` =
 * `<namespace>/<name>`, on every AWS resource the charts render), or sits in one of its VPCs (so an untagged copy
 * inside the network still counts), or is a VPC with its CIDR and no other environment's tag. Read with boto3 in the
 * moto virtualenv, as every e2e check of AWS is: nothing here trusts what ACK reports.
 */
import { ENVIRONMENT_LABEL } from '../../../charts/naming.js';
import { botoScript } from './moto-scripts.js';

/** One AWS resource as moto lists it. */
export interface CensusItem {
  /** The ACK kind it would belong to: VPC, Subnet, SecurityGroup, RouteTable, InternetGateway, NATGateway, ElasticIPAddress, Key. */
  readonly kind: string;
  readonly id: string;
  /** Value of the environment tag, if any. */
  readonly env?: string;
  /** Value of the Name tag, if any. */
  readonly name?: string;
  readonly vpc?: string;
  readonly cidr?: string;
}

/** Lists every non-default EC2 network resource and every live customer KMS key (pending deletion = deleted) with their tags. */
const CENSUS = `
import boto3, json, sys
endpoint, region, op, tag = sys.argv[1:5]
kw = dict(endpoint_url=endpoint, region_name=region, aws_access_key_id='testing', aws_secret_access_key='testing')
ec2, kms = boto3.client('ec2', **kw), boto3.client('kms', **kw)
out = []
def add(kind, id, tags, **extra):
    t = {x.get('Key', x.get('TagKey')): x.get('Value', x.get('TagValue')) for x in (tags or [])}
    out.append(dict(kind=kind, id=id, env=t.get(tag), name=t.get('Name'), **extra))
for v in ec2.describe_vpcs()['Vpcs']:
    if not v.get('IsDefault'):
        add('VPC', v['VpcId'], v.get('Tags'), cidr=v['CidrBlock'])
for s in ec2.describe_subnets()['Subnets']:
    if not s.get('DefaultForAz'):
        add('Subnet', s['SubnetId'], s.get('Tags'), vpc=s['VpcId'], cidr=s['CidrBlock'])
for g in ec2.describe_security_groups()['SecurityGroups']:
    if g['GroupName'] != 'default':
        add('SecurityGroup', g['GroupId'], g.get('Tags'), vpc=g.get('VpcId'))
for r in ec2.describe_route_tables()['RouteTables']:
    if not any(a.get('Main') for a in r.get('Associations', [])):
        add('RouteTable', r['RouteTableId'], r.get('Tags'), vpc=r['VpcId'])
for g in ec2.describe_internet_gateways()['InternetGateways']:
    add('InternetGateway', g['InternetGatewayId'], g.get('Tags'), **({'vpc': g['Attachments'][0]['VpcId']} if g.get('Attachments') else {}))
for n in ec2.describe_nat_gateways()['NatGateways']:
    if n['State'] not in ('deleted', 'deleting'):
        add('NATGateway', n['NatGatewayId'], n.get('Tags'), vpc=n.get('VpcId'))
for a in ec2.describe_addresses()['Addresses']:
    add('ElasticIPAddress', a['AllocationId'], a.get('Tags'))
for k in [k for page in kms.get_paginator('list_keys').paginate() for k in page['Keys']]:
    m = kms.describe_key(KeyId=k['KeyId'])['KeyMetadata']
    if m.get('KeyManager') == 'AWS' or m['KeyState'] in ('PendingDeletion', 'PendingReplicaDeletion'):
        continue
    add('Key', k['KeyId'], kms.list_resource_tags(KeyId=k['KeyId']).get('Tags'))
print(json.dumps(out))
`;

/** Every resource of the census kinds in `region`. */
export async function motoCensus(endpoint: string, region = 'us-east-1'): Promise<CensusItem[]> {
  return botoScript(CENSUS, endpoint, region, 120_000)<CensusItem[]>('census', ENVIRONMENT_LABEL);
}

/** The environment a census is taken of. */
export interface CensusEnvironment {
  readonly namespace: string;
  readonly name: string;
  readonly vpcCIDR: string;
  /** AWS ids ACK recorded in the children's status (found even if a tag were missing). */
  readonly ids?: readonly string[];
}

/** The resources of `env` in `items` (see the module comment). */
export function resourcesOf(items: readonly CensusItem[], env: CensusEnvironment): CensusItem[] {
  const tag = `${env.namespace}/${env.name}`;
  const ids = new Set(env.ids ?? []);
  const vpcs = new Set(items.filter((i) => i.kind === 'VPC' && (i.env === tag || (i.env === undefined && i.cidr === env.vpcCIDR) || ids.has(i.id))).map((i) => i.id));
  return items.filter((i) => i.env === tag || ids.has(i.id) || (i.kind === 'VPC' ? vpcs.has(i.id) : i.vpc !== undefined && vpcs.has(i.vpc)));
}

/** Resources by kind. */
export function countByKind(items: readonly CensusItem[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[i.kind] = (out[i.kind] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** `<kind> <Name tag>` held by more than one resource (an untagged resource has the name `(untagged)`), with their ids. */
export function duplicates(items: readonly CensusItem[]): Record<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const i of items) {
    const key = `${i.kind} ${i.name ?? '(untagged)'}`;
    byName.set(key, [...(byName.get(key) ?? []), i.id]);
  }
  return Object.fromEntries([...byName].filter(([, ids]) => ids.length > 1));
}
