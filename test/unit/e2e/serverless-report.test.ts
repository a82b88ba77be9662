/**
 * The e2e suite's checks of the serverless tier in moto (test/e2e/helpers/serverless.ts), without moto: against a
 * region snapshot built from the rendered children as AWS would hold them when everything went as the spec asks, and
 * against that snapshot with one thing wrong. The e2e examples have gateway endpoints only; the interface endpoints
 * (subnets, security group) are checked here on example 001 with two interface endpoints added.
 */
import { validateEnvironment } from '../../../api/index.js';
import { renderEnvironment, type RenderedObject } from '../../../charts/render.js';
import { exampleEnvironments } from '../../../cli/examples.js';
import type { AwsSnapshot, RegionSnapshot } from '../../e2e/helpers/aws.js';
import type { Child } from '../../e2e/helpers/children.js';
import type { Expected } from '../../e2e/helpers/expectations.js';
import { regionReport, serverlessReport, type ServerlessRun } from '../../e2e/helpers/serverless.js';

type Spec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const specOf = (o: RenderedObject): Spec => (o as { spec?: Spec }).spec ?? {};
const refs = (v: unknown): string[] => ((v ?? []) as { from: { name: string } }[]).map((r) => r.from.name);

/** The AWS id ACK records for `o` here: a stable fake derived from its name. */
function idOf(o: RenderedObject): Record<string, string> {
  const n = o.metadata.name;
  switch (o.kind) {
    case 'VPC':
      return { vpcID: `vpc-${n}` };
    case 'Subnet':
      return { subnetID: `subnet-${n}` };
    case 'RouteTable':
      return { routeTableID: `rtb-${n}` };
    case 'SecurityGroup':
      return { id: `sg-${n}` };
    case 'VPCEndpoint':
      return { vpcEndpointID: `vpce-${n}` };
    case 'Key':
      return { keyID: `key-${n}` };
    default:
      return {};
  }
}

const REGIONAL = new Set(['VPC', 'Subnet', 'RouteTable', 'SecurityGroup', 'VPCEndpoint', 'Key', 'Alias']);
const ours = (o: RenderedObject) => REGIONAL.has(o.kind) && (o.apiVersion.startsWith('ec2.') || o.apiVersion.startsWith('kms.'));

/** One environment as the e2e suite sees it once its network, key, endpoints and alias are synced in `region`. */
function world(id: string, edit: (spec: Spec) => void = () => undefined) {
  const manifest = JSON.parse(JSON.stringify(exampleEnvironments().find((e) => e.id === id)!.manifest)) as Spec;
  edit(manifest.spec);
  const rendered = renderEnvironment(validateEnvironment(manifest));
  const region = manifest.spec.region as string;
  const byName = new Map(rendered.map((o) => [o.metadata.name, o]));
  const status = (name: string) => idOf(byName.get(name)!);
  const children: Child[] = rendered.filter(ours).map((o) => ({
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: { name: o.metadata.name },
    spec: specOf(o),
    status: { ...idOf(o), ackResourceMetadata: { region }, conditions: [{ type: 'ACK.ResourceSynced', status: 'True' }] },
  }));
  const expected: Expected[] = rendered.map((o) => ({ kind: o.kind, name: o.metadata.name, state: ours(o) ? 'Ready' : 'Progressing' }));
  const subnetIDs: Record<string, string[]> = {};
  for (const o of rendered.filter((r) => r.kind === 'Subnet')) (subnetIDs[o.metadata.name.split('-subnet-')[1]!.split('-')[0]!] ??= []).push(`subnet-${o.metadata.name}`);
  const key = rendered.find((o) => o.kind === 'Key');
  const alias = rendered.find((o) => o.kind === 'Alias' && o.apiVersion.startsWith('kms.'));
  const of = (kind: string) => rendered.filter((o) => o.kind === kind && ours(o));
  const vpcID = `vpc-${of('VPC')[0]!.metadata.name}`;
  const endpoints = of('VPCEndpoint');
  const prefixLists = { [`com.amazonaws.${region}.s3`]: 'pl-s3', [`com.amazonaws.${region}.dynamodb`]: 'pl-dynamodb' };
  const snapshot: RegionSnapshot = {
    vpcs: [{ id: vpcID, cidr: manifest.spec.network.vpcCIDR }],
    subnets: of('Subnet').map((o) => ({ id: `subnet-${o.metadata.name}`, vpc: vpcID, cidr: specOf(o).cidrBlock, az: specOf(o).availabilityZone })),
    securityGroups: of('SecurityGroup').map((o) => ({
      id: `sg-${o.metadata.name}`,
      vpc: vpcID,
      name: specOf(o).name,
      ingress: ((specOf(o).ingressRules ?? []) as Spec[]).flatMap((r) => (r.ipRanges ?? []).map((x: Spec) => `${r.ipProtocol} ${r.fromPort}-${r.toPort} ${x.cidrIP}`)).sort(),
    })),
    routeTables: of('RouteTable').map((t) => ({
      id: `rtb-${t.metadata.name}`,
      vpc: vpcID,
      subnets: of('Subnet').filter((s) => refs(specOf(s).routeTableRefs).includes(t.metadata.name)).map((s) => `subnet-${s.metadata.name}`),
      routes: endpoints.filter((e) => refs(specOf(e).routeTableRefs).includes(t.metadata.name)).map((e) => ({ destination: prefixLists[specOf(e).serviceName], target: `vpce-${e.metadata.name}` })),
    })),
    prefixLists,
    vpcEndpoints: endpoints.map((e) => ({
      id: `vpce-${e.metadata.name}`,
      vpc: vpcID,
      type: specOf(e).vpcEndpointType,
      serviceName: specOf(e).serviceName,
      state: 'available',
      routeTables: refs(specOf(e).routeTableRefs).map((n) => status(n).routeTableID!).sort(),
      subnets: refs(specOf(e).subnetRefs).map((n) => status(n).subnetID!).sort(),
      securityGroups: refs(specOf(e).securityGroupRefs).map((n) => status(n).id!).sort(),
      privateDNSEnabled: true,
    })),
    dbClusters: [],
    dbInstances: [],
    replicationGroups: [],
    secrets: [],
    keys: key ? [{ id: `key-${key.metadata.name}`, arn: `arn:aws:kms:${region}:123456789012:key/key-${key.metadata.name}`, state: 'Enabled' }] : [],
    aliases: alias ? [{ name: specOf(alias).name, arn: `arn:aws:kms:${region}:123456789012:${specOf(alias).name}`, targetKeyID: `key-${key!.metadata.name}` }] : [],
    loadBalancers: [],
    targetGroups: [],
    repositories: [],
  };
  const outputs = { subnetIDs, kmsKeyARN: snapshot.keys[0]?.arn, ...(alias ? { kmsAliasName: specOf(alias).name } : {}) };
  const run: ServerlessRun = { region, manifest, rendered, expected, env: { status: { outputs } } };
  return { run, children, snapshot };
}

const withInterfaces = () => world('001', (spec) => (spec.network.endpoints.interface = ['secretsmanager', 'ecr.api']));

describe('the serverless report (e2e, VPC endpoints and KMS alias in moto)', () => {
  it('finds nothing wrong when moto holds what the spec asks: gateway and interface endpoints, and the alias', () => {
    const w = withInterfaces();
    expect(serverlessReport(w.run, w.children, w.snapshot)).toEqual({
      problems: [],
      found: [
        expect.stringMatching(/^Gateway com\.amazonaws\.us-east-1\.s3 .* on 2 route tables$/),
        expect.stringMatching(/^Gateway com\.amazonaws\.us-east-1\.dynamodb .* on 2 route tables$/),
        expect.stringMatching(/^Interface com\.amazonaws\.us-east-1\.secretsmanager .* in 2 subnets$/),
        expect.stringMatching(/^Interface com\.amazonaws\.us-east-1\.ecr\.api .* in 2 subnets$/),
      ],
    });
    const a = world('003-us-east-2');
    expect(serverlessReport(a.run, a.children, a.snapshot)).toEqual({ problems: [], found: [expect.stringMatching(/^Alias alias\/trading-us-east-2-synth-use2 → key /)] });
  });

  it('reports a gateway endpoint missing from one private route table, or without its route there', () => {
    const w = withInterfaces();
    const s3 = w.snapshot.vpcEndpoints.find((e) => e.serviceName.endsWith('.s3'))!;
    s3.routeTables = s3.routeTables.slice(1);
    expect(serverlessReport(w.run, w.children, w.snapshot).problems).toEqual([
      expect.stringMatching(/vpce-gateway-s3: route tables .* in moto, the spec's are /),
      expect.stringMatching(/vpce-gateway-s3: route tables .*, but the private and isolated subnets use /),
    ]);
    const v = withInterfaces();
    for (const t of v.snapshot.routeTables) t.routes = t.routes.filter((r) => r.destination !== 'pl-dynamodb');
    expect(serverlessReport(v.run, v.children, v.snapshot).problems).toEqual([
      expect.stringMatching(/vpce-gateway-dynamodb: route table rtb-\S+-rt-private-a has no route from pl-dynamodb/),
      expect.stringMatching(/vpce-gateway-dynamodb: route table rtb-\S+-rt-private-b has no route from pl-dynamodb/),
    ]);
  });

  it('reports an endpoint missing, twice there, of another VPC, or not the one ACK recorded', () => {
    const w = withInterfaces();
    w.snapshot.vpcEndpoints.find((e) => e.serviceName.endsWith('.s3'))!.state = 'deleted';
    w.snapshot.vpcEndpoints.push({ ...w.snapshot.vpcEndpoints.find((e) => e.serviceName.endsWith('.dynamodb'))!, id: 'vpce-other' });
    w.snapshot.vpcEndpoints.find((e) => e.serviceName.endsWith('.secretsmanager'))!.vpc = 'vpc-other';
    w.children.find((c) => c.metadata?.name?.endsWith('vpce-interface-ecr-api-41b6284f'))!.status!.vpcEndpointID = 'vpce-recreated';
    expect(serverlessReport(w.run, w.children, w.snapshot).problems).toEqual([
      expect.stringMatching(/vpce-gateway-s3: 0 Gateway endpoints of com\.amazonaws\.us-east-1\.s3 in VPC .* expected 1$/),
      expect.stringMatching(/vpce-gateway-dynamodb: 2 Gateway endpoints/),
      expect.stringMatching(/vpce-interface-secretsmanager: 0 Interface endpoints/),
      expect.stringMatching(/vpce-interface-ecr-api-41b6284f: ACK recorded vpce-recreated, moto has vpce-/),
    ]);
  });

  it('reports an interface endpoint in a public subnet, two subnets of one zone, a wider security group, no private DNS', () => {
    const w = withInterfaces();
    const sm = w.snapshot.vpcEndpoints.find((e) => e.serviceName.endsWith('.secretsmanager'))!;
    const publicA = w.snapshot.subnets.find((s) => s.id.includes('-subnet-public-a-'))!.id;
    sm.subnets = [publicA, sm.subnets.find((id) => id.includes('-private-a-'))!].sort();
    sm.privateDNSEnabled = false;
    w.snapshot.securityGroups.find((g) => g.id.endsWith('-sg-endpoints'))!.ingress.push('tcp 443-443 0.0.0.0/0');
    expect(serverlessReport(w.run, w.children, w.snapshot).problems).toEqual([
      expect.stringMatching(/vpce-interface-secretsmanager: subnets .* in moto, the spec's are /),
      expect.stringMatching(/vpce-interface-secretsmanager: subnets subnet-\S+-subnet-public-a-0 are not private subnets/),
      expect.stringMatching(/vpce-interface-secretsmanager: subnets in zones us-east-1a, us-east-1a, expected one in each of us-east-1a, us-east-1b/),
      expect.stringMatching(/vpce-interface-secretsmanager: security group \S+ accepts .*0\.0\.0\.0\/0.*, expected HTTPS from 10\.0\.0\.0\/16 only/),
      'VPCEndpoint/marketplace-platform-dev-vpce-interface-secretsmanager: private DNS is not enabled in moto',
      expect.stringMatching(/vpce-interface-ecr-api-41b6284f: security group \S+ accepts/),
    ]);
  });

  it('reports an endpoint that should wait but exists, and an alias on another key or missing from the outputs', () => {
    const w = withInterfaces();
    const waiting = w.run.rendered.find((o) => o.kind === 'VPCEndpoint')!;
    const expected = w.run.expected.map((e) => (e.name === waiting.metadata.name ? { ...e, state: 'Waiting' as const } : e));
    expect(serverlessReport({ ...w.run, expected }, w.children, w.snapshot).problems).toEqual([expect.stringMatching(/vpce-gateway-s3: expected to wait \(Waiting\), but vpce-\S+ exists in moto/)]);
    const a = world('003-us-west-2');
    a.snapshot.aliases[0]!.targetKeyID = 'key-other';
    const outputs = { ...a.run.env!.status!.outputs, kmsAliasName: undefined };
    expect(serverlessReport({ ...a.run, env: { status: { outputs } } }, a.children, a.snapshot).problems).toEqual([
      expect.stringMatching(/kms-alias: targets key key-other in moto, expected the environment key key-/),
      expect.stringMatching(/kms-alias: targets key-other, but status\.outputs\.kmsKeyARN is arn:aws:kms:us-west-2:/),
      'Alias/trading-uswest2-kms-alias: status.outputs.kmsAliasName is undefined, expected alias/trading-us-west-2-synth-usw2',
    ]);
  });
});

describe('the region report (e2e, example 003: one environment per region)', () => {
  const regions = (...worlds: ReturnType<typeof world>[]): AwsSnapshot => ({ regions: Object.fromEntries(worlds.map((w) => [w.run.region, w.snapshot])), buckets: [] });

  it('locates every synced network, key and alias child in its own region only', () => {
    const [e1, e2, w2] = ['003-us-east-1', '003-us-east-2', '003-us-west-2'].map((id) => world(id));
    const aws = regions(e1!, e2!, w2!);
    for (const w of [e1!, e2!, w2!]) {
      expect(regionReport(w.run.region, w.children, aws)).toEqual({ problems: [], found: w.children.length });
    }
    expect(e2!.children.map((c) => c.kind)).toEqual(expect.arrayContaining(['VPC', 'Subnet', 'RouteTable', 'SecurityGroup', 'Key', 'Alias']));
  });

  it('reports a child in another region too, one missing from its region, and a region ACK recorded wrong', () => {
    const [e1, e2] = ['003-us-east-1', '003-us-east-2'].map((id) => world(id));
    const aws = regions(e1!, e2!);
    const vpc = e2!.snapshot.vpcs[0]!;
    aws.regions['us-east-1']!.vpcs.push(vpc);
    aws.regions['us-east-2']!.aliases = [];
    e2!.children.find((c) => c.kind === 'Key')!.status!.ackResourceMetadata.region = 'us-east-1';
    expect(regionReport('us-east-2', e2!.children, aws).problems).toEqual([
      'Key/trading-useast2-kms: ACK recorded region us-east-1, the environment\'s is us-east-2',
      `VPC/trading-useast2-vpc (${vpc.id}): in moto in us-east-1, us-east-2, expected us-east-2 only`,
      'Alias/trading-useast2-kms-alias (alias/trading-us-east-2-synth-use2): in moto in no region, expected us-east-2 only',
    ]);
  });
});
