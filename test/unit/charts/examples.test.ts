/**
 * Whole-chart tests: every example rendered by renderEnvironment, snapshotted, and checked for the invariants that
 * matter to apply/prune (unique deterministic names, labels, namespace, refs that resolve) and against the ACK CRDs.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { renderEnvironment, type RenderedObject } from '../../../charts/index.js';
import { crdErrors, crdTest, ROOT } from '../helpers/ack-schemas.js';
import { example, ofKind } from '../helpers/render-construct.js';

const prefixes = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, 3));
const rendered = new Map(prefixes.map((p) => [p, renderEnvironment(example(p))] as const));
const kindsOf = (objects: readonly RenderedObject[]) => Object.fromEntries([...new Set(objects.map((o) => o.kind))].sort().map((k) => [k, ofKind(objects, k).length]));

/** Every `{from: {name}}` reference inside an object. */
function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, out));
  else if (node && typeof node === 'object') {
    const from = (node as { from?: { name?: unknown } }).from;
    if (from && typeof from.name === 'string') out.push(from.name);
    Object.values(node).forEach((n) => refs(n, out));
  }
  return out;
}

describe.each(prefixes)('example %s', (prefix) => {
  const objects = rendered.get(prefix)!;
  const env = example(prefix);

  it('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  it('renders unique names prefixed by the environment, without a namespace (the example has none), with the common labels', () => {
    const keys = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const o of objects) {
      expect(o.metadata.name.startsWith(`${env.metadata.name}-`)).toBe(true);
      expect(o.metadata.name).not.toMatch(/-c[0-9a-f]{7}$/);
      expect(o.metadata.namespace).toBeUndefined();
      expect(o.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'marketplace-operator', 'marketplace.platform.dev/environment': env.metadata.name });
    }
  });

  it('only references objects it renders (every ACK ref resolves inside the environment)', () => {
    const names = new Set(objects.map((o) => o.metadata.name));
    for (const o of objects) for (const name of refs(o.spec)) expect(names).toContain(name);
  });

  it('renders the same output twice (pure)', () => {
    expect(renderEnvironment(example(prefix))).toEqual(objects);
  });

  it('puts the deletion policy on every data-bearing child', () => {
    const data = objects.filter((o) => ['DBCluster', 'DBInstance', 'ReplicationGroup', 'Bucket', 'Key', 'Secret', 'Repository'].includes(o.kind));
    for (const o of data) expect(o.metadata.annotations['services.k8s.aws/deletion-policy']).toBe(env.spec.deletionPolicy.toLowerCase());
  });

  crdTest(objects)('is valid against the ACK CRDs (closed schemas: unknown fields fail)', () => {
    expect(crdErrors(objects)).toEqual([]);
  });
});

describe('seed figures', () => {
  it('000: 9 subnets, 3 NAT gateways, Aurora MySQL with 3 db.serverless instances, Redis 6 × 1, CDN', () => {
    const o = rendered.get('000')!;
    expect(kindsOf(o)).toEqual({
      Bucket: 1, CacheSubnetGroup: 1, DBCluster: 1, DBInstance: 3, DBSubnetGroup: 1, Distribution: 1, ElasticIPAddress: 3, InternetGateway: 1,
      Key: 1, NATGateway: 3, OriginAccessControl: 1, ReplicationGroup: 1, RouteTable: 9, SecurityGroup: 4, Subnet: 9, VPC: 1,
    });
    expect(ofKind(o, 'DBInstance').map((i) => i.spec?.dbInstanceClass)).toEqual(['db.serverless', 'db.serverless', 'db.serverless']);
    expect(ofKind(o, 'DBCluster')[0]?.spec).toMatchObject({ engine: 'aurora-mysql', serverlessV2ScalingConfiguration: { minCapacity: 0.5, maxCapacity: 2 }, backupRetentionPeriod: 1 });
    expect(ofKind(o, 'ReplicationGroup')[0]?.spec).toMatchObject({ numNodeGroups: 6, replicasPerNodeGroup: 1, atRestEncryptionEnabled: true, transitEncryptionEnabled: true });
  });

  it('001: 3 buckets, a CDN with a behaviour to the solutions bucket and logging, no database', () => {
    const o = rendered.get('001')!;
    expect(kindsOf(o)).toMatchObject({ Bucket: 3, Distribution: 1, OriginAccessControl: 1, Subnet: 4, NATGateway: 1, SecurityGroup: 1 });
    expect(ofKind(o, 'DBCluster')).toHaveLength(0);
    const config = ofKind(o, 'Distribution')[0]?.spec?.distributionConfig as { cacheBehaviors: { items: { pathPattern: string }[] }; logging: { bucket: string } };
    expect(config.cacheBehaviors.items.map((b) => b.pathPattern)).toEqual(['/solutions/*']);
    expect(config.logging.bucket).toBe('marketplace-cdn-logs-dev.s3.amazonaws.com');
  });

  it('002: 2 public + 4 private subnets, 2 NAT gateways, Aurora PostgreSQL 0.5-1 ACU, WAF 2000 per 5 min', () => {
    const o = rendered.get('002')!;
    expect(ofKind(o, 'Subnet').filter((s) => s.spec?.mapPublicIPOnLaunch).length).toBe(2);
    expect(ofKind(o, 'Subnet').length).toBe(6);
    expect(ofKind(o, 'NATGateway').length).toBe(2);
    expect(ofKind(o, 'DBCluster')[0]?.spec).toMatchObject({ engine: 'aurora-postgresql', serverlessV2ScalingConfiguration: { minCapacity: 0.5, maxCapacity: 1 } });
    const rules = ofKind(o, 'WebACL')[0]?.spec?.rules as { statement: { rateBasedStatement?: { limit: number; evaluationWindowSec: number } } }[];
    expect(rules[0]?.statement.rateBasedStatement).toMatchObject({ limit: 2000, evaluationWindowSec: 300 });
    expect(ofKind(o, 'Secret').length).toBe(1);
  });

  it('003: provisioned Aurora MySQL, 1 writer + 2 readers on db.r5.large, KMS bucket with 90-day expiry', () => {
    const o = rendered.get('003')!;
    expect(ofKind(o, 'DBInstance').map((i) => i.spec?.dbInstanceClass)).toEqual(['db.r5.large', 'db.r5.large', 'db.r5.large']);
    expect(JSON.stringify(ofKind(o, 'Bucket')[0]?.spec)).toContain('"expiration":{"days":90}');
    expect(ofKind(o, 'NATGateway').length).toBe(1);
  });

  it('004: single MySQL 8.0 db.t3.micro instance, 30-day backups, no WAF, no CDN, us-east-2', () => {
    const o = rendered.get('004')!;
    expect(ofKind(o, 'DBCluster')).toHaveLength(0);
    expect(ofKind(o, 'DBInstance')[0]?.spec).toMatchObject({ engine: 'mysql', engineVersion: '8.0', dbInstanceClass: 'db.t3.micro', backupRetentionPeriod: 30, multiAZ: false, allocatedStorage: 20 });
    expect(ofKind(o, 'WebACL')).toHaveLength(0);
    expect(ofKind(o, 'Distribution')).toHaveLength(0);
    for (const x of o) expect(x.metadata.annotations['services.k8s.aws/region']).toBe('us-east-2');
  });
});
