/** The deterministic subnet layout of an environment: which subnet gets which zone and CIDR block (pure). */
import { allocate, formatCidr, parseCidr } from './cidr.js';
import type { NetworkSpec } from './network.js';

/** Subnet tiers in allocation order. */
export const TIERS = ['public', 'private', 'isolated'] as const;
/** A subnet tier. */
export type Tier = (typeof TIERS)[number];

/** One planned subnet. */
export interface PlannedSubnet {
  readonly tier: Tier;
  /** Index of the zone in spec.network.availabilityZones. */
  readonly zoneIndex: number;
  readonly zone: string;
  /** Index of the subnet within its tier and zone. */
  readonly index: number;
  readonly cidr: string;
}

/**
 * Plans every subnet: tiers in the order public, private, isolated; inside a tier zone by zone; each block aligned
 * and carved consecutively from the VPC CIDR. Returns undefined when the subnets do not fit in the VPC.
 */
export function planSubnets(network: NetworkSpec): PlannedSubnet[] | undefined {
  const wanted: Omit<PlannedSubnet, 'cidr'>[] = [];
  for (const tier of TIERS) {
    const layout = network.subnets[tier];
    network.availabilityZones.forEach((zone, zoneIndex) => {
      for (let index = 0; index < layout.countPerAZ; index++) wanted.push({ tier, zone, zoneIndex, index });
    });
  }
  const blocks = allocate(
    parseCidr(network.vpcCIDR),
    wanted.map((s) => network.subnets[s.tier].prefixLength),
  );
  return blocks?.map((block, i) => ({ ...wanted[i]!, cidr: formatCidr(block) }));
}
