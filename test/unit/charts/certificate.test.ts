import { validateEnvironment } from '../../../api/index.js';
import { Certificate } from '../../../charts/constructs/certificate.js';
import { REGION_ANNOTATION } from '../../../charts/context.js';
import { OUTPUTS_ANNOTATION } from '../../../charts/outputs.js';
import { validApplicationBase } from '../../fixtures/invalid-specs.js';
import { crdErrors, crdTest, schemaSets } from '../helpers/ack-schemas.js';
import { only, renderWith, type LooseObject } from '../helpers/render-construct.js';

const env = validateEnvironment({ ...validApplicationBase('shop'), metadata: { name: 'shop', namespace: 'team-a' } });

function render(domainName: string, subjectAlternativeNames?: string[]): LooseObject[] {
  return renderWith<LooseObject>(env, (chart, ctx) => new Certificate(chart, 'certificate', { ctx, domainName, subjectAlternativeNames }));
}

describe('Certificate for shop.example.com and www.shop.example.com (DNS validation)', () => {
  const objs = render('shop.example.com', ['www.shop.example.com']);
  const cert = only(objs, 'Certificate');

  test('matches the snapshot', () => {
    expect(objs).toMatchSnapshot();
  });

  test('one Certificate under a deterministic name, labelled loadBalancer, in the environment region', () => {
    expect(objs).toHaveLength(1);
    expect(`${cert.apiVersion} ${cert.kind} ${cert.metadata.namespace}/${cert.metadata.name}`).toBe('acm.services.k8s.aws/v1alpha1 Certificate team-a/shop-certificate');
    expect(cert.metadata.labels['app.kubernetes.io/component']).toBe('loadBalancer');
    expect(cert.metadata.annotations[REGION_ANNOTATION]).toBe('us-east-1');
    expect(cert.spec.tags).toContainEqual({ key: 'Name', value: 'shop-certificate-test' });
  });

  test('the domain name leads its alternative names (ACK keeps diffing otherwise); nothing selects email validation', () => {
    expect(cert.spec).toEqual(expect.objectContaining({ domainName: 'shop.example.com', subjectAlternativeNames: ['shop.example.com', 'www.shop.example.com'] }));
    expect(Object.keys(cert.spec).sort()).toEqual(['domainName', 'subjectAlternativeNames', 'tags']);
  });

  test('its ARN becomes the certificateARN output', () => {
    expect(JSON.parse(cert.metadata.annotations[OUTPUTS_ANNOTATION]!)).toEqual([{ output: '/loadBalancer/certificateARN', fieldPath: 'status.ackResourceMetadata.arn' }]);
  });

  crdTest(objs)('valid against the ACK CRDs (closed schemas)', () => {
    expect(crdErrors(objs)).toEqual([]);
  });

  crdTest(objs)('the schema check is not vacuous: an undeclared field fails', () => {
    const broken = structuredClone(cert);
    broken.spec.validationMethod = 'DNS';
    const sets = schemaSets().filter((s) => s.has(broken));
    expect(sets.length).toBeGreaterThan(0);
    for (const set of sets) expect(set.errors(broken)).not.toEqual([]);
  });
});

describe('Certificate, alternative names', () => {
  test('without alternative names: the domain name alone', () => {
    expect(only(render('*.example.com'), 'Certificate').spec.subjectAlternativeNames).toEqual(['*.example.com']);
  });

  test('a domain name repeated among the alternative names appears once, first', () => {
    const names = only(render('shop.example.com', ['api.shop.example.com', 'shop.example.com']), 'Certificate').spec.subjectAlternativeNames;
    expect(names).toEqual(['shop.example.com', 'api.shop.example.com']);
  });
});
