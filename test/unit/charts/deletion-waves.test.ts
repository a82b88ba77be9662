/**
 * Deletion waves are declared per child kind (charts/child-kinds.ts): every rendered child has one, the order keeps
 * what AWS needs (a child goes before what it uses), and the exceptions to "reverse of the references" are the
 * deliberate ones the module comment explains.
 */
import { KIND, validateEnvironment } from '../../../api/index.js';
import { BINDINGS_ANNOTATION, type Binding } from '../../../charts/bindings.js';
import { CHILD_KINDS } from '../../../charts/child-kinds.js';
import { deletionWave, kindsOfWave } from '../../../charts/deletion-order.js';
import { renderEnvironment, type RenderedObject } from '../../../charts/index.js';
import * as cognito from '../../../imports/cognitoidentityprovider.services.k8s.aws.js';
import { validApplicationBase, validServerlessBase, withInstances, type Manifest } from '../../fixtures/invalid-specs.js';
import { EXAMPLE_ENVIRONMENTS, example } from '../helpers/render-construct.js';

/** Every environment of every example, plus variants that render what no example does (a cluster-mode-disabled cache, a CLOUDFRONT web ACL). */
const renders: [string, RenderedObject[]][] = [
  ...EXAMPLE_ENVIRONMENTS.map(({ manifest: { metadata: { name } } }): [string, RenderedObject[]] => [name, renderEnvironment(example(name))]),
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
  // The serverless tier with its HTTP API, and with a REST API of nested paths.
  ['the serverless tier', renderEnvironment(validateEnvironment(validServerlessBase()))],
  ['the serverless tier with a REST API', renderEnvironment(validateEnvironment(withRestApi(validServerlessBase())))],
];

/** `m` with its API turned into a REST API (no CORS: HTTP only). */
function withRestApi(m: Manifest): Manifest {
  m.spec.api.type = 'REST';
  delete m.spec.api.cors;
  return m;
}

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

/** A kind's name in an edge: the kind, with its API group where two groups use the name (lambda and KMS Alias). */
function label(gvk: { apiVersion: string; kind: string }): string {
  const ambiguous = CHILD_KINDS.filter((k) => k.kind === gvk.kind).length > 1;
  return ambiguous ? `${gvk.kind} (${gvk.apiVersion.split('.')[0]})` : gvk.kind;
}

/** The wave of a kind named as in an edge. */
function waveOf(name: string): number {
  const k = CHILD_KINDS.find((c) => label(c) === name);
  if (!k) throw new Error(`no child kind named ${name}`);
  return deletionWave(k);
}

/** `kind → kind` edges: a child that uses another (ACK reference, late binding, Aurora member → cluster). */
function uses(objects: readonly RenderedObject[]): Set<string> {
  const edges = new Set<string>();
  const kindOf = (name: string) => objects.filter((o) => o.metadata.name === name).map(label);
  for (const o of objects) {
    for (const name of refNames(o.spec)) for (const kind of kindOf(name)) edges.add(`${label(o)} → ${kind}`);
    const bindings = JSON.parse(o.metadata.annotations[BINDINGS_ANNOTATION] ?? '[]') as Binding[];
    // A binding on the child itself (a field held back until the child exists in AWS) uses nothing else; one on the
    // environment's own status (a Cognito app client id) uses the UserPool whose declaration created the client.
    for (const b of bindings) {
      const from = b.from.kind === KIND ? { apiVersion: cognito.UserPool.GVK.apiVersion, kind: cognito.UserPool.GVK.kind } : b.from;
      if (from.kind !== o.kind || b.from.name !== o.metadata.name) edges.add(`${label(o)} → ${label(from)}`);
    }
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
  ['Key → VPC', 'the key policy reads the account id from the VPC when the key is created; deletion applies nothing, so the key (last) never waits for it'],
  ['Resource → Resource', 'one wave; API Gateway deletes a resource\'s children with it'],
]);

describe('deletion waves declared by the child kinds', () => {
  it('names each kind once, each with a wave, and no wave is empty', () => {
    const kinds = CHILD_KINDS.map(label);
    expect(new Set(kinds).size).toBe(kinds.length);
    const waves = [...new Set(CHILD_KINDS.map((k) => k.deletionWave))].sort((a, b) => a - b);
    expect(waves).toEqual(waves.map((_, i) => i));
    for (const k of CHILD_KINDS) expect(deletionWave(k)).toBe(k.deletionWave);
    for (const w of waves) expect(kindsOfWave(w)).toEqual([...new Set(CHILD_KINDS.filter((k) => k.deletionWave === w).map((k) => k.kind))]);
  });

  it('keeps the order AWS needs: application tier, edge, then data stores, then their groups, the network inside out, and the key last', () => {
    const waves = [...new Set(CHILD_KINDS.map((k) => k.deletionWave))].sort((a, b) => a - b);
    expect(waves.map((w) => CHILD_KINDS.filter((k) => k.deletionWave === w).map(label).sort())).toEqual([
      ['Dashboard', 'MetricAlarm', 'RecordSet', 'Route', 'ScalingPolicy', 'Stage (apigateway)', 'Stage (apigatewayv2)', 'Subscription'],
      ['Deployment', 'HostedZone', 'Integration (apigatewayv2)', 'ScalableTarget', 'Topic'],
      ['AutoScalingGroup', 'Integration (apigateway)', 'Service'],
      ['Alias (lambda)', 'Cluster', 'LaunchTemplate', 'Listener', 'Method', 'TaskDefinition'],
      ['API', 'Certificate', 'DBProxy', 'Function', 'InstanceProfile', 'Resource', 'TargetGroup'],
      ['LayerVersion', 'LoadBalancer', 'RestAPI', 'Role'],
      ['Policy'],
      ['Distribution', 'LogGroup', 'WebACL'],
      ['DBInstance', 'OriginAccessControl', 'ReplicationGroup', 'Secret'],
      ['DBCluster'],
      ['Bucket', 'CacheSubnetGroup', 'DBSubnetGroup', 'Repository', 'Table', 'UserPool', 'VPCEndpoint'],
      ['SecurityGroup'],
      ['NATGateway'],
      ['ElasticIPAddress'],
      ['Subnet'],
      ['RouteTable'],
      ['InternetGateway'],
      ['Alias (kms)', 'VPC'],
      ['Key'],
    ]);
  });

  it('refuses a kind that declares no wave instead of deleting it last', () => {
    expect(() => deletionWave({ apiVersion: 'example.com/v1', kind: 'UserPool' })).toThrow(/example.com\/v1\/UserPool is not a child kind/);
  });

  describe.each(renders)('%s', (_, objects) => {
    it('gives every rendered child a known wave', () => {
      for (const o of objects) expect([o.kind, CHILD_KINDS.some((k) => k.apiVersion === o.apiVersion && k.kind === o.kind)]).toEqual([o.kind, true]);
    });

    it('deletes a child before what it uses, except for the deliberate cases', () => {
      for (const edge of uses(objects)) {
        const [from, to] = edge.split(' → ') as [string, string];
        if (DELIBERATE.has(edge)) continue;
        expect([edge, waveOf(from) < waveOf(to)]).toEqual([edge, true]);
      }
    });
  });

  it('finds every deliberate exception in some render (none is stale)', () => {
    const all = new Set(renders.flatMap(([, objects]) => [...uses(objects)]));
    for (const edge of DELIBERATE.keys()) expect([edge, all.has(edge)]).toEqual([edge, true]);
  });
});
