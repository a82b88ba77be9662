/**
 * One ECS Fargate service (one per colour with blue/green) and its Application Auto Scaling: a scalable target on the
 * service's desired count and one target tracking policy per metric of the spec (average CPU, average memory).
 *
 * The tasks always use the app security group (moto answers CreateService with 500 without security groups, and the
 * tier's rules are written for that group), in the subnets of the service's tier; public IPs only in the public tier.
 * Behind a load balancer, the service registers its container in its target group and waits for the target group's
 * health checks before ECS's own count (healthCheckGracePeriodSeconds).
 *
 * desiredCount and autoscaling: ECS requires desiredCount to create a service, so it is always rendered: the spec's
 * desiredCount, which the API defines as the starting point autoscaling moves from (between minTasks and maxTasks).
 * ACK never writes the count autoscaling chose back into the spec, and the operator applies only what differs from
 * the live object, so there is no apply loop. ACK does compare the count with AWS's whenever it reconciles the Service
 * (a change to its spec, or ACK's periodic resync, every 10 hours by default) and then sets the rendered count again;
 * target tracking moves it back after its cooldown. ACK has no way to leave a field to AWS once created.
 */
import { Construct } from 'constructs';
import type { ContainersSpec } from '../../api/index.js';
import * as applicationautoscaling from '../../imports/applicationautoscaling.services.k8s.aws.js';
import * as ecs from '../../imports/ecs.services.k8s.aws.js';
import type { Binding } from '../bindings.js';
import type { EnvironmentContext } from '../context.js';
import { ACCOUNT } from './iam-grants.js';
import { LATE, partition } from './iam.js';
import { CONTAINER_NAME } from './task-definition.js';

/** The dimension Application Auto Scaling scales an ECS service on. */
export const ECS_DESIRED_COUNT = 'ecs:service:DesiredCount';

/** Props of {@link ContainerService}. */
export interface ContainerServiceProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** `spec.compute.containers`, defaulted. */
  readonly spec: ContainersSpec;
  /** `blue` or `green` with blue/green, else none. @default none */
  readonly colour?: 'blue' | 'green';
  /** Position of this service in `status.outputs.compute.serviceNames`. */
  readonly index: number;
  /** Kubernetes name of the ECS Cluster. */
  readonly clusterName: string;
  /** ECS name of the cluster (part of the scalable target's resource id). */
  readonly clusterAwsName: string;
  /** Kubernetes name of the TaskDefinition the service runs. */
  readonly taskDefinitionName: string;
  /** Kubernetes names of the subnets of the service's tier. */
  readonly subnetNames: readonly string[];
  /** Kubernetes name of the app security group. */
  readonly securityGroupName: string;
  /** Kubernetes name of the elbv2 TargetGroup the service registers in. @default none: no load balancer */
  readonly targetGroupName?: string;
  /** Seconds ECS ignores failing load balancer health checks of a new task (with targetGroupName). @default none */
  readonly healthCheckGracePeriodSeconds?: number;
}

/** Predefined metric of each target the spec may set. */
const METRICS = [
  { key: 'cpuTargetPercent', name: 'cpu', metric: 'ECSServiceAverageCPUUtilization' },
  { key: 'memoryTargetPercent', name: 'memory', metric: 'ECSServiceAverageMemoryUtilization' },
] as const;

/** One ECS service with its autoscaling. */
export class ContainerService extends Construct {
  /** Kubernetes name of the Service of `colour`. */
  static resourceName(ctx: EnvironmentContext, colour?: string): string {
    return colour ? ctx.names.k8s('service', colour) : ctx.names.k8s('service');
  }

  /** ECS name of the service: `<project>-app[-<colour>]-<environmentSuffix>`. */
  static awsName(ctx: EnvironmentContext, colour?: string): string {
    return colour ? ctx.names.aws('app', colour) : ctx.names.aws('app');
  }

  /**
   * ARN of the ECS service-linked role of Application Auto Scaling, with `{{value}}` for the account. Moto never fills
   * the scalable target's roleARN in, and ACK waits for it; AWS reports this role, so rendering it changes nothing there.
   */
  static autoScalingRoleArn(ctx: EnvironmentContext): string {
    return `arn:${partition(ctx.spec.region)}:iam::${LATE}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`;
  }

  constructor(scope: Construct, id: string, props: ContainerServiceProps) {
    super(scope, id);
    const { ctx, spec, colour } = props;
    const { names } = ctx;
    const name = ContainerService.resourceName(ctx, colour);
    const awsName = ContainerService.awsName(ctx, colour);
    const port = ctx.spec.securityGroups.app.port;
    new ecs.Service(this, 'service', {
      metadata: ctx.metadata('compute', name, { outputs: [{ output: `/compute/serviceNames/${props.index}`, value: awsName }] }),
      spec: {
        name: awsName,
        clusterRef: ctx.ref(props.clusterName),
        taskDefinitionRef: ctx.ref(props.taskDefinitionName),
        launchType: 'FARGATE',
        platformVersion: 'LATEST',
        schedulingStrategy: 'REPLICA',
        desiredCount: spec.service.desiredCount,
        networkConfiguration: {
          awsVpcConfiguration: {
            subnetRefs: props.subnetNames.map((subnet) => ctx.ref(subnet)),
            securityGroupRefs: [ctx.ref(props.securityGroupName)],
            assignPublicIp: spec.service.subnetTier === 'public' ? 'ENABLED' : 'DISABLED',
          },
        },
        ...(props.targetGroupName
          ? {
              loadBalancers: [{ targetGroupRef: ctx.ref(props.targetGroupName), containerName: CONTAINER_NAME, containerPort: port }],
              healthCheckGracePeriodSeconds: props.healthCheckGracePeriodSeconds,
            }
          : {}),
        deploymentController: { type: 'ECS' },
        deploymentConfiguration: {
          deploymentCircuitBreaker: { ...spec.service.deploymentCircuitBreaker },
          // ECS's defaults for a rolling deployment, rendered so ACK finds nothing to change.
          maximumPercent: 200,
          minimumHealthyPercent: 100,
        },
        // The service's tags (the environment's) on every task it starts.
        propagateTags: 'SERVICE',
        enableEcsManagedTags: true,
        enableExecuteCommand: false,
        tags: names.tags(awsName),
      },
    });
    if (spec.autoscaling) this.renderAutoscaling(props, name, awsName, spec.autoscaling);
  }

  private renderAutoscaling(props: ContainerServiceProps, serviceName: string, serviceAwsName: string, autoscaling: NonNullable<ContainersSpec['autoscaling']>): void {
    const { ctx, colour } = props;
    const { names } = ctx;
    const resourceId = `service/${props.clusterAwsName}/${serviceAwsName}`;
    const targetName = colour ? names.k8s('scaling', colour) : names.k8s('scaling');
    // The account is known once the service exists, which AWS requires before registering it as a scalable target.
    const roleBinding: Binding = {
      path: '/spec/roleARN',
      from: { ...ecs.Service.GVK, name: serviceName },
      fieldPath: ACCOUNT,
      template: ContainerService.autoScalingRoleArn(ctx),
      required: true,
    };
    new applicationautoscaling.ScalableTarget(this, 'scalable-target', {
      metadata: ctx.metadata('compute', targetName, { bindings: [roleBinding] }),
      spec: { serviceNamespace: 'ecs', scalableDimension: ECS_DESIRED_COUNT, resourceId, minCapacity: autoscaling.minTasks, maxCapacity: autoscaling.maxTasks },
    });
    for (const { key, name, metric } of METRICS) {
      const target = autoscaling[key];
      if (target === undefined) continue;
      // Held back until the scalable target is registered (AWS refuses a policy for an unknown target): the template
      // is the resource id itself, so the binding only waits for the target's account id to be reported.
      const waitForTarget: Binding = {
        path: '/spec/resourceID',
        from: { ...applicationautoscaling.ScalableTarget.GVK, name: targetName },
        fieldPath: ACCOUNT,
        template: resourceId,
        required: true,
      };
      new applicationautoscaling.ScalingPolicy(this, `policy-${name}`, {
        metadata: ctx.metadata('compute', `${targetName}-${name}`, { bindings: [waitForTarget] }),
        spec: {
          policyName: colour ? names.aws('app', colour, name) : names.aws('app', name),
          policyType: 'TargetTrackingScaling',
          serviceNamespace: 'ecs',
          scalableDimension: ECS_DESIRED_COUNT,
          resourceId,
          targetTrackingScalingPolicyConfiguration: {
            targetValue: target,
            predefinedMetricSpecification: { predefinedMetricType: metric },
            scaleInCooldown: autoscaling.scaleInCooldownSeconds,
            scaleOutCooldown: autoscaling.scaleOutCooldownSeconds,
            disableScaleIn: false,
          },
        },
      });
    }
  }
}
