/**
 * resolveBindings with `where` (a `*` part of fieldPath picks the list element with given fields) and `before` (the
 * part of a value before the last marker): how an ACM certificate's validation records reach Route 53 RecordSets.
 */
import { BINDINGS_ANNOTATION, type Binding } from '../../../charts/bindings.js';
import type { RenderedObject } from '../../../charts/render.js';
import { resolveBindings } from '../../../controllers/marketplace-environment/resolve-bindings.js';

const from = { apiVersion: 'acm.services.k8s.aws/v1alpha1', kind: 'Certificate', name: 'cert' };
const entry = (domainName: string, token: string, method = 'DNS') => ({ domainName, validationMethod: method, resourceRecord: { name: `_${token}.${domainName}.`, value: `_v${token}.acm-validations.aws.` } });
const certificate = (...domainValidations: unknown[]) => () => ({ status: { domainValidations } });

function record(...bindings: Binding[]): RenderedObject {
  return {
    apiVersion: 'route53.services.k8s.aws/v1alpha1',
    kind: 'RecordSet',
    metadata: { name: 'r', labels: {}, annotations: { [BINDINGS_ANNOTATION]: JSON.stringify(bindings) } },
    spec: { recordType: 'CNAME', resourceRecords: [{}] },
  };
}

const name = (domainName: string, extra: Partial<Binding> = {}): Binding => ({
  path: '/spec/name', from, fieldPath: 'status.domainValidations.*.resourceRecord.name', where: { domainName }, before: '.example.com', required: true, ...extra,
});
const value = (domainName: string): Binding => ({ path: '/spec/resourceRecords/0/value', from, fieldPath: 'status.domainValidations.*.resourceRecord.value', where: { domainName }, required: true });

describe('resolveBindings with where and before', () => {
  it('picks the element whose fields match, wherever it is in the list', () => {
    const lookup = certificate(entry('www.shop.example.com', 'b'), entry('shop.example.com', 'a'));
    const r = resolveBindings(record(name('shop.example.com'), value('shop.example.com')), lookup);
    expect(r.waitingFor).toEqual([]);
    expect(r.object.spec).toEqual({ recordType: 'CNAME', name: '_a.shop', resourceRecords: [{ value: '_va.acm-validations.aws.' }] });
  });

  it('matches every field of where', () => {
    const lookup = certificate(entry('shop.example.com', 'email', 'EMAIL'), entry('shop.example.com', 'dns'));
    const r = resolveBindings(record(name('shop.example.com', { where: { domainName: 'shop.example.com', validationMethod: 'DNS' } })), lookup);
    expect(r.object.spec?.name).toBe('_dns.shop');
  });

  it('waits while no element matches, or the field there is no list', () => {
    for (const lookup of [certificate(entry('www.shop.example.com', 'b')), certificate(), () => ({ status: { domainValidations: { domainName: 'shop.example.com' } } })]) {
      const r = resolveBindings(record(name('shop.example.com'), value('shop.example.com')), lookup);
      expect(r.waitingFor.map((b) => b.path)).toEqual(['/spec/name', '/spec/resourceRecords/0/value']);
    }
  });

  it('cuts before the last occurrence of the marker: the apex keeps only the token', () => {
    const lookup = certificate(entry('example.com.example.com', 'x'), entry('example.com', 'apex'));
    expect(resolveBindings(record(name('example.com.example.com')), lookup).object.spec?.name).toBe('_x.example.com');
    expect(resolveBindings(record(name('example.com')), lookup).object.spec?.name).toBe('_apex');
  });

  it('treats a value without the marker, or with nothing before it, as not known yet', () => {
    for (const recordName of ['_a.shop.example.org.', '.example.com.']) {
      const lookup = certificate({ domainName: 'shop.example.com', resourceRecord: { name: recordName } });
      expect(resolveBindings(record(name('shop.example.com')), lookup).waitingFor).toHaveLength(1);
      const optional = resolveBindings(record(name('shop.example.com', { required: false })), lookup);
      expect([optional.waitingFor, optional.object.spec?.name]).toEqual([[], undefined]);
    }
  });
});
