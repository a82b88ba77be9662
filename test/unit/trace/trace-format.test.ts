// The pure part of `npm run trace` (cli/trace-format.ts) on recorded objects in test/unit/trace/fixtures/.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { Component } from '../../../charts/naming.js';
import { buildTrace, COMPONENT_ORDER, flattenOutputs, formatTrace, shortMessage, traceJson, type LiveEnvironment, type LiveObject, type Trace } from '../../../cli/trace-format.js';

const here = dirname(fileURLToPath(import.meta.url));

function load(name: string): { environment: LiveEnvironment; children: LiveObject[] } {
  const docs = parseAllDocuments(readFileSync(join(here, 'fixtures', name), 'utf8')).map((d) => d.toJS() as LiveObject);
  const [environment, ...children] = docs;
  return { environment: environment as LiveEnvironment, children };
}

const threeTier = () => load('three-tier.yaml');
const names = (t: Trace) => t.components.map((g) => [g.component, g.children.map((c) => `${c.kind}/${c.name}`)]);

describe('buildTrace', () => {
  test('groups children by component in spec order, children in status.components order, extras under "other"', () => {
    expect(names(buildTrace(threeTier()))).toEqual([
      ['network', ['VPC/shop-vpc', 'Subnet/shop-private-0', 'NATGateway/shop-nat-0']],
      ['security', ['SecurityGroup/shop-sg-app']],
      ['database', ['DBSubnetGroup/shop-db', 'DBCluster/shop-db']],
      ['storage', ['Bucket/shop-assets']],
      ['cdn', ['Distribution/shop-cdn']],
      ['other', ['Key/shop-key-old']],
    ]);
  });

  test('keeps the four ACK conditions of each child, in column order, with reason and message', () => {
    const db = buildTrace(threeTier()).components[2]!.children[1]!;
    expect(db).toMatchObject({ kind: 'DBCluster', state: 'Failed', live: true, reason: 'InvalidParameterCombination' });
    expect(db.conditions).toEqual([
      { type: 'ACK.ResourceSynced', status: 'False', message: 'Resource not synced' },
      { type: 'ACK.Terminal', status: 'True', reason: 'InvalidParameterCombination', message: 'Cannot find version 8.0.mysql_aurora.3.99.0 for aurora-mysql' },
    ]);
  });

  test('children only in status.components are kept, marked not live', () => {
    const cdn = buildTrace(threeTier()).components.find((g) => g.component === 'cdn')!.children[0]!;
    expect(cdn).toEqual({ kind: 'Distribution', name: 'shop-cdn', state: 'Waiting', reason: 'WaitingForDependency', message: 'waiting for Bucket/shop-assets status.ackResourceMetadata.arn', live: false, conditions: [] });
  });

  test('without a status, the state comes from the ACK conditions, the component from the label', () => {
    const { environment, children } = threeTier();
    const t = buildTrace({ environment: { ...environment, status: undefined }, children });
    const all = t.components.flatMap((g) => g.children);
    expect(all.map((c) => `${c.kind}:${c.state}`)).toEqual([
      'VPC:Ready', 'Subnet:Ready', 'NATGateway:Progressing', 'SecurityGroup:Ready', 'DBSubnetGroup:Ready', 'DBCluster:Failed', 'Bucket:Progressing', 'Key:Ready',
    ]);
    expect(t.components.map((g) => g.component)).toEqual(['network', 'security', 'database', 'storage', 'other']);
    expect(t.environment).toMatchObject({ name: 'shop', namespace: 'team-a', generation: 2, conditions: [], outputs: {} });
  });

  test('orders children without a status by child kind, telling apart kinds of the same name in other API groups', () => {
    const { environment } = threeTier();
    const labels = { 'app.kubernetes.io/component': 'api' };
    const v2 = 'apigatewayv2.services.k8s.aws/v1alpha1';
    // apigateway (REST) also has a Stage, listed after every apigatewayv2 kind in CHILD_KINDS.
    const children: LiveObject[] = [
      { apiVersion: v2, kind: 'API', metadata: { name: 'shop-api', labels } },
      { apiVersion: v2, kind: 'Route', metadata: { name: 'shop-api-route-0', labels } },
      { apiVersion: v2, kind: 'Stage', metadata: { name: 'shop-api-stage', labels } },
    ];
    expect(names(buildTrace({ environment: { ...environment, status: undefined }, children }))).toEqual([['api', ['Stage/shop-api-stage', 'Route/shop-api-route-0', 'API/shop-api']]]);
  });

  test('lists every component label once (a Record over the union: a new label fails to compile until it is listed here)', () => {
    const every: Record<Component, true> = {
      network: true, security: true, encryption: true, database: true, cache: true, storage: true, cdn: true, firewall: true,
      loadBalancer: true, compute: true, registry: true, tables: true, functions: true, api: true, secrets: true, monitoring: true, dns: true, identity: true,
    };
    expect([...COMPONENT_ORDER].sort()).toEqual(Object.keys(every).sort());
  });

  test('lists the application tier after the firewall in traffic order (load balancer, compute, registry), then the secrets', () => {
    const { environment } = threeTier();
    const child = (kind: string, name: string, component: string): LiveObject => ({
      kind,
      metadata: { name, namespace: 'team-a', labels: { 'marketplace.platform.dev/environment': 'shop', 'app.kubernetes.io/component': component } },
    });
    const children = [
      child('Secret', 'shop-secret-jwt', 'secrets'),
      child('Repository', 'shop-registry', 'registry'),
      child('Service', 'shop-service', 'compute'),
      child('AutoScalingGroup', 'shop-asg', 'compute'),
      child('LoadBalancer', 'shop-alb', 'loadBalancer'),
      child('WebACL', 'shop-waf', 'firewall'),
    ];
    expect(buildTrace({ environment: { ...environment, status: undefined }, children }).components.map((g) => g.component)).toEqual([
      'firewall', 'loadBalancer', 'compute', 'registry', 'secrets',
    ]);
  });

  test('a child without component label takes the component from status.components', () => {
    const { environment, children } = threeTier();
    const unlabelled = children.map((c) => (c.kind === 'Bucket' ? { ...c, metadata: { ...c.metadata, labels: {} } } : c));
    expect(names(buildTrace({ environment, children: unlabelled })).find(([g]) => g === 'storage')).toEqual(['storage', ['Bucket/shop-assets']]);
  });
});

describe('formatTrace', () => {
  test('renders the environment, its conditions and outputs, and the children tree', () => {
    expect(formatTrace(buildTrace({ ...threeTier(), unservedKinds: ['wafv2.services.k8s.aws/v1alpha1/WebACL'] }))).toBe(
      [
        'MarketplaceEnvironment team-a/shop',
        '  phase Degraded, children ready 4/8, generation 2, observed 2',
        '',
        'CONDITIONS',
        '  TYPE         STATUS  REASON           MESSAGE',
        '  Ready        False   ComponentFailed  4/8 children ready; not ready: DBCluster/shop-db (InvalidParameterCombination: Cannot find versio...',
        '  Progressing  True    Reconciling      4/8 children ready',
        '  Degraded     True    ComponentFailed  1 failed: DBCluster/shop-db (InvalidParameterCombination: Cannot find version 8.0.mysql_aurora.3....',
        '',
        'OUTPUTS',
        '  vpcID                       vpc-0a1b2c3d4e5f60718',
        '  subnetIDs.private           subnet-01, subnet-02',
        '  securityGroupIDs.app        sg-0123456789abcdef0',
        '  buckets[assets].bucketName  shop-assets-prod',
        '',
        'CHILDREN',
        'NAME                                       STATE        READY  SYNCED  TERMINAL  RECOVERABLE',
        'network',
        '├─ VPC/shop-vpc                            Ready        True   True    -         -',
        '├─ Subnet/shop-private-0                   Ready        -      True    -         -',
        '└─ NATGateway/shop-nat-0                   Progressing  -      True    -         -',
        '     Progressing: AWSStatus: state is pending',
        'security',
        '└─ SecurityGroup/shop-sg-app               Ready        True   True    -         -',
        'database',
        '├─ DBSubnetGroup/shop-db                   Ready        -      True    -         -',
        '└─ DBCluster/shop-db                       Failed       -      False   True      -',
        '     ACK.ResourceSynced=False Resource not synced',
        '     ACK.Terminal=True InvalidParameterCombination: Cannot find version 8.0.mysql_aurora.3.99.0 for aurora-mysql',
        'storage',
        '└─ Bucket/shop-assets                      Progressing  -      False   -         True',
        '     ACK.ResourceSynced=False Resource not synced',
        '     ACK.Recoverable=True AccessDenied: Access Denied status code: 403, request id: 7Q2',
        'cdn',
        '└─ Distribution/shop-cdn (not in cluster)  Waiting      -      -       -         -',
        '     Waiting: WaitingForDependency: waiting for Bucket/shop-assets status.ackResourceMetadata.arn',
        'other',
        '└─ Key/shop-key-old                        Ready        -      True    -         -',
        '',
        'Not checked (the API server does not serve these kinds): wafv2.services.k8s.aws/v1alpha1/WebACL',
        '',
      ].join('\n'),
    );
  });

  test('detail lines under a child that is not last continue the tree', () => {
    const { environment, children } = threeTier();
    const failingVpc = children.map((c) =>
      c.kind === 'VPC' ? { ...c, status: { conditions: [{ type: 'ACK.Terminal', status: 'True', reason: 'InvalidParameterValue', message: 'bad CIDR' }] } } : c,
    );
    const text = formatTrace(buildTrace({ environment: { ...environment, status: undefined }, children: failingVpc }));
    expect(text).toMatch(/^├─ VPC\/shop-vpc +Failed +- +- +True +-\n│ {4}ACK\.Terminal=True InvalidParameterValue: bad CIDR\n├─ Subnet/m);
  });

  test('says when there is no status, no outputs and no children', () => {
    const text = formatTrace(buildTrace({ environment: { apiVersion: 'marketplace.platform.dev/v1alpha1', kind: 'MarketplaceEnvironment', metadata: { name: 'fresh', namespace: 'ns', generation: 1 } }, children: [] }));
    expect(text).toContain('phase (none), children ready ?, generation 1, observed never (stale)');
    expect(text).toContain('(none: the operator has not reported a status yet)');
    expect(text).toContain('OUTPUTS\n  (none yet)');
    expect(text).toContain('(none found with label marketplace.platform.dev/environment=fresh)');
  });

  test('marks a stale status and objects being deleted', () => {
    const { environment, children } = threeTier();
    const env = { ...environment, metadata: { ...environment.metadata, generation: 3, deletionTimestamp: '2025-05-03T11:00:00Z' } };
    const kids = children.map((c) => (c.kind === 'VPC' ? { ...c, metadata: { ...c.metadata, deletionTimestamp: '2025-05-03T11:00:01Z' } } : c));
    const text = formatTrace(buildTrace({ environment: env, children: kids }));
    expect(text).toContain('phase Degraded (being deleted), children ready 4/8, generation 3, observed 2 (stale)');
    expect(text).toMatch(/├─ VPC\/shop-vpc \(deleting\) +Ready/);
  });

  test('wide output (maxMessage 0) does not cut messages', () => {
    const text = formatTrace(buildTrace(threeTier()), { maxMessage: 0 });
    expect(text).toContain('Bucket/shop-assets (ACKRecoverable); and 1 more');
  });
});

describe('helpers', () => {
  test('shortMessage collapses whitespace and cuts long messages', () => {
    expect(shortMessage('a\n\tb  c')).toBe('a b c');
    expect(shortMessage('x'.repeat(120), 10)).toBe('xxxxxxx...');
    expect(shortMessage(undefined)).toBe('');
  });

  test('flattenOutputs', () => {
    expect(
      flattenOutputs({
        vpcID: 'vpc-1',
        subnetIDs: { public: ['s-1', 's-2'], private: [] },
        database: { writerEndpoint: 'w', port: 3306, readerEndpoint: '' },
        secrets: [{ name: 'api', arn: 'arn:1', rotationDays: 30 }],
        cdn: {},
      }),
    ).toEqual([
      ['vpcID', 'vpc-1'],
      ['subnetIDs.public', 's-1, s-2'],
      ['database.writerEndpoint', 'w'],
      ['database.port', '3306'],
      ['secrets[api].arn', 'arn:1'],
      ['secrets[api].rotationDays', '30'],
    ]);
  });

  test('traceJson is the whole trace, with full messages', () => {
    const trace = buildTrace(threeTier());
    const parsed = JSON.parse(traceJson(trace)) as Trace;
    expect(parsed).toEqual(JSON.parse(JSON.stringify(trace)));
    expect(parsed.components.find((g) => g.component === 'storage')!.children[0]!.conditions[1]).toEqual({
      type: 'ACK.Recoverable',
      status: 'True',
      reason: 'AccessDenied',
      message: 'AccessDenied: Access Denied\n\tstatus code: 403, request id: 7Q2',
    });
  });
});
