/**
 * VPC endpoints (spec.network.endpoints), so that functions and tasks in private or isolated subnets reach AWS
 * services without the NAT gateways:
 * - gateway endpoints (S3, DynamoDB: free) add a route to the service's prefix list in the route tables given;
 * - interface endpoints put a network interface in each subnet given (one per zone: AWS takes at most one subnet per
 *   zone) with private DNS, so the service's usual host name resolves to them inside the VPC, behind a security group
 *   rendered here that accepts HTTPS from the VPC CIDR and nothing else (endpoints answer, they never call out: no
 *   egress rule, and ACK removes the default allow-all one).
 * Everything is wired with references (vpcRef, routeTableRefs, subnetRefs, securityGroupRefs).
 */
import { Construct } from 'constructs';
import type { EndpointsSpec } from '../../api/index.js';
import * as ec2 from '../../imports/ec2.services.k8s.aws.js';
import type { EnvironmentContext } from '../context.js';
import { namePart } from './name-part.js';

/** Props of {@link VpcEndpoints}. */
export interface VpcEndpointsProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** The endpoints (spec.network.endpoints). */
  readonly spec: EndpointsSpec;
  /** Kubernetes name of the VPC. */
  readonly vpcName: string;
  /** Kubernetes names of the route tables the gateway endpoints route from (those of the private and isolated subnets). */
  readonly routeTableNames: readonly string[];
  /** Kubernetes names of the subnets of the interface endpoints: the first subnet of spec.subnetTier in each zone. */
  readonly subnetNames: readonly string[];
}

/** The VPC endpoints of one environment and the security group of its interface endpoints. */
export class VpcEndpoints extends Construct {
  /** Kubernetes name of the security group of the interface endpoints. */
  static securityGroupName(ctx: EnvironmentContext): string {
    return ctx.names.k8s('sg', 'endpoints');
  }

  /** Kubernetes name of the gateway endpoint of `service` (s3, dynamodb). */
  static gatewayName(ctx: EnvironmentContext, service: string): string {
    return ctx.names.k8s('vpce', 'gateway', service);
  }

  /** Kubernetes name of the interface endpoint of `service` (`ecr.api` has a dot: namePart makes it a DNS label). */
  static interfaceName(ctx: EnvironmentContext, service: string): string {
    return ctx.names.k8s('vpce', 'interface', namePart(service));
  }

  /** The endpoint service name of `service` in `region`: `com.amazonaws.<region>.<service>`. */
  static serviceName(region: string, service: string): string {
    return `com.amazonaws.${region}.${service}`;
  }

  constructor(scope: Construct, id: string, props: VpcEndpointsProps) {
    super(scope, id);
    const { ctx, spec } = props;
    const { names } = ctx;
    const { region } = ctx.spec;
    const vpcRef = ctx.ref(props.vpcName);

    for (const service of spec.gateway) {
      new ec2.VpcEndpoint(this, `gateway-${service}`, {
        metadata: ctx.metadata('network', VpcEndpoints.gatewayName(ctx, service)),
        spec: {
          vpcRef,
          serviceName: VpcEndpoints.serviceName(region, service),
          vpcEndpointType: 'Gateway',
          routeTableRefs: props.routeTableNames.map((name) => ctx.ref(name)),
          tags: names.tags(names.aws('vpce', service)),
        },
      });
    }

    if (spec.interface.length === 0) return;
    const groupName = VpcEndpoints.securityGroupName(ctx);
    new ec2.SecurityGroup(this, 'security-group', {
      metadata: ctx.metadata('network', groupName),
      spec: {
        name: names.aws('endpoints', 'sg'),
        description: `${names.aws()}: VPC interface endpoints, HTTPS from the VPC`,
        vpcRef,
        ingressRules: [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, ipRanges: [{ cidrIp: ctx.spec.network.vpcCIDR, description: 'HTTPS from the VPC' }] }],
        tags: names.tags(names.aws('endpoints', 'sg')),
      },
    });
    for (const service of spec.interface) {
      const name = VpcEndpoints.interfaceName(ctx, service);
      new ec2.VpcEndpoint(this, name, {
        metadata: ctx.metadata('network', name),
        spec: {
          vpcRef,
          serviceName: VpcEndpoints.serviceName(region, service),
          vpcEndpointType: 'Interface',
          subnetRefs: props.subnetNames.map((subnet) => ctx.ref(subnet)),
          securityGroupRefs: [ctx.ref(groupName)],
          privateDnsEnabled: true,
          tags: names.tags(names.aws('vpce', service)),
        },
      });
    }
  }
}
