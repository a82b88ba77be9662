import { Network } from '../../../charts/constructs/network.js';
import { crdErrors, crdTest } from '../helpers/ack-schemas.js';
import { example, named, ofKind, renderWith } from '../helpers/render-construct.js';

const render = (prefix: string) => renderWith(example(prefix), (chart, ctx) => new Network(chart, 'network', { ctx }));

describe('Network', () => {
  // GIVEN seed 000: 3 zones, one public/private/isolated subnet each, NAT per zone
  const objects = render('000');

  it('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  it('renders 9 subnets, 3 NAT gateways with 3 elastic IPs, 9 route tables, 1 VPC and 1 internet gateway', () => {
    const counts = Object.fromEntries(['VPC', 'Subnet', 'NATGateway', 'ElasticIPAddress', 'RouteTable', 'InternetGateway'].map((k) => [k, ofKind(objects, k).length]));
    expect(counts).toEqual({ VPC: 1, Subnet: 9, NATGateway: 3, ElasticIPAddress: 3, RouteTable: 9, InternetGateway: 1 });
  });

  it('names children deterministically after the environment, without hash suffixes', () => {
    expect(objects.map((o) => o.metadata.name)).toContain('marketplace-three-tier-subnet-private-b-0');
    for (const o of objects) expect(o.metadata.name).toMatch(/^marketplace-three-tier-(vpc|igw|eip|nat|rt|subnet)(-[a-z0-9]+)*$/);
  });

  it('labels every child with the environment and component', () => {
    for (const o of objects) {
      expect(o.metadata.labels).toEqual({
        'app.kubernetes.io/managed-by': 'marketplace-operator',
        'app.kubernetes.io/part-of': 'marketplace',
        'app.kubernetes.io/component': 'network',
        'marketplace.platform.dev/environment': 'marketplace-three-tier',
      });
      expect(o.metadata.annotations['services.k8s.aws/region']).toBe('us-east-1');
    }
  });

  it('routes each private zone through the NAT gateway of its own zone', () => {
    for (const zone of ['a', 'b', 'c']) {
      const rt = named(objects, 'RouteTable', `marketplace-three-tier-rt-private-${zone}`);
      expect(rt.spec?.routes).toEqual([{ destinationCIDRBlock: '0.0.0.0/0', natGatewayRef: { from: { name: `marketplace-three-tier-nat-${zone}` } } }]);
      const nat = named(objects, 'NATGateway', `marketplace-three-tier-nat-${zone}`);
      expect(nat.spec).toMatchObject({ subnetRef: { from: { name: `marketplace-three-tier-subnet-public-${zone}-0` } }, allocationRef: { from: { name: `marketplace-three-tier-eip-${zone}` } } });
    }
  });

  it('gives isolated subnets no route out and public subnets the internet gateway', () => {
    expect(named(objects, 'RouteTable', 'marketplace-three-tier-rt-isolated-a').spec?.routes).toBeUndefined();
    expect(named(objects, 'RouteTable', 'marketplace-three-tier-rt-public-a').spec?.routes).toEqual([
      { destinationCIDRBlock: '0.0.0.0/0', gatewayRef: { from: { name: 'marketplace-three-tier-igw' } } },
    ]);
    const subnet = named(objects, 'Subnet', 'marketplace-three-tier-subnet-public-c-0');
    expect(subnet.spec).toMatchObject({ cidrBlock: '172.31.2.0/24', availabilityZone: 'us-east-1c', mapPublicIPOnLaunch: true, routeTableRefs: [{ from: { name: 'marketplace-three-tier-rt-public-c' } }] });
  });

  it('shares one NAT gateway in the first zone when natGateways is Single (seed 004)', () => {
    const single = render('004');
    expect(ofKind(single, 'NATGateway').map((o) => o.metadata.name)).toEqual(['core-business-dev-nat-a']);
    for (const zone of ['a', 'b']) {
      expect(named(single, 'RouteTable', `core-business-dev-rt-private-${zone}`).spec?.routes).toEqual([
        { destinationCIDRBlock: '0.0.0.0/0', natGatewayRef: { from: { name: 'core-business-dev-nat-a' } } },
      ]);
    }
  });

  it('tags AWS resources with Environment, Project, Owner and Name', () => {
    const vpc = named(objects, 'VPC', 'marketplace-three-tier-vpc');
    expect(vpc.spec?.tags).toEqual(expect.arrayContaining([
      { key: 'Environment', value: 'production' }, { key: 'Project', value: 'marketplace' },
      { key: 'Owner', value: 'marketplace-platform' }, { key: 'Name', value: 'marketplace-vpc-prod' },
    ]));
  });

  for (const prefix of ['000', '001', '002', '003', '004']) {
    const rendered = render(prefix);
    crdTest(rendered)(`renders objects valid against the ACK CRDs (example ${prefix})`, () => {
      expect(crdErrors(rendered)).toEqual([]);
    });
  }
});

describe('Network with deletionPolicy Retain (seed 004: MySQL in the private tier)', () => {
  const objects = render('004');
  const policy = (kind: string, name: string) => named(objects, kind, name).metadata.annotations['services.k8s.aws/deletion-policy'];

  it('retains the VPC and the private tier that the retained database lives in', () => {
    expect(policy('VPC', 'core-business-dev-vpc')).toBe('retain');
    expect(policy('Subnet', 'core-business-dev-subnet-private-a-0')).toBe('retain');
    expect(policy('RouteTable', 'core-business-dev-rt-private-b')).toBe('retain');
  });

  it('deletes the rest of the network (public subnets, NAT, internet gateway)', () => {
    expect(policy('Subnet', 'core-business-dev-subnet-public-a-0')).toBeUndefined();
    expect(policy('NATGateway', 'core-business-dev-nat-a')).toBeUndefined();
    expect(policy('InternetGateway', 'core-business-dev-igw')).toBeUndefined();
  });

  it('retains nothing extra when the environment deletes its data (seed 000)', () => {
    for (const o of render('000')) expect(o.metadata.annotations['services.k8s.aws/deletion-policy']).toBeUndefined();
  });
});
