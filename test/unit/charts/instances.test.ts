import { validateEnvironment, type MarketplaceEnvironment } from '../../../api/index.js';
import { ARN_FIELD, AWS_GAPS_ANNOTATION, type AutoScalingTargetTracking } from '../../../charts/aws-gaps.js';
import { BINDINGS_ANNOTATION, type Binding } from '../../../charts/bindings.js';
import { Instances, INSTANCE_LOG_RETENTION_DAYS } from '../../../charts/constructs/instances.js';
import { renderEnvironment } from '../../../charts/index.js';
import { OUTPUTS_ANNOTATION } from '../../../charts/outputs.js';
import type { RenderedObject } from '../../../charts/render.js';
import { validApplicationBase, withInstances, type Manifest } from '../../fixtures/invalid-specs.js';
import { crdErrors, crdTest } from '../helpers/ack-schemas.js';
import { resolveWithFakes } from '../helpers/fake-bindings.js';
import { only, ofKind, renderWith, type LooseObject } from '../helpers/render-construct.js';

const SUBNETS = ['shop-subnet-private-a-0', 'shop-subnet-private-b-0'];

/** The application base with instances (t3.large, 4-10, CPU 70 %), edited by `patch`, in namespace `shop`. */
function env(patch: (m: Manifest) => void = () => undefined): MarketplaceEnvironment {
  const m = withInstances(validApplicationBase('shop'));
  m.metadata.namespace = 'shop';
  patch(m);
  return validateEnvironment(m);
}

/** Renders only the Instances of `e`, in the target group the load balancer would render. */
function render(e: MarketplaceEnvironment, targetGroupName?: string): LooseObject[] {
  return renderWith<LooseObject>(e, (chart, ctx) => {
    new Instances(chart, 'instances', { ctx, spec: e.spec.compute!.instances!, subnetNames: SUBNETS, securityGroupName: 'shop-sg-app', targetGroupName });
  });
}

const bindingsOf = (o: RenderedObject): Binding[] => JSON.parse(o.metadata.annotations[BINDINGS_ANNOTATION] ?? '[]') as Binding[];
const gapsOf = (o: RenderedObject) => JSON.parse(o.metadata.annotations[AWS_GAPS_ANNOTATION] ?? '[]') as AutoScalingTargetTracking[];
const counts = (objects: readonly RenderedObject[]) => Object.fromEntries([...new Set(objects.map((o) => o.kind))].sort().map((k) => [k, ofKind(objects, k).length]));

describe('Instances behind a load balancer (seed 000 figures: t3.large, 4-10, ELB health checks, 300 s grace)', () => {
  const objects = render(env((m) => (m.spec.compute.instances.userData = '#!/bin/bash\necho hello > /tmp/hello\n')), 'shop-tg');
  const resolved = resolveWithFakes(objects) as LooseObject[];
  const group = only(objects, 'AutoScalingGroup');
  const template = only(objects, 'LaunchTemplate');

  it('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  crdTest(objects)('is valid against every ACK CRD schema set (closed schemas), before and after its bindings are filled', () => {
    expect(crdErrors(objects)).toEqual([]);
    expect(crdErrors(resolved)).toEqual([]);
  });

  it('renders a launch template, an Auto Scaling group, the log group and the instance role, policy and profile', () => {
    expect(counts(objects)).toEqual({ AutoScalingGroup: 1, InstanceProfile: 1, LaunchTemplate: 1, LogGroup: 1, Policy: 1, Role: 1 });
    for (const o of objects) expect(o.metadata.labels['app.kubernetes.io/component']).toBe('compute');
  });

  it('launches t3.large from the AMI, with IMDSv2 required, basic monitoring and the user data base64-encoded', () => {
    const data = template.spec.data as Record<string, unknown>;
    expect(template.spec.name).toBe('shop-app-test');
    expect(data).toMatchObject({
      imageID: 'ami-0123456789abcdef0',
      instanceType: 't3.large',
      monitoring: { enabled: false },
      metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 2 },
    });
    expect(Buffer.from(data.userData as string, 'base64').toString('utf8')).toBe('#!/bin/bash\necho hello > /tmp/hello\n');
  });

  it('puts the app security group and the instance profile in the launch template through required bindings', () => {
    expect(bindingsOf(template)).toEqual([
      { path: '/spec/data/securityGroupIDs/0', from: { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'SecurityGroup', name: 'shop-sg-app' }, fieldPath: 'status.id', required: true },
      { path: '/spec/data/iamInstanceProfile/arn', from: { apiVersion: 'iam.services.k8s.aws/v1alpha1', kind: 'InstanceProfile', name: 'shop-instance-profile' }, fieldPath: 'status.ackResourceMetadata.arn', required: true },
    ]);
    const data = only(resolved, 'LaunchTemplate').spec.data as { securityGroupIDs: string[]; iamInstanceProfile: { arn: string } };
    expect(data.securityGroupIDs).toEqual(['id-shop-sg-app']);
    expect(data.iamInstanceProfile.arn).toMatch(/^arn:aws:fake:us-east-1:123456789012:instanceprofile\/shop-instance-profile$/);
  });

  it('sizes the group 4-10 starting at the minimum, checks health through the load balancer after 300 s, in its target group', () => {
    expect(group.spec).toMatchObject({
      name: 'shop-asg-test',
      minSize: 4,
      maxSize: 10,
      desiredCapacity: 4,
      healthCheckType: 'ELB',
      healthCheckGracePeriod: 300,
      targetGroupRefs: [{ from: { name: 'shop-tg' } }],
      launchTemplate: { launchTemplateName: 'shop-app-test', version: '$Latest' },
    });
  });

  it('places the group in every subnet of its tier (joined bindings) and waits for the launch template', () => {
    expect(SUBNETS.length).toBeGreaterThan(1);
    expect(bindingsOf(group)).toEqual([
      ...SUBNETS.map((name) => ({ path: '/spec/vpcZoneIdentifier', from: { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'Subnet', name }, fieldPath: 'status.subnetID', required: true, join: ',' })),
      { path: '/spec/launchTemplate/launchTemplateName', from: { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'LaunchTemplate', name: 'shop-launch-template' }, fieldPath: 'status.id', template: 'shop-app-test', required: true },
    ]);
    expect(only(resolved, 'AutoScalingGroup').spec).toMatchObject({ vpcZoneIdentifier: SUBNETS.map((s) => `subnet-${s}`).join(','), launchTemplate: { launchTemplateName: 'shop-app-test' } });
  });

  it('declares target tracking on 70 % average CPU for the operator (no ACK kind puts EC2 Auto Scaling policies), once the group has its ARN', () => {
    expect(objects.filter((o) => o.kind === 'ScalingPolicy' || o.kind === 'ScalableTarget')).toEqual([]);
    expect(gapsOf(group)).toEqual([
      {
        type: 'AutoScalingTargetTracking',
        name: 'shop-asg-cpu',
        autoScalingGroupARN: { from: { apiVersion: 'autoscaling.services.k8s.aws/v1alpha1', kind: 'AutoScalingGroup', name: group.metadata.name }, fieldPath: ARN_FIELD },
        autoScalingGroupName: group.spec.name,
        policyName: 'shop-asg-cpu-test',
        metric: 'ASGAverageCPUUtilization',
        targetValue: 70,
      },
    ]);
    // The declaration is the only one of the environment's children.
    expect(objects.filter((o) => o.metadata.annotations[AWS_GAPS_ANNOTATION] !== undefined)).toEqual([group]);
  });

  it('keeps its logs 30 days and declares the group and log group names as outputs', () => {
    expect(only(objects, 'LogGroup').spec).toMatchObject({ name: '/shop/test/app', retentionDays: INSTANCE_LOG_RETENTION_DAYS });
    expect(JSON.parse(group.metadata.annotations[OUTPUTS_ANNOTATION]!)).toEqual([{ output: '/compute/autoScalingGroupName', value: 'shop-asg-test' }]);
  });
});

describe('Instances without a load balancer, with a desired capacity and detailed monitoring', () => {
  const objects = render(
    env((m) => {
      delete m.spec.loadBalancer;
      Object.assign(m.spec.compute.instances, { desiredCapacity: 6, detailedMonitoring: true });
    }),
  );
  const group = only(objects, 'AutoScalingGroup');

  crdTest(objects)('is valid against every ACK CRD schema set', () => {
    expect(crdErrors(objects)).toEqual([]);
  });

  it('declares that the CPU policy must not exist without cpuTargetPercent (a spec dropping it removes the policy)', () => {
    const [tracking, ...others] = gapsOf(only(render(env((m) => delete m.spec.compute.instances.cpuTargetPercent)), 'AutoScalingGroup'));
    expect(others).toEqual([]);
    expect(tracking).toMatchObject({ type: 'AutoScalingTargetTracking', policyName: 'shop-asg-cpu-test', metric: 'ASGAverageCPUUtilization' });
    expect(tracking).not.toHaveProperty('targetValue');
  });

  it('uses EC2 status checks, no target group, desired 6, detailed monitoring, and no user data', () => {
    expect(group.spec).toMatchObject({ healthCheckType: 'EC2', desiredCapacity: 6 });
    expect(group.spec).not.toHaveProperty('targetGroupRefs');
    expect(only(objects, 'LaunchTemplate').spec.data).toMatchObject({ monitoring: { enabled: true } });
    expect(only(objects, 'LaunchTemplate').spec.data).not.toHaveProperty('userData');
  });
});

describe('Instances in the whole chart', () => {
  const vpcSubnet = (objects: RenderedObject[]) => bindingsOf(only(objects, 'AutoScalingGroup')).find((b) => b.path === '/spec/vpcZoneIdentifier')!.from.name;

  it('uses the subnets of its tier and the target group the load balancer renders', () => {
    const objects = renderEnvironment(env()) as LooseObject[];
    expect(vpcSubnet(objects)).toBe('shop-subnet-private-a-0');
    expect(only(objects, 'AutoScalingGroup').spec.targetGroupRefs).toEqual([{ from: { name: only(objects, 'TargetGroup').metadata.name } }]);
    expect(ofKind(objects, 'Cluster')).toHaveLength(0);
  });

  it('uses the public tier when asked (instances get public IPs from the public subnets)', () => {
    const objects = renderEnvironment(env((m) => (m.spec.compute.instances.subnetTier = 'public')));
    expect(vpcSubnet(objects)).toBe('shop-subnet-public-a-0');
    expect(ofKind(objects, 'Subnet').find((s) => s.metadata.name === 'shop-subnet-public-a-0')?.spec?.mapPublicIPOnLaunch).toBe(true);
  });
});
