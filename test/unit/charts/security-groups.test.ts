import { SecurityGroups } from '../../../charts/constructs/security-groups.js';
import { crdErrors, crdTest } from '../helpers/ack-schemas.js';
import { example, named, ofKind, renderWith } from '../helpers/render-construct.js';

const render = (prefix: string) =>
  renderWith(example(prefix), (chart, ctx) => new SecurityGroups(chart, 'sgs', { ctx, vpcName: ctx.names.k8s('vpc') }));

describe('SecurityGroups', () => {
  // GIVEN seed 000: load balancer, app on port 80, Aurora MySQL and Redis
  const objects = render('000');
  const group = (tier: string) => named(objects, 'SecurityGroup', `marketplace-three-tier-sg-${tier}`);

  it('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  it('renders one group per tier in the VPC', () => {
    expect(ofKind(objects, 'SecurityGroup').map((o) => o.metadata.name)).toEqual(['lb', 'app', 'db', 'cache'].map((t) => `marketplace-three-tier-sg-${t}`));
    for (const o of objects) expect(o.spec?.vpcRef).toEqual({ from: { name: 'marketplace-three-tier-vpc' } });
  });

  it('opens the load balancer to clients on its ports and lets it reach only the app port', () => {
    expect(group('lb').spec?.ingressRules).toEqual([443, 80].map((port) => ({ ipProtocol: 'tcp', fromPort: port, toPort: port, ipRanges: [{ cidrIP: '0.0.0.0/0', description: 'clients' }] })));
    expect(group('lb').spec?.egressRules).toEqual([{ ipProtocol: 'tcp', fromPort: 80, toPort: 80, ipRanges: [{ cidrIP: '172.31.0.0/16', description: 'to the app tier' }] }]);
  });

  it('admits the app port only from the load-balancer group', () => {
    expect(group('app').spec?.ingressRules).toEqual([
      { ipProtocol: 'tcp', fromPort: 80, toPort: 80, userIDGroupPairs: [{ groupRef: { from: { name: 'marketplace-three-tier-sg-lb' } }, description: 'from the load balancer' }] },
    ]);
  });

  it('admits MySQL and Redis only from the app group and gives data tiers no egress', () => {
    expect(group('db').spec?.ingressRules).toEqual([
      { ipProtocol: 'tcp', fromPort: 3306, toPort: 3306, userIDGroupPairs: [{ groupRef: { from: { name: 'marketplace-three-tier-sg-app' } }, description: 'from the app tier' }] },
    ]);
    expect((group('cache').spec?.ingressRules as { fromPort: number }[])[0]?.fromPort).toBe(6379);
    expect(group('db').spec?.egressRules).toBeUndefined();
    expect(group('cache').spec?.egressRules).toBeUndefined();
  });

  it('never lets two groups reference each other (ACK would wait forever on both)', () => {
    const refs = new Map(objects.map((o) => [o.metadata.name, JSON.stringify(o.spec).match(/sg-[a-z]+(?=")/g) ?? []]));
    for (const [name, targets] of refs) {
      for (const target of targets) expect(refs.get(`marketplace-three-tier-${target}`) ?? []).not.toContain(name.replace('marketplace-three-tier-', ''));
    }
  });

  it('renders no load-balancer group and no app ingress without a load balancer (seed 001)', () => {
    const noLb = render('001');
    expect(ofKind(noLb, 'SecurityGroup').map((o) => o.metadata.name)).toEqual(['marketplace-platform-dev-sg-app']);
    expect(noLb[0]?.spec?.ingressRules).toBeUndefined();
  });

  it('uses the PostgreSQL port for Aurora PostgreSQL (seed 002)', () => {
    expect(JSON.stringify(named(render('002'), 'SecurityGroup', 'ecommerce-prod123-sg-db').spec)).toContain('"fromPort":5432');
  });

  for (const prefix of ['000', '001', '002', '003', '004']) {
    const rendered = render(prefix);
    crdTest(rendered)(`renders objects valid against the ACK CRDs (example ${prefix})`, () => {
      expect(crdErrors(rendered)).toEqual([]);
    });
  }
});
