/** `spec.compute.containers`: an ECS Fargate service of one container, with its task, autoscaling and logs. */
import { Type, type Static } from '@sinclair/typebox';
import { Obj, StringEnum, type CelRule } from './schema-kit.js';

/** CPU architectures Fargate runs. */
export const CPU_ARCHITECTURES = ['X86_64', 'ARM64'] as const;
/** Subnet tiers an application may run in (isolated subnets have no route to ECR, CloudWatch Logs or Secrets Manager). */
export const APP_SUBNET_TIERS = ['private', 'public'] as const;
/** CloudWatch Logs retention periods AWS accepts, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;
/**
 * Values of the environment an environment variable can take, each from the section that produces it (a CEL rule
 * checks that section exists): the database writer and reader endpoints and port, the cache endpoint and port, a
 * bucket's S3 name, the region, the CDN domain name, the load balancer's DNS name, and the Cognito user pool id and an
 * app client's id.
 */
export const ENVIRONMENT_OUTPUTS = [
  'databaseWriterEndpoint',
  'databaseReaderEndpoint',
  'databasePort',
  'databaseProxyEndpoint',
  'cacheEndpoint',
  'cachePort',
  'bucketName',
  'region',
  'cdnDomainName',
  'loadBalancerDNSName',
  'cognitoUserPoolId',
  'cognitoClientId',
] as const;
/** Keys of the AWS-managed database master secret (a JSON document) a container secret can take. */
export const DATABASE_CREDENTIAL_KEYS = ['username', 'password'] as const;

/** A reference to an app client of spec.identity.clients (its short name). */
export const COGNITO_CLIENT_REF = { pattern: '^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$', maxLength: 32 };
/** An environment variable's `client` goes with fromOutput cognitoClientId, and only with it. */
export const CLIENT_RULE: CelRule = {
  rule: "has(self.client) == (has(self.fromOutput) && self.fromOutput == 'cognitoClientId')",
  message: 'client is required with fromOutput cognitoClientId and forbidden otherwise',
  fieldPath: '.client',
};

// POSIX-style names, as shells and most runtimes accept them; bounded so the uniqueness rule stays cheap.
const VARIABLE_NAME = { pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 128 };

/** An image: a tag of the environment's own ECR repository (spec.registry) or an external image reference. */
function Image(description: string) {
  return Obj(
    {
      repository: Type.Optional(StringEnum(['environment'] as const, { description: 'environment: the environment\'s ECR repository (needs spec.registry). Exclusive with uri.' })),
      tag: Type.Optional(Type.String({ description: 'Image tag in that repository (with repository).', pattern: '^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$', maxLength: 128 })),
      uri: Type.Optional(
        Type.String({
          description: 'Full reference of an external image, e.g. public.ecr.aws/nginx/nginx:1.27 or a digest (…@sha256:…). It must be pullable without credentials: the task execution role may pull from the environment\'s repository only. Exclusive with repository.',
          pattern: '^[A-Za-z0-9][A-Za-z0-9._:/@#-]{0,254}$',
          maxLength: 255,
        }),
      ),
    },
    {
      description,
      'x-kubernetes-validations': [
        { rule: 'has(self.repository) != has(self.uri)', message: 'set exactly one of repository and uri', fieldPath: '.uri' },
        { rule: 'has(self.repository) == has(self.tag)', message: 'tag is required with repository and forbidden with uri', fieldPath: '.tag' },
      ],
    },
  );
}

const EnvironmentVariableSchema = Obj(
  {
    name: Type.String({ ...VARIABLE_NAME, description: 'Variable name, unique among environment and secrets.' }),
    value: Type.Optional(Type.String({ description: 'Literal value (never a secret: use secrets). Exclusive with fromOutput.', maxLength: 4096 })),
    fromOutput: Type.Optional(
      StringEnum(ENVIRONMENT_OUTPUTS, {
        description: 'Value taken from the environment itself: databaseWriterEndpoint, databaseReaderEndpoint (Aurora), databasePort (need spec.database), databaseProxyEndpoint (needs spec.database.proxy: connect through the RDS Proxy); cacheEndpoint (configuration endpoint in cluster mode, primary endpoint otherwise), cachePort (need spec.cache); bucketName (the S3 name of bucket); region; cdnDomainName (needs spec.cdn); loadBalancerDNSName (needs spec.loadBalancer); cognitoUserPoolId (needs spec.identity), cognitoClientId (the id of client, an app client of spec.identity.clients). Exclusive with value.',
        maxLength: 32,
      }),
    ),
    bucket: Type.Optional(
      Type.String({
        description: 'With fromOutput bucketName: the bucket of spec.storage.buckets. The task role may read and write the objects of every bucket the variables name, and of no other.',
        pattern: '^[a-z][a-z0-9-]{0,13}[a-z0-9]$',
        maxLength: 15,
      }),
    ),
    client: Type.Optional(Type.String({ ...COGNITO_CLIENT_REF, description: 'With fromOutput cognitoClientId: the app client of spec.identity.clients.' })),
  },
  {
    description: 'An environment variable of the container.',
    'x-kubernetes-validations': [
      { rule: 'has(self.value) != has(self.fromOutput)', message: 'set exactly one of value and fromOutput', fieldPath: '.value' },
      { rule: "has(self.bucket) == (has(self.fromOutput) && self.fromOutput == 'bucketName')", message: 'bucket is required with fromOutput bucketName and forbidden otherwise', fieldPath: '.bucket' },
      CLIENT_RULE,
    ],
  },
);

const ContainerSecretSchema = Obj(
  {
    name: Type.String({ ...VARIABLE_NAME, description: 'Environment variable the secret value is injected as, unique among environment and secrets.' }),
    fromSecret: Type.Optional(
      Type.String({ description: 'Name of an entry of spec.secrets. Exclusive with fromDatabaseCredentials.', pattern: '^[a-z][a-z0-9-]{0,30}[a-z0-9]$', maxLength: 32 }),
    ),
    fromDatabaseCredentials: Type.Optional(
      StringEnum(DATABASE_CREDENTIAL_KEYS, {
        description: 'username or password of the database master user, from the secret RDS manages (needs spec.database with credentials AWSManaged: a GeneratedSecret password lives in Kubernetes only). Exclusive with fromSecret.',
        maxLength: 8,
      }),
    ),
  },
  {
    description: 'A secret injected by ECS from AWS Secrets Manager when the task starts; the task execution role may read exactly the secrets listed here. Its value never appears in the spec or the task definition.',
    'x-kubernetes-validations': [
      { rule: 'has(self.fromSecret) != has(self.fromDatabaseCredentials)', message: 'set exactly one of fromSecret and fromDatabaseCredentials', fieldPath: '.fromSecret' },
    ],
  },
);

/**
 * Memory (MiB) Fargate accepts for each CPU size: a list, or a range with its step.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
 */
const FARGATE_MEMORY: Readonly<Record<number, readonly number[] | { readonly min: number; readonly max: number; readonly step: number }>> = {
  256: [512, 1024, 2048],
  512: { min: 1024, max: 4096, step: 1024 },
  1024: { min: 2048, max: 8192, step: 1024 },
  2048: { min: 4096, max: 16384, step: 1024 },
  4096: { min: 8192, max: 30720, step: 1024 },
  8192: { min: 16384, max: 61440, step: 4096 },
  16384: { min: 32768, max: 122880, step: 8192 },
};

// One conditional per CPU size. `int(...)`: render's CEL reads JSON numbers as doubles, which have no `%`.
const fargateMemoryRule = Object.entries(FARGATE_MEMORY)
  .map(([cpu, memory]) =>
    'step' in memory
      ? `self.cpu == ${cpu} ? (self.memory >= ${memory.min} && self.memory <= ${memory.max} && int(self.memory) % ${memory.step} == 0)`
      : `self.cpu == ${cpu} ? self.memory in [${memory.join(', ')}]`,
  )
  .join(' : ')
  .concat(' : false');

/** The text of the Fargate sizes, for messages and descriptions. */
const FARGATE_SIZES = '256: 512, 1024 or 2048; 512: 1024-4096; 1024: 2048-8192; 2048: 4096-16384 (steps of 1024); 4096: 8192-30720 (1024); 8192: 16384-61440 (4096); 16384: 32768-122880 (8192)';

const ServiceSchema = Obj(
  {
    desiredCount: Type.Integer({ description: 'Tasks the service runs (0 to 5000). With autoscaling, between minTasks and maxTasks: the starting point autoscaling moves from.', minimum: 0, maximum: 5000, default: 2 }),
    subnetTier: StringEnum(APP_SUBNET_TIERS, {
      description: 'Subnet tier of the tasks: private (default; needs network.natGateways to reach ECR, CloudWatch Logs and Secrets Manager, as the environment creates no VPC endpoints) or public (tasks get public IPs). The tasks use the app security group and register in the target group(s) of spec.loadBalancer.',
      default: 'private',
    }),
    deploymentCircuitBreaker: Obj(
      {
        enable: Type.Boolean({ description: 'Stop a deployment whose tasks keep failing to start or to pass health checks.', default: true }),
        rollback: Type.Boolean({ description: 'Roll a stopped deployment back to the last one that completed.', default: true }),
      },
      { description: 'ECS deployment circuit breaker.', default: {} },
    ),
  },
  { description: 'The ECS service.', default: {} },
);

const AutoscalingSchema = Obj(
  {
    minTasks: Type.Integer({ description: 'Fewest tasks (0 to 5000).', minimum: 0, maximum: 5000 }),
    maxTasks: Type.Integer({ description: 'Most tasks (1 to 5000).', minimum: 1, maximum: 5000 }),
    cpuTargetPercent: Type.Optional(Type.Integer({ description: 'Target tracking: keep the service\'s average CPU utilisation near this percentage (1 to 100).', minimum: 1, maximum: 100 })),
    memoryTargetPercent: Type.Optional(Type.Integer({ description: 'Target tracking: keep the service\'s average memory utilisation near this percentage (1 to 100).', minimum: 1, maximum: 100 })),
    scaleInCooldownSeconds: Type.Integer({ description: 'Seconds after a scale-in before another scale-in (0 to 3600).', minimum: 0, maximum: 3600, default: 300 }),
    scaleOutCooldownSeconds: Type.Integer({ description: 'Seconds after a scale-out before another scale-out (0 to 3600).', minimum: 0, maximum: 3600, default: 300 }),
  },
  {
    description: 'Application Auto Scaling of the service: target tracking on CPU and/or memory. Omit for a fixed desiredCount.',
    'x-kubernetes-validations': [
      { rule: 'self.minTasks <= self.maxTasks', message: 'minTasks must be less than or equal to maxTasks', fieldPath: '.minTasks' },
      { rule: 'has(self.cpuTargetPercent) || has(self.memoryTargetPercent)', message: 'autoscaling needs cpuTargetPercent, memoryTargetPercent or both', fieldPath: '.cpuTargetPercent', reason: 'FieldValueRequired' },
    ],
  },
);

const BlueGreenSchema = Obj(
  {
    blueWeight: Type.Integer({ description: 'Percentage of requests forwarded to the blue target group (0 to 100).', minimum: 0, maximum: 100, default: 100 }),
    greenWeight: Type.Integer({ description: 'Percentage of requests forwarded to the green target group (0 to 100).', minimum: 0, maximum: 100, default: 0 }),
    greenImage: Type.Optional(Image('Image of the green service: repository environment with a tag, or uri. Default: image (both colours run the same image).')),
  },
  {
    description: 'Blue/green: two ECS services, blue (running image) and green (running greenImage), each with the service and autoscaling settings above and a target group of its own; the listeners forward to the two target groups by weight, so changing the weights shifts traffic. Needs spec.loadBalancer.',
    'x-kubernetes-validations': [{ rule: 'self.blueWeight + self.greenWeight == 100', message: 'blueWeight and greenWeight must add up to 100', fieldPath: '.blueWeight' }],
  },
);

/** Schema of `spec.compute.containers`. */
export const ContainersSchema = Obj(
  {
    containerInsights: Type.Boolean({ description: 'CloudWatch Container Insights on the cluster (extra metrics, extra cost).', default: false }),
    cpu: Type.Integer({ description: 'Task CPU units (1024 = 1 vCPU): 256, 512, 1024, 2048, 4096, 8192 or 16384.', enum: [256, 512, 1024, 2048, 4096, 8192, 16384], default: 256 }),
    memory: Type.Integer({ description: `Task memory in MiB, a size Fargate pairs with cpu (cpu: memory): ${FARGATE_SIZES}.`, minimum: 512, maximum: 122880, default: 512 }),
    architecture: StringEnum(CPU_ARCHITECTURES, { description: 'CPU architecture the image is built for: X86_64 or ARM64 (Graviton).', default: 'X86_64' }),
    image: Image('Container image (of the blue service with blueGreen): repository environment with a tag, or uri.'),
    environment: Type.Array(EnvironmentVariableSchema, {
      description: 'Environment variables: literal values or values of the environment (endpoints, bucket names, region, ...).',
      default: [],
      maxItems: 50,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    }),
    secrets: Type.Array(ContainerSecretSchema, {
      description: 'Secrets injected as environment variables, by reference only.',
      default: [],
      maxItems: 20,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    }),
    service: ServiceSchema,
    autoscaling: Type.Optional(AutoscalingSchema),
    logs: Obj(
      {
        retentionDays: Type.Integer({ description: `Days CloudWatch Logs keeps the container's output: ${LOG_RETENTION_DAYS.join(', ')}.`, enum: [...LOG_RETENTION_DAYS], default: 30 }),
      },
      { description: 'The CloudWatch Logs group receiving the container\'s output.', default: {} },
    ),
    blueGreen: Type.Optional(BlueGreenSchema),
  },
  {
    description: 'ECS Fargate: a cluster, a task definition of one container listening on spec.securityGroups.app.port, a service and its log group. The task execution role and the task role are derived from the spec (image, secrets, buckets named by the environment variables).',
    'x-kubernetes-validations': [
      { rule: fargateMemoryRule, message: `memory must be a size Fargate pairs with cpu (${FARGATE_SIZES})`, fieldPath: '.memory' },
      {
        rule: '!has(self.autoscaling) || (self.autoscaling.minTasks <= self.service.desiredCount && self.service.desiredCount <= self.autoscaling.maxTasks)',
        message: 'service.desiredCount must be between autoscaling.minTasks and autoscaling.maxTasks',
        fieldPath: '.service.desiredCount',
      },
      {
        rule: 'self.environment.all(e, !self.secrets.exists(s, s.name == e.name)) && self.environment.all(e, self.environment.exists_one(f, f.name == e.name)) && self.secrets.all(s, self.secrets.exists_one(t, t.name == s.name))',
        message: 'environment variable names must be unique across environment and secrets',
        fieldPath: '.environment',
        reason: 'FieldValueDuplicate',
      },
    ],
  },
);

/** `spec.compute.containers` as TypeScript. */
export type ContainersSpec = Static<typeof ContainersSchema>;
/** A container image reference. */
export type ImageSpec = ContainersSpec['image'];
