/**
 * Cross-section CEL rules of the application tier (load balancer, compute, registry), evaluated on `spec`.
 * Each names the field that has to change; each guard (`!has(...) ||`) keeps a rule silent when its section is absent.
 */
import type { CelRule } from './schema-kit.js';

const LB = 'self.loadBalancer';
const LISTENERS = `${LB}.listeners`;
const CONTAINERS = 'self.compute.containers';
const INSTANCES = 'self.compute.instances';
const ENV = `${CONTAINERS}.environment`;

/** `rule`, vacuously true without spec.compute.containers. */
const withContainers = (rule: string) => `!has(self.compute) || !has(${CONTAINERS}) || ${rule}`;
/** `rule`, vacuously true without spec.compute.instances. */
const withInstances = (rule: string) => `!has(self.compute) || !has(${INSTANCES}) || ${rule}`;

/** Whether the public-or-private subnet tier named by `path`.subnetTier has subnets. */
function tierHasSubnets(path: string): string {
  return `(${path}.subnetTier == 'public' ? self.network.subnets.public.countPerAZ > 0 : self.network.subnets.private.countPerAZ > 0)`;
}

/** Rule: every environment variable whose fromOutput satisfies `matches` (over `e`) also satisfies `requires`. */
function outputRule(matches: string, requires: string, message: string): CelRule {
  return {
    rule: withContainers(`${ENV}.all(e, !has(e.fromOutput) || !(${matches}) || ${requires})`),
    message,
    fieldPath: '.compute.containers.environment',
  };
}

const LOGS_BUCKET = `${LB}.accessLogs.bucket`;
/** `rule`, vacuously true without spec.loadBalancer.accessLogs. */
const withAccessLogs = (rule: string) => `!has(${LB}) || !has(${LB}.accessLogs) || ${rule}`;

/** Rules of `spec.loadBalancer.accessLogs` against the buckets and the CDN. */
const ACCESS_LOGS_RULES: readonly CelRule[] = [
  {
    rule: withAccessLogs(`has(self.storage) && self.storage.buckets.exists(b, b.name == ${LOGS_BUCKET} && b.purpose == 'logs')`),
    message: 'loadBalancer.accessLogs.bucket must name a bucket of spec.storage.buckets with purpose logs',
    fieldPath: '.loadBalancer.accessLogs.bucket',
  },
  {
    rule: withAccessLogs(`!has(self.storage) || self.storage.buckets.all(b, b.name != ${LOGS_BUCKET} || b.encryption != 'KMS')`),
    message: 'the bucket of loadBalancer.accessLogs must use SSE-S3 encryption (ELB access logs support no other server-side encryption)',
    fieldPath: '.loadBalancer.accessLogs.bucket',
  },
  {
    // Its policy is a late binding of its own (the ELB grant names the account); a CDN-served bucket's is the Distribution's.
    rule: withAccessLogs(`!has(self.cdn) || !self.cdn.behaviors.exists(x, x.bucket == ${LOGS_BUCKET})`),
    message: 'the bucket of loadBalancer.accessLogs cannot be served by the CDN (cdn.behaviors)',
    fieldPath: '.loadBalancer.accessLogs.bucket',
  },
];

/** Rules of `spec.loadBalancer` against the network and security groups. */
const LOAD_BALANCER_RULES: readonly CelRule[] = [
  { rule: `!has(${LB}) || size(self.network.availabilityZones) >= 2`, message: 'a load balancer needs at least 2 availability zones (an ALB spans two)', fieldPath: '.network.availabilityZones' },
  { rule: `!has(${LB}) || ${tierHasSubnets(LB)}`, message: 'loadBalancer.subnetTier names a subnet tier with no subnets (set network.subnets.<tier>.countPerAZ)', fieldPath: '.loadBalancer.subnetTier' },
  { rule: `!has(${LB}) || has(self.securityGroups.loadBalancer)`, message: 'a load balancer needs securityGroups.loadBalancer (its clients and ports)', fieldPath: '.securityGroups.loadBalancer', reason: 'FieldValueRequired' },
  {
    rule: `!has(${LB}) || !has(self.securityGroups.loadBalancer) || ((!has(${LISTENERS}.http) || ${LISTENERS}.http.port in self.securityGroups.loadBalancer.ports) && (!has(${LISTENERS}.https) || ${LISTENERS}.https.port in self.securityGroups.loadBalancer.ports))`,
    message: 'securityGroups.loadBalancer.ports must open the port of every loadBalancer listener',
    fieldPath: '.securityGroups.loadBalancer.ports',
  },
  {
    rule: `!has(${LB}) || !has(${LISTENERS}.https) || !has(${LISTENERS}.https.certificate.arn) || ${LISTENERS}.https.certificate.arn.contains(':acm:' + self.region + ':')`,
    message: 'the certificate must be in spec.region (a load balancer only uses ACM certificates of its own region)',
    fieldPath: '.loadBalancer.listeners.https.certificate.arn',
  },
  ...ACCESS_LOGS_RULES,
];

/** Rules of `spec.compute` against the network, the registry, the load balancer and the sections outputs come from. */
const COMPUTE_RULES: readonly CelRule[] = [
  { rule: withContainers(tierHasSubnets(`${CONTAINERS}.service`)), message: 'service.subnetTier names a subnet tier with no subnets (set network.subnets.<tier>.countPerAZ)', fieldPath: '.compute.containers.service.subnetTier' },
  {
    rule: withContainers(`${CONTAINERS}.service.subnetTier != 'private' || self.network.natGateways != 'None'`),
    message: 'containers in private subnets need network.natGateways (Single or PerAZ) to pull images, write logs and read secrets',
    fieldPath: '.compute.containers.service.subnetTier',
  },
  { rule: withInstances(tierHasSubnets(INSTANCES)), message: 'instances.subnetTier names a subnet tier with no subnets (set network.subnets.<tier>.countPerAZ)', fieldPath: '.compute.instances.subnetTier' },
  { rule: withContainers(`!has(${CONTAINERS}.image.repository) || has(self.registry)`), message: 'image repository environment needs spec.registry', fieldPath: '.compute.containers.image.repository' },
  {
    rule: withContainers(`!has(${CONTAINERS}.blueGreen) || !has(${CONTAINERS}.blueGreen.greenImage) || !has(${CONTAINERS}.blueGreen.greenImage.repository) || has(self.registry)`),
    message: 'greenImage repository environment needs spec.registry',
    fieldPath: '.compute.containers.blueGreen.greenImage.repository',
  },
  { rule: withContainers(`!has(${CONTAINERS}.blueGreen) || has(${LB})`), message: 'blueGreen needs spec.loadBalancer (its listeners shift traffic between the blue and green target groups)', fieldPath: '.compute.containers.blueGreen' },
  outputRule("e.fromOutput.startsWith('database')", 'has(self.database)', 'environment fromOutput database* needs spec.database'),
  outputRule("e.fromOutput == 'databaseReaderEndpoint'", "!has(self.database) || self.database.engine.startsWith('aurora')", 'environment fromOutput databaseReaderEndpoint needs an Aurora database engine'),
  outputRule("e.fromOutput == 'databaseProxyEndpoint'", 'has(self.database) && has(self.database.proxy)', 'environment fromOutput databaseProxyEndpoint needs spec.database.proxy'),
  outputRule("e.fromOutput.startsWith('cache')", 'has(self.cache)', 'environment fromOutput cache* needs spec.cache'),
  outputRule("e.fromOutput == 'cdnDomainName'", 'has(self.cdn)', 'environment fromOutput cdnDomainName needs spec.cdn'),
  outputRule("e.fromOutput == 'loadBalancerDNSName'", `has(${LB})`, 'environment fromOutput loadBalancerDNSName needs spec.loadBalancer'),
  outputRule(
    "e.fromOutput == 'bucketName'",
    'has(self.storage) && has(e.bucket) && self.storage.buckets.exists(b, b.name == e.bucket)',
    'environment fromOutput bucketName needs bucket to name a bucket of spec.storage.buckets',
  ),
  outputRule("e.fromOutput.startsWith('cognito')", 'has(self.identity)', 'environment fromOutput cognito* needs spec.identity'),
  // Silent without client or spec.identity: the variable's own rule and the one above name those.
  outputRule(
    "e.fromOutput == 'cognitoClientId'",
    '!has(self.identity) || !has(e.client) || self.identity.clients.exists(c, c.name == e.client)',
    'environment fromOutput cognitoClientId: client must name a client of spec.identity.clients',
  ),
  {
    rule: withContainers(`${CONTAINERS}.secrets.all(s, !has(s.fromSecret) || self.secrets.exists(x, x.name == s.fromSecret))`),
    message: 'every secrets[].fromSecret must name an entry of spec.secrets',
    fieldPath: '.compute.containers.secrets',
  },
  {
    rule: withContainers(`${CONTAINERS}.secrets.all(s, !has(s.fromDatabaseCredentials) || (has(self.database) && self.database.credentials == 'AWSManaged'))`),
    message: 'secrets[].fromDatabaseCredentials needs spec.database with credentials AWSManaged (the only mode that keeps the master password in Secrets Manager)',
    fieldPath: '.compute.containers.secrets',
  },
];

/** Every cross-section rule of the application tier. */
export const APPLICATION_RULES: readonly CelRule[] = [...LOAD_BALANCER_RULES, ...COMPUTE_RULES];
