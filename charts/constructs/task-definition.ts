/**
 * The ECS task definition of the containers (one per colour with blue/green): Fargate, awsvpc, one container listening
 * on spec.securityGroups.app.port, logging to the environment's log group.
 *
 * Every value the environment only knows once AWS has created something is a late binding (bindings.ts) with
 * `required: true`: the task definition is held back until all are known, because a task started with an empty
 * DB_HOST or without its execution role is worse than a task started a little later. They are:
 * - the image from the environment's repository: `status.repositoryURI` + `:<tag>`;
 * - environment variables from the environment (`/spec/containerDefinitions/0/environment/<i>/value`): database and
 *   cache endpoints, the CDN domain and the load balancer's DNS name; ports, bucket names and the region are known
 *   when rendering and are plain values;
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
import * as cloudfront from '../../imports/cloudfront.services.k8s.aws.js';
import * as ecr from '../../imports/ecr.services.k8s.aws.js';
import * as ecs from '../../imports/ecs.services.k8s.aws.js';
import * as elasticache from '../../imports/elasticache.services.k8s.aws.js';
import * as elbv2 from '../../imports/elbv2.services.k8s.aws.js';
import * as iam from '../../imports/iam.services.k8s.aws.js';
import * as rds from '../../imports/rds.services.k8s.aws.js';
import * as secretsmanager from '../../imports/secretsmanager.services.k8s.aws.js';
import { VALUE_PLACEHOLDER, type Binding } from '../bindings.js';
import type { EnvironmentContext } from '../context.js';
import { CACHE_PORT, databasePort } from '../ports.js';
import { AppLogGroup } from './app-log-group.js';
import { AppSecrets } from './app-secrets.js';
import { Cache } from './cache.js';
import { Database, isAurora } from './database.js';
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
type Source = Pick<Binding, 'from' | 'fieldPath'>;

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

  private bind(path: string, source: Source, template?: string): void {
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
    const known = this.knownOutput(e);
    if (known !== undefined) return { name: e.name, value: known };
    this.bind(`${CONTAINER_PATH}/environment/${index}/value`, this.outputSource(e));
    return { name: e.name };
  }

  /** Outputs known when rendering: ports, bucket names, the region. */
  private knownOutput(e: EnvironmentVariable): string | undefined {
    const { spec, names } = this.ctx;
    switch (e.fromOutput) {
      case 'databasePort':
        return spec.database ? String(databasePort(spec.database.engine)) : undefined;
      case 'cachePort':
        return String(CACHE_PORT);
      case 'bucketName':
        return e.bucket ? names.bucketAwsName(e.bucket) : undefined;
      case 'region':
        return spec.region;
      default:
        return undefined;
    }
  }

  /** Where an output only AWS knows is read from. The CRD's CEL rules guarantee the section it needs exists. */
  private outputSource(e: EnvironmentVariable): Source {
    const { ctx } = this;
    const { database, cache } = ctx.spec;
    const missing = (what: string) => new Error(`spec.compute.containers.environment[${e.name}]: fromOutput ${e.fromOutput} needs ${what}`);
    switch (e.fromOutput) {
      case 'databaseWriterEndpoint':
      case 'databaseReaderEndpoint': {
        if (!database) throw missing('spec.database');
        const aurora = isAurora(database.engine);
        if (e.fromOutput === 'databaseReaderEndpoint' && !aurora) throw missing('an Aurora engine');
        const fieldPath = aurora ? (e.fromOutput === 'databaseWriterEndpoint' ? 'status.endpoint' : 'status.readerEndpoint') : 'status.endpoint.address';
        return { from: { ...(aurora ? rds.DbCluster.GVK : rds.DbInstance.GVK), name: Database.primaryName(ctx) }, fieldPath };
      }
      case 'cacheEndpoint':
        if (!cache) throw missing('spec.cache');
        // Cluster mode (more than one shard) has a configuration endpoint; otherwise the primary endpoint.
        return {
          from: { ...elasticache.ReplicationGroup.GVK, name: Cache.replicationGroupName(ctx) },
          fieldPath: cache.shards > 1 ? 'status.configurationEndpoint.address' : 'status.nodeGroups.0.primaryEndpoint.address',
        };
      case 'cdnDomainName':
        if (!ctx.spec.cdn) throw missing('spec.cdn');
        return { from: { ...cloudfront.Distribution.GVK, name: ctx.names.distribution() }, fieldPath: 'status.domainName' };
      case 'loadBalancerDNSName':
        if (!this.props.loadBalancerName) throw missing('spec.loadBalancer');
        return { from: { ...elbv2.LoadBalancer.GVK, name: this.props.loadBalancerName }, fieldPath: 'status.dnsName' };
      default:
        throw missing('a value the chart knows');
    }
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
