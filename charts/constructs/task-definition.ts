/**
 * The ECS task definition of the containers (one per colour with blue/green): Fargate, awsvpc, one container listening
 * on spec.securityGroups.app.port, logging to the environment's log group.
 *
 * Every value the environment only knows once AWS has created something is a late binding (bindings.ts) with
 * `required: true`: the task definition is held back until all are known, because a task started with an empty
 * DB_HOST or without its execution role is worse than a task started a little later. They are:
 * - the image from the environment's repository: `status.repositoryURI` + `:<tag>`;
 * - environment variables from the environment (`/spec/containerDefinitions/0/environment/<i>/value`, resolved by
 *   environment-values.ts): database and cache endpoints, the CDN domain and the load balancer's DNS name; ports,
 *   bucket names and the region are known when rendering and are plain values;
 * - secrets (`/spec/containerDefinitions/0/secrets/<i>/valueFrom`): the ARN of the Secrets Manager secret, or the
 *   database's AWS-managed master user secret with the JSON key (`<arn>:username::`). Only ARNs: ECS reads the value
 *   when a task starts, so no secret value is ever in the task definition;
 * - the execution role's ARN (`executionRoleARN` has no ACK reference; the task role has `taskRoleRef`).
 *
 * Environment variables and secrets are rendered in name order, a canonical order: reordering the spec's lists
 * changes nothing, so it registers no new task definition revision (ACK registers one on every change).
 */
import { Construct } from 'constructs';
import type { ContainersSpec, ImageSpec } from '../../api/index.js';
import * as ecr from '../../imports/ecr.services.k8s.aws.js';
import * as ecs from '../../imports/ecs.services.k8s.aws.js';
import * as iam from '../../imports/iam.services.k8s.aws.js';
import * as rds from '../../imports/rds.services.k8s.aws.js';
import * as secretsmanager from '../../imports/secretsmanager.services.k8s.aws.js';
import { VALUE_PLACEHOLDER, type Binding } from '../bindings.js';
import type { EnvironmentContext } from '../context.js';
import { AppLogGroup } from './app-log-group.js';
import { AppSecrets } from './app-secrets.js';
import { Database, isAurora } from './database.js';
import { knownOutput, outputSource, type OutputSource } from './environment-values.js';
import { ARN } from './iam-grants.js';
import { Registry } from './registry.js';

/** Name of the one container of the task (the services' load balancer mappings name it). */
export const CONTAINER_NAME = 'app';
/** JSON pointer of the container in a TaskDefinition. */
export const CONTAINER_PATH = '/spec/containerDefinitions/0';

/** Props of {@link AppTaskDefinition}. */
export interface AppTaskDefinitionProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** `spec.compute.containers`, defaulted. */
  readonly spec: ContainersSpec;
  /** Image of this task definition (the green one runs blueGreen.greenImage). */
  readonly image: ImageSpec;
  /** `blue` or `green` with blue/green, else none. @default none */
  readonly colour?: 'blue' | 'green';
  /** Kubernetes name of the task execution Role. */
  readonly executionRoleName: string;
  /** Kubernetes name of the task Role. @default none: the task has no role (nothing to grant) */
  readonly taskRoleName?: string;
  /** Kubernetes name of the elbv2 LoadBalancer (environment variables from loadBalancerDNSName). @default none */
  readonly loadBalancerName?: string;
}

type EnvironmentVariable = ContainersSpec['environment'][number];
type ContainerSecret = ContainersSpec['secrets'][number];

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);

/** One Fargate task definition of the environment. */
export class AppTaskDefinition extends Construct {
  /** Kubernetes name of the TaskDefinition of `colour` (the Service's taskDefinitionRef). */
  static resourceName(ctx: EnvironmentContext, colour?: string): string {
    return colour ? ctx.names.k8s('task', colour) : ctx.names.k8s('task');
  }

  /** Task definition family (AWS): `<project>-app[-<colour>]-<environmentSuffix>`. */
  static family(ctx: EnvironmentContext, colour?: string): string {
    return colour ? ctx.names.aws('app', colour) : ctx.names.aws('app');
  }

  private readonly ctx: EnvironmentContext;
  private readonly bindings: Binding[] = [];

  constructor(scope: Construct, id: string, private readonly props: AppTaskDefinitionProps) {
    super(scope, id);
    this.ctx = props.ctx;
    const { ctx, spec, colour } = props;
    const { names } = ctx;
    const family = AppTaskDefinition.family(ctx, colour);
    const port = ctx.spec.securityGroups.app.port;
    const image = this.image(props.image);
    const environment = [...spec.environment].sort(byName).map((e, i) => this.variable(e, i));
    const secrets = [...spec.secrets].sort(byName).map((s, i) => this.secret(s, i));
    this.bind('/spec/executionRoleARN', { from: { ...iam.Role.GVK, name: props.executionRoleName }, fieldPath: ARN });
    new ecs.TaskDefinition(this, 'task-definition', {
      metadata: ctx.metadata('compute', AppTaskDefinition.resourceName(ctx, colour), { bindings: this.bindings }),
      spec: {
        family,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        // ECS takes task sizes as strings.
        cpu: String(spec.cpu),
        memory: String(spec.memory),
        runtimePlatform: { cpuArchitecture: spec.architecture, operatingSystemFamily: 'LINUX' },
        ...(props.taskRoleName ? { taskRoleRef: ctx.ref(props.taskRoleName) } : {}),
        containerDefinitions: [
          {
            name: CONTAINER_NAME,
            ...(image ? { image } : {}),
            essential: true,
            // The whole task's CPU (ECS reports 0 for a container without cpu, which ACK would see as a change).
            cpu: spec.cpu,
            portMappings: [{ containerPort: port, hostPort: port, protocol: 'tcp' }],
            ...(environment.length > 0 ? { environment } : {}),
            ...(secrets.length > 0 ? { secrets } : {}),
            logConfiguration: {
              logDriver: 'awslogs',
              options: {
                'awslogs-group': AppLogGroup.awsName(ctx),
                'awslogs-region': ctx.spec.region,
                'awslogs-stream-prefix': colour ?? CONTAINER_NAME,
                // Explicit, so the container does not depend on the account's defaultLogDriverMode setting: a full
                // log buffer drops lines instead of blocking the application.
                mode: 'non-blocking',
              },
            },
          },
        ],
        tags: names.tags(family),
      },
    });
  }

  private bind(path: string, source: OutputSource, template?: string): void {
    this.bindings.push({ path, ...source, ...(template ? { template } : {}), required: true });
  }

  /** The image reference, or undefined when it comes from the environment's repository (a binding). */
  private image(image: ImageSpec): string | undefined {
    if (image.uri) return image.uri;
    this.bind(`${CONTAINER_PATH}/image`, { from: { ...ecr.Repository.GVK, name: Registry.resourceName(this.ctx) }, fieldPath: 'status.repositoryURI' }, `${VALUE_PLACEHOLDER}:${image.tag}`);
    return undefined;
  }

  /** Environment variable at `index` (name order): a literal, a value known now, or a binding. */
  private variable(e: EnvironmentVariable, index: number): ecs.TaskDefinitionSpecContainerDefinitionsEnvironment {
    if (e.value !== undefined) return { name: e.name, value: e.value };
    const known = knownOutput(this.ctx, e);
    if (known !== undefined) return { name: e.name, value: known };
    const source = outputSource(this.ctx, e, { where: 'spec.compute.containers.environment', loadBalancerName: this.props.loadBalancerName });
    this.bind(`${CONTAINER_PATH}/environment/${index}/value`, source);
    return { name: e.name };
  }

  /** Secret at `index` (name order): the ARN of its source, always through a binding. */
  private secret(s: ContainerSecret, index: number): ecs.TaskDefinitionSpecContainerDefinitionsSecrets {
    const path = `${CONTAINER_PATH}/secrets/${index}/valueFrom`;
    const { ctx } = this;
    if (s.fromSecret) {
      this.bind(path, { from: { ...secretsmanager.Secret.GVK, name: AppSecrets.resourceName(ctx, s.fromSecret) }, fieldPath: ARN });
    } else {
      const database = ctx.spec.database;
      if (!database) throw new Error(`spec.compute.containers.secrets[${s.name}]: fromDatabaseCredentials needs spec.database`);
      const gvk = isAurora(database.engine) ? rds.DbCluster.GVK : rds.DbInstance.GVK;
      // ECS's `<secret ARN>:<JSON key>:<version stage>:<version id>`: the key of the secret's current version.
      this.bind(path, { from: { ...gvk, name: Database.primaryName(ctx) }, fieldPath: 'status.masterUserSecret.secretARN' }, `${VALUE_PLACEHOLDER}:${s.fromDatabaseCredentials}::`);
    }
    return { name: s.name };
  }
}
