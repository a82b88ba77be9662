/**
 * AutoScalingTargetTracking: the target tracking scaling policy of an EC2 Auto Scaling group, which no ACK kind sets
 * (the autoscaling-controller has AutoScalingGroup only; Application Auto Scaling does not scale these groups;
 * docs/aws-gaps.md). PutScalingPolicy creates or updates a policy by name, so ensuring is one DescribePolicies and at
 * most one write; a declaration without a target deletes the policy, so that a spec dropping its CPU target stops the
 * scaling it had started (the group itself stays). AWS deletes a group's policies with the group; undo deletes the
 * policy first all the same, as for any declaration whose child goes.
 */
import type { AutoScalingTargetTracking } from '../../charts/aws-gaps.js';
import { AwsCallError, awsCall } from './aws-errors.js';
import type { ScalingPolicyState } from './clients.js';
import type { GapHandler } from './handler.js';

/**
 * Whether `err` says the group is gone: EC2 Auto Scaling has no not-found error code, it answers `ValidationError`
 * with a message such as "Group <name> not found" or "AutoScalingGroup name not found - ...".
 */
function isGroupNotFound(err: unknown): boolean {
  return err instanceof AwsCallError && err.code === 'ValidationError' && /not found/i.test(err.message);
}

/** Whether `current` is the policy `gap` declares (a warmup left to AWS is not compared). */
function matches(current: ScalingPolicyState, gap: AutoScalingTargetTracking): boolean {
  return (
    current.policyType === 'TargetTrackingScaling' &&
    !current.customizedMetric &&
    current.metric === gap.metric &&
    current.targetValue === gap.targetValue &&
    current.disableScaleIn !== true &&
    current.enabled !== false &&
    (gap.estimatedInstanceWarmup === undefined || current.estimatedInstanceWarmup === gap.estimatedInstanceWarmup)
  );
}

const describe = (gap: AutoScalingTargetTracking) =>
  gap.targetValue === undefined
    ? `no scaling policy ${gap.policyName}, as declared`
    : `policy ${gap.policyName} keeps ${gap.metric} near ${gap.targetValue}`;

/** See the module comment. */
export const autoScalingTargetTracking: GapHandler<AutoScalingTargetTracking> = {
  kind: 'AutoScalingTargetTracking',

  ensureInputs: (gap) => ({ autoScalingGroupARN: gap.autoScalingGroupARN }),

  targetInputs: (gap) => ({ autoScalingGroupARN: gap.autoScalingGroupARN }),

  async ensure({ clients, region }, _values, gap) {
    const api = clients.autoScaling(region);
    const { autoScalingGroupName: group, policyName, targetValue } = gap;
    const current = await awsCall('DescribePolicies', () => api.policy(group, policyName));
    if (targetValue === undefined) {
      if (current === undefined) return { message: describe(gap), changed: false };
      await awsCall('DeletePolicy', () => api.deletePolicy(group, policyName));
      return { message: describe(gap), changed: true };
    }
    if (current && matches(current, gap)) return { message: describe(gap), changed: false };
    const { metric, estimatedInstanceWarmup } = gap;
    await awsCall('PutScalingPolicy', () => api.putTargetTracking(group, policyName, { metric, targetValue, ...(estimatedInstanceWarmup !== undefined ? { estimatedInstanceWarmup } : {}) }));
    return { message: describe(gap), changed: true };
  },

  async undo({ clients, region }, _values, { autoScalingGroupName: group, policyName }) {
    const api = clients.autoScaling(region);
    try {
      if ((await awsCall('DescribePolicies', () => api.policy(group, policyName))) === undefined) return false;
      await awsCall('DeletePolicy', () => api.deletePolicy(group, policyName));
      return true;
    } catch (err) {
      // The group is gone already: so are its policies.
      if (isGroupNotFound(err)) return false;
      throw err;
    }
  },
};
