/**
 * AutoScalingTargetTracking against the emulated AWS of the e2e stack (moto): a launch template and an EC2 Auto
 * Scaling group are created directly through moto's AWS API (boto3 in the moto virtualenv: no autoscaling-controller
 * can be built here), then the executor, with the real AWS SDK pointed at moto by AWS_ENDPOINT_URL as the operator
 * would be, puts the CPU target tracking policy, keeps it, changes its target, deletes it when the declaration has no
 * target, and undoes it for a deletion. Every state is read back through moto's own DescribePolicies.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { arnOf, awsGapAnnotations, type AutoScalingTargetTracking } from '../../charts/aws-gaps.js';
import { REGION_ANNOTATION } from '../../charts/context.js';
import { COMPONENT_LABEL } from '../../charts/naming.js';
import { AwsGapActions } from '../../controllers/aws-gaps/actions.js';
import { SdkAwsClients, type AwsClients } from '../../controllers/aws-gaps/clients.js';
import type { AwsGapChild } from '../../controllers/aws-gaps/declarations.js';
import { silentLogger } from '../../controllers/runtime/logger.js';
import { e2eInfo } from './env.js';
import { botoScript, motoSdkEnvironment } from './helpers/moto-scripts.js';

const REGION = 'us-east-1';
const info = e2eInfo();
const prefix = `gaps-asg-${info.namespaceSuffix}`;

/** Fixtures and reads through boto3: `setup <prefix>`, `policies <group>`, `teardown <fixtures json>`. */
const BOTO = `
import boto3, json, sys
endpoint, region, op, arg = sys.argv[1:5]
kw = dict(endpoint_url=endpoint, region_name=region, aws_access_key_id='testing', aws_secret_access_key='testing')
ec2, asg = (boto3.client(s, **kw) for s in ('ec2', 'autoscaling'))
if op == 'setup':
    template = ec2.create_launch_template(LaunchTemplateName=arg + '-app', LaunchTemplateData={'ImageId': 'ami-12c6146b', 'InstanceType': 't3.large'})['LaunchTemplate']['LaunchTemplateId']
    group = arg + '-asg'
    asg.create_auto_scaling_group(AutoScalingGroupName=group, LaunchTemplate={'LaunchTemplateName': arg + '-app', 'Version': '$Latest'}, MinSize=0, MaxSize=2, DesiredCapacity=0, AvailabilityZones=[region + 'a'])
    arn = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[group])['AutoScalingGroups'][0]['AutoScalingGroupARN']
    print(json.dumps({'template': template, 'group': group, 'arn': arn}))
elif op == 'policies':
    print(json.dumps([{k: p.get(k) for k in ('PolicyName', 'PolicyType', 'TargetTrackingConfiguration')} for p in asg.describe_policies(AutoScalingGroupName=arg)['ScalingPolicies']]))
elif op == 'teardown':
    f = json.loads(arg)
    asg.delete_auto_scaling_group(AutoScalingGroupName=f['group'], ForceDelete=True)
    ec2.delete_launch_template(LaunchTemplateId=f['template'])
    print('null')
`;

const boto = botoScript(BOTO, info.awsEndpoint, REGION, 60_000);

interface Fixtures {
  template: string;
  group: string;
  arn: string;
}

interface MotoPolicy {
  PolicyName: string;
  PolicyType: string;
  TargetTrackingConfiguration?: { PredefinedMetricSpecification?: { PredefinedMetricType?: string }; TargetValue?: number; DisableScaleIn?: boolean };
}

const GROUP = { apiVersion: 'autoscaling.services.k8s.aws/v1alpha1', kind: 'AutoScalingGroup', name: `${prefix}-asg` };
const POLICY = `${prefix}-asg-cpu`;

/** The SDK clients, counting the EC2 Auto Scaling calls made through them. */
function counting(sdk: SdkAwsClients, calls: string[]): AwsClients {
  return {
    webAcl: (region) => sdk.webAcl(region),
    rdsProxy: (region) => sdk.rdsProxy(region),
    cognito: (region) => sdk.cognito(region),
    autoScaling: (region) => {
      const api = sdk.autoScaling(region);
      return {
        policy: (g, p) => (calls.push('DescribePolicies'), api.policy(g, p)),
        putTargetTracking: (g, p, policy) => (calls.push('PutScalingPolicy'), api.putTargetTracking(g, p, policy)),
        deletePolicy: (g, p) => (calls.push('DeletePolicy'), api.deletePolicy(g, p)),
      };
    },
  };
}

describe('AutoScalingTargetTracking against moto', () => {
  const environment = motoSdkEnvironment(info.awsEndpoint);
  const sdk = new SdkAwsClients();
  const calls: string[] = [];
  const actions = new AwsGapActions({ clients: counting(sdk, calls), logger: silentLogger(), recheckMs: 60_000 });
  let f: Fixtures;
  const declaration = (targetValue?: number): AutoScalingTargetTracking => ({
    type: 'AutoScalingTargetTracking',
    name: POLICY,
    autoScalingGroupARN: arnOf(GROUP),
    autoScalingGroupName: f.group,
    policyName: POLICY,
    metric: 'ASGAverageCPUUtilization',
    ...(targetValue !== undefined ? { targetValue } : {}),
  });
  /** The group as ACK reports it once synced, declaring `targetValue` (none: no policy). */
  const group = (targetValue?: number): AwsGapChild[] => [
    {
      apiVersion: GROUP.apiVersion,
      kind: GROUP.kind,
      metadata: { name: GROUP.name, labels: { [COMPONENT_LABEL]: 'compute' }, annotations: { [REGION_ANNOTATION]: REGION, ...awsGapAnnotations([declaration(targetValue)]) } },
      status: { ackResourceMetadata: { arn: f.arn }, conditions: [{ type: 'ACK.ResourceSynced', status: 'True' }] },
    },
  ];
  const reconcile = (targetValue?: number, executor = actions) => executor.reconcile(group(targetValue), group(targetValue));
  /** The group's policies as moto's DescribePolicies reports them. */
  const policies = () => boto<MotoPolicy[]>('policies', f.group);
  const tracking = (target: number): MotoPolicy[] => [
    { PolicyName: POLICY, PolicyType: 'TargetTrackingScaling', TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' }, TargetValue: target, DisableScaleIn: false } },
  ];

  beforeAll(async () => {
    // As the operator process is started next to the ACK controllers: endpoint and fake credentials from the environment.
    environment.set();
    f = await boto<Fixtures>('setup', prefix);
  });

  afterAll(async () => {
    sdk.close();
    environment.restore();
    if (f) await boto('teardown', JSON.stringify(f));
  });

  it('waits while the group has no ARN, then puts the policy on 70 % average CPU', async () => {
    const unsynced = group(70).map((g) => ({ ...g, status: {} }));
    expect((await actions.reconcile(group(70), unsynced)).components[0]).toMatchObject({ state: 'Waiting' });
    expect(calls).toEqual([]);
    const report = await reconcile(70);
    expect(report.error).toBeUndefined();
    expect(report.components).toEqual([{ component: 'compute', kind: 'AutoScalingTargetTracking', name: POLICY, state: 'Ready', message: `policy ${POLICY} keeps ASGAverageCPUUtilization near 70` }]);
    expect(calls.splice(0)).toEqual(['DescribePolicies', 'PutScalingPolicy']);
    expect(await policies()).toEqual(tracking(70));
  });

  it('is idempotent: a new executor (another process) only reads', async () => {
    const fresh: string[] = [];
    const report = await reconcile(70, new AwsGapActions({ clients: counting(sdk, fresh), logger: silentLogger() }));
    expect(report.components[0]).toMatchObject({ state: 'Ready' });
    expect(fresh).toEqual(['DescribePolicies']);
  });

  it('updates the policy when the target changes', async () => {
    expect((await reconcile(55)).components[0]).toMatchObject({ state: 'Ready' });
    expect(calls.splice(0)).toEqual(['DescribePolicies', 'PutScalingPolicy']);
    expect(await policies()).toEqual(tracking(55));
  });

  it('deletes the policy when the declaration has no target', async () => {
    expect((await reconcile()).components[0]).toMatchObject({ state: 'Ready', message: `no scaling policy ${POLICY}, as declared` });
    expect(calls.splice(0)).toEqual(['DescribePolicies', 'DeletePolicy']);
    expect(await policies()).toEqual([]);
  });

  it('undoes the policy before a deletion, and finds nothing left to do the second time', async () => {
    await reconcile(70);
    expect(await policies()).toEqual(tracking(70));
    calls.splice(0);
    expect(await actions.undo(group(70))).toEqual({ pending: 0 });
    expect(calls.splice(0)).toEqual(['DescribePolicies', 'DeletePolicy']);
    expect(await policies()).toEqual([]);
    expect(await new AwsGapActions({ clients: counting(sdk, calls), logger: silentLogger() }).undo(group(70))).toEqual({ pending: 0 });
    expect(calls.splice(0)).toEqual(['DescribePolicies']);
  });
});
