/** Network section of the MarketplaceEnvironment spec: VPC, subnet tiers, NAT and security-group tiers. */
import { Type, type Static } from '@sinclair/typebox';
import { Cidr, Obj, StringEnum, immutable } from './schema-kit.js';

/** Subnet tier layout: how many subnets of this tier per availability zone, and their size. */
function SubnetTier(tier: string, defaultCount: number, use: string) {
  return Obj(
    {
      countPerAZ: Type.Integer({
        description: `Number of ${tier} subnets in each availability zone (0 disables the tier).`,
        minimum: 0,
        maximum: 4,
        default: defaultCount,
      }),
      prefixLength: Type.Integer({
        description: `Size of each ${tier} subnet as a CIDR prefix length (/16 to /28). Subnets are carved from vpcCIDR in the order public, private, isolated, zone by zone.`,
        minimum: 16,
        maximum: 28,
        default: 24,
      }),
    },
    { description: `${tier[0]!.toUpperCase()}${tier.slice(1)} subnets: ${use}`, default: {} },
  );
}

/** NAT gateway layout. */
export const NAT_MODES = ['None', 'Single', 'PerAZ'] as const;
/** AWS services with gateway VPC endpoints (free, routed through the route tables). */
export const GATEWAY_ENDPOINT_SERVICES = ['s3', 'dynamodb'] as const;
/** Subnet tiers interface VPC endpoints may live in. */
export const ENDPOINT_SUBNET_TIERS = ['private', 'isolated'] as const;

/** Schema of `spec.network.endpoints`. */
export const EndpointsSchema = Obj(
  {
    gateway: Type.Array(StringEnum(GATEWAY_ENDPOINT_SERVICES, { description: 's3 or dynamodb.' }), {
      description: 'Gateway endpoints, on the route tables of the private and isolated subnets: s3, dynamodb.',
      default: [],
      maxItems: 2,
      uniqueItems: true,
      'x-kubernetes-list-type': 'set',
    }),
    interface: Type.Array(
      Type.String({ description: 'Service short name, as in com.amazonaws.<region>.<name>: e.g. secretsmanager, logs, sqs, ecr.api.', pattern: '^[a-z0-9][a-z0-9.-]{0,62}$', maxLength: 63 }),
      {
        description: 'Interface endpoints (with private DNS), one network interface in each zone\'s first subnet of subnetTier, behind a security group that accepts HTTPS from the VPC CIDR.',
        default: [],
        maxItems: 20,
        uniqueItems: true,
        'x-kubernetes-list-type': 'set',
      },
    ),
    subnetTier: StringEnum(ENDPOINT_SUBNET_TIERS, { description: 'Subnet tier of the interface endpoints: private (default) or isolated.', default: 'private' }),
  },
  { description: 'VPC endpoints, so that private and isolated subnets reach AWS services without the NAT gateways. Omit for none.' },
);

/** Schema of `spec.network`. */
export const NetworkSchema = Obj(
  {
    vpcCIDR: Cidr(16, 28, {
      description: 'Primary IPv4 CIDR block of the VPC, /16 to /28 (e.g. 10.0.0.0/16). Immutable.',
      'x-kubernetes-validations': [immutable('vpcCIDR')],
    }),
    availabilityZones: Type.Array(
      Type.String({ pattern: '^[a-z]{2}(-gov)?-[a-z]+-[0-9][a-z]$', maxLength: 24, description: 'Availability zone name, e.g. us-east-1a.' }),
      {
        description: 'Availability zones to spread subnets over (1 to 3, all in spec.region).',
        minItems: 1,
        maxItems: 3,
        uniqueItems: true,
        'x-kubernetes-list-type': 'set',
      },
    ),
    subnets: Obj(
      {
        public: SubnetTier('public', 1, 'routed to the internet gateway; load balancers and NAT gateways live here.'),
        private: SubnetTier('private', 1, 'outbound internet through NAT; application tier.'),
        isolated: SubnetTier('isolated', 0, 'no route to the internet; databases and caches.'),
      },
      { description: 'Subnet tiers. Each tier gets one route table per availability zone.', default: {} },
    ),
    natGateways: StringEnum(NAT_MODES, {
      description: 'NAT gateways for private subnets: None, Single (one shared, in the first zone) or PerAZ (one per zone, highly available). Needs public subnets.',
      default: 'Single',
    }),
    endpoints: Type.Optional(EndpointsSchema),
  },
  {
    description: 'The VPC and its subnets.',
    'x-kubernetes-validations': [
      {
        rule: "self.natGateways == 'None' || self.subnets.public.countPerAZ > 0",
        message: 'natGateways needs public subnets (subnets.public.countPerAZ > 0)',
        fieldPath: '.natGateways',
      },
      {
        rule: "!has(self.endpoints) || size(self.endpoints.gateway) == 0 || self.subnets.private.countPerAZ > 0 || self.subnets.isolated.countPerAZ > 0",
        message: 'gateway endpoints need private or isolated subnets (their route tables carry the endpoint routes)',
        fieldPath: '.endpoints.gateway',
      },
      {
        rule: "!has(self.endpoints) || size(self.endpoints.interface) == 0 || (self.endpoints.subnetTier == 'isolated' ? self.subnets.isolated.countPerAZ > 0 : self.subnets.private.countPerAZ > 0)",
        message: 'endpoints.subnetTier names a subnet tier with no subnets (set network.subnets.<tier>.countPerAZ)',
        fieldPath: '.endpoints.subnetTier',
      },
    ],
  },
);

/** Schema of `spec.securityGroups`. */
export const SecurityGroupsSchema = Obj(
  {
    loadBalancer: Type.Optional(
      Obj(
        {
          ingressCIDRs: Type.Array(Cidr(0, 32, { description: 'Client CIDR block.' }), {
            description: 'Client CIDR blocks allowed to reach the load balancer.',
            default: ['0.0.0.0/0'],
            minItems: 1,
            maxItems: 20,
          }),
          ports: Type.Array(Type.Integer({ minimum: 1, maximum: 65535, description: 'TCP port.' }), {
            description: 'Listener ports open to the clients (e.g. 443, and 80 for a redirect).',
            default: [443],
            minItems: 1,
            maxItems: 5,
            uniqueItems: true,
            'x-kubernetes-list-type': 'set',
          }),
        },
        { description: 'Load-balancer tier: open to ingressCIDRs on ports; may only reach the app tier. Omit when no load balancer fronts the app (e.g. API Gateway + Lambda).' },
      ),
    ),
    app: Obj(
      {
        port: Type.Integer({ description: 'Port the application listens on (reachable from the load-balancer tier only).', minimum: 1, maximum: 65535, default: 8080 }),
      },
      { description: 'Application tier (containers, instances or VPC Lambdas): reaches the database and cache tiers and HTTPS anywhere.', default: {} },
    ),
  },
  {
    description: 'Security-group tiers with least-privilege rules between them: load balancer → app → database/cache. The database and cache tiers exist when those components do.',
    default: {},
  },
);

/** `spec.network` as TypeScript. */
export type NetworkSpec = Static<typeof NetworkSchema>;
/** `spec.network.endpoints`, defaulted. */
export type EndpointsSpec = Static<typeof EndpointsSchema>;
