/**
 * Cross-section CEL rules of the serverless tier (tables, layers, functions, log group, API), evaluated on `spec`.
 * Each names the field that has to change. The lists they walk are bounded (maxItems, maxLength) so that the API
 * server's cost estimate stays within its budget.
 */
import type { CelRule } from './schema-kit.js';

const FUNCTIONS = 'self.functions';
const API = 'self.api';

/** `self.storage.buckets` has an entry named `name` (an expression). */
const bucketExists = (name: string) => `(has(self.storage) && self.storage.buckets.exists(b, b.name == ${name}))`;

/** Rule: every entry of `list` (the list's entries named by a unique `name`) is named once (render's check; the API server's list-map does the same). */
function uniqueNames(list: string, field: string): CelRule {
  return { rule: `self.${list}.all(x, self.${list}.exists_one(y, y.name == x.name))`, message: `${field} names must be unique`, fieldPath: `.${list}`, reason: 'FieldValueDuplicate' };
}

/** Rule: every variable of every function whose fromOutput satisfies `matches` (over `e`) also satisfies `requires`. */
function outputRule(matches: string, requires: string, message: string): CelRule {
  return { rule: `${FUNCTIONS}.all(f, f.environment.all(e, !has(e.fromOutput) || !(${matches}) || ${requires}))`, message, fieldPath: '.functions' };
}

/** Whether the private-or-isolated subnet tier `tier` (an expression) has subnets. */
const tierHasSubnets = (tier: string) => `(${tier} == 'isolated' ? self.network.subnets.isolated.countPerAZ > 0 : self.network.subnets.private.countPerAZ > 0)`;

/** References from functions and layers to the other sections. */
const REFERENCE_RULES: readonly CelRule[] = [
  uniqueNames('tables', 'tables'),
  uniqueNames('layers', 'layers'),
  uniqueNames('functions', 'functions'),
  {
    rule: `self.layers.all(l, ${bucketExists('l.code.bucket')})`,
    message: 'every layers[].code.bucket must name a bucket of spec.storage.buckets',
    fieldPath: '.layers',
  },
  {
    rule: `${FUNCTIONS}.all(f, !has(f.code.s3) || ${bucketExists('f.code.s3.bucket')})`,
    message: 'every functions[].code.s3.bucket must name a bucket of spec.storage.buckets',
    fieldPath: '.functions',
  },
  {
    rule: `${FUNCTIONS}.all(f, !has(f.code.image) || has(self.registry))`,
    message: 'functions[].code.image needs spec.registry (the image is a tag of the environment\'s repository)',
    fieldPath: '.functions',
  },
  {
    rule: `${FUNCTIONS}.all(f, f.layers.all(n, self.layers.exists(l, l.name == n)))`,
    message: 'every functions[].layers entry must name a layer of spec.layers',
    fieldPath: '.functions',
  },
  {
    rule: `${FUNCTIONS}.all(f, f.access.tables.all(a, self.tables.exists(t, t.name == a.table)))`,
    message: 'every functions[].access.tables[].table must name a table of spec.tables',
    fieldPath: '.functions',
  },
  {
    rule: `${FUNCTIONS}.all(f, f.access.buckets.all(a, ${bucketExists('a.bucket')}))`,
    message: 'every functions[].access.buckets[].bucket must name a bucket of spec.storage.buckets',
    fieldPath: '.functions',
  },
  {
    rule: `${FUNCTIONS}.all(f, !has(f.vpc) || ${tierHasSubnets('f.vpc.subnetTier')})`,
    message: 'functions[].vpc.subnetTier names a subnet tier with no subnets (set network.subnets.<tier>.countPerAZ)',
    fieldPath: '.functions',
  },
];

/** The sections each kind of fromOutput needs. */
const OUTPUT_RULES: readonly CelRule[] = [
  outputRule("e.fromOutput in ['tableName', 'tableArn']", 'has(e.table) && self.tables.exists(t, t.name == e.table)', 'functions[].environment fromOutput tableName and tableArn need table to name a table of spec.tables'),
  outputRule("e.fromOutput == 'bucketName'", `has(e.bucket) && ${bucketExists('e.bucket')}`, 'functions[].environment fromOutput bucketName needs bucket to name a bucket of spec.storage.buckets'),
  outputRule("e.fromOutput == 'logGroupName'", 'has(self.logGroup)', 'functions[].environment fromOutput logGroupName needs spec.logGroup'),
  outputRule("e.fromOutput.startsWith('database')", 'has(self.database)', 'functions[].environment fromOutput database* needs spec.database'),
  outputRule("e.fromOutput == 'databaseReaderEndpoint'", "!has(self.database) || self.database.engine.startsWith('aurora')", 'functions[].environment fromOutput databaseReaderEndpoint needs an Aurora database engine'),
  outputRule("e.fromOutput == 'databaseProxyEndpoint'", 'has(self.database) && has(self.database.proxy)', 'functions[].environment fromOutput databaseProxyEndpoint needs spec.database.proxy'),
  outputRule("e.fromOutput.startsWith('cache')", 'has(self.cache)', 'functions[].environment fromOutput cache* needs spec.cache'),
  outputRule("e.fromOutput == 'cdnDomainName'", 'has(self.cdn)', 'functions[].environment fromOutput cdnDomainName needs spec.cdn'),
  outputRule("e.fromOutput == 'loadBalancerDNSName'", 'has(self.loadBalancer)', 'functions[].environment fromOutput loadBalancerDNSName needs spec.loadBalancer'),
  outputRule("e.fromOutput.startsWith('cognito')", 'has(self.identity)', 'functions[].environment fromOutput cognito* needs spec.identity'),
  // Silent without client or spec.identity: the variable's own rule and the one above name those.
  outputRule(
    "e.fromOutput == 'cognitoClientId'",
    '!has(self.identity) || !has(e.client) || self.identity.clients.exists(c, c.name == e.client)',
    'functions[].environment fromOutput cognitoClientId: client must name a client of spec.identity.clients',
  ),
];

/** The API's routes against the functions. */
const API_RULES: readonly CelRule[] = [
  {
    rule: `!has(${API}) || ${API}.routes.all(r, ${FUNCTIONS}.exists(f, f.name == r.function))`,
    message: 'every api.routes[].function must name a function of spec.functions',
    fieldPath: '.api.routes',
  },
];

/** Every cross-section rule of the serverless tier. */
export const SERVERLESS_RULES: readonly CelRule[] = [...REFERENCE_RULES, ...OUTPUT_RULES, ...API_RULES];
