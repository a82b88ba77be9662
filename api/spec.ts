/** The MarketplaceEnvironment spec: identity, tags, deletion policy and the component sections. */
import { Type, type Static } from '@sinclair/typebox';
import { APPLICATION_RULES } from './application-rules.js';
import { ComputeSchema, RegistrySchema } from './compute.js';
import { CacheSchema, DatabaseSchema } from './data.js';
import { CdnSchema, FirewallSchema, StorageSchema } from './edge.js';
import { DNS_RULES, DnsSchema } from './dns.js';
import { IdentitySchema } from './identity.js';
import { LoadBalancerSchema } from './load-balancer.js';
import { MonitoringSchema } from './monitoring.js';
import { NetworkSchema, SecurityGroupsSchema } from './network.js';
import { Obj, StringEnum, immutable, type CelRule } from './schema-kit.js';
import { AppSecretSchema, EncryptionSchema, SECRET_RULES } from './security.js';
import { ApiSchema, FunctionSchema, LayerSchema, LogGroupSchema, TableSchema } from './serverless.js';
import { SERVERLESS_RULES } from './serverless-rules.js';

/** What happens to data-bearing AWS resources (database, cache, buckets, image repository, KMS key, secrets) on deletion. */
export const DELETION_POLICIES = ['Retain', 'Delete'] as const;

const TagsSchema = Obj(
  {
    environment: Type.String({ description: 'Value of the Environment tag, e.g. production.', minLength: 1, maxLength: 64 }),
    owner: Type.String({ description: 'Value of the Owner tag: the team or person accountable.', minLength: 1, maxLength: 128 }),
    additional: Type.Record(Type.String(), Type.String({ maxLength: 256, description: 'Tag value.' }), {
      description: 'Further tags (key → value) for every AWS resource. Keys must not start with aws:.',
      default: {},
      maxProperties: 40,
    }),
  },
  {
    description: 'Tags on every AWS resource: Environment, Project (spec.project), Owner, plus additional.',
    'x-kubernetes-validations': [
      { rule: "self.additional.all(k, !k.startsWith('aws:') && size(k) <= 128)", message: 'additional tag keys must not start with aws: and are at most 128 characters', fieldPath: '.additional' },
    ],
  },
);

/** Whether a data subnet tier named by `path` has subnets. */
function tierHasSubnets(path: string): string {
  return `(${path}.subnetTier == 'isolated' ? self.network.subnets.isolated.countPerAZ > 0 : self.network.subnets.private.countPerAZ > 0)`;
}

/** Cross-field rules that span sections; each names the field that has to change. */
const SPEC_RULES: readonly CelRule[] = [
  { rule: 'self.network.availabilityZones.all(z, z.startsWith(self.region))', message: 'every availability zone must be in spec.region', fieldPath: '.network.availabilityZones' },
  { rule: `!has(self.database) || ${tierHasSubnets('self.database')}`, message: 'database.subnetTier names a subnet tier with no subnets (set network.subnets.<tier>.countPerAZ)', fieldPath: '.database.subnetTier' },
  { rule: '!has(self.database) || size(self.network.availabilityZones) >= 2', message: 'a database needs at least 2 availability zones (an RDS DB subnet group must span two)', fieldPath: '.network.availabilityZones' },
  { rule: `!has(self.cache) || ${tierHasSubnets('self.cache')}`, message: 'cache.subnetTier names a subnet tier with no subnets (set network.subnets.<tier>.countPerAZ)', fieldPath: '.cache.subnetTier' },
  {
    rule: "!has(self.cdn) || (has(self.storage) && self.storage.buckets.exists(b, b.name == self.cdn.originBucket && b.purpose == 'assets'))",
    message: 'cdn.originBucket must name a bucket of spec.storage.buckets with purpose assets',
    fieldPath: '.cdn.originBucket',
  },
  {
    rule: '!has(self.cdn) || self.cdn.behaviors.all(x, has(self.storage) && self.storage.buckets.exists(b, b.name == x.bucket))',
    message: 'every cdn.behaviors[].bucket must name a bucket of spec.storage.buckets',
    fieldPath: '.cdn.behaviors',
  },
  {
    rule: "!has(self.cdn) || !has(self.cdn.logging) || (has(self.storage) && self.storage.buckets.exists(b, b.name == self.cdn.logging.bucket && b.purpose == 'logs'))",
    message: 'cdn.logging.bucket must name a bucket of spec.storage.buckets with purpose logs',
    fieldPath: '.cdn.logging.bucket',
  },
  {
    rule: "!has(self.cdn) || self.storage.buckets.all(b, b.encryption != 'KMS' || (b.name != self.cdn.originBucket && !self.cdn.behaviors.exists(x, x.bucket == b.name) && (!has(self.cdn.logging) || self.cdn.logging.bucket != b.name)))",
    message: 'buckets the CDN reads or logs to must use SSE-S3 encryption (CloudFront cannot read or write them with the environment KMS key)',
    fieldPath: '.storage.buckets',
  },
  { rule: "!has(self.firewall) || self.firewall.scope != 'CLOUDFRONT' || has(self.cdn)", message: 'firewall.scope CLOUDFRONT needs spec.cdn', fieldPath: '.firewall.scope' },
  ...APPLICATION_RULES,
  ...SERVERLESS_RULES,
  ...DNS_RULES,
  ...SECRET_RULES,
];

/** A list of named entries (a list-type map keyed by name), at most `maxItems`, empty by default. */
const namedList = <T extends Parameters<typeof Type.Array>[0]>(items: T, description: string, maxItems: number) =>
  Type.Array(items, { description, default: [], maxItems, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] });

/** Schema of `spec`. */
export const SpecSchema = Obj(
  {
    region: Type.String({
      description: 'AWS region of every resource, e.g. us-east-1. Immutable.',
      pattern: '^[a-z]{2}(-gov)?-[a-z]+-[0-9]$',
      maxLength: 20,
      'x-kubernetes-validations': [immutable('region')],
    }),
    project: Type.String({
      description: 'Project name: the first part of every AWS name (<project>-<component>-<environmentSuffix>) and the Project tag. 2 to 16 characters. Immutable.',
      // No '--': AWS refuses it in DB cluster and instance identifiers, which start with the project.
      pattern: '^[a-z](-?[a-z0-9])+$',
      maxLength: 16,
      'x-kubernetes-validations': [immutable('project')],
    }),
    environmentSuffix: Type.String({
      description: 'Suffix of every AWS name, making it unique per environment (e.g. prod, pr123). 1 to 12 characters. Immutable.',
      // No '--', as for project: the suffix ends every AWS name.
      pattern: '^[a-z0-9](-?[a-z0-9])*$',
      maxLength: 12,
      'x-kubernetes-validations': [immutable('environmentSuffix')],
    }),
    tags: TagsSchema,
    deletionPolicy: StringEnum(DELETION_POLICIES, {
      description: 'Retain (default): deleting the environment keeps the database, cache, buckets, image repository, KMS key and secrets in AWS. Delete: they are deleted too (no final DB snapshot).',
      default: 'Retain',
    }),
    network: NetworkSchema,
    securityGroups: SecurityGroupsSchema,
    encryption: EncryptionSchema,
    database: Type.Optional(DatabaseSchema),
    cache: Type.Optional(CacheSchema),
    storage: Type.Optional(StorageSchema),
    cdn: Type.Optional(CdnSchema),
    firewall: Type.Optional(FirewallSchema),
    loadBalancer: Type.Optional(LoadBalancerSchema),
    compute: Type.Optional(ComputeSchema),
    registry: Type.Optional(RegistrySchema),
    secrets: namedList(AppSecretSchema, 'Application secrets in AWS Secrets Manager.', 20),
    tables: namedList(TableSchema, 'DynamoDB tables (at most 20).', 20),
    layers: namedList(LayerSchema, 'Lambda layers the functions share (at most 5).', 5),
    functions: namedList(FunctionSchema, 'Lambda functions (at most 20).', 20),
    logGroup: Type.Optional(LogGroupSchema),
    api: Type.Optional(ApiSchema),
    monitoring: Type.Optional(MonitoringSchema),
    dns: Type.Optional(DnsSchema),
    identity: Type.Optional(IdentitySchema),
  },
  {
    description:
      'Desired state of one marketplace environment on AWS: network, security, data (database, cache, tables), edge (buckets, CDN, firewall), the application tier (load balancer, containers or instances, registry), the serverless tier (functions, layers, API, log group), monitoring (alarm topic, alarms, dashboard), DNS (a Route 53 zone, alias records, certificate validation) and identity (a Cognito user pool and its app clients).',
    'x-kubernetes-validations': SPEC_RULES,
  },
);

/** `spec` as TypeScript, after defaulting (what the API server stores and `render` works on). */
export type MarketplaceEnvironmentSpec = Static<typeof SpecSchema>;
