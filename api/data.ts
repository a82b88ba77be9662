/** Data section of the MarketplaceEnvironment spec: the relational database and the cache. */
import { Type, type Static } from '@sinclair/typebox';
import { Obj, StringEnum } from './schema-kit.js';

/** Database engines: Aurora (a DBCluster with DBInstances) or a single RDS DBInstance. */
export const DB_ENGINES = ['aurora-mysql', 'aurora-postgresql', 'mysql', 'postgres'] as const;
/** How the master password is managed. */
export const DB_CREDENTIALS = ['AWSManaged', 'GeneratedSecret'] as const;
/** Which subnet tier hosts the database and the cache. */
export const DATA_SUBNET_TIERS = ['isolated', 'private'] as const;

const ENGINE_VERSION = { pattern: '^[0-9]+(\\.[0-9A-Za-z_-]+)*$', maxLength: 32 };

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
