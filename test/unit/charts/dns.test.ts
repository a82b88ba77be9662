import { validateEnvironment, type MarketplaceEnvironment } from '../../../api/index.js';
import { HOSTED_ZONE_MAX_TAGS, type DnsSpec } from '../../../api/dns.js';
import { BINDINGS_ANNOTATION, type Binding } from '../../../charts/bindings.js';
import { DELETION_POLICY_ANNOTATION, EnvironmentContext, REGION_ANNOTATION } from '../../../charts/context.js';
import { Certificate } from '../../../charts/constructs/certificate.js';
import { CertificateValidation, VALIDATION_RECORD_TTL_SECONDS } from '../../../charts/constructs/certificate-validation.js';
import { CLOUDFRONT_HOSTED_ZONE_ID, Dns } from '../../../charts/constructs/dns.js';
import { LoadBalancer } from '../../../charts/constructs/load-balancer.js';
import { OUTPUTS_ANNOTATION } from '../../../charts/outputs.js';
import { computeOutputs, type LiveChild } from '../../../controllers/marketplace-environment/outputs.js';
import { objectKey } from '../../../controllers/marketplace-environment/child-kinds.js';
import { resolveBindings } from '../../../controllers/marketplace-environment/resolve-bindings.js';
import { validDnsBase, type Manifest } from '../../fixtures/invalid-specs.js';
import { crdErrors, crdTest, schemaSets } from '../helpers/ack-schemas.js';
import { resolveWithFakes } from '../helpers/fake-bindings.js';
import { named, ofKind, only, renderWith, type LooseObject } from '../helpers/render-construct.js';

const ACM = 'acm.services.k8s.aws/v1alpha1';
const ROUTE53 = 'route53.services.k8s.aws/v1alpha1';

/** The DNS base (zone example.com; @ and www on the load balancer, assets.shop on the CDN), edited, in namespace team-a. */
function environment(edit: (m: Manifest) => void = () => undefined): { env: MarketplaceEnvironment; dns: DnsSpec } {
  const m = validDnsBase('shop');
  m.metadata.namespace = 'team-a';
  edit(m);
  const env = validateEnvironment(m);
  return { env, dns: env.spec.dns! };
}

/**
 * The Dns construct as the environment chart wires it: beside the Certificate the environment requests (rendered too,
 * so that the validation records are proven to name it), the load balancer and the distribution by their names.
 */
function render(edit?: (m: Manifest) => void): LooseObject[] {
  const { env, dns } = environment(edit);
  return renderWith<LooseObject>(env, (chart, ctx) => {
    const requested = env.spec.loadBalancer?.listeners.https?.certificate;
    const certificate = requested?.domainName
      ? new Certificate(chart, 'certificate', { ctx, domainName: requested.domainName, subjectAlternativeNames: requested.subjectAlternativeNames })
      : undefined;
    new Dns(chart, 'dns', {
      ctx,
      spec: dns,
      loadBalancerName: env.spec.loadBalancer ? LoadBalancer.loadBalancerName(ctx) : undefined,
      distributionName: env.spec.cdn ? ctx.names.distribution() : undefined,
      certificate: certificate && { name: certificate.name, domainNames: certificate.domainNames },
    });
  }).filter((o) => o.apiVersion === ROUTE53);
}

const bindingsOf = (o: LooseObject) => JSON.parse(o.metadata.annotations[BINDINGS_ANNOTATION] ?? '[]') as Binding[];
const outputsOf = (o: LooseObject) => JSON.parse(o.metadata.annotations[OUTPUTS_ANNOTATION] ?? '[]') as unknown[];
const names = (objs: readonly LooseObject[]) => objs.map((o) => `${o.kind}/${o.metadata.name}`);
const zoneRef = { hostedZoneRef: { from: { name: 'shop-dns-zone' } } };

/** An ACM certificate's status as ACK reports it: one validation entry per name, in an order of ACM's choosing. */
function certificateStatus(entries: readonly [domainName: string, token: string][]): Record<string, unknown> {
  const domainValidations = entries.map(([domainName, token]) => {
    const base = domainName.replace(/^\*\./, '');
    return { domainName, validationMethod: 'DNS', resourceRecord: { name: `_${token}.${base}.`, type_: 'CNAME', value: `_v${token}.acm-validations.aws.` } };
  });
  return { status: { domainValidations } };
}

describe('Dns: a new zone, alias records to the load balancer and the CDN, the certificate validated through it', () => {
  const objs = render();
  const zone = only(objs, 'HostedZone');
  const records = ofKind(objs, 'RecordSet');
  const aliases = records.filter((r) => r.spec.aliasTarget);
  const validations = records.filter((r) => r.spec.recordType === 'CNAME');

  test('matches the snapshot', () => {
    expect(objs).toMatchSnapshot();
  });

  test('renders the zone, A records for the load balancer, A and AAAA for the CDN, one CNAME per certificate name', () => {
    expect(names(objs)).toEqual([
      'HostedZone/shop-dns-zone',
      'RecordSet/shop-dns-a',
      'RecordSet/shop-dns-a.www',
      'RecordSet/shop-dns-a.assets.shop',
      'RecordSet/shop-dns-aaaa.assets.shop',
      'RecordSet/shop-dns-validation.shop',
      'RecordSet/shop-dns-validation.www.shop',
    ]);
    for (const o of objs) {
      expect(o.metadata.namespace).toBe('team-a');
      expect(o.metadata.labels['app.kubernetes.io/component']).toBe('dns');
      expect(o.metadata.annotations[REGION_ANNOTATION]).toBe('us-east-1');
      // Kubernetes names of custom resources are DNS subdomains.
      expect(o.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/);
    }
  });

  test('the zone: the domain with Route 53\'s trailing dot, a comment, at most 10 tags and no Name', () => {
    expect(zone.spec).toEqual({
      name: 'example.com.',
      hostedZoneConfig: { comment: 'shop-test: DNS of the marketplace environment' },
      tags: new EnvironmentContext(environment().env).names.tags(),
    });
    expect(zone.spec.tags.length).toBeLessThanOrEqual(10);
    expect(zone.spec.tags.map((t: Manifest) => t.key)).not.toContain('Name');
  });

  test('with as many additional tags as the spec allows, the zone carries exactly the 10 Route 53 takes', () => {
    const tagged = render((m) => { m.spec.tags.additional = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`k${i}`, 'v'])); });
    expect(only(tagged, 'HostedZone').spec.tags).toHaveLength(HOSTED_ZONE_MAX_TAGS);
    expect(() => render((m) => { m.spec.tags.additional = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`k${i}`, 'v'])); })).toThrow(/spec\.tags\.additional/);
  });

  test('the zone is kept on deletion under deletionPolicy Retain and deleted under Delete; the records always go', () => {
    expect(zone.metadata.annotations[DELETION_POLICY_ANNOTATION]).toBe('retain');
    for (const r of records) expect([r.metadata.name, r.metadata.annotations[DELETION_POLICY_ANNOTATION]]).toEqual([r.metadata.name, undefined]);
    const deleted = render((m) => { m.spec.deletionPolicy = 'Delete'; });
    expect(only(deleted, 'HostedZone').metadata.annotations[DELETION_POLICY_ANNOTATION]).toBe('delete');
  });

  test('the zone reports its id (without Route 53\'s /hostedzone/) and its four name servers', () => {
    expect(outputsOf(zone)).toEqual([
      { output: '/dns/zoneID', fieldPath: 'status.id', after: '/hostedzone/' },
      ...[0, 1, 2, 3].map((i) => ({ output: `/dns/nameServers/${i}`, fieldPath: `status.delegationSet.nameServers.${i}` })),
    ]);
  });

  test('every record names the zone by reference, and names relative to it (none at the apex)', () => {
    for (const r of records) expect([r.metadata.name, r.spec.hostedZoneRef, r.spec.hostedZoneID]).toEqual([r.metadata.name, zoneRef.hostedZoneRef, undefined]);
    expect(aliases.map((r) => [r.spec.name, r.spec.recordType])).toEqual([[undefined, 'A'], ['www', 'A'], ['assets.shop', 'A'], ['assets.shop', 'AAAA']]);
  });

  test('load-balancer records alias the load balancer\'s DNS name and hosted zone, evaluating its health', () => {
    const lb = { apiVersion: 'elbv2.services.k8s.aws/v1alpha1', kind: 'LoadBalancer', name: 'shop-alb' };
    for (const name of ['shop-dns-a', 'shop-dns-a.www']) {
      const r = named(objs, 'RecordSet', name);
      expect(r.spec.aliasTarget).toEqual({ evaluateTargetHealth: true });
      expect(bindingsOf(r)).toEqual([
        { path: '/spec/aliasTarget/dnsName', from: lb, fieldPath: 'status.dnsName', required: true },
        { path: '/spec/aliasTarget/hostedZoneID', from: lb, fieldPath: 'status.canonicalHostedZoneID', required: true },
      ]);
    }
  });

  test('CDN records alias the distribution\'s domain in CloudFront\'s hosted zone, without health evaluation', () => {
    const cdn = { apiVersion: 'cloudfront.services.k8s.aws/v1alpha1', kind: 'Distribution', name: 'shop-cdn' };
    for (const name of ['shop-dns-a.assets.shop', 'shop-dns-aaaa.assets.shop']) {
      const r = named(objs, 'RecordSet', name);
      expect(r.spec.aliasTarget).toEqual({ evaluateTargetHealth: false, hostedZoneID: CLOUDFRONT_HOSTED_ZONE_ID });
      expect(bindingsOf(r)).toEqual([{ path: '/spec/aliasTarget/dnsName', from: cdn, fieldPath: 'status.domainName', required: true }]);
    }
    expect(CLOUDFRONT_HOSTED_ZONE_ID).toBe('Z2FDTNDATAQYW2');
  });

  test('each record reports its name and FQDN once, from its A record', () => {
    expect(aliases.map(outputsOf)).toEqual([
      [{ output: '/dns/records/0/name', value: '@' }, { output: '/dns/records/0/fqdn', value: 'example.com' }],
      [{ output: '/dns/records/1/name', value: 'www' }, { output: '/dns/records/1/fqdn', value: 'www.example.com' }],
      [{ output: '/dns/records/2/name', value: 'assets.shop' }, { output: '/dns/records/2/fqdn', value: 'assets.shop.example.com' }],
      [],
    ]);
  });

  test('validation records: CNAMEs bound to the Certificate\'s entry for their domain, named relative to the zone', () => {
    const cert = { apiVersion: ACM, kind: 'Certificate', name: 'shop-certificate' };
    expect(validations.map((r) => r.spec)).toEqual([0, 1].map(() => ({ recordType: 'CNAME', ttl: VALIDATION_RECORD_TTL_SECONDS, ...zoneRef, resourceRecords: [{}] })));
    expect(validations.map(bindingsOf)).toEqual(['shop.example.com', 'www.shop.example.com'].map((domainName) => [
      { path: '/spec/name', from: cert, fieldPath: 'status.domainValidations.*.resourceRecord.name', where: { domainName }, required: true, before: '.example.com' },
      { path: '/spec/resourceRecords/0/value', from: cert, fieldPath: 'status.domainValidations.*.resourceRecord.value', where: { domainName }, required: true },
    ]));
  });

  test('validation records take ACM\'s records for their own domain, whatever order ACM lists them in', () => {
    const status = certificateStatus([['www.shop.example.com', 'b2'], ['shop.example.com', 'a1']]);
    const resolved = validations.map((r) => resolveBindings(r, (apiVersion, kind, name) => (apiVersion === ACM && kind === 'Certificate' && name === 'shop-certificate' ? status : undefined)));
    expect(resolved.map((r) => r.waitingFor)).toEqual([[], []]);
    expect(resolved.map((r) => [r.object.spec?.name, r.object.spec?.resourceRecords])).toEqual([
      ['_a1.shop', [{ value: '_va1.acm-validations.aws.' }]],
      ['_b2.www.shop', [{ value: '_vb2.acm-validations.aws.' }]],
    ]);
  });

  test('a validation record waits while ACM has not reported its entry', () => {
    const status = certificateStatus([['shop.example.com', 'a1']]);
    const waiting = resolveBindings(validations[1]!, () => status);
    expect(waiting.waitingFor.map((b) => b.path)).toEqual(['/spec/name', '/spec/resourceRecords/0/value']);
    expect(resolveBindings(validations[0]!, () => undefined).waitingFor).toHaveLength(2);
  });

  test('the outputs the controller builds: zone id, name servers, records', () => {
    const nameServers = ['ns-1.awsdns-01.org', 'ns-2.awsdns-02.co.uk', 'ns-3.awsdns-03.com', 'ns-4.awsdns-04.net'];
    const live = new Map<string, LiveChild>(objs.map((o) => [objectKey(o), o.kind === 'HostedZone' ? { ...o, status: { id: '/hostedzone/Z0123456789', delegationSet: { nameServers } } } : o]));
    expect(computeOutputs(objs, live)).toEqual({
      dns: {
        zoneID: 'Z0123456789',
        nameServers,
        records: [{ name: '@', fqdn: 'example.com' }, { name: 'www', fqdn: 'www.example.com' }, { name: 'assets.shop', fqdn: 'assets.shop.example.com' }],
      },
    });
  });

  crdTest(objs)('is valid against every ACK CRD schema set (closed schemas), before and after its bindings are filled', () => {
    expect(crdErrors(objs)).toEqual([]);
    const resolved = resolveWithFakes(objs) as LooseObject[];
    expect(crdErrors(resolved)).toEqual([]);
    // The fakes did land: every record has its alias target or its CNAME value and name.
    for (const r of ofKind(resolved, 'RecordSet')) {
      if (r.spec.aliasTarget) expect([r.metadata.name, typeof r.spec.aliasTarget.dnsName, typeof r.spec.aliasTarget.hostedZoneID]).toEqual([r.metadata.name, 'string', 'string']);
      else expect([r.metadata.name, typeof r.spec.name, typeof r.spec.resourceRecords[0].value]).toEqual([r.metadata.name, 'string', 'string']);
    }
  });

  crdTest(objs)('the schema check is not vacuous: an undeclared field fails', () => {
    for (const o of [zone, records[0]!]) {
      const broken = structuredClone(o);
      broken.spec.hostedZoneConfig = { ...broken.spec.hostedZoneConfig, delegation: true };
      const sets = schemaSets().filter((s) => s.has(broken));
      expect(sets.length).toBeGreaterThan(0);
      for (const set of sets) expect(set.errors(broken)).not.toEqual([]);
    }
  });
});

describe('Dns, variations', () => {
  test('an existing zone: no HostedZone, every record names the zone by id and reports it', () => {
    const objs = render((m) => { m.spec.dns.zone.existingZoneID = 'Z0123456789ABCDEFGHIJ'; });
    expect(ofKind(objs, 'HostedZone')).toEqual([]);
    expect(objs).toHaveLength(6);
    for (const r of objs) {
      expect([r.metadata.name, r.spec.hostedZoneID, r.spec.hostedZoneRef]).toEqual([r.metadata.name, 'Z0123456789ABCDEFGHIJ', undefined]);
      expect(outputsOf(r)).toContainEqual({ output: '/dns/zoneID', value: 'Z0123456789ABCDEFGHIJ' });
    }
  });

  test('a certificate for the apex and wildcards: one validation record per domain, the wildcard sharing its base\'s', () => {
    const objs = render((m) => { m.spec.loadBalancer.listeners.https.certificate = { domainName: 'example.com', subjectAlternativeNames: ['*.example.com', '*.shop.example.com'] }; });
    const validations = objs.filter((o) => o.spec.recordType === 'CNAME');
    expect(validations.map((r) => [r.metadata.name, bindingsOf(r)[0]!.where])).toEqual([
      ['shop-dns-validation', { domainName: 'example.com' }],
      ['shop-dns-validation.shop', { domainName: '*.shop.example.com' }],
    ]);
    const status = certificateStatus([['*.shop.example.com', 'c3'], ['*.example.com', 'a1'], ['example.com', 'a1']]);
    expect(validations.map((r) => resolveBindings(r, () => status).object.spec?.name)).toEqual(['_a1', '_c3.shop']);
    expect(CertificateValidation.validatedNames(['*.example.com', 'example.com'])).toEqual(new Map([['example.com', '*.example.com']]));
  });

  test('no validation records with certificateValidation off, with a certificate given by ARN, or without a zone entry for it', () => {
    const off = render((m) => {
      m.spec.dns.certificateValidation = false;
      m.spec.loadBalancer.listeners.https.certificate.domainName = 'shop.example.org';
    });
    expect(off.filter((o) => o.spec.recordType === 'CNAME')).toEqual([]);
    const given = render((m) => { m.spec.loadBalancer.listeners.https.certificate = { arn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b' }; });
    expect(given.filter((o) => o.spec.recordType === 'CNAME')).toEqual([]);
  });

  test('a zone and nothing else without records and without a requested certificate', () => {
    const objs = render((m) => {
      m.spec.dns.records = [];
      m.spec.loadBalancer.listeners.https.certificate = { arn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b' };
    });
    expect(names(objs)).toEqual(['HostedZone/shop-dns-zone']);
  });

  test('a record name never collides with another record\'s or a validation record\'s', () => {
    const ctx = new EnvironmentContext(environment().env);
    const all = [...['@', 'a', 'aaaa', 'validation', 'validation.www', 'www.a'].flatMap((n) => ['A', 'AAAA'].map((t) => Dns.recordName(ctx, n, t))), 'shop-dns-validation', 'shop-dns-validation.www', Dns.zoneName(ctx)];
    expect(new Set(all).size).toBe(all.length);
  });

  test('a record targeting a component the chart did not pass fails loudly', () => {
    const { env, dns } = environment();
    expect(() => renderWith(env, (chart, ctx) => new Dns(chart, 'dns', { ctx, spec: dns, distributionName: 'x' }))).toThrow(/targets the load balancer, and the environment has none/);
    expect(() => renderWith(env, (chart, ctx) => new Dns(chart, 'dns', { ctx, spec: dns, loadBalancerName: 'x' }))).toThrow(/targets the CDN, and the environment has none/);
  });
});
