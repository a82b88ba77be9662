/** `spec.tables`: DynamoDB tables, their keys, global secondary indexes, capacity, encryption and protection. */
import { Type, type Static } from '@sinclair/typebox';
import { Obj, StringEnum, type CelRule } from './schema-kit.js';

/** DynamoDB scalar types a key attribute can have: string, number, binary. */
export const KEY_ATTRIBUTE_TYPES = ['S', 'N', 'B'] as const;
/** Billing modes: on demand, or provisioned capacity. */
export const BILLING_MODES = ['PAY_PER_REQUEST', 'PROVISIONED'] as const;
/** Attributes a global secondary index copies from the table. */
export const GSI_PROJECTIONS = ['ALL', 'KEYS_ONLY', 'INCLUDE'] as const;
/**
 * Server-side encryption of a table: AWSOwned (DynamoDB's own key, free), AWSManaged (the KMS key aws/dynamodb of
 * the account) or EnvironmentKey (the environment KMS key). Always rendered explicitly.
 */
export const TABLE_ENCRYPTIONS = ['AWSOwned', 'AWSManaged', 'EnvironmentKey'] as const;

/** Short names of tables (and functions): room for <project>-<name>-<environmentSuffix> in every AWS name. */
export const SERVERLESS_NAME = { pattern: '^[a-z][a-z0-9-]{0,22}[a-z0-9]$', maxLength: 24 };
// DynamoDB accepts 1 to 255 characters for attribute names; this is the safe subset that needs no escaping anywhere.
const ATTRIBUTE_NAME = { pattern: '^[A-Za-z0-9_.-]{1,255}$', maxLength: 255 };

const KeyAttributeSchema = (description: string) =>
  Obj(
    {
      name: Type.String({ ...ATTRIBUTE_NAME, description: 'Attribute name (1 to 255 of A-Z a-z 0-9 _ . -).' }),
      type: StringEnum(KEY_ATTRIBUTE_TYPES, { description: 'S (string), N (number) or B (binary).' }),
    },
    { description },
  );

const GsiSchema = Obj(
  {
    name: Type.String({ description: 'Index name, unique in the table (3 to 255 of A-Z a-z 0-9 _ . -).', pattern: '^[A-Za-z0-9_.-]{3,255}$', maxLength: 255 }),
    partitionKey: KeyAttributeSchema('Partition (hash) key of the index.'),
    sortKey: Type.Optional(KeyAttributeSchema('Sort (range) key of the index. Omit for none.')),
    projection: StringEnum(GSI_PROJECTIONS, {
      description: 'Attributes copied into the index: ALL (default), KEYS_ONLY (the table and index keys) or INCLUDE (the keys plus nonKeyAttributes).',
      default: 'ALL',
    }),
    nonKeyAttributes: Type.Array(Type.String({ ...ATTRIBUTE_NAME, description: 'Attribute name.' }), {
      description: 'With projection INCLUDE (required there, forbidden otherwise): the further attributes copied into the index.',
      default: [],
      maxItems: 20,
      uniqueItems: true,
      'x-kubernetes-list-type': 'set',
    }),
  },
  {
    description: 'A global secondary index. With billingMode PROVISIONED it gets the table\'s provisioned capacity.',
    'x-kubernetes-validations': [
      { rule: "(self.projection == 'INCLUDE') == (size(self.nonKeyAttributes) > 0)", message: 'nonKeyAttributes are required with projection INCLUDE and forbidden otherwise', fieldPath: '.nonKeyAttributes' },
      { rule: '!has(self.sortKey) || self.sortKey.name != self.partitionKey.name', message: 'sortKey must be another attribute than partitionKey', fieldPath: '.sortKey.name' },
    ],
  },
);

/** `(a.name != b.name || a.type == b.type)`: two key attributes of one name have one type. */
const sameType = (a: string, b: string) => `(${a}.name != ${b}.name || ${a}.type == ${b}.type)`;
/** `rule` with `x.sortKey` optional: vacuously true without it. */
const withSort = (x: string, rule: string) => `(!has(${x}.sortKey) || ${rule})`;
/** Every key attribute of index `g` (partition, then sort key) agrees in type with `other`. */
const gsiAgrees = (g: string, other: string) => `(${sameType(`${g}.partitionKey`, other)} && ${withSort(g, sameType(`${g}.sortKey`, other))})`;

/**
 * DynamoDB declares the type of every key attribute once (AttributeDefinitions), for the table and all its indexes:
 * an attribute used as a key in several places must have the same type everywhere. The keys are compared pairwise
 * rather than collected into one list: the table's keys and the indexes' keys are different schema nodes (different
 * CEL object types), and pairwise comparisons build no intermediate lists for the API server's cost estimate.
 */
const ATTRIBUTE_TYPE_RULE: CelRule = {
  rule: [
    `self.globalSecondaryIndexes.all(g, ${gsiAgrees('g', 'self.partitionKey')} && ${withSort('self', gsiAgrees('g', 'self.sortKey'))})`,
    `self.globalSecondaryIndexes.all(g, self.globalSecondaryIndexes.all(h, ${gsiAgrees('g', 'h.partitionKey')} && ${withSort('h', gsiAgrees('g', 'h.sortKey'))}))`,
  ].join(' && '),
  message: 'an attribute used as a key of the table and of its indexes must have the same type everywhere (DynamoDB defines each attribute once)',
  fieldPath: '.globalSecondaryIndexes',
};

const CAPACITY = (what: string) => Type.Integer({ description: `${what} capacity units per second (1 to 40000, DynamoDB's default per-table quota).`, minimum: 1, maximum: 40000 });

/** Schema of one entry of `spec.tables`. */
export const TableSchema = Obj(
  {
    name: Type.String({ ...SERVERLESS_NAME, description: 'Short name, unique in the environment (2 to 24 characters); the DynamoDB name is <project>-<name>-<environmentSuffix>.' }),
    partitionKey: KeyAttributeSchema('Partition (hash) key of the table.'),
    sortKey: Type.Optional(KeyAttributeSchema('Sort (range) key of the table. Omit for none.')),
    globalSecondaryIndexes: Type.Array(GsiSchema, {
      description: 'Global secondary indexes (at most 20, DynamoDB\'s default quota).',
      default: [],
      maxItems: 20,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    }),
    ttlAttribute: Type.Optional(
      Type.String({ ...ATTRIBUTE_NAME, description: 'Time to live: the attribute holding each item\'s expiry time (a number, seconds since the epoch). DynamoDB deletes expired items. Omit for none.' }),
    ),
    billingMode: StringEnum(BILLING_MODES, { description: 'PAY_PER_REQUEST (default; on demand) or PROVISIONED (needs provisioned).', default: 'PAY_PER_REQUEST' }),
    provisioned: Type.Optional(
      Obj(
        { readCapacityUnits: CAPACITY('Read'), writeCapacityUnits: CAPACITY('Write') },
        { description: 'Capacity of the table and of each of its indexes. Required with billingMode PROVISIONED, forbidden otherwise.' },
      ),
    ),
    pointInTimeRecovery: Type.Boolean({ description: 'Continuous backups: restore the table to any second of the last 35 days.', default: true }),
    encryption: StringEnum(TABLE_ENCRYPTIONS, {
      description: 'Server-side encryption: AWSOwned (default; a key DynamoDB owns), AWSManaged (the account\'s KMS key aws/dynamodb) or EnvironmentKey (the environment KMS key).',
      default: 'AWSOwned',
    }),
    contributorInsights: Type.Boolean({ description: 'CloudWatch Contributor Insights: the most accessed and throttled keys (extra cost).', default: false }),
    deletionProtection: Type.Boolean({
      description: 'AWS deletion protection: while true, nobody (the environment included) can delete the table. The environment\'s deletionPolicy Retain already keeps it on deletion.',
      default: false,
    }),
  },
  {
    description: 'A DynamoDB table. Tables hold data: deleting the environment keeps them unless deletionPolicy is Delete.',
    'x-kubernetes-validations': [
      { rule: "(self.billingMode == 'PROVISIONED') == has(self.provisioned)", message: 'provisioned is required with billingMode PROVISIONED and forbidden otherwise', fieldPath: '.provisioned' },
      { rule: '!has(self.sortKey) || self.sortKey.name != self.partitionKey.name', message: 'sortKey must be another attribute than partitionKey', fieldPath: '.sortKey.name' },
      {
        rule: 'self.globalSecondaryIndexes.all(g, self.globalSecondaryIndexes.exists_one(h, h.name == g.name))',
        message: 'globalSecondaryIndexes names must be unique',
        fieldPath: '.globalSecondaryIndexes',
        reason: 'FieldValueDuplicate',
      },
      ATTRIBUTE_TYPE_RULE,
    ],
  },
);

/** One entry of `spec.tables`, defaulted. */
export type TableSpec = Static<typeof TableSchema>;
/** A global secondary index of a table. */
export type GsiSpec = TableSpec['globalSecondaryIndexes'][number];
/** A key attribute (name and type). */
export type KeyAttributeSpec = TableSpec['partitionKey'];
