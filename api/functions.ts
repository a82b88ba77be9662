/** `spec.layers` and `spec.functions`: Lambda layer versions and functions, their code, environment, access and placement. */
import { Type, type Static } from '@sinclair/typebox';
import { CLIENT_RULE, COGNITO_CLIENT_REF, ENVIRONMENT_OUTPUTS, LOG_RETENTION_DAYS } from './containers.js';
import { Obj, StringEnum } from './schema-kit.js';
import { SERVERLESS_NAME } from './tables.js';

/** Lambda runtimes a function (or a layer) can use: the managed runtimes AWS supports, and the OS-only provided.al2023. */
export const LAMBDA_RUNTIMES = [
  'nodejs18.x',
  'nodejs20.x',
  'nodejs22.x',
  'python3.10',
  'python3.11',
  'python3.12',
  'python3.13',
  'java17',
  'java21',
  'dotnet8',
  'ruby3.3',
  'provided.al2023',
] as const;
/** Instruction set architectures Lambda runs (Lambda's own spelling, unlike Fargate's). */
export const LAMBDA_ARCHITECTURES = ['x86_64', 'arm64'] as const;
/** Subnet tiers a function may be placed in (no public IPs for Lambda: the public tier is useless to it). */
export const FUNCTION_SUBNET_TIERS = ['private', 'isolated'] as const;
/** What a function may do with a table or a bucket it names. */
export const ACCESS_ACTIONS = ['read', 'write', 'readWrite'] as const;
/**
 * Values of the environment a function's variable can take: those of containers ({@link ENVIRONMENT_OUTPUTS}), plus
 * a table's DynamoDB name or ARN, the central log group's name and the stage (spec.environmentSuffix).
 */
export const FUNCTION_ENVIRONMENT_OUTPUTS = [...ENVIRONMENT_OUTPUTS, 'tableName', 'tableArn', 'logGroupName', 'stage'] as const;
/** Variables Lambda sets itself and refuses in a function's configuration. */
export const LAMBDA_RESERVED_VARIABLES = [
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
] as const;

// The same short-name patterns as spec.storage.buckets and spec.layers, so a reference can be compared cheaply.
const BUCKET_REF = { pattern: '^[a-z][a-z0-9-]{0,13}[a-z0-9]$', maxLength: 15 };
const LAYER_NAME = { pattern: '^[a-z][a-z0-9-]{0,30}[a-z0-9]$', maxLength: 32 };
const S3_KEY = { minLength: 1, maxLength: 1024 };

const RuntimeSchema = (description: string) => StringEnum(LAMBDA_RUNTIMES, { description, maxLength: 16 });
const ArchitectureSchema = (description: string, defaultValue?: (typeof LAMBDA_ARCHITECTURES)[number]) =>
  StringEnum(LAMBDA_ARCHITECTURES, { description, ...(defaultValue ? { default: defaultValue } : {}) });

/** Schema of one entry of `spec.layers`. */
export const LayerSchema = Obj(
  {
    name: Type.String({ ...LAYER_NAME, description: 'Short name, unique in the environment (2 to 32 characters); the Lambda layer name is <project>-<name>-<environmentSuffix>.' }),
    description: Type.String({ description: 'What the layer holds.', maxLength: 256, default: '' }),
    code: Obj(
      {
        bucket: Type.String({ ...BUCKET_REF, description: 'Bucket of spec.storage.buckets holding the layer\'s .zip archive.' }),
        key: Type.String({ ...S3_KEY, description: 'Object key of the archive in that bucket.' }),
      },
      { description: 'The layer\'s .zip archive, an object of one of the environment\'s buckets.' },
    ),
    compatibleRuntimes: Type.Array(RuntimeSchema('A runtime.'), {
      description: 'Runtimes the layer is built for (1 to 15).',
      minItems: 1,
      maxItems: 15,
      uniqueItems: true,
      'x-kubernetes-list-type': 'set',
    }),
    compatibleArchitectures: Type.Array(ArchitectureSchema('An architecture.'), {
      description: 'Architectures the layer is built for (x86_64, arm64). Default: none declared.',
      default: [],
      maxItems: 2,
      uniqueItems: true,
      'x-kubernetes-list-type': 'set',
    }),
  },
  { description: 'A Lambda layer version: shared code and libraries the functions listing it get under /opt.' },
);

const FunctionVariableSchema = Obj(
  {
    name: Type.String({
      description: `Variable name, unique in the function. Lambda's own variables (${LAMBDA_RESERVED_VARIABLES.join(', ')}) are reserved.`,
      pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
      maxLength: 128,
    }),
    value: Type.Optional(Type.String({ description: 'Literal value (never a secret). Exclusive with fromOutput.', maxLength: 4096 })),
    fromOutput: Type.Optional(
      StringEnum(FUNCTION_ENVIRONMENT_OUTPUTS, {
        description:
          'Value taken from the environment itself: those of containers (database*, cache*, bucketName with bucket, region, cdnDomainName, loadBalancerDNSName, cognitoUserPoolId, cognitoClientId with client: each needs its section), tableName or tableArn (with table), logGroupName (the name of spec.logGroup) or stage (spec.environmentSuffix). Exclusive with value.',
        maxLength: 32,
      }),
    ),
    bucket: Type.Optional(Type.String({ ...BUCKET_REF, description: 'With fromOutput bucketName: a bucket of spec.storage.buckets. Naming it grants nothing: access does.' })),
    table: Type.Optional(Type.String({ ...SERVERLESS_NAME, description: 'With fromOutput tableName or tableArn: a table of spec.tables. Naming it grants nothing: access does.' })),
    client: Type.Optional(Type.String({ ...COGNITO_CLIENT_REF, description: 'With fromOutput cognitoClientId: the app client of spec.identity.clients.' })),
  },
  {
    description: 'An environment variable of the function. Lambda limits all of a function\'s variables together to 4 KB.',
    'x-kubernetes-validations': [
      { rule: 'has(self.value) != has(self.fromOutput)', message: 'set exactly one of value and fromOutput', fieldPath: '.value' },
      { rule: "has(self.bucket) == (has(self.fromOutput) && self.fromOutput == 'bucketName')", message: 'bucket is required with fromOutput bucketName and forbidden otherwise', fieldPath: '.bucket' },
      { rule: "has(self.table) == (has(self.fromOutput) && self.fromOutput in ['tableName', 'tableArn'])", message: 'table is required with fromOutput tableName or tableArn and forbidden otherwise', fieldPath: '.table' },
      CLIENT_RULE,
      { rule: `!(self.name in [${LAMBDA_RESERVED_VARIABLES.map((v) => `'${v}'`).join(', ')}])`, message: 'the name is reserved by Lambda', fieldPath: '.name' },
    ],
  },
);

const accessList = <T extends Parameters<typeof Type.Object>[0]>(key: string, properties: T, what: string) =>
  Type.Array(Obj(properties, { description: `Access to one ${what}.` }), {
    description: `${what[0]!.toUpperCase()}${what.slice(1)}s the function may use, each at most once.`,
    default: [],
    maxItems: 20,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': [key],
  });

const ACTIONS = (what: string) =>
  StringEnum(ACCESS_ACTIONS, { description: `read (get, query, scan ${what}), write (put, update, delete) or readWrite (both).` });

const AccessSchema = Obj(
  {
    tables: accessList('table', { table: Type.String({ ...SERVERLESS_NAME, description: 'A table of spec.tables (its indexes included).' }), actions: ACTIONS('items') }, 'table'),
    buckets: accessList('bucket', { bucket: Type.String({ ...BUCKET_REF, description: 'A bucket of spec.storage.buckets.' }), actions: ACTIONS('objects') }, 'bucket'),
  },
  {
    description: 'What the function\'s role may touch beyond its own logs (and, in a VPC, its network interfaces): exactly these tables and buckets, with these actions, and nothing else.',
    default: {},
  },
);

const CodeSchema = Obj(
  {
    s3: Type.Optional(
      Obj(
        {
          bucket: Type.String({ ...BUCKET_REF, description: 'Bucket of spec.storage.buckets holding the .zip archive.' }),
          key: Type.String({ ...S3_KEY, description: 'Object key of the archive.' }),
          objectVersion: Type.Optional(Type.String({ description: 'Version of the object (versioned buckets). Default: the latest.', minLength: 1, maxLength: 1024 })),
        },
        { description: 'A .zip archive in one of the environment\'s buckets (needs runtime and handler). Exclusive with image.' },
      ),
    ),
    image: Type.Optional(
      Obj(
        { tag: Type.String({ description: 'Image tag in the environment\'s ECR repository.', pattern: '^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$', maxLength: 128 }) },
        { description: 'A container image of the environment\'s repository (needs spec.registry; no runtime, handler or layers). Exclusive with s3.' },
      ),
    ),
  },
  {
    description: 'The function\'s code: s3 or image, exactly one.',
    'x-kubernetes-validations': [{ rule: 'has(self.s3) != has(self.image)', message: 'set exactly one of s3 and image', fieldPath: '.s3' }],
  },
);

/** Schema of one entry of `spec.functions`. */
export const FunctionSchema = Obj(
  {
    name: Type.String({ ...SERVERLESS_NAME, description: 'Short name, unique in the environment (2 to 24 characters); the Lambda name is <project>-<name>-<environmentSuffix>.' }),
    runtime: Type.Optional(RuntimeSchema(`Runtime of an s3 archive (required there, forbidden with image): ${LAMBDA_RUNTIMES.join(', ')}.`)),
    handler: Type.Optional(
      Type.String({ description: 'Entry point of an s3 archive, e.g. index.handler (required there, forbidden with image).', pattern: '^[^\\s]+$', maxLength: 128 }),
    ),
    code: CodeSchema,
    memoryMB: Type.Integer({ description: 'Memory in MB (128 to 10240); CPU grows with it.', minimum: 128, maximum: 10240, default: 128 }),
    timeoutSeconds: Type.Integer({ description: 'Seconds an invocation may run (1 to 900). API Gateway itself gives up after 29 s (REST) or 30 s (HTTP).', minimum: 1, maximum: 900, default: 3 }),
    architecture: ArchitectureSchema('Instruction set: x86_64 (default) or arm64 (Graviton).', 'x86_64'),
    layers: Type.Array(Type.String({ ...LAYER_NAME, description: 'A layer of spec.layers.' }), {
      description: 'Layers of spec.layers, in order (at most 5, Lambda\'s limit). Not with a container image.',
      default: [],
      maxItems: 5,
      uniqueItems: true,
      'x-kubernetes-list-type': 'set',
    }),
    environment: Type.Array(FunctionVariableSchema, {
      description: 'Environment variables: literal values or values of the environment (table names, bucket names, endpoints, ...).',
      default: [],
      maxItems: 50,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    }),
    access: AccessSchema,
    vpc: Type.Optional(
      Obj(
        {
          subnetTier: StringEnum(FUNCTION_SUBNET_TIERS, {
            description: 'private (default) or isolated. Reaching AWS services from there needs network.natGateways (private only) or network.endpoints.',
            default: 'private',
          }),
        },
        { description: 'Run in the VPC: in every subnet of subnetTier, with the app security group (spec.securityGroups.app), so it reaches the database and cache tiers. Omit to run outside the VPC.' },
      ),
    ),
    reservedConcurrency: Type.Optional(
      Type.Integer({ description: 'Concurrent executions reserved for (and limiting) the function (0 to 1000; 0 stops it). Omit to share the account\'s pool.', minimum: 0, maximum: 1000 }),
    ),
    logRetentionDays: Type.Integer({
      description: `Days CloudWatch Logs keeps the function's log group /aws/lambda/<Lambda name>: ${LOG_RETENTION_DAYS.join(', ')}.`,
      enum: [...LOG_RETENTION_DAYS],
      default: 7,
    }),
  },
  {
    description: 'A Lambda function with its own role (least privilege: its logs, its network interfaces in a VPC, and access) and log group.',
    'x-kubernetes-validations': [
      { rule: 'has(self.code.s3) == has(self.runtime)', message: 'runtime is required with code.s3 and forbidden with code.image', fieldPath: '.runtime' },
      { rule: 'has(self.code.s3) == has(self.handler)', message: 'handler is required with code.s3 and forbidden with code.image', fieldPath: '.handler' },
      { rule: '!has(self.code.image) || size(self.layers) == 0', message: 'layers are not available to container images (build them into the image)', fieldPath: '.layers' },
      {
        rule: 'self.environment.all(e, self.environment.exists_one(f, f.name == e.name))',
        message: 'environment variable names must be unique',
        fieldPath: '.environment',
        reason: 'FieldValueDuplicate',
      },
    ],
  },
);

/** One entry of `spec.layers`, defaulted. */
export type LayerSpec = Static<typeof LayerSchema>;
/** One entry of `spec.functions`, defaulted. */
export type FunctionSpec = Static<typeof FunctionSchema>;
/** An environment variable of a function. */
export type FunctionVariable = Static<typeof FunctionVariableSchema>;
/** One of {@link LAMBDA_RUNTIMES}. */
export type LambdaRuntime = (typeof LAMBDA_RUNTIMES)[number];
/** A function's access to tables and buckets. */
export type FunctionAccessSpec = FunctionSpec['access'];
