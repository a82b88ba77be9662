/**
 * Containers (spec.compute.containers): an ECS cluster, the log group, the derived task execution and task roles, and
 * per colour a task definition (task-definition.ts) and a service with its autoscaling (container-service.ts). Without
 * blue/green there is one colour, unnamed; with blue/green, `blue` runs image behind the first target group and
 * `green` runs greenImage (or image) behind the second, and the listeners' weights decide which one gets traffic.
 */
import { Construct } from 'constructs';
import type { ContainersSpec, ImageSpec } from '../../api/index.js';
import * as ecs from '../../imports/ecs.services.k8s.aws.js';
import type { EnvironmentContext } from '../context.js';
import { AppLogGroup } from './app-log-group.js';
import { ContainerService } from './container-service.js';
import { executionRoleGrants, taskRoleGrants } from './iam-grants.js';
import { DerivedRole } from './iam.js';
import type { TargetGroupNames } from './load-balancer.js';
import { AppTaskDefinition } from './task-definition.js';

/** Trust principal of the task execution and task roles. */
export const ECS_TASKS_PRINCIPAL = 'ecs-tasks.amazonaws.com';

/** Props of {@link Containers}. */
export interface ContainersProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** `spec.compute.containers`, defaulted. */
  readonly spec: ContainersSpec;
  /** Kubernetes names of the subnets of `spec.service.subnetTier`. */
  readonly subnetNames: readonly string[];
  /** Kubernetes name of the app security group. */
  readonly securityGroupName: string;
  /** Kubernetes name of the environment KMS key (it encrypts the secrets and KMS buckets the task reads). */
  readonly kmsKeyName: string;
  /** Kubernetes names of the elbv2 TargetGroups of spec.loadBalancer (green with blue/green). @default none: no load balancer */
  readonly targetGroupNames?: TargetGroupNames;
  /** Kubernetes name of the elbv2 LoadBalancer (environment variables from loadBalancerDNSName). @default none */
  readonly loadBalancerName?: string;
}

/** One colour of the containers: the image it runs and its target group. */
interface Colour {
  readonly colour?: 'blue' | 'green';
  readonly image: ImageSpec;
  readonly targetGroupName?: string;
}

/** The ECS Fargate application tier of one environment. */
export class Containers extends Construct {
  /** Kubernetes name of the ECS Cluster. */
  static clusterName(ctx: EnvironmentContext): string {
    return ctx.names.k8s('cluster');
  }

  /** ECS name of the cluster. */
  static clusterAwsName(ctx: EnvironmentContext): string {
    return ctx.names.aws('cluster');
  }

  constructor(scope: Construct, id: string, props: ContainersProps) {
    super(scope, id);
    const { ctx, spec } = props;
    const { names } = ctx;
    const clusterName = Containers.clusterName(ctx);
    const clusterAwsName = Containers.clusterAwsName(ctx);
    new ecs.Cluster(this, 'cluster', {
      metadata: ctx.metadata('compute', clusterName, { outputs: [{ output: '/compute/clusterName', value: clusterAwsName }] }),
      spec: {
        name: clusterAwsName,
        settings: [{ name: 'containerInsights', value: spec.containerInsights ? 'enabled' : 'disabled' }],
        tags: names.tags(clusterAwsName),
      },
    });
    new AppLogGroup(this, 'logs', { ctx, retentionDays: spec.logs.retentionDays });
    const executionRole = new DerivedRole(this, 'execution-role', {
      ctx,
      name: 'task-exec',
      service: ECS_TASKS_PRINCIPAL,
      description: 'ECS task execution role (image pull, logs, secrets)',
      grants: executionRoleGrants(ctx, spec, props.kmsKeyName),
    });
    const taskGrants = taskRoleGrants(ctx, spec, props.kmsKeyName);
    const taskRole = taskGrants.length > 0 ? new DerivedRole(this, 'task-role', { ctx, name: 'task', service: ECS_TASKS_PRINCIPAL, description: 'ECS task role (the buckets the application uses)', grants: taskGrants }) : undefined;
    const healthCheck = ctx.spec.loadBalancer?.targetGroup.healthCheck;
    this.colours(props).forEach(({ colour, image, targetGroupName }, index) => {
      new AppTaskDefinition(this, `task-${colour ?? 'app'}`, {
        ctx,
        spec,
        image,
        colour,
        executionRoleName: executionRole.resourceName,
        taskRoleName: taskRole?.resourceName,
        loadBalancerName: props.loadBalancerName,
      });
      new ContainerService(this, `service-${colour ?? 'app'}`, {
        ctx,
        spec,
        colour,
        index,
        clusterName,
        clusterAwsName,
        taskDefinitionName: AppTaskDefinition.resourceName(ctx, colour),
        subnetNames: props.subnetNames,
        securityGroupName: props.securityGroupName,
        targetGroupName,
        // Long enough for a new task to pass the target group's health check healthyThreshold times in a row.
        healthCheckGracePeriodSeconds: targetGroupName && healthCheck ? healthCheck.healthyThreshold * healthCheck.intervalSeconds : undefined,
      });
    });
  }

  /** The colours to render, each with its image and target group. */
  private colours(props: ContainersProps): Colour[] {
    const { spec } = props;
    const groups = props.targetGroupNames;
    if (!spec.blueGreen) return [{ image: spec.image, targetGroupName: groups?.blue }];
    // The CRD's CEL rules make blueGreen need spec.loadBalancer, which renders a blue and a green target group.
    if (!groups?.green) throw new Error('spec.compute.containers.blueGreen needs the blue and the green target group of spec.loadBalancer');
    return [
      { colour: 'blue', image: spec.image, targetGroupName: groups.blue },
      { colour: 'green', image: spec.blueGreen.greenImage ?? spec.image, targetGroupName: groups.green },
    ];
  }
}
