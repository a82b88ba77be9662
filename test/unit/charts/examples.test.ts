/**
 * Whole-chart tests: every example rendered by renderEnvironment, snapshotted, and checked for the invariants that
 * matter to apply/prune (unique deterministic names, labels, namespace, refs that resolve) and against the ACK CRDs.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AWS_GAPS_ANNOTATION, type AwsGap, type WebAclAssociation } from '../../../charts/aws-gaps.js';
import { renderEnvironment, type RenderedObject } from '../../../charts/index.js';
import { bindingsOf } from '../../../controllers/marketplace-environment/resolve-bindings.js';
import { crdErrors, crdTest, ROOT } from '../helpers/ack-schemas.js';
import { example, ofKind, only, type LooseObject } from '../helpers/render-construct.js';

const prefixes = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, 3));
const rendered = new Map(prefixes.map((p) => [p, renderEnvironment(example(p)) as LooseObject[]] as const));
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

describe.each(prefixes)('example %s', (prefix) => {
  const objects = rendered.get(prefix)!;
  const env = example(prefix);

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
    expect(renderEnvironment(example(prefix))).toEqual(objects);
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
    const o = rendered.get('000')!;
    expect(kindsOf(o)).toEqual({
      AutoScalingGroup: 1, Bucket: 1, CacheSubnetGroup: 1, Certificate: 1, DBCluster: 1, DBInstance: 3, DBSubnetGroup: 1, Distribution: 1, ElasticIPAddress: 3,
      InstanceProfile: 1, InternetGateway: 1, Key: 1, LaunchTemplate: 1, Listener: 2, LoadBalancer: 1, LogGroup: 1, NATGateway: 3, OriginAccessControl: 1,
      Policy: 1, ReplicationGroup: 1, Role: 1, RouteTable: 9, SecurityGroup: 4, Subnet: 9, TargetGroup: 1, VPC: 1,
    });
    expect(ofKind(o, 'DBInstance').map((i) => i.spec?.dbInstanceClass)).toEqual(['db.serverless', 'db.serverless', 'db.serverless']);
    expect(ofKind(o, 'DBCluster')[0]?.spec).toMatchObject({ engine: 'aurora-mysql', serverlessV2ScalingConfiguration: { minCapacity: 0.5, maxCapacity: 2 }, backupRetentionPeriod: 1 });
    expect(ofKind(o, 'ReplicationGroup')[0]?.spec).toMatchObject({ numNodeGroups: 6, replicasPerNodeGroup: 1, atRestEncryptionEnabled: true, transitEncryptionEnabled: true });
  });

  it('000: Auto Scaling group of 4-10 t3.large in the private subnets, ELB health checks with a 300 s grace period, target tracking on 70 % CPU', () => {
    const o = rendered.get('000')!;
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
    const o = rendered.get('000')!;
    const alb = only(o, 'LoadBalancer');
    expect(alb.spec).toMatchObject({ scheme: 'internet-facing', type: 'application' });
    expect(alb.spec.subnetRefs).toEqual(['a', 'b', 'c'].map((z) => ({ from: { name: `marketplace-three-tier-subnet-public-${z}-0` } })));
    expect(only(o, 'TargetGroup').spec).toMatchObject({ targetType: 'instance', port: 80, healthCheckEnabled: true });
    expectHttpsWithRedirect(o, 'marketplace.example.com');
  });

  it('001: 3 buckets, a CDN with a behaviour to the solutions bucket and logging, no database', () => {
    const o = rendered.get('001')!;
    expect(kindsOf(o)).toMatchObject({ Bucket: 3, Distribution: 1, OriginAccessControl: 1, Subnet: 4, NATGateway: 1, SecurityGroup: 1 });
    expect(ofKind(o, 'DBCluster')).toHaveLength(0);
    const config = ofKind(o, 'Distribution')[0]?.spec?.distributionConfig as { cacheBehaviors: { items: { pathPattern: string }[] }; logging: { bucket: string } };
    expect(config.cacheBehaviors.items.map((b) => b.pathPattern)).toEqual(['/solutions/*']);
    expect(config.logging.bucket).toBe('marketplace-cdn-logs-dev.s3.amazonaws.com');
  });

  it('002: 2 public + 4 private subnets, 2 NAT gateways, Aurora PostgreSQL 0.5-1 ACU, WAF 2000 per 5 min', () => {
    const o = rendered.get('002')!;
    expect(ofKind(o, 'Subnet').filter((s) => s.spec?.mapPublicIPOnLaunch).length).toBe(2);
    expect(ofKind(o, 'Subnet').length).toBe(6);
    expect(ofKind(o, 'NATGateway').length).toBe(2);
    expect(ofKind(o, 'DBCluster')[0]?.spec).toMatchObject({ engine: 'aurora-postgresql', serverlessV2ScalingConfiguration: { minCapacity: 0.5, maxCapacity: 1 } });
    const rules = ofKind(o, 'WebACL')[0]?.spec?.rules as { statement: { rateBasedStatement?: { limit: number; evaluationWindowSec: number } } }[];
    expect(rules[0]?.statement.rateBasedStatement).toMatchObject({ limit: 2000, evaluationWindowSec: 300 });
    expect(ofKind(o, 'Secret').length).toBe(1);
  });

  it('002: ALB in the public subnets, HTTPS only, the REGIONAL web ACL association declared on it', () => {
    const o = rendered.get('002')!;
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
    const o = rendered.get('002')!;
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
    const documents = Object.fromEntries(ofKind(rendered.get('002')!, 'Policy').map((p) => [p.spec.name as string, (JSON.parse(p.spec.policyDocument as string) as { Statement: Statement[] }).Statement]));
    expect(documents['ecommerce-task-exec-secrets-prod123']!.map((x) => x.Resource)).toEqual([['arn:aws:secretsmanager:us-east-1:{{value}}:secret:ecommerce/prod123/app-config-??????']]);
    expect(documents['ecommerce-task-buckets-prod123']!.map((x) => x.Resource)).toEqual([['arn:aws:s3:::ecommerce-assets-prod123'], ['arn:aws:s3:::ecommerce-assets-prod123/*']]);
    const statements = Object.values(documents).flat();
    // No wildcard action; the only statement on every resource is the registry login, which has no resource-level form.
    expect(statements.flatMap((x) => [x.Action].flat()).filter((a) => a.includes('*'))).toEqual([]);
    expect(statements.filter((x) => [x.Resource].flat().includes('*')).map((x) => x.Action)).toEqual(['ecr:GetAuthorizationToken']);
  });

  it('003: provisioned Aurora MySQL, 1 writer + 2 readers on db.r5.large, KMS bucket with 90-day expiry', () => {
    const o = rendered.get('003')!;
    expect(ofKind(o, 'DBInstance').map((i) => i.spec?.dbInstanceClass)).toEqual(['db.r5.large', 'db.r5.large', 'db.r5.large']);
    expect(JSON.stringify(ofKind(o, 'Bucket')[0]?.spec)).toContain('"expiration":{"days":90}');
    expect(ofKind(o, 'NATGateway').length).toBe(1);
  });

  it('004: single MySQL 8.0 db.t3.micro instance, 30-day backups, no WAF, no CDN, us-east-2', () => {
    const o = rendered.get('004')!;
    expect(ofKind(o, 'DBCluster')).toHaveLength(0);
    expect(ofKind(o, 'DBInstance')[0]?.spec).toMatchObject({ engine: 'mysql', engineVersion: '8.0', dbInstanceClass: 'db.t3.micro', backupRetentionPeriod: 30, multiAZ: false, allocatedStorage: 20 });
    expect(ofKind(o, 'WebACL')).toHaveLength(0);
    expect(ofKind(o, 'Distribution')).toHaveLength(0);
    for (const x of o) expect(x.metadata.annotations['services.k8s.aws/region']).toBe('us-east-2');
  });

  it('004: Fargate 0.5 vCPU / 1 GB on port 8000, 2-10 tasks tracking CPU 70 % and memory 80 % with 300 s cooldowns, logs kept 30 days', () => {
    const o = rendered.get('004')!;
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
    const o = rendered.get('004')!;
    expectHttpsWithRedirect(o, 'corebiz.example.com');
    const repository = only(o, 'Repository');
    expect(repository.spec).toMatchObject({ name: 'corebiz-app-dev', imageScanningConfiguration: { scanOnPush: true }, imageTagMutability: 'IMMUTABLE' });
    expect(repository.metadata.annotations['services.k8s.aws/deletion-policy']).toBe('retain');
    expect(bindingsOf(only(o, 'TaskDefinition')).find((b) => b.path === '/spec/containerDefinitions/0/image')).toMatchObject({ from: { kind: 'Repository', name: repository.metadata.name }, template: '{{value}}:1.0.0' });
  });

  it('004: the environment variables and secrets the seed lists, secrets by reference only', () => {
    const container = only(rendered.get('004')!, 'TaskDefinition').spec.containerDefinitions[0];
    expect(container.environment).toEqual([
      { name: 'AWS_REGION', value: 'us-east-2' },
      { name: 'DATABASE_HOST' },
      { name: 'DATABASE_PORT', value: '3306' },
      { name: 'LOG_LEVEL', value: 'INFO' },
      { name: 'S3_BUCKET_NAME', value: 'corebiz-product-images-dev' },
    ]);
    // valueFrom is a late binding (the secret's ARN): the rendered object names the variables only.
    expect(container.secrets).toEqual(['COGNITO_CLIENT_SECRET', 'DATABASE_PASSWORD', 'DATABASE_USERNAME', 'JWT_SECRET_KEY'].map((name) => ({ name })));
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
