/**
 * Instances (spec.compute.instances): an EC2 launch template, an Auto Scaling group launched from it and registered
 * in the load balancer's target group, the log group, and the derived instance role with its instance profile.
 *
 * Target tracking on average CPU (spec cpuTargetPercent) is what ACK lacks here: the autoscaling controller (up to
 * v1.2.1) has no kind for autoscaling:PutScalingPolicy, and Application Auto Scaling does not scale EC2 Auto Scaling
 * groups. The group declares the policy for the operator to put through the AWS API (aws-gaps.ts,
 * AutoScalingTargetTracking), once ACK reports the group's ARN; without cpuTargetPercent it declares that the policy
 * must not exist, so that dropping the target deletes the policy an earlier spec created. desiredCapacity stays
 * rendered: the autoscaling controller sets the group back to it when it reconciles the group (a spec change, or its
 * resync), until the policy's next scaling action, as the ecs-controller does with desiredCount (docs/aws-gaps.md).
 *
 * The group's `vpcZoneIdentifier` is one comma-separated string of subnet ids with no ACK reference: joined late
 * bindings (bindings.ts `join`) fill it with every subnet of the tier, zone by zone, once all of them are known.
 *
 * LaunchTemplate has no reference fields (ec2 v1.19.0 and v1.20.0 alike): the app security group's id and the
 * instance profile's ARN are late bindings, and so the template waits for both. The group names the template by its
 * name (the only form the AutoScalingGroup CRD takes) and waits until it exists.
 */
import { Construct } from 'constructs';
import type { InstancesSpec } from '../../api/index.js';
import * as autoscaling from '../../imports/autoscaling.services.k8s.aws.js';
import * as ec2 from '../../imports/ec2.services.k8s.aws.js';
import * as iam from '../../imports/iam.services.k8s.aws.js';
import { arnOf, awsGapAnnotations } from '../aws-gaps.js';
import { VALUE_PLACEHOLDER, type Binding } from '../bindings.js';
import type { EnvironmentContext } from '../context.js';
import { AppLogGroup } from './app-log-group.js';
import { ARN, awsManagedPolicy, instanceRoleGrants, SSM_MANAGED_POLICY } from './iam-grants.js';
import { DerivedRole } from './iam.js';

/** Days the instances' log group keeps events (the API has no setting for instances; the containers' default). */
export const INSTANCE_LOG_RETENTION_DAYS = 30;
/** Trust principal of the instance role. */
export const EC2_PRINCIPAL = 'ec2.amazonaws.com';
/** Launch template version the group launches: the newest, so a changed template applies to new instances. */
export const LAUNCH_TEMPLATE_VERSION = '$Latest';

/** Props of {@link Instances}. */
export interface InstancesProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** `spec.compute.instances`, defaulted. */
  readonly spec: InstancesSpec;
  /** Kubernetes names of the subnets of `spec.subnetTier`, zone by zone. */
  readonly subnetNames: readonly string[];
  /** Kubernetes name of the app security group. */
  readonly securityGroupName: string;
  /** Kubernetes name of the elbv2 TargetGroup of spec.loadBalancer. @default none: no load balancer */
  readonly targetGroupName?: string;
}

/** The EC2 Auto Scaling application tier of one environment. */
export class Instances extends Construct {
  /** Kubernetes name of the AutoScalingGroup. */
  static groupName(ctx: EnvironmentContext): string {
    return ctx.names.k8s('asg');
  }

  /** EC2 Auto Scaling name of the group (the alarms' AutoScalingGroupName dimension). */
  static groupAwsName(ctx: EnvironmentContext): string {
    return ctx.names.aws('asg');
  }

  /** Kubernetes name of the LaunchTemplate. */
  static launchTemplateName(ctx: EnvironmentContext): string {
    return ctx.names.k8s('launch-template');
  }

  /** Kubernetes name of the InstanceProfile. */
  static instanceProfileName(ctx: EnvironmentContext): string {
    return ctx.names.k8s('instance-profile');
  }

  constructor(scope: Construct, id: string, props: InstancesProps) {
    super(scope, id);
    const { ctx, spec } = props;
    const { names } = ctx;
    new AppLogGroup(this, 'logs', { ctx, retentionDays: INSTANCE_LOG_RETENTION_DAYS });
    const role = new DerivedRole(this, 'instance-role', {
      ctx,
      name: 'instance',
      service: EC2_PRINCIPAL,
      description: 'EC2 instance role (logs, Systems Manager)',
      grants: instanceRoleGrants(ctx),
      managedPolicyARNs: [awsManagedPolicy(ctx, SSM_MANAGED_POLICY)],
    });
    const profileName = Instances.instanceProfileName(ctx);
    const profileAwsName = names.aws('instance');
    new iam.InstanceProfile(this, 'instance-profile', {
      metadata: ctx.metadata('compute', profileName),
      spec: { name: profileAwsName, path: '/', roleRef: ctx.ref(role.resourceName), tags: names.tags(profileAwsName) },
    });

    const templateName = Instances.launchTemplateName(ctx);
    const templateAwsName = names.aws('app');
    const templateBindings: Binding[] = [
      { path: '/spec/data/securityGroupIDs/0', from: { ...ec2.SecurityGroup.GVK, name: props.securityGroupName }, fieldPath: 'status.id', required: true },
      { path: '/spec/data/iamInstanceProfile/arn', from: { ...iam.InstanceProfile.GVK, name: profileName }, fieldPath: ARN, required: true },
    ];
    const instanceTags = names.tags(templateAwsName);
    new ec2.LaunchTemplate(this, 'launch-template', {
      metadata: ctx.metadata('compute', templateName, { bindings: templateBindings }),
      spec: {
        name: templateAwsName,
        data: {
          imageId: spec.amiId,
          instanceType: spec.instanceType,
          ...(spec.userData !== undefined ? { userData: Buffer.from(spec.userData, 'utf8').toString('base64') } : {}),
          // The element is the binding's target; the template is held back until the group's id replaces it.
          securityGroupIDs: [VALUE_PLACEHOLDER],
          monitoring: { enabled: spec.detailedMonitoring },
          // IMDSv2 only. Two hops, so a container on the instance still reaches the metadata service.
          metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 2 },
          tagSpecifications: ['instance', 'volume'].map((resourceType) => ({ resourceType, tags: instanceTags })),
        },
        tags: names.tags(templateAwsName),
      },
    });

    if (props.subnetNames.length === 0) throw new Error(`spec.compute.instances.subnetTier ${spec.subnetTier} has no subnets`);
    const groupAwsName = Instances.groupAwsName(ctx);
    const groupBindings: Binding[] = [
      ...props.subnetNames.map((name): Binding => ({ path: '/spec/vpcZoneIdentifier', from: { ...ec2.Subnet.GVK, name }, fieldPath: 'status.subnetID', required: true, join: ',' })),
      // Waits for the launch template to exist in AWS (CreateAutoScalingGroup refuses an unknown one): the template
      // is the name itself, so the binding only waits for the template's id to be reported.
      { path: '/spec/launchTemplate/launchTemplateName', from: { ...ec2.LaunchTemplate.GVK, name: templateName }, fieldPath: 'status.id', template: templateAwsName, required: true },
    ];
    const targetGroup = props.targetGroupName;
    const groupName = Instances.groupName(ctx);
    const targetTracking = awsGapAnnotations([
      {
        type: 'AutoScalingTargetTracking',
        name: names.k8s('asg', 'cpu'),
        autoScalingGroupARN: arnOf({ ...autoscaling.AutoScalingGroup.GVK, name: groupName }),
        autoScalingGroupName: groupAwsName,
        policyName: names.aws('asg', 'cpu'),
        metric: 'ASGAverageCPUUtilization',
        ...(spec.cpuTargetPercent !== undefined ? { targetValue: spec.cpuTargetPercent } : {}),
      },
    ]);
    new autoscaling.AutoScalingGroup(this, 'group', {
      metadata: ctx.metadata('compute', groupName, {
        bindings: groupBindings,
        outputs: [{ output: '/compute/autoScalingGroupName', value: groupAwsName }],
        annotations: targetTracking,
      }),
      spec: {
        name: groupAwsName,
        minSize: spec.minSize,
        maxSize: spec.maxSize,
        desiredCapacity: spec.desiredCapacity ?? spec.minSize,
        launchTemplate: { launchTemplateName: templateAwsName, version: LAUNCH_TEMPLATE_VERSION },
        ...(targetGroup ? { targetGroupRefs: [ctx.ref(targetGroup)] } : {}),
        // The load balancer's health checks when there is one (an instance whose application fails them is replaced).
        healthCheckType: targetGroup ? 'ELB' : 'EC2',
        healthCheckGracePeriod: spec.healthCheckGracePeriodSeconds,
        tags: names.tags(groupAwsName),
      },
    });
  }
}
