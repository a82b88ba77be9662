/**
 * The object set of hack/ack-smoke.ts: one object per kind the operator renders, with a spec that is valid on AWS too
 * and renders what the charts must render (docs/e2e.md, "Application tier against moto"), and, for the application
 * tier, what moto's own API must report about the AWS resource (the facts of `localcluster/moto/inventory.py
 * --details`) after the create and after an update of the spec.
 */
import type { KubernetesObject } from '@kubernetes/client-node';

/** One condition of an ACK status. */
export interface AckCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** An ACK custom resource as the smoke reads it. */
export type AckObject = KubernetesObject & {
  spec?: Record<string, unknown>;
  status?: { conditions?: AckCondition[]; id?: string; ackResourceMetadata?: { arn?: string } };
};

/** One object of the smoke set. */
export interface Case {
  service: string;
  kind: string;
  object: AckObject;
  /** Facts moto must report for the AWS resource once the object synced (a subset of inventory.py --details). */
  aws?: Record<string, unknown>;
  /** A change of the synced object (JSON merge patch of `spec`) and the facts moto must report afterwards. */
  update?: { spec: Record<string, unknown>; aws: Record<string, unknown> };
  /**
   * Late bindings: spec paths set to the ARN ACK recorded for another object of the set. The object is created only
   * once every source has one, as the operator holds back a child whose bindings are unresolved; the paths are set
   * in the update's spec too, where they exist.
   */
  bind?: { path: (string | number)[]; from: { kind: string; name: string } }[];
  /**
   * Spec fields the controller is known to find different from AWS on every resync although nothing changed, and
   * that no spec can avoid (docs/e2e.md says why for each). Any other field found so is a diff loop: a failure.
   */
  resyncDiffs?: string[];
}

const ref = (name: string): { from: { name: string } } => ({ from: { name } });
const json = (value: unknown): string => JSON.stringify(value);
const assumeRole = (service: string): string =>
  json({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] });

/** The smoke set, in creation order; references use `*Ref.from.name` like the operator does. */
export function smokeCases(ns: string, id: string): Case[] {
  const ack = (service: string, kind: string, name: string, spec: Record<string, unknown>, more: Partial<Case> = {}): Case => ({
    service,
    kind,
    object: { apiVersion: `${service}.services.k8s.aws/v1alpha1`, kind, metadata: { name, namespace: ns }, spec },
    ...more,
  });
  return [...dataTier(ack, ns, id), ...applicationTier(ack, id)];
}

type Make = (service: string, kind: string, name: string, spec: Record<string, unknown>, more?: Partial<Case>) => Case;

/**
 * What AWS reports for a subnet nobody configured: ec2-controller (v1.19.0) compares these fields on every resync
 * but never late-initialises them, so a spec without them makes it call ModifySubnetAttribute each time.
 */
const subnetDefaults = {
  mapPublicIPOnLaunch: false,
  assignIPv6AddressOnCreation: false,
  ipv6Native: false,
  hostnameType: 'ip-name',
  enableResourceNameDNSARecord: false,
  enableResourceNameDNSAAAARecord: false,
};

function dataTier(ack: Make, ns: string, id: string): Case[] {
  return [
    ack('ec2', 'VPC', 'vpc', { cidrBlocks: ['10.0.0.0/16'], enableDNSSupport: true, enableDNSHostnames: true }),
    ...['a', 'b'].map((zone, i) =>
      ack('ec2', 'Subnet', `subnet-${zone}`, { vpcRef: ref('vpc'), cidrBlock: `10.0.${16 * i}.0/20`, availabilityZone: `us-east-1${zone}`, ...subnetDefaults }, {
        resyncDiffs: ['Spec.AvailabilityZoneID'],
      }),
    ),
    ack('ec2', 'InternetGateway', 'igw', { vpcRef: ref('vpc') }),
    ack('ec2', 'ElasticIPAddress', 'nat-eip', {}),
    ack('ec2', 'NATGateway', 'nat', { subnetRef: ref('subnet-a'), allocationRef: ref('nat-eip'), connectivityType: 'public' }),
    ack('ec2', 'RouteTable', 'public', { vpcRef: ref('vpc'), routes: [{ destinationCIDRBlock: '0.0.0.0/0', gatewayRef: ref('igw') }] }),
    ack('ec2', 'SecurityGroup', 'db', {
      name: `smoke-${id}-db`,
      description: 'smoke test database access',
      vpcRef: ref('vpc'),
      ingressRules: [{ ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, ipRanges: [{ cidrIP: '10.0.0.0/16' }] }],
    }),
    ack('rds', 'DBSubnetGroup', 'db', { name: `smoke-${id}-db`, description: 'smoke test', subnetRefs: [ref('subnet-a'), ref('subnet-b')] }),
    ack('rds', 'DBCluster', 'db', {
      dbClusterIdentifier: `smoke-${id}-db`,
      engine: 'aurora-postgresql',
      engineVersion: '16.6',
      masterUsername: 'marketplace',
      masterUserPassword: { namespace: ns, name: 'db-master', key: 'password' },
      dbSubnetGroupRef: ref('db'),
      vpcSecurityGroupRefs: [ref('db')],
      serverlessV2ScalingConfiguration: { minCapacity: 0.5, maxCapacity: 2 },
      storageEncrypted: true,
    }),
    ack('rds', 'DBInstance', 'db-writer', {
      dbInstanceIdentifier: `smoke-${id}-db-writer`,
      dbClusterIdentifier: `smoke-${id}-db`,
      dbInstanceClass: 'db.serverless',
      engine: 'aurora-postgresql',
    }),
    ack('elasticache', 'CacheSubnetGroup', 'cache', {
      cacheSubnetGroupName: `smoke-${id}-cache`,
      cacheSubnetGroupDescription: 'smoke test',
      subnetRefs: [ref('subnet-a'), ref('subnet-b')],
    }),
    ack('elasticache', 'ReplicationGroup', 'cache', {
      replicationGroupID: `smoke-${id}-cache`,
      description: 'smoke test',
      engine: 'redis',
      cacheNodeType: 'cache.t4g.micro',
      numNodeGroups: 1,
      replicasPerNodeGroup: 1,
      automaticFailoverEnabled: true,
      cacheSubnetGroupRef: ref('cache'),
      securityGroupRefs: [ref('db')],
    }),
    ack('s3', 'Bucket', 'assets', {
      name: `smoke-${id}-assets`,
      encryption: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' }, bucketKeyEnabled: false }] },
    }),
    ack('secretsmanager', 'Secret', 'app', {
      name: `smoke-${id}/app`,
      description: 'smoke test',
      secretString: { namespace: ns, name: 'db-master', key: 'password' },
    }),
    ack('kms', 'Key', 'data', { description: 'smoke test key', enableKeyRotation: false }),
  ];
}

/**
 * Load balancer, target groups, listeners and a rule (elbv2), task and instance roles with a managed policy and an
 * instance profile (iam), a container repository (ecr) and a launch template (ec2): the fields the application-tier
 * charts render, with the defaults docs/e2e.md ("Application tier against moto") says they need.
 */
function applicationTier(ack: Make, id: string): Case[] {
  const lb = `smoke-${id}-app`;
  const [blue, green] = [`smoke-${id}-blue`, `smoke-${id}-green`];
  // Target groups inside actions are late-bound ARNs, never targetGroupRef: ACK replaces the actions with what AWS
  // returns, which has no refs, so a rendered ref would never stay in the spec (see docs/e2e.md).
  const forward = (weights: [number, number]): Record<string, unknown> => ({
    type: 'forward',
    forwardConfig: { targetGroups: [{ targetGroupARN: '', weight: weights[0] }, { targetGroupARN: '', weight: weights[1] }] },
  });
  const bindWeighted = (key: string): Case['bind'] =>
    ['blue', 'green'].map((name, i) => ({ path: [key, 0, 'forwardConfig', 'targetGroups', i, 'targetGroupARN'], from: { kind: 'TargetGroup', name } }));
  const targetGroup = (name: string): Record<string, unknown> => ({
    name,
    vpcRef: ref('vpc'),
    protocol: 'HTTP',
    protocolVersion: 'HTTP1',
    ipAddressType: 'ipv4',
    port: 8000,
    targetType: 'ip',
    healthCheckEnabled: true,
    healthCheckPath: '/health',
    healthCheckProtocol: 'HTTP',
    healthCheckPort: 'traffic-port',
    healthCheckIntervalSeconds: 15,
    healthCheckTimeoutSeconds: 5,
    healthyThresholdCount: 3,
    unhealthyThresholdCount: 3,
    matcher: { httpCode: '200-299' },
  });
  const tgFacts = (name: string): Record<string, unknown> => ({
    name,
    protocol: 'HTTP',
    port: 8000,
    targetType: 'ip',
    healthCheckPath: '/health',
    healthCheckIntervalSeconds: 15,
    healthyThresholdCount: 3,
    unhealthyThresholdCount: 3,
    matcher: '200-299',
    loadBalancers: [lb],
  });
  const keepLast = (count: number): string =>
    json({
      rules: [{ rulePriority: 1, description: `keep the last ${count} images`, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: count }, action: { type: 'expire' } }],
    });
  const lbAttributes = (idleSeconds: string): Record<string, string>[] => [
    { key: 'idle_timeout.timeout_seconds', value: idleSeconds },
    { key: 'deletion_protection.enabled', value: 'false' },
  ];
  const readAssets = (actions: string[]): string =>
    json({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: [`arn:aws:s3:::smoke-${id}-assets/*`] }] });
  return [
    ack('ec2', 'SecurityGroup', 'lb', {
      name: `smoke-${id}-lb`,
      description: 'smoke test load balancer',
      vpcRef: ref('vpc'),
      ingressRules: [80, 81, 8080].map((port) => ({ ipProtocol: 'tcp', fromPort: port, toPort: port, ipRanges: [{ cidrIP: '0.0.0.0/0' }] })),
    }),
    ack('elbv2', 'TargetGroup', 'blue', targetGroup(blue), { aws: tgFacts(blue) }),
    ack('elbv2', 'TargetGroup', 'green', targetGroup(green), {
      aws: tgFacts(green),
      // Attributes only by a change: elbv2-controller v1.5.1 records no ARN for a target group created with them
      // until a later reconcile (docs/e2e.md), and a listener cannot be bound to it before.
      update: {
        spec: { healthCheckPath: '/ready', healthyThresholdCount: 2, attributes: [{ key: 'deregistration_delay.timeout_seconds', value: '30' }] },
        aws: { healthCheckPath: '/ready', healthyThresholdCount: 2, 'attribute deregistration_delay.timeout_seconds': '30' },
      },
    }),
    ack(
      'elbv2',
      'LoadBalancer',
      'app',
      {
        name: lb,
        type: 'application',
        scheme: 'internet-facing',
        ipAddressType: 'ipv4',
        subnetRefs: [ref('subnet-a'), ref('subnet-b')],
        securityGroupRefs: [ref('lb')],
        enablePrefixForIPv6SourceNAT: 'off',
        attributes: lbAttributes('120'),
      },
      {
        // No attribute facts here: elbv2-controller v1.5.1 sets the attributes only on its next reconcile after the
        // create, which without a spec change is the next resync (10 h by default; docs/e2e.md). A change sets them.
        aws: { name: lb, scheme: 'internet-facing', type: 'application', state: 'active', availabilityZones: 2, securityGroups: 1, listeners: ['HTTP:80', 'HTTP:8080', 'HTTP:81'] },
        update: {
          spec: { attributes: lbAttributes('90') },
          aws: { 'attribute idle_timeout.timeout_seconds': '90', 'attribute deletion_protection.enabled': 'false' },
        },
      },
    ),
    ack(
      'elbv2',
      'Listener',
      'http',
      {
        loadBalancerRef: ref('app'),
        protocol: 'HTTP',
        port: 80,
        // One target group as ELB reports it: by ARN and as a forward config of weight 1, with order and stickiness.
        defaultActions: [
          { order: 1, type: 'forward', targetGroupARN: '', forwardConfig: { targetGroups: [{ targetGroupARN: '', weight: 1 }], targetGroupStickinessConfig: { enabled: false } } },
        ],
      },
      {
        bind: [['defaultActions', 0, 'targetGroupARN'], ['defaultActions', 0, 'forwardConfig', 'targetGroups', 0, 'targetGroupARN']].map((path) => ({
          path,
          from: { kind: 'TargetGroup', name: 'blue' },
        })),
        aws: { loadBalancer: lb, protocol: 'HTTP', port: 80, defaultActions: [{ type: 'forward', targetGroups: { [blue]: 1 } }] },
      },
    ),
    ack(
      'elbv2',
      'Listener',
      'blue-green',
      { loadBalancerRef: ref('app'), protocol: 'HTTP', port: 8080, defaultActions: [forward([100, 0])] },
      {
        bind: bindWeighted('defaultActions'),
        aws: { port: 8080, defaultActions: [{ type: 'forward', targetGroups: { [blue]: 100, [green]: 0 } }] },
        update: { spec: { defaultActions: [forward([0, 100])] }, aws: { defaultActions: [{ type: 'forward', targetGroups: { [blue]: 0, [green]: 100 } }] } },
      },
    ),
    ack(
      'elbv2',
      'Listener',
      'redirect',
      {
        loadBalancerRef: ref('app'),
        protocol: 'HTTP',
        port: 81,
        defaultActions: [
          {
            order: 1,
            type: 'redirect',
            redirectConfig: { protocol: 'HTTPS', port: '443', host: '#{host}', path: '/#{path}', query: '#{query}', statusCode: 'HTTP_301' },
          },
        ],
      },
      { aws: { port: 81, defaultActions: [{ type: 'redirect', redirect: 'HTTPS:443 HTTP_301' }] } },
    ),
    ack(
      'elbv2',
      'Rule',
      'api',
      { listenerRef: ref('http'), priority: 10, conditions: [{ field: 'path-pattern', pathPatternConfig: { values: ['/api/*'] } }], actions: [forward([80, 20])] },
      {
        bind: bindWeighted('actions'),
        aws: { priority: '10', pathPatterns: ['/api/*'], actions: [{ type: 'forward', targetGroups: { [blue]: 80, [green]: 20 } }] },
        update: { spec: { actions: [forward([50, 50])] }, aws: { actions: [{ type: 'forward', targetGroups: { [blue]: 50, [green]: 50 } }] } },
      },
    ),
    ack(
      'iam',
      'Policy',
      'task-assets',
      {
        name: `smoke-${id}-task-assets`,
        description: 'smoke test: read the assets bucket',
        policyDocument: readAssets(['s3:GetObject']),
      },
      {
        aws: { name: `smoke-${id}-task-assets`, attachmentCount: 1, defaultVersion: 'v1' },
        // A changed document is a new default policy version, still attached.
        update: { spec: { policyDocument: readAssets(['s3:GetObject', 's3:PutObject']) }, aws: { attachmentCount: 1, defaultVersion: 'v2' } },
      },
    ),
    ack(
      'iam',
      'Role',
      'task',
      {
        name: `smoke-${id}-task`,
        description: 'smoke test ECS task role',
        assumeRolePolicyDocument: assumeRole('ecs-tasks.amazonaws.com'),
        policyRefs: [ref('task-assets')],
        inlinePolicies: { logs: json({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['logs:PutLogEvents'], Resource: ['*'] }] }) },
      },
      { aws: { assumedBy: ['ecs-tasks.amazonaws.com'], attachedPolicies: [`smoke-${id}-task-assets`], inlinePolicies: ['logs'] } },
    ),
    ack(
      'iam',
      'Role',
      'instance',
      {
        name: `smoke-${id}-instance`,
        description: 'smoke test EC2 instance role',
        assumeRolePolicyDocument: assumeRole('ec2.amazonaws.com'),
        policies: ['arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore'],
      },
      { aws: { assumedBy: ['ec2.amazonaws.com'], attachedPolicies: ['AmazonSSMManagedInstanceCore'], inlinePolicies: [] } },
    ),
    ack('iam', 'InstanceProfile', 'instance', { name: `smoke-${id}-instance`, roleRef: ref('instance') }, { aws: { roles: [`smoke-${id}-instance`] } }),
    ack(
      'ecr',
      'Repository',
      'app',
      { name: `smoke-${id}/app`, imageScanningConfiguration: { scanOnPush: true }, imageTagMutability: 'IMMUTABLE', lifecyclePolicy: keepLast(10) },
      {
        aws: { scanOnPush: true, imageTagMutability: 'IMMUTABLE', encryptionType: 'AES256', lifecycleRules: ['any imageCountMoreThan 10 expire'] },
        update: { spec: { lifecyclePolicy: keepLast(20) }, aws: { lifecycleRules: ['any imageCountMoreThan 20 expire'] } },
      },
    ),
    ack(
      'ec2',
      'LaunchTemplate',
      'app',
      {
        name: `smoke-${id}-app`,
        data: {
          instanceType: 't3.large',
          imageID: 'ami-0123456789abcdef0',
          iamInstanceProfile: { name: `smoke-${id}-instance` },
          metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 2 },
          monitoring: { enabled: true },
          userData: Buffer.from('#!/bin/bash\necho smoke\n').toString('base64'),
          tagSpecifications: ['instance', 'volume'].map((resourceType) => ({ resourceType, tags: [{ key: 'smoke', value: id }] })),
        },
        tags: [{ key: 'smoke', value: id }],
      },
      {
        aws: {
          name: `smoke-${id}-app`,
          defaultVersion: 1,
          latestVersion: 1,
          instanceType: 't3.large',
          imageID: 'ami-0123456789abcdef0',
          instanceProfile: `smoke-${id}-instance`,
          httpTokens: 'required',
          userData: true,
        },
        // A change of the data is a new version; the default version stays what spec.defaultVersion says.
        update: { spec: { data: { instanceType: 't3.xlarge' } }, aws: { defaultVersion: 1, latestVersion: 2, instanceType: 't3.xlarge' } },
      },
    ),
  ];
}
