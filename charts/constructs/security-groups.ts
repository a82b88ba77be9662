/**
 * Security groups with least-privilege rules between tiers: clients → load balancer → app → database / cache.
 * Tier-to-tier rules are written only on the receiving side (ingress with a groupRef to the sender). A pair of
 * groups referencing each other would never sync: ACK resolves a groupRef only once the target is synced.
 * Egress towards another tier therefore names the VPC CIDR and the port instead of the group. ACK removes the
 * default allow-all egress rule on create, so a group without egressRules has no egress at all.
 */
import { Construct } from 'constructs';
import { IDENTITY } from '../adoption.js';
import * as ec2 from '../../imports/ec2.services.k8s.aws.js';
import type { EnvironmentContext } from '../context.js';
import { CACHE_PORT, databasePort } from '../ports.js';
import { DatabaseProxy } from './database-proxy.js';

/** Props of {@link SecurityGroups}. */
export interface SecurityGroupsProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** Kubernetes name of the VPC. */
  readonly vpcName: string;
}

/** Security-group tiers of an environment. */
export type SecurityTier = 'lb' | 'app' | 'db' | 'cache';

const tcp = (port: number) => ({ ipProtocol: 'tcp', fromPort: port, toPort: port });

/** The security groups of the load-balancer, app, database and cache tiers. */
export class SecurityGroups extends Construct {
  private readonly ctx: EnvironmentContext;

  constructor(scope: Construct, id: string, private readonly props: SecurityGroupsProps) {
    super(scope, id);
    this.ctx = props.ctx;
    const { spec } = this.ctx;
    const vpc = spec.network.vpcCIDR;
    const app = spec.securityGroups.app.port;
    const lb = spec.securityGroups.loadBalancer;
    const fromApp = (port: number): ec2.SecurityGroupSpecIngressRules => ({
      ...tcp(port),
      userIdGroupPairs: [{ groupRef: this.ctx.ref(this.name('app')), description: 'from the app tier' }],
    });
    if (lb) {
      this.group('lb', 'load balancer: clients in, app tier out', {
        ingressRules: lb.ports.map((port) => ({ ...tcp(port), ipRanges: lb.ingressCIDRs.map((cidrIp) => ({ cidrIp, description: 'clients' })) })),
        egressRules: [{ ...tcp(app), ipRanges: [{ cidrIp: vpc, description: 'to the app tier' }] }],
      });
    }
    const appEgress: ec2.SecurityGroupSpecEgressRules[] = [{ ...tcp(443), ipRanges: [{ cidrIp: '0.0.0.0/0', description: 'HTTPS to AWS APIs and the internet' }] }];
    if (spec.database) appEgress.push({ ...tcp(databasePort(spec.database.engine)), ipRanges: [{ cidrIp: vpc, description: 'to the database tier' }] });
    if (spec.cache) appEgress.push({ ...tcp(CACHE_PORT), ipRanges: [{ cidrIp: vpc, description: 'to the cache tier' }] });
    this.group('app', 'application tier', {
      ingressRules: lb ? [{ ...tcp(app), userIdGroupPairs: [{ groupRef: this.ctx.ref(this.name('lb')), description: 'from the load balancer' }] }] : [],
      egressRules: appEgress,
    });
    if (spec.database) {
      const rule = fromApp(databasePort(spec.database.engine));
      // The RDS Proxy (database-proxy.ts) reaches the database too. One rule with both sources: EC2 reports the
      // sources of one port as one permission.
      const proxy = { groupRef: this.ctx.ref(DatabaseProxy.securityGroupName(this.ctx)), description: 'from the RDS Proxy' };
      const ingress = spec.database.proxy ? { ...rule, userIdGroupPairs: [...(rule.userIdGroupPairs ?? []), proxy] } : rule;
      // The description stays as it was: EC2 cannot change a group's description.
      this.group('db', 'database tier: app tier in, nothing out', { ingressRules: [ingress] });
    }
    if (spec.cache) this.group('cache', 'cache tier: app tier in, nothing out', { ingressRules: [fromApp(CACHE_PORT)] });
  }

  /** Kubernetes name of the group of `tier`. */
  name(tier: SecurityTier): string {
    return this.ctx.names.k8s('sg', tier);
  }

  private group(
    tier: SecurityTier,
    description: string,
    rules: { ingressRules: ec2.SecurityGroupSpecIngressRules[]; egressRules?: ec2.SecurityGroupSpecEgressRules[] },
  ): void {
    const { names } = this.ctx;
    new ec2.SecurityGroup(this, tier, {
      // Retained with the data: the db/cache groups are in use by the retained stores and reference the app group.
      metadata: this.ctx.metadata('security', this.name(tier), { underpinsData: true, identity: IDENTITY.securityGroup, outputs: [{ output: `/securityGroupIDs/${tier}`, fieldPath: 'status.id' }] }),
      spec: {
        name: names.aws(tier, 'sg'),
        description: `${names.aws()}: ${description}`,
        vpcRef: this.ctx.ref(this.props.vpcName),
        ...(rules.ingressRules.length > 0 ? { ingressRules: rules.ingressRules } : {}),
        ...(rules.egressRules ? { egressRules: rules.egressRules } : {}),
        tags: names.tags(names.aws(tier, 'sg')),
      },
    });
  }
}
