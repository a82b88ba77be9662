/**
 * The Route 53 objects the Dns construct renders, applied to a real API server with the pinned route53 CRDs by
 * server-side apply with strict field validation, before and after their late bindings are filled (crds.test.ts
 * applies the examples' objects as rendered only). The test installs the CRDs itself, as the harness installs those
 * of child kinds only. Also proves why the zone's name carries the trailing dot: the controller writes Route 53's
 * name back, and `name` is immutable.
 */
import { ApiextensionsV1Api } from '@kubernetes/client-node';
import { validateEnvironment } from '../../api/index.js';
import { Certificate } from '../../charts/constructs/certificate.js';
import { Dns } from '../../charts/constructs/dns.js';
import { LoadBalancer } from '../../charts/constructs/load-balancer.js';
import { ClientNodeKubeClient } from '../../controllers/runtime/client-node-kube-client.js';
import { AckCrdSources } from '../../localcluster/ack-crd-sources.js';
import { testRequiring } from '../helpers/requirements.js';
import { describeError, isEstablished } from '../../localcluster/crds.js';
import { validDnsBase, type Manifest } from '../fixtures/invalid-specs.js';
import { resolveWithFakes } from '../unit/helpers/fake-bindings.js';
import { renderWith, type LooseObject } from '../unit/helpers/render-construct.js';
import { loadTestKubeConfig, uniqueName } from './helpers/kube.js';
import { waitFor } from './helpers/wait.js';

const kc = loadTestKubeConfig();
const kube = ClientNodeKubeClient.fromKubeConfig(kc, { fieldManager: 'mpe-integration-test', fieldValidation: 'Strict' });
const namespace = uniqueName('dns');
const sources = new AckCrdSources();
const route53 = sources.dirCrds().filter((crd) => crd.group === 'route53.services.k8s.aws');
/** Skipped with the reason when no source has the Route 53 CRDs (fails under CI=true). */
const dnsTest = testRequiring(sources.unavailable(['HostedZone', 'RecordSet'].map((kind) => ({ apiVersion: 'route53.services.k8s.aws/v1alpha1', kind }))));

function render(edit: (m: Manifest) => void = () => undefined): LooseObject[] {
  const m = validDnsBase('shop');
  m.metadata.namespace = namespace;
  edit(m);
  const env = validateEnvironment(m);
  const dns = env.spec.dns!;
  return renderWith<LooseObject>(env, (chart, ctx) => {
    const requested = env.spec.loadBalancer!.listeners.https!.certificate;
    const certificate = new Certificate(chart, 'certificate', { ctx, domainName: requested.domainName!, subjectAlternativeNames: requested.subjectAlternativeNames });
    new Dns(chart, 'dns', { ctx, spec: dns, loadBalancerName: LoadBalancer.loadBalancerName(ctx), distributionName: ctx.names.distribution(), certificate });
  }).filter((o) => o.apiVersion.startsWith('route53.'));
}

const apply = (o: LooseObject) => kube.apply(o as never).then(() => 'accepted', (err: unknown) => `${o.kind}/${o.metadata.name}: ${describeError(err)}`);

beforeAll(async () => {
  for (const crd of route53) await kube.apply(crd.object as never);
  const api = kc.makeApiClient(ApiextensionsV1Api);
  await waitFor('route53 CRDs established', async () => {
    const list = await api.listCustomResourceDefinition();
    return route53.every((crd) => list.items.some((c) => c.metadata?.name === crd.name && isEstablished(c)));
  });
  await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } } as never);
}, 60_000);

afterAll(async () => {
  await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
});

describe('Route 53 objects on the API server', () => {
  dnsTest('the pinned CRDs provide HostedZone and RecordSet', () => {
    expect(route53.map((c) => c.kind).sort()).toEqual(expect.arrayContaining(['HostedZone', 'RecordSet']));
  });

  for (const [label, edit] of [
    ['a new zone', undefined],
    ['an existing zone', (m: Manifest) => { m.spec.dns.zone.existingZoneID = 'Z0123456789ABCDEFGHIJ'; m.spec.dns.records.reverse(); }],
  ] as const) {
    dnsTest(`${label}: every object is accepted by strict server-side apply, before and after its bindings`, async () => {
      const objects = render(edit);
      for (const o of objects) expect(await apply(o)).toBe('accepted');
      for (const o of resolveWithFakes(objects) as LooseObject[]) expect(await apply(o)).toBe('accepted');
    });
  }

  dnsTest('a misspelt field is rejected (the strictness the previous test relies on)', async () => {
    const [zone] = render((m) => { m.metadata.name = 'strict'; });
    expect(await apply({ ...zone!, spec: { ...zone!.spec, comment: 'x' } })).toContain('comment');
  });

  dnsTest('the zone name Route 53 writes back (with its dot) is the one we apply; without the dot the apply would fail', async () => {
    const [zone] = render((m) => { m.metadata.name = 'dot'; });
    expect(zone!.spec.name).toBe('example.com.');
    expect(await apply(zone!)).toBe('accepted');
    // ACK's write-back of Route 53's name, by another field manager.
    const ack = ClientNodeKubeClient.fromKubeConfig(kc, { fieldManager: 'ack-route53-controller', fieldValidation: 'Strict' });
    await ack.apply({ apiVersion: zone!.apiVersion, kind: zone!.kind, metadata: { name: zone!.metadata.name, namespace }, spec: { name: 'example.com.' } } as never);
    expect(await apply(zone!)).toBe('accepted');
    expect(await apply({ ...zone!, spec: { ...zone!.spec, name: 'example.com' } })).toMatch(/immutable/);
  });
});
