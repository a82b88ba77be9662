/**
 * Whole-chart tests: every environment of every example (example 003 holds one per region) rendered by
 * renderEnvironment, snapshotted, and checked for the invariants that matter to apply/prune (unique deterministic
 * names, labels, namespace, refs that resolve), against the ACK CRDs, and for the regions of a multi-region example.
 */
import { AWS_GAPS_ANNOTATION, type AwsGap, type WebAclAssociation } from '../../../charts/aws-gaps.js';
import { renderEnvironment, type RenderedObject } from '../../../charts/index.js';
import { bindingsOf } from '../../../controllers/marketplace-environment/resolve-bindings.js';
import { crdErrors, crdTest } from '../helpers/ack-schemas.js';
import { EXAMPLE_ENVIRONMENTS, example, ofKind, only, type LooseObject } from '../helpers/render-construct.js';

/** Environments by metadata.name (unique across the examples: they can share one namespace). */
const names = EXAMPLE_ENVIRONMENTS.map((e) => e.manifest.metadata.name);
const rendered = new Map(names.map((n) => [n, renderEnvironment(example(n)) as LooseObject[]] as const));
/** The environments of example 003, one per region. */
const TRADING = ['trading-useast1', 'trading-useast2', 'trading-uswest2'];
const kindsOf = (objects: readonly RenderedObject[]) => Object.fromEntries([...new Set(objects.map((o) => o.kind))].sort().map((k) => [k, ofKind(objects, k).length]));

/** Every `{from: {name}}` reference inside an object. */
function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, out));
  else if (node && typeof node === 'object') {
    const from = (node as { from?: { name?: unknown } }).from;
    if (from && typeof from.name === 'string') out.push(from.name);
    Object.values(node).forEach((n) => refs(n, out));
  }
  return out;
}

describe.each(names)('example environment %s', (name) => {
  const objects = rendered.get(name)!;
  const env = example(name);

  it('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  it('renders unique names prefixed by the environment, without a namespace (the example has none), with the common labels', () => {
    const keys = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const o of objects) {
      expect(o.metadata.name.startsWith(`${env.metadata.name}-`)).toBe(true);
      expect(o.metadata.name).not.toMatch(/-c[0-9a-f]{7}$/);
      expect(o.metadata.namespace).toBeUndefined();
      expect(o.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'marketplace-operator', 'marketplace.platform.dev/environment': env.metadata.name });
    }
  });

  it('only references objects it renders (every ACK ref resolves inside the environment)', () => {
    const names = new Set(objects.map((o) => o.metadata.name));
    for (const o of objects) for (const name of refs(o.spec)) expect(names).toContain(name);
  });

  it('renders the same output twice (pure)', () => {
    expect(renderEnvironment(example(name))).toEqual(objects);
  });

  it('puts the deletion policy on every data-bearing child', () => {
    const data = objects.filter((o) => ['DBCluster', 'DBInstance', 'ReplicationGroup', 'Bucket', 'Key', 'Secret', 'Repository'].includes(o.kind));
    for (const o of data) expect(o.metadata.annotations['services.k8s.aws/deletion-policy']).toBe(env.spec.deletionPolicy.toLowerCase());
  });

  crdTest(objects)('is valid against the ACK CRDs (closed schemas: unknown fields fail)', () => {
    expect(crdErrors(objects)).toEqual([]);
  });
});

describe('seed figures', () => {
  it('000: 9 subnets, 3 NAT gateways, Aurora MySQL with 3 db.serverless instances, Redis 6 × 1, CDN, ALB, Auto Scaling group', () => {
    const o = rendered.get('marketplace-three-tier')!;
    expect(kindsOf(o)).toEqual({
      AutoScalingGroup: 1, Bucket: 1, CacheSubnetGroup: 1, Certificate: 1, DBCluster: 1, DBInstance: 3, DBSubnetGroup: 1, Distribution: 1, ElasticIPAddress: 3,
      InstanceProfile: 1, InternetGateway: 1, Key: 1, LaunchTemplate: 1, Listener: 2, LoadBalancer: 1, LogGroup: 1, NATGateway: 3, OriginAccessControl: 1,
      Policy: 1, ReplicationGroup: 1, Role: 1, RouteTable: 9, SecurityGroup: 4, Subnet: 9, TargetGroup: 1, VPC: 1,
      Dashboard: 1, MetricAlarm: 21, Subscription: 1, Topic: 1,
    });
    expect(ofKind(o, 'DBInstance').map((i) => i.spec?.dbInstanceClass)).toEqual(['db.serverless', 'db.serverless', 'db.serverless']);
    expect(ofKind(o, 'DBCluster')[0]?.spec).toMatchObject({ engine: 'aurora-mysql', serverlessV2ScalingConfiguration: { minCapacity: 0.5, maxCapacity: 2 }, backupRetentionPeriod: 1 });
    expect(ofKind(o, 'ReplicationGroup')[0]?.spec).toMatchObject({ numNodeGroups: 6, replicasPerNodeGroup: 1, atRestEncryptionEnabled: true, transitEncryptionEnabled: true });
  });

  it('000: Auto Scaling group of 4-10 t3.large in the private subnets, ELB health checks with a 300 s grace period, target tracking on 70 % CPU', () => {
    const o = rendered.get('marketplace-three-tier')!;
    const group = only(o, 'AutoScalingGroup');
    const template = only(o, 'LaunchTemplate');
    expect(group.spec).toMatchObject({ minSize: 4, maxSize: 10, desiredCapacity: 4, healthCheckType: 'ELB', healthCheckGracePeriod: 300 });
    expect(group.spec.targetGroupRefs).toEqual([{ from: { name: only(o, 'TargetGroup').metadata.name } }]);
    expect(group.spec.launchTemplate.launchTemplateName).toBe(template.spec.name);
    expect(template.spec.data).toMatchObject({ instanceType: 't3.large' });
    const zones = bindingsOf(group).filter((b) => b.path === '/spec/vpcZoneIdentifier').map((b) => b.from.name);
    expect(zones).toEqual(['a', 'b', 'c'].map((z) => `marketplace-three-tier-subnet-private-${z}-0`));
    // No ACK kind sets an EC2 Auto Scaling policy: the group declares the 70 % CPU target for the operator (aws-gaps).
    expect(ofKind(o, 'ScalableTarget')).toHaveLength(0);
    expect(ofKind(o, 'ScalingPolicy')).toHaveLength(0);
    expect(JSON.parse(group.metadata.annotations[AWS_GAPS_ANNOTATION]!) as AwsGap[]).toEqual([
      expect.objectContaining({ type: 'AutoScalingTargetTracking', autoScalingGroupName: group.spec.name, metric: 'ASGAverageCPUUtilization', targetValue: 70 }),
    ]);
  });

  it('000: internet-facing ALB over the 3 public subnets; HTTP 80 redirects to HTTPS 443 with a requested certificate; instance targets on port 80', () => {
    const o = rendered.get('marketplace-three-tier')!;
    const alb = only(o, 'LoadBalancer');
    expect(alb.spec).toMatchObject({ scheme: 'internet-facing', type: 'application' });
    expect(alb.spec.subnetRefs).toEqual(['a', 'b', 'c'].map((z) => ({ from: { name: `marketplace-three-tier-subnet-public-${z}-0` } })));
    expect(only(o, 'TargetGroup').spec).toMatchObject({ targetType: 'instance', port: 80, healthCheckEnabled: true });
    expectHttpsWithRedirect(o, 'marketplace.example.com');
  });

  it('001: 3 buckets (+ one for the code), a CDN with a behaviour to the solutions bucket and logging, no database', () => {
    const o = rendered.get('marketplace-platform-dev')!;
    expect(kindsOf(o)).toMatchObject({ Bucket: 4, Distribution: 1, OriginAccessControl: 1, Subnet: 4, NATGateway: 1, SecurityGroup: 1 });
    expect(ofKind(o, 'DBCluster')).toHaveLength(0);
    const config = ofKind(o, 'Distribution')[0]?.spec?.distributionConfig as { cacheBehaviors: { items: { pathPattern: string }[] }; logging: { bucket: string } };
    expect(config.cacheBehaviors.items.map((b) => b.pathPattern)).toEqual(['/solutions/*']);
    expect(config.logging.bucket).toBe('marketplace-cdn-logs-dev.s3.amazonaws.com');
  });

  it('001: 4 pay-per-request tables with point-in-time recovery, AWS-managed encryption and contributor insights; 6 GSIs; TTL on Sessions', () => {
    const o = rendered.get('marketplace-platform-dev')!;
    const tables = ofKind(o, 'Table');
    const indexes = (t: LooseObject) => (t.spec.globalSecondaryIndexes as { indexName: string }[] | undefined)?.map((i) => i.indexName) ?? [];
    expect(Object.fromEntries(tables.map((t) => [t.spec.tableName, indexes(t)]))).toEqual({
      'marketplace-users-dev': ['email-index'],
      'marketplace-solutions-dev': ['category-index', 'partner-index'],
      'marketplace-transactions-dev': ['user-index', 'partner-index'],
      'marketplace-sessions-dev': ['user-index'],
    });
    for (const t of tables) {
      expect(t.spec).toMatchObject({ billingMode: 'PAY_PER_REQUEST', continuousBackups: { pointInTimeRecoveryEnabled: true }, sseSpecification: { enabled: true, sseType: 'KMS' }, contributorInsights: 'ENABLE' });
    }
    expect(tables.filter((t) => t.spec.timeToLive).map((t) => [t.spec.tableName, t.spec.timeToLive])).toEqual([['marketplace-sessions-dev', { attributeName: 'expiresAt', enabled: true }]]);
  });

  it('001: 3 functions of 256 MB and 30 s in the private subnets with the Lambda security group, sharing one layer, each with its tables only', () => {
    const o = rendered.get('marketplace-platform-dev')!;
    const functions = ofKind(o, 'Function');
    expect(functions.map((f) => f.spec.name)).toEqual(['marketplace-users-dev', 'marketplace-solutions-dev', 'marketplace-transactions-dev']);
    for (const f of functions) {
      expect(f.spec).toMatchObject({ memorySize: 256, timeout: 30, vpcConfig: { securityGroupRefs: [{ from: { name: 'marketplace-platform-dev-sg-app' } }] } });
      expect(f.spec.vpcConfig.subnetRefs).toEqual(['a', 'b'].map((z) => ({ from: { name: `marketplace-platform-dev-subnet-private-${z}-0` } })));
      expect(Object.keys(f.spec.environment.variables).sort()).toEqual(['LOG_GROUP_NAME', 'SESSIONS_TABLE_NAME', 'SOLUTIONS_TABLE_NAME', 'STAGE', 'TRANSACTIONS_TABLE_NAME', 'USERS_TABLE_NAME']);
    }
    expect(ofKind(o, 'LayerVersion').map((l) => l.spec.layerName)).toEqual(['marketplace-common-dev']);
    // Each role's table policy names its own tables and no other.
    const tablePolicy = (fn: string) => ofKind(o, 'Policy').find((p) => p.metadata.name === `marketplace-platform-dev-policy-fn-${fn}-tables`)!.spec.policyDocument as string;
    expect(tablePolicy('users')).toMatch(/table\/marketplace-users-dev/);
    expect(tablePolicy('users')).toMatch(/table\/marketplace-sessions-dev/);
    expect(tablePolicy('users')).not.toMatch(/marketplace-(solutions|transactions)-dev/);
    expect(tablePolicy('transactions')).not.toMatch(/marketplace-(users|sessions|solutions)-dev/);
  });

  it('001: an HTTP API with CORS, one route pair per function, logs in /aws/marketplace/dev and per function for a week, S3 and DynamoDB gateway endpoints', () => {
    const o = rendered.get('marketplace-platform-dev')!;
    expect(only(o, 'API').spec).toMatchObject({ protocolType: 'HTTP', corsConfiguration: { allowOrigins: ['*'] } });
    expect(ofKind(o, 'Route').map((r) => r.spec.routeKey).sort()).toEqual(
      ['users', 'solutions', 'transactions'].flatMap((f) => [`ANY /${f}`, `ANY /${f}/{proxy+}`]).sort(),
    );
    expect(ofKind(o, 'Integration')).toHaveLength(3);
    expect(only(o, 'Stage').spec).toMatchObject({ stageName: '$default', autoDeploy: true });
    const logGroups = Object.fromEntries(ofKind(o, 'LogGroup').map((l) => [l.spec.name, l.spec.retentionDays]));
    expect(logGroups).toMatchObject({ '/aws/marketplace/dev': 7, '/aws/lambda/marketplace-users-dev': 7, '/aws/lambda/marketplace-solutions-dev': 7, '/aws/lambda/marketplace-transactions-dev': 7 });
    expect(ofKind(o, 'VPCEndpoint').map((e) => [e.spec.serviceName, e.spec.vpcEndpointType])).toEqual([
      ['com.amazonaws.us-east-1.s3', 'Gateway'],
      ['com.amazonaws.us-east-1.dynamodb', 'Gateway'],
    ]);
  });

  it('000: alarms on the ALB, the instance fleet, Aurora (writer and readers) and Redis (per shard), one dashboard, one topic', () => {
    const o = rendered.get('marketplace-three-tier')!;
    const namespaces = ofKind(o, 'MetricAlarm').map((a) => (a.spec.namespace as string | undefined) ?? 'metric math');
    expect(Object.fromEntries([...new Set(namespaces)].sort().map((n) => [n, namespaces.filter((x) => x === n).length]))).toEqual({
      // Redis: CPU and evictions of each of the 6 shards, metric math over the shard's nodes.
      'AWS/ApplicationELB': 4, 'AWS/EC2': 1, 'AWS/RDS': 4, 'metric math': 12,
    });
    expect(only(o, 'Subscription').spec).toMatchObject({ protocol: 'email', endpoint: 'ops@example.com' });
  });

  it('001: "Lambda errors > 10 in 2 evaluation periods" per function, "API latency > 5 s", throttles per table, dashboard marketplace-dev', () => {
    const o = rendered.get('marketplace-platform-dev')!;
    const alarms = Object.fromEntries(ofKind(o, 'MetricAlarm').map((a) => [a.spec.name, [a.spec.metricName ?? 'metric math', a.spec.threshold, a.spec.evaluationPeriods]]));
    for (const f of ['users', 'solutions', 'transactions']) expect(alarms[`marketplace-fn-errors-${f}-dev`]).toEqual(['Errors', 10, 2]);
    expect(alarms['marketplace-api-latency-dev']).toEqual(['Latency', 5000, 2]);
    for (const t of ['users', 'solutions', 'transactions', 'sessions']) expect(alarms[`marketplace-table-throttles-${t}-dev`]).toEqual(['metric math', 0, 2]);
    for (const a of ofKind(o, 'MetricAlarm')) expect(a.spec.comparisonOperator).toBe('GreaterThanThreshold');
    const dashboard = only(o, 'Dashboard');
    expect(dashboard.spec.dashboardName).toBe('marketplace-dev');
    const body = JSON.stringify(dashboard);
    for (const metric of ['Errors', 'Duration', 'ConsumedReadCapacityUnits', 'ConsumedWriteCapacityUnits', 'Count', '5xx']) expect(body).toContain(`"${metric}"`.replace(/"/g, '\\"'));
  });

  it('002: 2 public + 4 private subnets, 2 NAT gateways, Aurora PostgreSQL 0.5-1 ACU, WAF 2000 per 5 min', () => {
    const o = rendered.get('ecommerce-prod123')!;
    expect(ofKind(o, 'Subnet').filter((s) => s.spec?.mapPublicIPOnLaunch).length).toBe(2);
    expect(ofKind(o, 'Subnet').length).toBe(6);
    expect(ofKind(o, 'NATGateway').length).toBe(2);
    expect(ofKind(o, 'DBCluster')[0]?.spec).toMatchObject({ engine: 'aurora-postgresql', serverlessV2ScalingConfiguration: { minCapacity: 0.5, maxCapacity: 1 } });
    const rules = ofKind(o, 'WebACL')[0]?.spec?.rules as { statement: { rateBasedStatement?: { limit: number; evaluationWindowSec: number } } }[];
    expect(rules[0]?.statement.rateBasedStatement).toMatchObject({ limit: 2000, evaluationWindowSec: 300 });
    expect(ofKind(o, 'Secret').length).toBe(1);
  });

  it('002: ALB in the public subnets, HTTPS only, the REGIONAL web ACL association declared on it', () => {
    const o = rendered.get('ecommerce-prod123')!;
    const alb = only(o, 'LoadBalancer');
    expect(alb.spec.subnetRefs).toEqual(['a', 'b'].map((z) => ({ from: { name: `ecommerce-prod123-subnet-public-${z}-0` } })));
    expect(ofKind(o, 'Listener').map((l) => [l.spec.protocol, l.spec.port])).toEqual([['HTTPS', 443]]);
    const gaps = JSON.parse(alb.metadata.annotations[AWS_GAPS_ANNOTATION]!) as WebAclAssociation[];
    expect(gaps).toHaveLength(1);
    expect(gaps[0]).toMatchObject({ type: 'WebACLAssociation', resourceARN: { from: { kind: 'LoadBalancer', name: alb.metadata.name } } });
    const acl = only(o, 'WebACL');
    expect(acl.spec.scope).toBe('REGIONAL');
    expect(gaps[0]!.webACLARN?.from).toEqual({ apiVersion: acl.apiVersion, kind: 'WebACL', name: acl.metadata.name });
  });

  it('002: blue and green target groups with health checks, weights 100/0, a Fargate service of exactly 2 tasks per colour scaling on 70 % CPU', () => {
    const o = rendered.get('ecommerce-prod123')!;
    const groups = ofKind(o, 'TargetGroup');
    expect(groups.map((g) => g.metadata.name)).toEqual(['ecommerce-prod123-tg', 'ecommerce-prod123-tg-green']);
    for (const g of groups) expect(g.spec).toMatchObject({ targetType: 'ip', port: 8080, healthCheckEnabled: true, healthCheckPath: '/health' });
    const https = only(o, 'Listener');
    expect(https.spec.defaultActions[0].forwardConfig.targetGroups).toEqual([{ weight: 100 }, { weight: 0 }]);
    expect(bindingsOf(https).filter((b) => b.from.kind === 'TargetGroup').map((b) => b.from.name)).toEqual(groups.map((g) => g.metadata.name));
    const services = ofKind(o, 'Service');
    expect(services.map((s) => s.spec.desiredCount)).toEqual([2, 2]);
    expect(services.map((s) => s.spec.loadBalancers[0].targetGroupRef.from.name)).toEqual(groups.map((g) => g.metadata.name));
    for (const s of services) expect(s.spec).toMatchObject({ launchType: 'FARGATE', networkConfiguration: { awsVPCConfiguration: { assignPublicIP: 'DISABLED' } } });
    expect(ofKind(o, 'ScalableTarget').map((t) => [t.spec.minCapacity, t.spec.maxCapacity])).toEqual([[2, 6], [2, 6]]);
    const policies = ofKind(o, 'ScalingPolicy').map((p) => p.spec.targetTrackingScalingPolicyConfiguration);
    expect(policies).toHaveLength(2);
    for (const p of policies) expect(p).toMatchObject({ targetValue: 70, predefinedMetricSpecification: { predefinedMetricType: 'ECSServiceAverageCPUUtilization' } });
    expect(kindsOf(o)).toMatchObject({ Cluster: 1, TaskDefinition: 2, Repository: 1, Certificate: 1, Role: 2 });
  });

  it('002: least-privilege task roles: the secrets the container references and the one bucket its variables name', () => {
    type Statement = { Action: string | string[]; Resource: string | string[] };
    const documents = Object.fromEntries(ofKind(rendered.get('ecommerce-prod123')!, 'Policy').map((p) => [p.spec.name as string, (JSON.parse(p.spec.policyDocument as string) as { Statement: Statement[] }).Statement]));
    expect(documents['ecommerce-task-exec-secrets-prod123']!.map((x) => x.Resource)).toEqual([['arn:aws:secretsmanager:us-east-1:{{value}}:secret:ecommerce/prod123/app-config-??????']]);
    expect(documents['ecommerce-task-buckets-prod123']!.map((x) => x.Resource)).toEqual([['arn:aws:s3:::ecommerce-assets-prod123'], ['arn:aws:s3:::ecommerce-assets-prod123/*']]);
    const statements = Object.values(documents).flat();
    // No wildcard action; the only statement on every resource is the registry login, which has no resource-level form.
    expect(statements.flatMap((x) => [x.Action].flat()).filter((a) => a.includes('*'))).toEqual([]);
    expect(statements.filter((x) => [x.Resource].flat().includes('*')).map((x) => x.Action)).toEqual(['ecr:GetAuthorizationToken']);
  });

  it.each(TRADING)('003 (%s): provisioned Aurora MySQL, 1 writer + 2 readers on db.r5.large, KMS bucket with 90-day expiry', (name) => {
    const o = rendered.get(name)!;
    expect(ofKind(o, 'DBInstance').map((i) => i.spec?.dbInstanceClass)).toEqual(['db.r5.large', 'db.r5.large', 'db.r5.large']);
    expect(JSON.stringify(ofKind(o, 'Bucket')[0]?.spec)).toContain('"expiration":{"days":90}');
    expect(ofKind(o, 'NATGateway').length).toBe(1);
  });

  it.each(TRADING)('003 (%s): a 512 MB / 30 s function in the VPC behind a REST API proxy (POST /trade), its log group, the KMS alias', (name) => {
    const o = rendered.get(name)!;
    const env = example(name);
    const { region, environmentSuffix: suffix } = env.spec;
    expect(only(o, 'Function').spec).toMatchObject({ name: `trading-trade-${suffix}`, memorySize: 512, timeout: 30, runtime: 'python3.12' });
    expect(only(o, 'Function').spec.vpcConfig.subnetRefs).toHaveLength(2);
    expect(only(o, 'RestAPI').spec.name).toBe(`trading-api-${suffix}`);
    expect(only(o, 'Resource').spec.pathPart).toBe('trade');
    expect(only(o, 'Method').spec).toMatchObject({ httpMethod: 'POST', authorizationType: 'NONE' });
    expect(only(o, 'Integration').spec).toMatchObject({ type: 'AWS_PROXY', httpMethod: 'POST', integrationHTTPMethod: 'POST' });
    expect(only(o, 'Stage').spec.stageName).toBe(suffix);
    expect(only(o, 'LogGroup').spec).toMatchObject({ name: `/aws/lambda/trading-trade-${suffix}`, retentionDays: 14 });
    expect(ofKind(o, 'Alias').find((a) => a.apiVersion.startsWith('kms.'))?.spec.name).toBe(`alias/trading-${region}-${suffix}`);
  });

  it('004: single MySQL 8.0 db.t3.micro instance, 30-day backups, no WAF, no CDN, us-east-2', () => {
    const o = rendered.get('core-business-dev')!;
    expect(ofKind(o, 'DBCluster')).toHaveLength(0);
    expect(ofKind(o, 'DBInstance')[0]?.spec).toMatchObject({ engine: 'mysql', engineVersion: '8.0', dbInstanceClass: 'db.t3.micro', backupRetentionPeriod: 30, multiAZ: false, allocatedStorage: 20 });
    expect(ofKind(o, 'WebACL')).toHaveLength(0);
    expect(ofKind(o, 'Distribution')).toHaveLength(0);
    // Everything in us-east-2 but the billing alarm and its topic: AWS publishes billing metrics in us-east-1 only.
    const elsewhere = o.filter((x) => x.metadata.annotations['services.k8s.aws/region'] !== 'us-east-2');
    expect(elsewhere.map((x) => `${x.kind} ${x.metadata.annotations['services.k8s.aws/region']}`).sort()).toEqual(['MetricAlarm us-east-1', 'Subscription us-east-1', 'Topic us-east-1']);
  });

  it('004: Fargate 0.5 vCPU / 1 GB on port 8000, 2-10 tasks tracking CPU 70 % and memory 80 % with 300 s cooldowns, logs kept 30 days', () => {
    const o = rendered.get('core-business-dev')!;
    expect(kindsOf(o)).toMatchObject({ Cluster: 1, TaskDefinition: 1, Service: 1, ScalableTarget: 1, ScalingPolicy: 2, Repository: 1, Certificate: 1, LogGroup: 1, TargetGroup: 1 });
    const task = only(o, 'TaskDefinition');
    expect(task.spec).toMatchObject({ cpu: '512', memory: '1024', requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc' });
    expect(task.spec.containerDefinitions[0].portMappings).toEqual([{ containerPort: 8000, hostPort: 8000, protocol: 'tcp' }]);
    expect(only(o, 'TargetGroup').spec).toMatchObject({ targetType: 'ip', port: 8000 });
    expect(only(o, 'Service').spec.desiredCount).toBe(2);
    expect(only(o, 'ScalableTarget').spec).toMatchObject({ minCapacity: 2, maxCapacity: 10 });
    const policies = ofKind(o, 'ScalingPolicy').map((p) => p.spec.targetTrackingScalingPolicyConfiguration);
    expect(policies.map((p) => [p.predefinedMetricSpecification.predefinedMetricType, p.targetValue, p.scaleInCooldown, p.scaleOutCooldown])).toEqual([
      ['ECSServiceAverageCPUUtilization', 70, 300, 300],
      ['ECSServiceAverageMemoryUtilization', 80, 300, 300],
    ]);
    expect(only(o, 'LogGroup').spec.retentionDays).toBe(30);
  });

  it('004: HTTP 80 redirects to HTTPS 443, which uses the requested ACM certificate; the ECR repository is retained', () => {
    const o = rendered.get('core-business-dev')!;
    expectHttpsWithRedirect(o, 'corebiz.example.com');
    const repository = only(o, 'Repository');
    expect(repository.spec).toMatchObject({ name: 'corebiz-app-dev', imageScanningConfiguration: { scanOnPush: true }, imageTagMutability: 'IMMUTABLE' });
    expect(repository.metadata.annotations['services.k8s.aws/deletion-policy']).toBe('retain');
    expect(bindingsOf(only(o, 'TaskDefinition')).find((b) => b.path === '/spec/containerDefinitions/0/image')).toMatchObject({ from: { kind: 'Repository', name: repository.metadata.name }, template: '{{value}}:1.0.0' });
  });

  it('004: the environment variables and secrets the seed lists, secrets by reference only', () => {
    const container = only(rendered.get('core-business-dev')!, 'TaskDefinition').spec.containerDefinitions[0];
    // Late bindings: the Cognito pool id and client id (the operator creates the client), the RDS Proxy endpoint.
    expect(container.environment).toEqual([
      { name: 'AWS_REGION', value: 'us-east-2' },
      { name: 'COGNITO_CLIENT_ID' },
      { name: 'COGNITO_USER_POOL_ID' },
      { name: 'DATABASE_HOST' },
      { name: 'DATABASE_PORT', value: '3306' },
      { name: 'LOG_LEVEL', value: 'INFO' },
      { name: 'S3_BUCKET_NAME', value: 'corebiz-product-images-dev' },
    ]);
    // valueFrom is a late binding (the secret's ARN): the rendered object names the variables only.
    expect(container.secrets).toEqual(['COGNITO_CLIENT_SECRET', 'DATABASE_PASSWORD', 'DATABASE_USERNAME', 'JWT_SECRET_KEY'].map((name) => ({ name })));
    const bound = Object.fromEntries(bindingsOf(only(rendered.get('core-business-dev')!, 'TaskDefinition')).map((b) => [b.path, `${b.from.kind} ${b.fieldPath}`]));
    const envPath = (i: number) => `/spec/containerDefinitions/0/environment/${i}/value`;
    expect([bound[envPath(1)], bound[envPath(2)], bound[envPath(3)]]).toEqual([
      'MarketplaceEnvironment status.outputs.identity.clients.0.clientID',
      'UserPool status.id',
      'DBProxy status.endpoint',
    ]);
  });

  it('004: a Cognito user pool with one app client created by the operator, Route 53 for the ALB and the certificate, the RDS Proxy with its target', () => {
    const o = rendered.get('core-business-dev')!;
    const pool = only(o, 'UserPool');
    const clients = JSON.parse(pool.metadata.annotations[AWS_GAPS_ANNOTATION]!) as { type: string; generateSecret: boolean }[];
    expect(clients.map((c) => [c.type, c.generateSecret])).toEqual([['CognitoUserPoolClient', true]]);
    expect(ofKind(o, 'RecordSet').map((r) => r.spec.recordType).sort()).toEqual(['A', 'CNAME']);
    expect(only(o, 'HostedZone').spec.name).toBe('corebiz.example.com.');
    const proxy = only(o, 'DBProxy');
    expect(proxy.spec).toMatchObject({ engineFamily: 'MYSQL', requireTLS: true });
    expect((JSON.parse(proxy.metadata.annotations[AWS_GAPS_ANNOTATION]!) as { type: string }[]).map((g) => g.type)).toEqual(['RdsProxyTargets']);
  });
});

/** API groups whose resource names are global in AWS (an S3 bucket or IAM name exists once per partition). */
const GLOBAL_NAME_GROUPS = ['s3.services.k8s.aws', 'iam.services.k8s.aws'];
/** `<kind> <AWS name>` of every rendered object whose AWS name is global. */
const globalNames = (objects: readonly LooseObject[]) =>
  objects.filter((o) => GLOBAL_NAME_GROUPS.includes(o.apiVersion.split('/')[0]!)).map((o) => `${o.kind} ${String(o.spec.name)}`);

describe('several environments in one example (003: one per region)', () => {
  it('example 003 holds the three regions, each environment a file of its own would', () => {
    const trading = EXAMPLE_ENVIRONMENTS.filter((e) => e.file.startsWith('003-'));
    expect(trading.map((e) => [e.manifest.metadata.name, e.manifest.spec.region, e.id])).toEqual([
      ['trading-useast1', 'us-east-1', '003-us-east-1'],
      ['trading-useast2', 'us-east-2', '003-us-east-2'],
      ['trading-uswest2', 'us-west-2', '003-us-west-2'],
    ]);
  });

  it.each(TRADING)('%s: every child is annotated with its own region, and mentions no other region of the example', (name) => {
    const region = example(name).spec.region;
    const others = TRADING.map((n) => example(n).spec.region).filter((r) => r !== region);
    const objects = rendered.get(name)!;
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) {
      expect([o.kind, o.metadata.name, o.metadata.annotations['services.k8s.aws/region']]).toEqual([o.kind, o.metadata.name, region]);
      const text = JSON.stringify(o);
      for (const other of others) expect([o.kind, o.metadata.name, text.includes(other)]).toEqual([o.kind, o.metadata.name, false]);
    }
    // The zones are the region's own.
    expect(ofKind(objects, 'Subnet').map((s) => s.spec.availabilityZone)).toEqual([`${region}a`, `${region}b`, `${region}a`, `${region}b`]);
  });

  it('the regions of 003 have distinct VPC CIDRs and distinct AWS names of global resources (S3 buckets, IAM)', () => {
    const cidrs = TRADING.map((n) => only(rendered.get(n)!, 'VPC').spec.cidrBlocks);
    expect(cidrs).toEqual([['10.10.0.0/16'], ['10.20.0.0/16'], ['10.30.0.0/16']]);
    const names = TRADING.map((n) => globalNames(rendered.get(n)!));
    for (const own of names) expect(own.length).toBeGreaterThan(0);
    expect(names.map((own) => own.filter((n) => n.startsWith('Bucket '))).flat()).toEqual(
      ['synth2db2r6', 'synth-use2', 'synth-usw2'].flatMap((suffix) => [`Bucket trading-trades-${suffix}`, `Bucket trading-deployments-${suffix}`]),
    );
    const all = names.flat();
    expect(all.filter((n, i) => all.indexOf(n) !== i)).toEqual([]);
  });

  it('no two environments of all examples share a global AWS name or a Kubernetes name (they can share one account and one namespace)', () => {
    const aws = [...rendered.values()].flatMap(globalNames);
    expect(aws.filter((n, i) => aws.indexOf(n) !== i)).toEqual([]);
    const k8s = [...rendered.values()].flat().map((o) => `${o.kind}/${o.metadata.name}`);
    expect(k8s.filter((n, i) => k8s.indexOf(n) !== i)).toEqual([]);
  });
});

/** An HTTP listener on 80 redirecting to the HTTPS listener on 443, whose certificate is the one requested for `domain`. */
function expectHttpsWithRedirect(objects: readonly LooseObject[], domain: string): void {
  const listeners = ofKind(objects, 'Listener');
  expect(listeners.map((l) => [l.spec.protocol, l.spec.port])).toEqual([['HTTP', 80], ['HTTPS', 443]]);
  expect(listeners[0]!.spec.defaultActions).toEqual([{ order: 1, type: 'redirect', redirectConfig: expect.objectContaining({ protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' }) }]);
  const certificate = only(objects, 'Certificate');
  expect(certificate.spec.domainName).toBe(domain);
  expect(bindingsOf(listeners[1]!).find((b) => b.path === '/spec/certificates/0/certificateARN')?.from).toMatchObject({ kind: 'Certificate', name: certificate.metadata.name });
}
