/**
 * An in-memory WAFv2 and EC2 Auto Scaling (and RDS proxies and Cognito app clients, fake-identity.ts) behind the
 * AwsClients factory, recording every call; and the children of an environment.
 */
import { WAFNonexistentItemException } from '@aws-sdk/client-wafv2';
import { arnOf, awsGapAnnotations, type AutoScalingTargetTracking, type AwsGap, type WebAclAssociation } from '../../../charts/aws-gaps.js';
import { REGION_ANNOTATION } from '../../../charts/context.js';
import { COMPONENT_LABEL } from '../../../charts/naming.js';
import type { AutoScalingApi, AwsClients, CognitoApi, RdsProxyApi, ScalingPolicyState, WebAclApi } from '../../../controllers/aws-gaps/clients.js';
import type { AwsGapChild } from '../../../controllers/aws-gaps/declarations.js';
import { awsError } from './fake-errors.js';
import { FakeCognito, FakeRdsProxy } from './fake-identity.js';

/** One recorded call: operation, region and arguments. */
export interface Call {
  readonly operation: 'GetWebACLForResource' | 'AssociateWebACL' | 'DisassociateWebACL';
  readonly region: string | undefined;
  readonly args: readonly string[];
}

export { awsError } from './fake-errors.js';

/** One recorded EC2 Auto Scaling call: operation, region, group, policy name and (PutScalingPolicy) the policy. */
export interface AutoScalingCall {
  readonly operation: 'DescribePolicies' | 'PutScalingPolicy' | 'DeletePolicy';
  readonly region: string | undefined;
  readonly args: readonly unknown[];
}

/**
 * EC2 Auto Scaling's scaling policies, by `<group>/<policy name>`. Groups in `groups` (or all, when it is undefined)
 * exist; the others answer as AWS does, `ValidationError` "Group <name> not found". As PutScalingPolicy on AWS, an
 * update keeps the warmup it is not given.
 */
export class FakeAutoScaling {
  readonly policies = new Map<string, ScalingPolicyState>();
  readonly calls: AutoScalingCall[] = [];
  /** The next calls of an operation fail with these errors, in order. */
  readonly failures = new Map<AutoScalingCall['operation'], Error[]>();
  groups?: Set<string>;

  /** The API of one region, as AwsClients.autoScaling returns it. */
  api(region: string | undefined): AutoScalingApi {
    const call = (operation: AutoScalingCall['operation'], group: string, ...args: unknown[]) => {
      this.calls.push({ operation, region, args: [group, ...args] });
      const failure = this.failures.get(operation)?.shift();
      if (failure) throw failure;
      if (this.groups && !this.groups.has(group)) throw awsError('ValidationError', `Group ${group} not found`);
    };
    return {
      policy: async (group, name) => {
        call('DescribePolicies', group, name);
        return this.policies.get(`${group}/${name}`);
      },
      putTargetTracking: async (group, name, policy) => {
        call('PutScalingPolicy', group, name, policy);
        const before = this.policies.get(`${group}/${name}`);
        const warmup = policy.estimatedInstanceWarmup ?? before?.estimatedInstanceWarmup;
        this.policies.set(`${group}/${name}`, {
          policyType: 'TargetTrackingScaling',
          metric: policy.metric,
          customizedMetric: false,
          targetValue: policy.targetValue,
          disableScaleIn: false,
          enabled: true,
          ...(warmup !== undefined ? { estimatedInstanceWarmup: warmup } : {}),
        });
      },
      deletePolicy: async (group, name) => {
        call('DeletePolicy', group, name);
        this.policies.delete(`${group}/${name}`);
      },
    };
  }

  /** The operations called since the last `take()`, and forgets them. */
  take(): string[] {
    return this.calls.splice(0).map((c) => c.operation);
  }
}

/**
 * See the module comment. Resources in `existing` (or all, when it is undefined) exist; others answer not-found.
 * EC2 Auto Scaling is {@link FakeWafv2.scaling}, RDS {@link FakeWafv2.dbProxies}, Cognito {@link FakeWafv2.userPools},
 * whose calls are recorded there (`calls` holds WAFv2's only).
 */
export class FakeWafv2 implements AwsClients {
  /** EC2 Auto Scaling, behind `autoScaling()`. */
  readonly scaling = new FakeAutoScaling();
  /** RDS proxy target groups, behind `rdsProxy()`. */
  readonly dbProxies = new FakeRdsProxy();
  /** Cognito user pools' app clients, behind `cognito()`. */
  readonly userPools = new FakeCognito();
  /** Resource ARN → web ACL ARN. */
  readonly associations = new Map<string, string>();
  readonly calls: Call[] = [];
  /** The next calls of an operation fail with these errors, in order. */
  readonly failures = new Map<Call['operation'], Error[]>();
  existing?: Set<string>;

  webAcl(region: string | undefined): WebAclApi {
    const call = (operation: Call['operation'], ...args: string[]) => {
      this.calls.push({ operation, region, args });
      const failure = this.failures.get(operation)?.shift();
      if (failure) throw failure;
      if (this.existing && !this.existing.has(args.at(-1)!)) {
        throw new WAFNonexistentItemException({ message: 'AWS WAF couldn’t perform the operation because your resource doesn’t exist.', $metadata: {} });
      }
    };
    return {
      webACLFor: async (resource) => {
        call('GetWebACLForResource', resource);
        return this.associations.get(resource);
      },
      associate: async (acl, resource) => {
        call('AssociateWebACL', acl, resource);
        this.associations.set(resource, acl);
      },
      disassociate: async (resource) => {
        call('DisassociateWebACL', resource);
        this.associations.delete(resource);
      },
    };
  }

  autoScaling(region: string | undefined): AutoScalingApi {
    return this.scaling.api(region);
  }

  rdsProxy(region: string | undefined): RdsProxyApi {
    return this.dbProxies.api(region);
  }

  cognito(region: string | undefined): CognitoApi {
    return this.userPools.api(region);
  }

  /** The operations called since the last `take()`, and forgets them. */
  take(): string[] {
    return this.calls.splice(0).map((c) => c.operation);
  }
}

export const LB_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop-alb-dev/50dc6c495c0c9188';
export const ACL_ARN = 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/shop-waf-dev/a1b2c3d4';
export const OTHER_ACL_ARN = 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/someone-else/e5f6a7b8';

const LB = { apiVersion: 'elbv2.services.k8s.aws/v1alpha1', kind: 'LoadBalancer', name: 'shop-alb' } as const;
const ACL = { apiVersion: 'wafv2.services.k8s.aws/v1alpha1', kind: 'WebACL', name: 'shop-waf' } as const;

/** The declaration a load balancer construct renders: its web ACL, or none. */
export function association(withAcl = true): WebAclAssociation {
  return { type: 'WebACLAssociation', name: 'shop-alb-waf', resourceARN: arnOf(LB), ...(withAcl ? { webACLARN: arnOf(ACL) } : {}) };
}

interface ChildOptions {
  readonly arn?: string;
  readonly synced?: boolean;
  readonly annotations?: Record<string, string>;
}

function child(ref: { apiVersion: string; kind: string; name: string }, component: string, options: ChildOptions): AwsGapChild {
  const conditions = options.synced === undefined ? [] : [{ type: 'ACK.ResourceSynced', status: options.synced ? 'True' : 'False' }];
  return {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: { name: ref.name, labels: { [COMPONENT_LABEL]: component }, annotations: { [REGION_ANNOTATION]: 'eu-west-1', ...options.annotations } },
    ...(options.arn || conditions.length ? { status: { ...(options.arn ? { ackResourceMetadata: { arn: options.arn } } : {}), conditions } } : {}),
  };
}

/** The load balancer child carrying `gaps` (default: the association with the web ACL). */
export function loadBalancer(options: ChildOptions & { gaps?: readonly WebAclAssociation[] } = {}): AwsGapChild {
  return child(LB, 'loadBalancer', { ...options, annotations: { ...awsGapAnnotations(options.gaps ?? [association()]), ...options.annotations } });
}

/** The web ACL child. */
export function webAcl(options: ChildOptions = {}): AwsGapChild {
  return child(ACL, 'firewall', options);
}

/** Both children synced with their ARNs. */
export function syncedChildren(gaps?: readonly WebAclAssociation[]): AwsGapChild[] {
  return [loadBalancer({ arn: LB_ARN, synced: true, ...(gaps ? { gaps } : {}) }), webAcl({ arn: ACL_ARN, synced: true })];
}

export const ASG_NAME = 'shop-asg-dev';
export const ASG_ARN = `arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0:autoScalingGroupName/${ASG_NAME}`;
export const POLICY_NAME = 'shop-asg-cpu-dev';

const ASG = { apiVersion: 'autoscaling.services.k8s.aws/v1alpha1', kind: 'AutoScalingGroup', name: 'shop-asg' } as const;

/** The declaration an instances construct renders: CPU target tracking at `targetValue`, or no policy (null). */
export function targetTracking(targetValue: number | null = 70, extra: Partial<AutoScalingTargetTracking> = {}): AutoScalingTargetTracking {
  return {
    type: 'AutoScalingTargetTracking',
    name: 'shop-asg-cpu',
    autoScalingGroupARN: arnOf(ASG),
    autoScalingGroupName: ASG_NAME,
    policyName: POLICY_NAME,
    metric: 'ASGAverageCPUUtilization',
    ...(targetValue !== null ? { targetValue } : {}),
    ...extra,
  };
}

/** The Auto Scaling group child carrying `gaps` (default: CPU target tracking at 70). */
export function autoScalingGroup(options: ChildOptions & { gaps?: readonly AwsGap[] } = {}): AwsGapChild {
  return child(ASG, 'compute', { ...options, annotations: { ...awsGapAnnotations(options.gaps ?? [targetTracking()]), ...options.annotations } });
}
