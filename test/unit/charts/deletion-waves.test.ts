/**
 * Deletion waves are declared per child kind (charts/child-kinds.ts): every rendered child has one, the order keeps
 * what AWS needs (a child goes before what it uses), and the exceptions to "reverse of the references" are the
 * deliberate ones the module comment explains.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { validateEnvironment } from '../../../api/index.js';
import { BINDINGS_ANNOTATION, type Binding } from '../../../charts/bindings.js';
import { CHILD_KINDS } from '../../../charts/child-kinds.js';
import { deletionWave, kindsOfWave } from '../../../charts/deletion-order.js';
import { renderEnvironment, type RenderedObject } from '../../../charts/index.js';
import { validApplicationBase, withInstances } from '../../fixtures/invalid-specs.js';
import { ROOT } from '../helpers/ack-schemas.js';
import { example } from '../helpers/render-construct.js';

const prefixes = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, 3));

/** Every example, plus variants that render what no example does (a cluster-mode-disabled cache, a CLOUDFRONT web ACL). */
const renders: [string, RenderedObject[]][] = [
  ...prefixes.map((p): [string, RenderedObject[]] => [p, renderEnvironment(example(p))]),
  [
    '002 with a cluster-mode-disabled cache and a CLOUDFRONT web ACL',
    renderEnvironment(
      example('002', {
        patch: (raw) => {
          raw.spec.cache = { engine: 'valkey', engineVersion: '8.0', nodeType: 'cache.t4g.micro', shards: 1, replicasPerShard: 0, subnetTier: 'private' };
          raw.spec.firewall.scope = 'CLOUDFRONT';
        },
      }),
    ),
  ],
  // The application tier with containers (blue/green, a requested certificate) and with instances.
  ['the application tier with containers', renderEnvironment(validateEnvironment(validApplicationBase()))],
  ['the application tier with instances', renderEnvironment(validateEnvironment(withInstances(validApplicationBase())))],
];

/** `{from: {name}}` references anywhere in a spec. */
function refNames(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refNames(n, out));
  else if (node && typeof node === 'object') {
    const from = (node as { from?: { name?: unknown } }).from;
    if (from && typeof from.name === 'string') out.push(from.name);
    Object.values(node).forEach((n) => refNames(n, out));
  }
  return out;
}

/** `kind → kind` edges: a child that uses another (ACK reference, late binding, Aurora member → cluster). */
function uses(objects: readonly RenderedObject[]): Set<string> {
  const edges = new Set<string>();
  const kindOf = (name: string) => objects.filter((o) => o.metadata.name === name).map((o) => o.kind);
  for (const o of objects) {
    for (const name of refNames(o.spec)) for (const kind of kindOf(name)) edges.add(`${o.kind} → ${kind}`);
    const bindings = JSON.parse(o.metadata.annotations[BINDINGS_ANNOTATION] ?? '[]') as Binding[];
    // A binding on the child itself (a field held back until the child exists in AWS) uses nothing else.
    for (const b of bindings) if (b.from.kind !== o.kind || b.from.name !== o.metadata.name) edges.add(`${o.kind} → ${b.from.kind}`);
    // An Aurora member names its cluster by identifier (no ACK reference exists for it).
    if (o.kind === 'DBInstance' && o.spec?.dbClusterIdentifier) edges.add('DBInstance → DBCluster');
  }
  return edges;
}

/** Edges deleted in the "wrong" order on purpose (charts/child-kinds.ts says why). */
const DELIBERATE = new Map([
  ['RouteTable → NATGateway', 'a NAT gateway holds an elastic IP and an interface in a subnet; a route to it only becomes a blackhole'],
  ['Bucket → Distribution', 'the Distribution serves the bucket; the bucket policy only names its ARN'],
  ['Distribution → WebACL', 'deleted together; WAF deletes the web ACL once the Distribution no longer uses it'],
  ['SecurityGroup → SecurityGroup', 'one wave; EC2 deletes a group once no other group\'s rules name it'],
]);

describe('deletion waves declared by the child kinds', () => {
  it('names each kind once, each with a wave, and no wave is empty', () => {
    const kinds = CHILD_KINDS.map((k) => k.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    const waves = [...new Set(CHILD_KINDS.map((k) => k.deletionWave))].sort((a, b) => a - b);
    expect(waves).toEqual(waves.map((_, i) => i));
    for (const k of CHILD_KINDS) expect(deletionWave(k.kind)).toBe(k.deletionWave);
  });

  it('keeps the order AWS needs: application tier, edge, then data stores, then their groups, the network inside out, and the key last', () => {
    const waves = [...new Set(CHILD_KINDS.map((k) => k.deletionWave))].sort((a, b) => a - b);
    expect(waves.map((w) => kindsOfWave(w).sort())).toEqual([
      ['ScalingPolicy'],
      ['ScalableTarget'],
      ['AutoScalingGroup', 'Service'],
      ['Cluster', 'LaunchTemplate', 'Listener', 'TaskDefinition'],
      ['Certificate', 'InstanceProfile', 'TargetGroup'],
      ['LoadBalancer', 'Role'],
      ['Policy'],
      ['Distribution', 'LogGroup', 'WebACL'],
      ['DBInstance', 'OriginAccessControl', 'ReplicationGroup', 'Secret'],
      ['DBCluster'],
      ['Bucket', 'CacheSubnetGroup', 'DBSubnetGroup', 'Repository'],
      ['SecurityGroup'],
      ['NATGateway'],
      ['ElasticIPAddress'],
      ['Subnet'],
      ['RouteTable'],
      ['InternetGateway'],
      ['VPC'],
      ['Key'],
    ]);
  });

  it('refuses a kind that declares no wave instead of deleting it last', () => {
    expect(() => deletionWave('UserPool')).toThrow(/UserPool is not a child kind/);
  });

  describe.each(renders)('%s', (_, objects) => {
    it('gives every rendered child a known wave', () => {
      for (const o of objects) expect([o.kind, CHILD_KINDS.some((k) => k.apiVersion === o.apiVersion && k.kind === o.kind)]).toEqual([o.kind, true]);
    });

    it('deletes a child before what it uses, except for the deliberate cases', () => {
      for (const edge of uses(objects)) {
        const [from, to] = edge.split(' → ') as [string, string];
        if (DELIBERATE.has(edge)) continue;
        expect([edge, deletionWave(from) < deletionWave(to)]).toEqual([edge, true]);
      }
    });
  });

  it('finds every deliberate exception in some render (none is stale)', () => {
    const all = new Set(renders.flatMap(([, objects]) => [...uses(objects)]));
    for (const edge of DELIBERATE.keys()) expect([edge, all.has(edge)]).toEqual([edge, true]);
  });
});
