import { toStructural } from '../../../api/crd.js';
import { DNS_RULES, DnsOutputsSchema, DnsSchema, HOSTED_ZONE_MAX_TAGS, recordFqdn } from '../../../api/dns.js';
import { validateEnvironment } from '../../../api/index.js';
import { INVALID_CASES, invalidManifest, validDnsBase, type Manifest } from '../../fixtures/invalid-specs.js';
import { fieldsOf } from '../helpers/spec-fields.js';

const valid = () => validDnsBase();

describe('spec.dns: defaults and what it accepts', () => {
  it('defaults the records to none and validates the requested certificate', () => {
    const { dns } = validateEnvironment({ ...valid(), spec: { ...valid().spec, dns: { zone: { name: 'example.com' } } } }).spec;
    expect(dns).toEqual({ zone: { name: 'example.com' }, records: [], certificateValidation: true });
  });

  it('accepts the valid section, an existing zone, and a certificate at the zone apex, a wildcard under it', () => {
    expect(fieldsOf(valid())).toEqual([]);
    const existing = valid();
    existing.spec.dns.zone.existingZoneID = 'Z0123456789ABCDEFGHIJ';
    expect(fieldsOf(existing)).toEqual([]);
    const apex = valid();
    apex.spec.loadBalancer.listeners.https.certificate = { domainName: 'example.com', subjectAlternativeNames: ['*.example.com', '*.shop.example.com'] };
    expect(fieldsOf(apex)).toEqual([]);
  });

  it('leaves a certificate outside the zone alone when certificateValidation is off, and ignores it without a requested certificate', () => {
    const off = valid();
    off.spec.dns.certificateValidation = false;
    off.spec.loadBalancer.listeners.https.certificate.domainName = 'shop.example.org';
    expect(fieldsOf(off)).toEqual([]);
    const given = valid();
    given.spec.loadBalancer.listeners.https.certificate = { arn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b' };
    expect(fieldsOf(given)).toEqual([]);
  });

  it(`limits tags.additional to ${HOSTED_ZONE_MAX_TAGS - 5} only when the environment creates the zone`, () => {
    const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
    const five = valid();
    five.spec.tags.additional = tags(5);
    expect(fieldsOf(five)).toEqual([]);
    const existing = valid();
    Object.assign(existing.spec, { tags: { ...existing.spec.tags, additional: tags(20) } });
    existing.spec.dns.zone.existingZoneID = 'Z0123456789ABCDEFGHIJ';
    expect(fieldsOf(existing)).toEqual([]);
  });

  it('writes fully qualified names of records and of the apex', () => {
    expect([recordFqdn('@', 'example.com'), recordFqdn('assets.shop', 'example.com')]).toEqual(['example.com', 'assets.shop.example.com']);
  });
});

describe('spec.dns: invalid input names the field (the cases of test/fixtures/invalid-specs.ts)', () => {
  const cases = INVALID_CASES.filter((c) => c.dns);

  it('has at least 20 cases of the section, each naming a field of it or the tags it limits', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
    for (const c of cases) expect(c.field).toMatch(/^spec\.(dns\.|tags\.additional$)/);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    // Only that field: the case breaks nothing else.
    expect([...new Set(fieldsOf(invalidManifest(c)))]).toEqual([c.field]);
  });
});

describe('spec.dns in the CRD', () => {
  const structural = toStructural(JSON.parse(JSON.stringify(DnsSchema))) as Manifest;

  it('keys the records by name, which is required (a list-map key must be)', () => {
    expect(structural.properties.records['x-kubernetes-list-map-keys']).toEqual(['name']);
    expect(structural.properties.records.items.required).toEqual(['name', 'target']);
  });

  it('makes the zone immutable with a transition rule (checked by the API server only)', () => {
    expect(structural.properties.zone['x-kubernetes-validations']).toEqual([expect.objectContaining({ rule: 'self == oldSelf' })]);
    expect(structural.required).toEqual(['zone']);
  });

  it('names a field in every cross-section rule', () => {
    for (const rule of DNS_RULES) expect([rule.message, rule.fieldPath?.startsWith('.')]).toEqual([rule.message, true]);
  });

  it('describes the outputs: zone id, name servers, records', () => {
    expect(Object.keys(DnsOutputsSchema.properties)).toEqual(['zoneID', 'nameServers', 'records']);
  });
});
