/** `spec.compute.instances`: an EC2 Auto Scaling group launched from a launch template. */
import { Type, type Static } from '@sinclair/typebox';
import { APP_SUBNET_TIERS } from './containers.js';
import { Obj, StringEnum } from './schema-kit.js';

/** Schema of `spec.compute.instances`. */
export const InstancesSchema = Obj(
  {
    instanceType: Type.String({ description: 'EC2 instance type, e.g. t3.large or m7g.xlarge.', pattern: '^[a-z][a-z0-9-]*\\.[a-z0-9-]+$', maxLength: 32 }),
    amiId: Type.String({ description: 'AMI the instances boot from (ami- and 8 or 17 hexadecimal digits), in spec.region.', pattern: '^ami-([0-9a-f]{8}|[0-9a-f]{17})$', maxLength: 21 }),
    userData: Type.Optional(
      Type.String({
        description: 'Script run at first boot, as plain text (base64-encoded into the launch template). At most 16384 characters (EC2 takes 16 KiB before encoding). Readable by anyone who can read the environment: never put secrets here.',
        maxLength: 16384,
      }),
    ),
    detailedMonitoring: Type.Boolean({ description: 'CloudWatch metrics every minute instead of every five (extra cost).', default: false }),
    minSize: Type.Integer({ description: 'Fewest instances (0 to 1000).', minimum: 0, maximum: 1000 }),
    maxSize: Type.Integer({ description: 'Most instances (1 to 1000).', minimum: 1, maximum: 1000 }),
    desiredCapacity: Type.Optional(Type.Integer({ description: 'Instances to start with, between minSize and maxSize. Default: minSize.', minimum: 0, maximum: 1000 })),
    subnetTier: StringEnum(APP_SUBNET_TIERS, {
      description: 'Subnet tier of the instances: private (default) or public (instances get public IPs). Private instances reach the internet only through network.natGateways.',
      default: 'private',
    }),
    healthCheckGracePeriodSeconds: Type.Integer({
      description: 'Seconds after launch before health checks count (0 to 7200). The group uses the load balancer\'s health checks when spec.loadBalancer exists, EC2 status checks otherwise.',
      minimum: 0,
      maximum: 7200,
      default: 300,
    }),
    cpuTargetPercent: Type.Optional(Type.Integer({ description: 'Target tracking: keep the group\'s average CPU utilisation near this percentage (1 to 100). Omit for no scaling policy.', minimum: 1, maximum: 100 })),
  },
  {
    description: 'EC2 Auto Scaling: a launch template (instance type, AMI, user data, the app security group, a derived instance profile) and an Auto Scaling group registered in the target group of spec.loadBalancer. The application listens on spec.securityGroups.app.port.',
    'x-kubernetes-validations': [
      { rule: 'self.minSize <= self.maxSize', message: 'minSize must be less than or equal to maxSize', fieldPath: '.minSize' },
      {
        rule: '!has(self.desiredCapacity) || (self.minSize <= self.desiredCapacity && self.desiredCapacity <= self.maxSize)',
        message: 'desiredCapacity must be between minSize and maxSize',
        fieldPath: '.desiredCapacity',
      },
    ],
  },
);

/** `spec.compute.instances` as TypeScript. */
export type InstancesSpec = Static<typeof InstancesSchema>;
