/**
 * AutoScalingTargetTracking through the aws-gaps executor against an in-memory EC2 Auto Scaling (no network): waiting
 * for the group, putting the policy once and only when it differs, deleting it when the declaration has no target,
 * undo, and the retry decision of AWS's errors.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { AWS_GAPS_ANNOTATION } from '../../../charts/aws-gaps.js';
import { AWS_GAP_REASONS, AwsGapActions, DEFAULT_RECHECK_MS } from '../../../controllers/aws-gaps/actions.js';
import { declarationsOf } from '../../../controllers/aws-gaps/declarations.js';
import { retryDecision } from '../../../controllers/runtime/errors.js';
import { silentLogger } from '../../../controllers/runtime/logger.js';
import { ASG_ARN, ASG_NAME, FakeWafv2, POLICY_NAME, autoScalingGroup, awsError, targetTracking } from './fake-aws.js';

let aws: FakeWafv2;
let clock: number;
let actions: AwsGapActions;

beforeEach(() => {
  aws = new FakeWafv2();
  clock = 1_000_000;
  actions = new AwsGapActions({ clients: aws, logger: silentLogger(), now: () => clock });
});

const KEY = `${ASG_NAME}/${POLICY_NAME}`;
const synced = (gaps = [targetTracking()]) => autoScalingGroup({ arn: ASG_ARN, synced: true, gaps });
/** Reconciles the group declaring `gaps`, live and synced. */
const reconcile = (gaps = [targetTracking()]) => actions.reconcile([autoScalingGroup({ gaps })], [synced(gaps)]);
const ready = (message: string) => ({ components: [{ component: 'compute', kind: 'AutoScalingTargetTracking', name: 'shop-asg-cpu', state: 'Ready', message }], outputs: [] });

describe('AutoScalingTargetTracking: ensure', () => {
  it.each([
    ['the group is not created yet', []],
    ['the group has no ARN yet', [autoScalingGroup({ synced: false })]],
    ['the group is not synced yet (AWS is still creating it)', [autoScalingGroup({ arn: ASG_ARN, synced: false })]],
  ])('waits, calling nothing, while %s', async (_what, live) => {
    const report = await actions.reconcile([autoScalingGroup()], live);
    expect(report).toEqual({
      components: [
        { component: 'compute', kind: 'AutoScalingTargetTracking', name: 'shop-asg-cpu', state: 'Waiting', reason: AWS_GAP_REASONS.waiting, message: 'waiting for AutoScalingGroup/shop-asg status.ackResourceMetadata.arn' },
      ],
      outputs: [],
    });
    expect(aws.scaling.calls).toEqual([]);
  });

  it('puts the policy once the group is synced, in the region of the group, then trusts that state', async () => {
    const report = await reconcile();
    expect(report).toEqual(ready(`policy ${POLICY_NAME} keeps ASGAverageCPUUtilization near 70`));
    expect(aws.scaling.calls).toEqual([
      { operation: 'DescribePolicies', region: 'eu-west-1', args: [ASG_NAME, POLICY_NAME] },
      { operation: 'PutScalingPolicy', region: 'eu-west-1', args: [ASG_NAME, POLICY_NAME, { metric: 'ASGAverageCPUUtilization', targetValue: 70 }] },
    ]);
    expect(aws.scaling.policies.get(KEY)).toMatchObject({ policyType: 'TargetTrackingScaling', metric: 'ASGAverageCPUUtilization', targetValue: 70 });
    aws.scaling.take();
    clock += DEFAULT_RECHECK_MS - 1;
    expect(await reconcile()).toEqual(report);
    expect(aws.scaling.take()).toEqual([]);
    // WAFv2 is not involved.
    expect(aws.calls).toEqual([]);
  });

  it('is idempotent when the policy is as declared: after the recheck period, and in another process, one read and no Put', async () => {
    await reconcile();
    aws.scaling.take();
    clock += DEFAULT_RECHECK_MS;
    expect(await reconcile()).toEqual(ready(`policy ${POLICY_NAME} keeps ASGAverageCPUUtilization near 70`));
    expect(aws.scaling.take()).toEqual(['DescribePolicies']);
    const other = new AwsGapActions({ clients: aws, logger: silentLogger() });
    expect((await other.reconcile([autoScalingGroup()], [synced()])).components[0]).toMatchObject({ state: 'Ready' });
    expect(aws.scaling.take()).toEqual(['DescribePolicies']);
  });

  it('updates the policy at once when the declared target changes (no wait for the recheck period)', async () => {
    await reconcile();
    aws.scaling.take();
    const report = await reconcile([targetTracking(55)]);
    expect(aws.scaling.calls.map((c) => [c.operation, ...c.args])).toEqual([
      ['DescribePolicies', ASG_NAME, POLICY_NAME],
      ['PutScalingPolicy', ASG_NAME, POLICY_NAME, { metric: 'ASGAverageCPUUtilization', targetValue: 55 }],
    ]);
    expect(aws.scaling.policies.get(KEY)?.targetValue).toBe(55);
    expect(report.components[0]).toMatchObject({ state: 'Ready', message: `policy ${POLICY_NAME} keeps ASGAverageCPUUtilization near 55` });
  });

  it.each([
    ['another target', { targetValue: 50 }],
    ['scale-in disabled', { disableScaleIn: true }],
    ['the policy disabled', { enabled: false }],
    ['a customized metric', { metric: undefined, customizedMetric: true }],
    ['another policy type', { policyType: 'StepScaling' }],
  ])('corrects a policy changed outside the operator (%s)', async (_what, change) => {
    await reconcile();
    aws.scaling.policies.set(KEY, { ...aws.scaling.policies.get(KEY)!, ...change });
    aws.scaling.take();
    clock += DEFAULT_RECHECK_MS;
    await reconcile();
    expect(aws.scaling.take()).toEqual(['DescribePolicies', 'PutScalingPolicy']);
    expect(aws.scaling.policies.get(KEY)).toEqual({ policyType: 'TargetTrackingScaling', metric: 'ASGAverageCPUUtilization', customizedMetric: false, targetValue: 70, disableScaleIn: false, enabled: true });
  });

  it('compares the warmup only when the declaration sets one', async () => {
    aws.scaling.policies.set(KEY, { policyType: 'TargetTrackingScaling', metric: 'ASGAverageCPUUtilization', customizedMetric: false, targetValue: 70, estimatedInstanceWarmup: 120 });
    await reconcile();
    expect(aws.scaling.take()).toEqual(['DescribePolicies']);
    await reconcile([targetTracking(70, { estimatedInstanceWarmup: 300 })]);
    expect(aws.scaling.calls.map((c) => c.args[2])).toEqual([undefined, { metric: 'ASGAverageCPUUtilization', targetValue: 70, estimatedInstanceWarmup: 300 }]);
    expect(aws.scaling.policies.get(KEY)?.estimatedInstanceWarmup).toBe(300);
  });

  it('deletes the policy when the declaration has no target (cpuTargetPercent left the spec), and only reads when there is none', async () => {
    await reconcile();
    aws.scaling.take();
    const report = await reconcile([targetTracking(null)]);
    expect(aws.scaling.take()).toEqual(['DescribePolicies', 'DeletePolicy']);
    expect(aws.scaling.policies.has(KEY)).toBe(false);
    expect(report).toEqual(ready(`no scaling policy ${POLICY_NAME}, as declared`));
    await new AwsGapActions({ clients: aws, logger: silentLogger() }).reconcile([autoScalingGroup({ gaps: [targetTracking(null)] })], [synced([targetTracking(null)])]);
    expect(aws.scaling.take()).toEqual(['DescribePolicies']);
  });

  it.each([
    ['Throttling', 'Rate exceeded'],
    ['ResourceContentionFault', 'You already have a pending update to an Auto Scaling resource.'],
  ])('reports %s as Progressing with AWS\'s message, asks for a retry with backoff, and succeeds on the retry', async (code, message) => {
    aws.scaling.failures.set('PutScalingPolicy', [awsError(code, message)]);
    const report = await reconcile();
    expect(report.components[0]).toMatchObject({ state: 'Progressing', reason: AWS_GAP_REASONS.retrying, message: `PutScalingPolicy: ${code}: ${message}` });
    expect(retryDecision(report.error)).toEqual({ kind: 'backoff' });
    aws.scaling.take();
    expect((await reconcile()).components[0]).toMatchObject({ state: 'Ready' });
    expect(aws.scaling.take()).toEqual(['DescribePolicies', 'PutScalingPolicy']);
  });

  it.each([
    ['ValidationError', 'Only one TargetTrackingScaling policy for a given metric specification is allowed.'],
    ['AccessDenied', 'User: arn:aws:sts::123456789012:assumed-role/operator/x is not authorized to perform: autoscaling:PutScalingPolicy'],
    ['LimitExceededFault', 'You have reached the maximum number of scaling policies.'],
  ])('reports %s as a Failed component with AWS\'s message, and a terminal error', async (code, message) => {
    aws.scaling.failures.set('PutScalingPolicy', [awsError(code, message)]);
    const report = await reconcile();
    expect(report.components[0]).toEqual({ component: 'compute', kind: 'AutoScalingTargetTracking', name: 'shop-asg-cpu', state: 'Failed', reason: AWS_GAP_REASONS.rejected, message: `PutScalingPolicy: ${code}: ${message}` });
    expect(retryDecision(report.error)).toEqual({ kind: 'none' });
    expect(aws.scaling.policies.size).toBe(0);
  });

  it('keeps the declarations of one group apart (two policies of one group)', async () => {
    const second = targetTracking(40, { name: 'shop-asg-cpu-low', policyName: 'shop-asg-cpu-low-dev' });
    const report = await reconcile([targetTracking(), second]);
    expect(report.components.map((c) => [c.name, c.state])).toEqual([['shop-asg-cpu', 'Ready'], ['shop-asg-cpu-low', 'Ready']]);
    expect([...aws.scaling.policies.keys()].sort()).toEqual([KEY, `${ASG_NAME}/shop-asg-cpu-low-dev`]);
  });
});

describe('AutoScalingTargetTracking: undo', () => {
  it('deletes the policy of a group about to be deleted, in its region', async () => {
    await reconcile();
    aws.scaling.take();
    expect(await actions.undo([synced()])).toEqual({ pending: 0 });
    expect(aws.scaling.calls.slice(-2)).toEqual([
      { operation: 'DescribePolicies', region: 'eu-west-1', args: [ASG_NAME, POLICY_NAME] },
      { operation: 'DeletePolicy', region: 'eu-west-1', args: [ASG_NAME, POLICY_NAME] },
    ]);
    expect(aws.scaling.policies.size).toBe(0);
  });

  it('is a no-op (one read, no write) when the policy is gone already, and trusts that on the next pass', async () => {
    expect(await actions.undo([synced()])).toEqual({ pending: 0 });
    expect(aws.scaling.take()).toEqual(['DescribePolicies']);
    expect(await actions.undo([synced()])).toEqual({ pending: 0 });
    expect(aws.scaling.take()).toEqual([]);
  });

  it('counts a group AWS no longer knows (ValidationError "Group ... not found") as done', async () => {
    aws.scaling.groups = new Set();
    expect(await actions.undo([synced()])).toEqual({ pending: 0 });
    expect(aws.scaling.take()).toEqual(['DescribePolicies']);
  });

  it('has nothing to undo for a group that never got an ARN', async () => {
    expect(await actions.undo([autoScalingGroup({ synced: false })])).toEqual({ pending: 0 });
    expect(aws.scaling.calls).toEqual([]);
  });

  it('reports a throttled deletion as pending with a retry, and a refused one as terminal', async () => {
    await reconcile();
    aws.scaling.failures.set('DeletePolicy', [awsError('Throttling', 'Rate exceeded'), awsError('AccessDenied', 'not authorized to perform: autoscaling:DeletePolicy')]);
    const throttled = await actions.undo([synced()]);
    expect(throttled.pending).toBe(1);
    expect(throttled.error!.message).toContain('DeletePolicy: Throttling: Rate exceeded');
    expect(retryDecision(throttled.error)).toEqual({ kind: 'backoff' });
    const denied = await actions.undo([synced()]);
    expect(denied.pending).toBe(1);
    expect(retryDecision(denied.error)).toEqual({ kind: 'none' });
    expect(await actions.undo([synced()])).toEqual({ pending: 0 });
    expect(aws.scaling.policies.size).toBe(0);
  });

  it('does not take another ValidationError for a gone group', async () => {
    await reconcile();
    aws.scaling.failures.set('DescribePolicies', [awsError('ValidationError', '1 validation error detected: Value at \'policyNames\' failed to satisfy constraint')]);
    const report = await actions.undo([synced()]);
    expect(report.pending).toBe(1);
    expect(aws.scaling.policies.has(KEY)).toBe(true);
  });
});

describe('the AutoScalingTargetTracking declaration', () => {
  const annotated = (gap: unknown) => ({ metadata: { name: 'x', annotations: { [AWS_GAPS_ANNOTATION]: JSON.stringify([gap]) } } });

  it('reads back what the charts declare, with or without a target', () => {
    expect(declarationsOf(autoScalingGroup({ gaps: [targetTracking(), targetTracking(null)] }))).toEqual({ gaps: [targetTracking(), targetTracking(null)] });
  });

  it.each([
    ['a group ARN that is not a late value', { autoScalingGroupARN: ASG_ARN }, '[0].autoScalingGroupARN must be {from: {apiVersion, kind, name}, fieldPath}'],
    ['no group name', { autoScalingGroupName: '' }, '[0].autoScalingGroupName must be a non-empty string'],
    ['no policy name', { policyName: undefined }, '[0].policyName must be a non-empty string'],
    ['an unknown metric', { metric: 'ALBRequestCountPerTarget' }, '[0].metric "ALBRequestCountPerTarget" is not one of ASGAverageCPUUtilization'],
    ['a target that is no number', { targetValue: '70' }, '[0].targetValue must be a number >= 0'],
    ['a negative warmup', { estimatedInstanceWarmup: -1 }, '[0].estimatedInstanceWarmup must be a number >= 0'],
  ])('rejects %s, naming the field', (_what, change, problem) => {
    const { gaps, invalid } = declarationsOf(annotated({ ...targetTracking(), ...change }));
    expect(gaps).toEqual([]);
    expect(invalid).toContain(problem);
  });
});
