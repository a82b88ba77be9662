/**
 * DNS section of the MarketplaceEnvironment spec: a Route 53 public hosted zone (one the environment creates, or an
 * existing one), alias records to the environment's load balancer and CloudFront distribution, and the DNS-validation
 * records of the ACM certificate the environment requests (loadBalancer.listeners.https.certificate.domainName).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Obj, StringEnum, type CelRule } from './schema-kit.js';

/** What an alias record points at: the environment's Application Load Balancer or its CloudFront distribution. */
export const DNS_RECORD_TARGETS = ['loadBalancer', 'cdn'] as const;
/** Record name of the zone apex (the zone's own domain), as in zone files. */
export const APEX = '@';
/**
 * Tags every AWS resource of an environment carries (names.tags(): Environment, Project, Owner, ManagedBy and the
 * environment tag). Route 53 takes at most 10 tags on a hosted zone, which leaves 5 for tags.additional.
 */
const FIXED_TAGS = 5;
/** Route 53's limit of tags on a hosted zone. */
export const HOSTED_ZONE_MAX_TAGS = 10;

const LABEL = '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?';

const ZoneSchema = Obj(
  {
    name: Type.String({
      description: 'Domain of the hosted zone, e.g. example.com (lower case, no trailing dot). Register it (or delegate it from its parent zone) to the name servers in status.outputs.dns.nameServers.',
      pattern: `^(${LABEL}\\.)+[a-z]{2,63}$`,
      maxLength: 200,
    }),
    existingZoneID: Type.Optional(
      Type.String({
        description: 'Id of an existing public hosted zone for name (e.g. Z0123456789ABCDEFGHIJ): the records go there and the environment creates no zone. Default: the environment creates the zone, kept on deletion unless spec.deletionPolicy is Delete (its name servers are delegated at the registrar: a new zone would get new ones).',
        pattern: '^Z[0-9A-Z]{1,31}$',
        maxLength: 32,
      }),
    ),
  },
  {
    description: 'The hosted zone. Immutable: to move the records to another zone, remove spec.dns and add it again.',
    'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'dns.zone is immutable (remove spec.dns, then add it with the other zone)' }],
  },
);

const RecordSchema = Obj(
  {
    name: Type.String({
      description: `Name relative to the zone: www, api.shop, or ${APEX} for the zone apex.`,
      pattern: `^(${APEX}|${LABEL}(\\.${LABEL})*)$`,
      maxLength: 50,
    }),
    target: StringEnum(DNS_RECORD_TARGETS, {
      description: 'loadBalancer: alias A record to spec.loadBalancer (evaluating its health; the load balancer is IPv4 only). cdn: alias A and AAAA records to the spec.cdn distribution. CloudFront serves a name only once it is among the distribution\'s alternate domain names, which spec.cdn does not set yet: the record resolves, CloudFront refuses its requests.',
    }),
  },
  { description: 'An alias record to a component of the environment.' },
);

/** Schema of `spec.dns`. */
export const DnsSchema = Obj(
  {
    zone: ZoneSchema,
    records: Type.Array(RecordSchema, {
      description: 'Alias records (at most 10).',
      default: [],
      maxItems: 10,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    }),
    certificateValidation: Type.Boolean({
      description: 'Create the DNS-validation CNAME records of the certificate the environment requests (loadBalancer.listeners.https.certificate.domainName) in the zone, so that ACM issues it: its domainName and subjectAlternativeNames must then be in the zone. No effect without a requested certificate.',
      default: true,
    }),
  },
  {
    description: 'Route 53: a public hosted zone, alias records to the environment\'s load balancer and CDN, the certificate\'s validation records. Omit for none.',
    'x-kubernetes-validations': [
      // render's check; the API server's list-map does the same.
      { rule: 'self.records.all(x, self.records.exists_one(y, y.name == x.name))', message: 'dns.records names must be unique', fieldPath: '.records', reason: 'FieldValueDuplicate' },
    ],
  },
);

const DNS = 'self.dns';
const CERT = 'self.loadBalancer.listeners.https.certificate';
/** `rule`, vacuously true without spec.dns. */
const withDns = (rule: string) => `!has(${DNS}) || ${rule}`;

/** Cross-section CEL rules of `spec.dns`, evaluated on `spec`; each names the field that has to change. */
export const DNS_RULES: readonly CelRule[] = [
  { rule: withDns(`${DNS}.records.all(r, r.target != 'loadBalancer' || has(self.loadBalancer))`), message: 'a dns.records entry with target loadBalancer needs spec.loadBalancer', fieldPath: '.dns.records' },
  { rule: withDns(`${DNS}.records.all(r, r.target != 'cdn' || has(self.cdn))`), message: 'a dns.records entry with target cdn needs spec.cdn', fieldPath: '.dns.records' },
  {
    rule: withDns(
      `!${DNS}.certificateValidation || !has(self.loadBalancer) || !has(self.loadBalancer.listeners.https) || !has(${CERT}.domainName) || ` +
        `([${CERT}.domainName] + (has(${CERT}.subjectAlternativeNames) ? ${CERT}.subjectAlternativeNames : [])).all(n, n == ${DNS}.zone.name || n.endsWith('.' + ${DNS}.zone.name))`,
    ),
    message: 'dns.certificateValidation: the certificate\'s domainName and every subjectAlternativeName must be dns.zone.name or under it (or set certificateValidation: false and validate it elsewhere)',
    fieldPath: '.dns.zone.name',
  },
  {
    rule: withDns(`has(${DNS}.zone.existingZoneID) || size(self.tags.additional) <= ${HOSTED_ZONE_MAX_TAGS - FIXED_TAGS}`),
    message: `a hosted zone takes at most ${HOSTED_ZONE_MAX_TAGS} tags: with spec.dns creating one, tags.additional may have at most ${HOSTED_ZONE_MAX_TAGS - FIXED_TAGS}`,
    fieldPath: '.tags.additional',
  },
];

/** Schema of `status.outputs.dns`. */
export const DnsOutputsSchema = Obj(
  {
    zoneID: Type.Optional(Type.String({ description: 'Id of the hosted zone (Z...).', maxLength: 64 })),
    nameServers: Type.Optional(
      Type.Array(Type.String({ description: 'Name server.', maxLength: 255 }), { description: 'Name servers of the zone the environment created: delegate the domain to them.', maxItems: 4 }),
    ),
    records: Type.Optional(
      Type.Array(
        Obj({ name: Type.String({ description: 'Name from spec.dns.records.', maxLength: 64 }), fqdn: Type.String({ description: 'Fully qualified name.', maxLength: 255 }) }, { description: 'An alias record.' }),
        { description: 'Alias records, once they exist.', maxItems: 10 },
      ),
    ),
  },
  { description: 'DNS.' },
);

/** `spec.dns` as TypeScript, defaulted. */
export type DnsSpec = Static<typeof DnsSchema>;
/** One entry of `spec.dns.records`. */
export type DnsRecordSpec = Static<typeof RecordSchema>;

/** The fully qualified name (no trailing dot) of the record `name` of the zone `zone`. */
export function recordFqdn(name: string, zone: string): string {
  return name === APEX ? zone : `${name}.${zone}`;
}
