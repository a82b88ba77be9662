/** Data section of the MarketplaceEnvironment spec: the relational database and the cache. */
import { Type, type Static } from '@sinclair/typebox';
import { Obj, StringEnum } from './schema-kit.js';

/** Database engines: Aurora (a DBCluster with DBInstances) or a single RDS DBInstance. */
export const DB_ENGINES = ['aurora-mysql', 'aurora-postgresql', 'mysql', 'postgres'] as const;
/** How the master password is managed. */
export const DB_CREDENTIALS = ['AWSManaged', 'GeneratedSecret'] as const;
/** Which subnet tier hosts the database and the cache. */
export const DATA_SUBNET_TIERS = ['isolated', 'private'] as const;
/** How clients authenticate to an RDS Proxy: the database password (DISABLED) or IAM authentication tokens (REQUIRED). */
export const DB_PROXY_IAM_AUTH = ['DISABLED', 'REQUIRED'] as const;
/**
 * Database logs RDS can export to CloudWatch Logs, by engine. `audit` is left out: it needs an option group (MySQL)
 * or cluster parameters (Aurora MySQL) that the operator does not render.
 */
export const DB_LOG_EXPORTS = {
  mysql: ['error', 'general', 'slowquery'],
  'aurora-mysql': ['error', 'general', 'slowquery'],
  postgres: ['postgresql', 'upgrade'],
  'aurora-postgresql': ['postgresql'],
} as const satisfies Record<(typeof DB_ENGINES)[number], readonly string[]>;
/** Every log type of {@link DB_LOG_EXPORTS}. */
export const DB_LOG_TYPES = ['error', 'general', 'slowquery', 'postgresql', 'upgrade'] as const;
/**
 * Instance classes without Performance Insights: MySQL on the micro and small burstable classes, Aurora MySQL on
 * every db.t2 and db.t3 class and on db.t4g.micro / db.t4g.small (AWS's engine support table).
 */
export const NO_PERFORMANCE_INSIGHTS = {
  mysql: ['db.t2.micro', 'db.t2.small', 'db.t3.micro', 'db.t3.small', 'db.t4g.micro', 'db.t4g.small'],
  auroraMysqlPrefixes: ['db.t2.', 'db.t3.'],
  auroraMysql: ['db.t4g.micro', 'db.t4g.small'],
} as const;

const ENGINE_VERSION = { pattern: '^[0-9]+(\\.[0-9A-Za-z_-]+)*$', maxLength: 32 };

const quoted = (values: readonly string[]) => `[${values.map((v) => `'${v}'`).join(', ')}]`;

/** Rules of `spec.database` on Performance Insights, log exports and the proxy. */
const DATABASE_OBSERVABILITY_RULES = [
  {
    rule: `!has(self.performanceInsights) || !has(self.instanceClass) || (self.engine == 'mysql' ? !(self.instanceClass in ${quoted(NO_PERFORMANCE_INSIGHTS.mysql)}) : self.engine != 'aurora-mysql' || !(${NO_PERFORMANCE_INSIGHTS.auroraMysqlPrefixes.map((p) => `self.instanceClass.startsWith('${p}')`).join(' || ')} || self.instanceClass in ${quoted(NO_PERFORMANCE_INSIGHTS.auroraMysql)}))`,
    message: 'Performance Insights is not offered for this engine on this instance class (MySQL: db.t2/db.t3/db.t4g micro and small; Aurora MySQL: db.t2, db.t3, db.t4g.micro, db.t4g.small)',
    fieldPath: '.performanceInsights',
  },
  {
    rule: `!has(self.logExports) || self.logExports.all(l, l in (self.engine == 'postgres' ? ${quoted(DB_LOG_EXPORTS.postgres)} : self.engine == 'aurora-postgresql' ? ${quoted(DB_LOG_EXPORTS['aurora-postgresql'])} : ${quoted(DB_LOG_EXPORTS.mysql)}))`,
    message: 'logExports: mysql and aurora-mysql export error, general, slowquery; postgres postgresql, upgrade; aurora-postgresql postgresql',
    fieldPath: '.logExports',
  },
  {
    rule: "!has(self.proxy) || self.credentials == 'AWSManaged'",
    message: 'proxy requires credentials AWSManaged: the proxy signs in with the master user secret RDS keeps in Secrets Manager',
    fieldPath: '.proxy',
  },
];

/** Schema of `spec.database`. */
export const DatabaseSchema = Obj(
  {
    engine: StringEnum(DB_ENGINES, {
      description: 'aurora-mysql or aurora-postgresql (an Aurora cluster with a writer and readers), or mysql / postgres (one RDS instance).',
    }),
    engineVersion: Type.String({ ...ENGINE_VERSION, description: 'Engine version, e.g. 3.04.0 (Aurora MySQL), 16.4 (Aurora PostgreSQL), 8.0 (MySQL).' }),
    serverless: Type.Optional(
      Obj(
        {
          minACU: Type.Number({ description: 'Minimum Aurora capacity units (0 to 256 in steps of 0.5; 0 lets the cluster auto-pause).', minimum: 0, maximum: 256 }),
          maxACU: Type.Number({ description: 'Maximum Aurora capacity units (1 to 256 in steps of 0.5).', minimum: 1, maximum: 256 }),
        },
        {
          description: 'Aurora Serverless v2 scaling (db.serverless instances). Exclusive with instanceClass.',
          // The 0.5 steps are CEL, not `multipleOf: 0.5`: the API server validates a whole-number value (maxACU: 2)
          // with go-openapi's integer path, which truncates the factor to 0 and rejects every such spec.
          'x-kubernetes-validations': [
            { rule: 'self.minACU <= self.maxACU', message: 'minACU must be less than or equal to maxACU', fieldPath: '.minACU' },
            { rule: 'double(int(self.minACU * 2.0)) == self.minACU * 2.0', message: 'minACU must be a multiple of 0.5', fieldPath: '.minACU' },
            { rule: 'double(int(self.maxACU * 2.0)) == self.maxACU * 2.0', message: 'maxACU must be a multiple of 0.5', fieldPath: '.maxACU' },
          ],
        },
      ),
    ),
    instanceClass: Type.Optional(
      Type.String({ description: 'Provisioned instance class, e.g. db.r6g.large or db.t3.micro. Exclusive with serverless.', pattern: '^db\\.[a-z0-9]+\\.[a-z0-9]+$', maxLength: 32 }),
    ),
    readers: Type.Integer({ description: 'Aurora reader instances besides the writer (0 to 15). Must be 0 for mysql/postgres.', minimum: 0, maximum: 15, default: 0 }),
    multiAZ: Type.Boolean({ description: 'mysql/postgres only: a standby instance in a second zone. Aurora spreads readers across zones instead.', default: false }),
    allocatedStorageGiB: Type.Optional(Type.Integer({ description: 'mysql/postgres only: storage size in GiB (20 to 65536).', minimum: 20, maximum: 65536 })),
    databaseName: Type.Optional(Type.String({ description: 'Name of the initial database.', pattern: '^[A-Za-z][A-Za-z0-9_]{0,62}$' })),
    masterUsername: Type.String({ description: 'Master user name.', pattern: '^[A-Za-z][A-Za-z0-9_]{0,15}$', default: 'dbadmin' }),
    credentials: StringEnum(DB_CREDENTIALS, {
      description: 'AWSManaged: RDS keeps the master password in Secrets Manager, encrypted with the environment key, and rotates it. GeneratedSecret: the operator generates it once into the Kubernetes Secret <name>-db-master (key password) and never overwrites it.',
      default: 'AWSManaged',
    }),
    backupRetentionDays: Type.Integer({ description: 'Days automated backups are kept (1 to 35).', minimum: 1, maximum: 35, default: 7 }),
    preferredBackupWindow: Type.Optional(Type.String({ description: 'Daily backup window in UTC, hh24:mi-hh24:mi (e.g. 03:00-04:00).', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$' })),
    preferredMaintenanceWindow: Type.Optional(Type.String({ description: 'Weekly maintenance window in UTC, ddd:hh24:mi-ddd:hh24:mi (e.g. sun:04:00-sun:05:00).', pattern: '^(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]-(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]$' })),
    deletionProtection: Type.Boolean({ description: 'AWS deletion protection: while true, neither AWS nor the operator can delete the database.', default: true }),
    storageEncrypted: Type.Boolean({ description: 'Encrypt storage with the environment KMS key.', default: true }),
    subnetTier: StringEnum(DATA_SUBNET_TIERS, { description: 'Subnet tier hosting the database (that tier must have subnets).', default: 'isolated' }),
    performanceInsights: Type.Optional(
      Obj(
        {
          retentionDays: Type.Integer({
            description: 'Days Performance Insights keeps its data: 7 (free), a multiple of 31 up to 713 (1 to 23 months), or 731 (2 years).',
            minimum: 7,
            maximum: 731,
            default: 7,
          }),
        },
        {
          description:
            'Performance Insights on the database (on every instance of an Aurora cluster), encrypted with the environment KMS key. Not offered for MySQL on db.t2/db.t3/db.t4g micro and small, nor for Aurora MySQL on db.t2, db.t3, db.t4g.micro and db.t4g.small. Omit for none (a database created with it keeps it when the section is removed).',
          'x-kubernetes-validations': [
            { rule: 'self.retentionDays == 7 || self.retentionDays == 731 || int(self.retentionDays) % 31 == 0', message: 'retentionDays must be 7, a multiple of 31 up to 713, or 731', fieldPath: '.retentionDays' },
          ],
        },
      ),
    ),
    logExports: Type.Optional(
      Type.Array(StringEnum(DB_LOG_TYPES, { description: 'A log type.' }), {
        description:
          'Database logs exported to CloudWatch Logs (/aws/rds/...): error, general, slowquery for mysql and aurora-mysql; postgresql and upgrade for postgres; postgresql for aurora-postgresql. MySQL writes the general and slow query logs only with general_log / slow_query_log set to 1 in a DB parameter group, which the operator does not render yet. Omit for none.',
        maxItems: 3,
        uniqueItems: true,
        'x-kubernetes-list-type': 'set',
      }),
    ),
    proxy: Type.Optional(
      Obj(
        {
          iamAuth: StringEnum(DB_PROXY_IAM_AUTH, {
            description: 'DISABLED: clients sign in to the proxy with the database user and password. REQUIRED: clients must present IAM authentication tokens.',
            default: 'DISABLED',
          }),
          idleClientTimeoutSeconds: Type.Integer({ description: 'Seconds an idle client connection stays open before the proxy closes it (1 to 28800).', minimum: 1, maximum: 28800, default: 1800 }),
        },
        {
          description:
            'An RDS Proxy in front of the database (connection pooling): in the database subnets, TLS required, signing in to the database with the master user secret RDS manages (credentials AWSManaged), with its own security group that the app tier may reach. Omit for none.',
        },
      ),
    ),
  },
  {
    description: 'Relational database. Omit for none.',
    'x-kubernetes-validations': [
      {
        rule: "self.engine.startsWith('aurora') ? has(self.serverless) != has(self.instanceClass) : (has(self.instanceClass) && !has(self.serverless))",
        message: 'set exactly one of serverless and instanceClass for Aurora, and instanceClass (no serverless) for mysql/postgres',
        fieldPath: '.instanceClass',
      },
      { rule: "self.engine.startsWith('aurora') || self.readers == 0", message: 'readers must be 0 for mysql/postgres', fieldPath: '.readers' },
      { rule: "!self.engine.startsWith('aurora') || !self.multiAZ", message: 'multiAZ applies to mysql/postgres only; use readers for Aurora', fieldPath: '.multiAZ' },
      { rule: "!self.engine.startsWith('aurora') || !has(self.allocatedStorageGiB)", message: 'allocatedStorageGiB applies to mysql/postgres only', fieldPath: '.allocatedStorageGiB' },
      ...DATABASE_OBSERVABILITY_RULES,
    ],
  },
);

/** Cache engines. */
export const CACHE_ENGINES = ['redis', 'valkey'] as const;

/** Schema of `spec.cache`. */
export const CacheSchema = Obj(
  {
    engine: StringEnum(CACHE_ENGINES, { description: 'redis or valkey.', default: 'redis' }),
    engineVersion: Type.String({ ...ENGINE_VERSION, description: 'Engine version, e.g. 7.0 (Redis) or 8.0 (Valkey).' }),
    nodeType: Type.String({ description: 'Cache node type, e.g. cache.r7g.large.', pattern: '^cache\\.[a-z0-9]+\\.[a-z0-9]+$', maxLength: 32, default: 'cache.t4g.small' }),
    shards: Type.Integer({ description: 'Node groups (shards). More than 1 enables cluster mode.', minimum: 1, maximum: 500, default: 1 }),
    replicasPerShard: Type.Integer({ description: 'Replicas per shard (0 to 5). At least 1 enables Multi-AZ with automatic failover.', minimum: 0, maximum: 5, default: 1 }),
    transitEncryption: Type.Boolean({ description: 'TLS between clients and nodes.', default: true }),
    atRestEncryption: Type.Boolean({ description: 'Encrypt data at rest with the environment KMS key.', default: true }),
    snapshotRetentionDays: Type.Integer({ description: 'Days automatic snapshots are kept (0 disables them).', minimum: 0, maximum: 35, default: 1 }),
    subnetTier: StringEnum(DATA_SUBNET_TIERS, { description: 'Subnet tier hosting the cache (that tier must have subnets).', default: 'isolated' }),
  },
  { description: 'In-memory cache: an ElastiCache replication group. Omit for none.' },
);

/** `spec.database` as TypeScript. */
export type DatabaseSpec = Static<typeof DatabaseSchema>;
/** `spec.cache` as TypeScript. */
export type CacheSpec = Static<typeof CacheSchema>;
