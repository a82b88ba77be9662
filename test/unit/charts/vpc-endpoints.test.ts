import { validateEnvironment, type MarketplaceEnvironment } from '../../../api/index.js';
import { Network } from '../../../charts/constructs/network.js';
import { VpcEndpoints } from '../../../charts/constructs/vpc-endpoints.js';
import type { RenderedObject } from '../../../charts/render.js';
import { validServerlessBase, type Manifest } from '../../fixtures/invalid-specs.js';
import { crdErrors, crdTest } from '../helpers/ack-schemas.js';
import { named, ofKind, only, renderWith, type LooseObject } from '../helpers/render-construct.js';

/** The serverless base (gateway s3 + dynamodb, interface logs + secretsmanager, VPC 10.20.0.0/16), edited by `patch`. */
function env(patch: (m: Manifest) => void = () => undefined): MarketplaceEnvironment {
  const m = validServerlessBase('shop');
  m.metadata.namespace = 'shop';
  patch(m);
  return validateEnvironment(m);
}

const ROUTE_TABLES = ['shop-rt-private-a', 'shop-rt-private-b', 'shop-rt-isolated-a', 'shop-rt-isolated-b'];
const SUBNETS = ['shop-subnet-private-a-0', 'shop-subnet-private-b-0'];

/** Renders only the VpcEndpoints of `e`, with the route tables and subnets above. */
function render(e: MarketplaceEnvironment): LooseObject[] {
  return renderWith<LooseObject>(e, (chart, ctx) => {
    new VpcEndpoints(chart, 'endpoints', { ctx, spec: e.spec.network.endpoints!, vpcName: 'shop-vpc', routeTableNames: ROUTE_TABLES, subnetNames: SUBNETS });
  });
}

const refNames = (refs: unknown) => (refs as { from: { name: string } }[]).map((r) => r.from.name);
const endpoint = (objects: readonly LooseObject[], service: string) => {
  const found = ofKind(objects, 'VPCEndpoint').filter((o) => (o.spec.serviceName as string).endsWith(`.${service}`));
  if (found.length !== 1) throw new Error(`expected one endpoint of ${service}, found ${found.length}`);
  return found[0]!;
};

describe('VpcEndpoints (serverless base: gateway s3 and dynamodb, interface logs and secretsmanager)', () => {
  const objects = render(env());
  const group = only(objects, 'SecurityGroup');

  it('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  crdTest(objects)('is valid against every ACK CRD schema set (closed schemas)', () => {
    expect(crdErrors(objects)).toEqual([]);
  });

  it('renders two gateway endpoints, two interface endpoints and their security group, all in the network component', () => {
    expect(ofKind(objects, 'VPCEndpoint').map((o) => o.metadata.name)).toEqual([
      'shop-vpce-gateway-s3',
      'shop-vpce-gateway-dynamodb',
      'shop-vpce-interface-logs',
      'shop-vpce-interface-secretsmanager',
    ]);
    expect(objects).toHaveLength(5);
    for (const o of objects) expect([o.metadata.name, o.metadata.labels['app.kubernetes.io/component']]).toEqual([o.metadata.name, 'network']);
  });

  it('routes S3 and DynamoDB from every given route table through gateway endpoints of the region', () => {
    for (const service of ['s3', 'dynamodb']) {
      const e = endpoint(objects, service);
      expect(e.spec).toMatchObject({ serviceName: `com.amazonaws.us-east-1.${service}`, vpcEndpointType: 'Gateway', vpcRef: { from: { name: 'shop-vpc' } } });
      expect(refNames(e.spec.routeTableRefs)).toEqual(ROUTE_TABLES);
      expect(e.spec.subnetRefs).toBeUndefined();
      expect(e.spec.securityGroupRefs).toBeUndefined();
    }
  });

  it('puts each interface endpoint in the given subnets, behind the endpoints security group, with private DNS', () => {
    for (const service of ['logs', 'secretsmanager']) {
      const e = endpoint(objects, service);
      expect(e.spec).toMatchObject({ serviceName: `com.amazonaws.us-east-1.${service}`, vpcEndpointType: 'Interface', privateDNSEnabled: true, vpcRef: { from: { name: 'shop-vpc' } } });
      expect(refNames(e.spec.subnetRefs)).toEqual(SUBNETS);
      expect(refNames(e.spec.securityGroupRefs)).toEqual([group.metadata.name]);
      expect(e.spec.routeTableRefs).toBeUndefined();
    }
  });

  it('lets HTTPS in from the VPC CIDR only, and nothing out', () => {
    expect(group.metadata.name).toBe('shop-sg-endpoints');
    expect(group.spec).toMatchObject({ name: 'shop-endpoints-sg-test', vpcRef: { from: { name: 'shop-vpc' } } });
    expect(group.spec.ingressRules).toEqual([{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, ipRanges: [{ cidrIP: '10.20.0.0/16', description: 'HTTPS from the VPC' }] }]);
    expect(group.spec.egressRules).toBeUndefined();
  });

  it('tags every endpoint with the environment tags and its own Name', () => {
    expect(endpoint(objects, 's3').spec.tags).toContainEqual({ key: 'Name', value: 'shop-vpce-s3-test' });
    expect(endpoint(objects, 'logs').spec.tags).toContainEqual({ key: 'Project', value: 'shop' });
  });
});

describe('VpcEndpoints variations', () => {
  it.each([
    ['us-east-1', 'com.amazonaws.us-east-1'],
    ['eu-west-1', 'com.amazonaws.eu-west-1'],
    ['ap-southeast-2', 'com.amazonaws.ap-southeast-2'],
  ])('names the endpoint services of region %s %s.<service>', (region, prefix) => {
    const objects = render(
      env((m) => {
        m.spec.region = region;
        m.spec.network.availabilityZones = [`${region}a`, `${region}b`];
      }),
    );
    expect(ofKind(objects, 'VPCEndpoint').map((o) => o.spec.serviceName)).toEqual(['s3', 'dynamodb', 'logs', 'secretsmanager'].map((s) => `${prefix}.${s}`));
    for (const o of objects) expect(o.metadata.annotations['services.k8s.aws/region']).toBe(region);
  });

  it('renders no security group without interface endpoints', () => {
    const objects = render(env((m) => (m.spec.network.endpoints = { gateway: ['s3'] })));
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['VPCEndpoint/shop-vpce-gateway-s3']);
  });

  it('renders a service with dots under a DNS-1123 name, and S3 as gateway and interface endpoint side by side', () => {
    const objects = render(env((m) => (m.spec.network.endpoints = { gateway: ['s3'], interface: ['ecr.api', 'ecr.dkr', 's3'] })));
    const names = ofKind(objects, 'VPCEndpoint').map((o) => o.metadata.name);
    expect(new Set(names).size).toBe(4);
    for (const n of names) expect(n).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(names[1]).toMatch(/^shop-vpce-interface-ecr-api-[0-9a-f]{8}$/);
    expect(ofKind(objects, 'VPCEndpoint').map((o) => `${o.spec.vpcEndpointType} ${o.spec.serviceName}`)).toEqual([
      'Gateway com.amazonaws.us-east-1.s3',
      'Interface com.amazonaws.us-east-1.ecr.api',
      'Interface com.amazonaws.us-east-1.ecr.dkr',
      'Interface com.amazonaws.us-east-1.s3',
    ]);
    expect(crdErrors(objects)).toEqual([]);
  });
});

describe('VpcEndpoints wired to the Network', () => {
  // What the environment chart passes: the private and isolated route tables, the first subnet of the tier per zone.
  const e = env();
  const objects = renderWith<LooseObject>(e, (chart, ctx) => {
    const network = new Network(chart, 'network', { ctx });
    const routeTableNames = ['private', 'isolated'].flatMap((tier) => e.spec.network.availabilityZones.map((z) => ctx.names.k8s('rt', tier, z.slice(-1))));
    new VpcEndpoints(chart, 'endpoints', {
      ctx,
      spec: e.spec.network.endpoints!,
      vpcName: network.vpcName,
      routeTableNames,
      subnetNames: network.firstSubnetNamesPerZone(e.spec.network.endpoints!.subnetTier),
    });
  });

  it('references only objects the network renders: the VPC, the private and isolated route tables, the private subnets', () => {
    const exists = (kind: string, name: string) => named(objects, kind, name) as RenderedObject;
    const s3 = endpoint(objects, 's3');
    for (const name of refNames(s3.spec.routeTableRefs)) expect(exists('RouteTable', name).metadata.name).toMatch(/-rt-(private|isolated)-[ab]$/);
    expect(refNames(s3.spec.routeTableRefs)).toHaveLength(4);
    const logs = endpoint(objects, 'logs');
    for (const name of refNames(logs.spec.subnetRefs)) expect(exists('Subnet', name).spec?.availabilityZone).toMatch(/^us-east-1[ab]$/);
    expect(refNames(logs.spec.subnetRefs)).toEqual(['shop-subnet-private-a-0', 'shop-subnet-private-b-0']);
    expect(exists('VPC', (s3.spec.vpcRef as { from: { name: string } }).from.name).kind).toBe('VPC');
  });
});
