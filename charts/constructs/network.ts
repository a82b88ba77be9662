/**
 * Network: VPC, internet gateway, NAT gateways with elastic IPs, one route table per tier and zone, and the
 * subnets of api/subnet-plan.ts. Everything is wired with ACK references (vpcRef, gatewayRef, natGatewayRef,
 * allocationRef, subnetRef, routeTableRefs), so ACK resolves the ids in dependency order.
 */
import { Construct } from 'constructs';
import { IDENTITY } from '../adoption.js';
import { planSubnets, TIERS, type PlannedSubnet, type Tier } from '../../api/index.js';
import * as ec2 from '../../imports/ec2.services.k8s.aws.js';
import type { EnvironmentContext } from '../context.js';

/** Props of {@link Network}. */
export interface NetworkProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
}

/** Letter of a zone (`us-east-1a` → `a`), used in names. */
const zoneLetter = (zone: string): string => zone.slice(-1);

/** The VPC and everything inside it that routes traffic. */
export class Network extends Construct {
  /** Kubernetes name of the VPC (the key policy and a logs bucket policy read the account id from it). */
  static vpcName(ctx: EnvironmentContext): string {
    return ctx.names.k8s('vpc');
  }

  /** Kubernetes name of the VPC. */
  readonly vpcName: string;
  private readonly subnets: PlannedSubnet[];
  private readonly ctx: EnvironmentContext;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    this.ctx = props.ctx;
    const { names, spec } = this.ctx;
    // validateEnvironment has rejected layouts that do not fit, so the plan exists here.
    this.subnets = planSubnets(spec.network) ?? [];
    this.vpcName = Network.vpcName(this.ctx);
    new ec2.Vpc(this, 'vpc', {
      metadata: this.ctx.metadata('network', this.vpcName, { underpinsData: true, identity: IDENTITY.vpc, outputs: [{ output: '/vpcID', fieldPath: 'status.vpcID' }] }),
      spec: { cidrBlocks: [spec.network.vpcCIDR], enableDnsSupport: true, enableDnsHostnames: true, tags: names.tags(names.aws('vpc')) },
    });
    const hasPublic = spec.network.subnets.public.countPerAZ > 0;
    if (hasPublic) {
      new ec2.InternetGateway(this, 'igw', {
        metadata: this.ctx.metadata('network', names.k8s('igw')),
        spec: { vpcRef: this.ctx.ref(this.vpcName), tags: names.tags(names.aws('igw')) },
      });
    }
    const natByZone = this.renderNatGateways();
    this.renderRouteTables(natByZone, hasPublic);
    for (const subnet of this.subnets) this.renderSubnet(subnet);
  }

  /** Kubernetes names of the subnets of `tier`, zone by zone. */
  subnetNames(tier: Tier): string[] {
    return this.subnets.filter((s) => s.tier === tier).map((s) => this.subnetName(s));
  }

  /** Kubernetes names of the first subnet of `tier` in each zone, zone by zone (an ALB takes one subnet per zone). */
  firstSubnetNamesPerZone(tier: Tier): string[] {
    return this.subnets.filter((s) => s.tier === tier && s.index === 0).map((s) => this.subnetName(s));
  }

  /** Kubernetes names of the route tables of `tier`, zone by zone (none when the tier has no subnets). */
  routeTableNames(tier: Tier): string[] {
    const { network } = this.ctx.spec;
    return network.subnets[tier].countPerAZ === 0 ? [] : network.availabilityZones.map((zone) => this.routeTableName(tier, zone));
  }

  /** Whether the database or the cache lives in subnets of `tier`. */
  private hostsData(tier: Tier): boolean {
    const { database, cache } = this.ctx.spec;
    return database?.subnetTier === tier || cache?.subnetTier === tier;
  }

  private subnetName(s: PlannedSubnet): string {
    return this.ctx.names.k8s('subnet', s.tier, zoneLetter(s.zone), s.index);
  }

  private routeTableName(tier: Tier, zone: string): string {
    return this.ctx.names.k8s('rt', tier, zoneLetter(zone));
  }

  /** Renders the NAT gateways; returns the NAT name serving each zone (index) for the private route tables. */
  private renderNatGateways(): (string | undefined)[] {
    const { spec, names } = this.ctx;
    const zones = spec.network.availabilityZones;
    const mode = spec.network.natGateways;
    if (mode === 'None') return zones.map(() => undefined);
    const natZones = mode === 'PerAZ' ? zones : zones.slice(0, 1);
    for (const zone of natZones) {
      const letter = zoneLetter(zone);
      const publicSubnet = this.subnets.find((s) => s.tier === 'public' && s.zone === zone && s.index === 0);
      new ec2.ElasticIpAddress(this, `eip-${letter}`, {
        metadata: this.ctx.metadata('network', names.k8s('eip', letter)),
        spec: { tags: names.tags(names.aws('nat', letter)) },
      });
      new ec2.NatGateway(this, `nat-${letter}`, {
        metadata: this.ctx.metadata('network', names.k8s('nat', letter)),
        spec: {
          connectivityType: 'public',
          allocationRef: this.ctx.ref(names.k8s('eip', letter)),
          subnetRef: this.ctx.ref(this.subnetName(publicSubnet!)),
          tags: names.tags(names.aws('nat', letter)),
        },
      });
    }
    return zones.map((zone) => names.k8s('nat', zoneLetter(mode === 'PerAZ' ? zone : zones[0]!)));
  }

  private renderRouteTables(natByZone: (string | undefined)[], hasPublic: boolean): void {
    const { spec, names } = this.ctx;
    spec.network.availabilityZones.forEach((zone, zoneIndex) => {
      for (const tier of TIERS) {
        if (spec.network.subnets[tier].countPerAZ === 0) continue;
        const routes: ec2.RouteTableSpecRoutes[] = [];
        if (tier === 'public' && hasPublic) routes.push({ destinationCidrBlock: '0.0.0.0/0', gatewayRef: this.ctx.ref(names.k8s('igw')) });
        const nat = natByZone[zoneIndex];
        if (tier === 'private' && nat) routes.push({ destinationCidrBlock: '0.0.0.0/0', natGatewayRef: this.ctx.ref(nat) });
        const name = this.routeTableName(tier, zone);
        new ec2.RouteTable(this, `rt-${tier}-${zoneLetter(zone)}`, {
          metadata: this.ctx.metadata('network', name, { underpinsData: this.hostsData(tier), identity: IDENTITY.routeTable }),
          spec: { vpcRef: this.ctx.ref(this.vpcName), ...(routes.length > 0 ? { routes } : {}), tags: names.tags(names.aws('rt', tier, zoneLetter(zone))) },
        });
      }
    });
  }

  private renderSubnet(s: PlannedSubnet): void {
    const { names } = this.ctx;
    const letter = zoneLetter(s.zone);
    // The plan lists a tier's subnets zone by zone, which is the order of the tier's subnet ids in the outputs.
    const position = this.subnets.filter((x) => x.tier === s.tier).indexOf(s);
    new ec2.Subnet(this, `subnet-${s.tier}-${letter}-${s.index}`, {
      metadata: this.ctx.metadata('network', this.subnetName(s), {
        underpinsData: this.hostsData(s.tier),
        identity: IDENTITY.subnet,
        outputs: [{ output: `/subnetIDs/${s.tier}/${position}`, fieldPath: 'status.subnetID' }],
      }),
      spec: {
        vpcRef: this.ctx.ref(this.vpcName),
        availabilityZone: s.zone,
        cidrBlock: s.cidr,
        mapPublicIpOnLaunch: s.tier === 'public',
        routeTableRefs: [this.ctx.ref(this.routeTableName(s.tier, s.zone))],
        tags: names.tags(names.aws(s.tier, letter, s.index)),
      },
    });
  }
}
