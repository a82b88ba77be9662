import { allocate, formatCidr, parseCidr } from '../../../api/cidr.js';
import { planSubnets } from '../../../api/index.js';

describe('CIDR arithmetic', () => {
  it.each([
    ['10.0.0.0/16', [24, 24], ['10.0.0.0/24', '10.0.1.0/24']],
    ['10.0.0.0/16', [24, 20], ['10.0.0.0/24', '10.0.16.0/20']],
    ['172.31.0.0/16', [28, 24], ['172.31.0.0/28', '172.31.1.0/24']],
    ['10.0.0.0/24', [25, 25], ['10.0.0.0/25', '10.0.0.128/25']],
  ])('allocates in %s blocks of /%j', (parent, prefixes, expected) => {
    expect(allocate(parseCidr(parent), prefixes)?.map(formatCidr)).toEqual(expected);
  });

  it.each([
    ['10.0.0.0/24', [25, 25, 25]],
    ['10.0.0.0/24', [23]],
  ])('returns undefined when %s cannot hold /%j', (parent, prefixes) => {
    expect(allocate(parseCidr(parent), prefixes)).toBeUndefined();
  });

  it('normalises a host address to its network', () => {
    expect(formatCidr(parseCidr('10.0.3.7/16'))).toBe('10.0.0.0/16');
  });

  it('plans seed 000: 9 distinct /24 subnets, tier by tier and zone by zone', () => {
    const plan = planSubnets({
      vpcCIDR: '172.31.0.0/16',
      availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      natGateways: 'PerAZ',
      subnets: { public: { countPerAZ: 1, prefixLength: 24 }, private: { countPerAZ: 1, prefixLength: 24 }, isolated: { countPerAZ: 1, prefixLength: 24 } },
    });
    expect(plan?.map((s) => `${s.tier}/${s.zone}/${s.cidr}`)).toEqual([
      'public/us-east-1a/172.31.0.0/24', 'public/us-east-1b/172.31.1.0/24', 'public/us-east-1c/172.31.2.0/24',
      'private/us-east-1a/172.31.3.0/24', 'private/us-east-1b/172.31.4.0/24', 'private/us-east-1c/172.31.5.0/24',
      'isolated/us-east-1a/172.31.6.0/24', 'isolated/us-east-1b/172.31.7.0/24', 'isolated/us-east-1c/172.31.8.0/24',
    ]);
  });
});
