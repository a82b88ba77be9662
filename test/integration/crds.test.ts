// Every CRD the harness installs on start (ACK's from .cache/ack-crds/, ours from crds/) is Established.
import { basename, dirname } from 'node:path';
import { ApiextensionsV1Api } from '@kubernetes/client-node';
import { isEstablished, listCrdFiles, loadCrds, type CrdDocument } from '../../localcluster/crds.js';
import { loadTestKubeConfig } from './helpers/kube.js';

const crds: CrdDocument[] = loadCrds(listCrdFiles());
const ack = crds.filter((crd) => crd.file.includes('/.cache/ack-crds/'));
const ours = crds.filter((crd) => basename(dirname(crd.file)) === 'crds' && !crd.file.includes('/.cache/'));

describe('installed CRDs', () => {
  let established: Set<string>;

  beforeAll(async () => {
    const list = await loadTestKubeConfig().makeApiClient(ApiextensionsV1Api).listCustomResourceDefinition();
    established = new Set(list.items.filter(isEstablished).flatMap((crd) => crd.metadata?.name ?? []));
  });

  test('ACK CRDs were fetched (run `bash hack/fetch-ack-crds.sh` if this fails)', () => {
    expect(ack.length).toBeGreaterThan(0);
    // The shared ACK kinds (FieldExport, IAMRoleSelector) live in common/.
    expect(ack.some((crd) => crd.file.includes('/common/'))).toBe(true);
  });

  test('every ACK CRD is Established', () => {
    const missing = ack.map((crd) => crd.name).filter((name) => !established.has(name));
    expect(missing).toEqual([]);
  });

  test('our MarketplaceEnvironment CRD (crds/*.yaml) is Established', () => {
    expect(ours.map((crd) => crd.object.spec.names.kind)).toContain('MarketplaceEnvironment');
    const missing = ours.map((crd) => crd.name).filter((name) => !established.has(name));
    expect(missing).toEqual([]);
  });
});

describe('installed MarketplaceEnvironment CRD', () => {
  it('keeps defaults and CEL rules (a typed client would silently drop them)', async () => {
    const { loadTestKubeConfig } = await import('./helpers/kube.js');
    const { ApiextensionsV1Api } = await import('@kubernetes/client-node');
    const api = loadTestKubeConfig().makeApiClient(ApiextensionsV1Api);
    const crd = await api.readCustomResourceDefinition({ name: 'marketplaceenvironments.marketplace.platform.dev' });
    const spec = crd.spec.versions[0]!.schema!.openAPIV3Schema!.properties!.spec!;
    expect(spec.properties!.deletionPolicy!._default).toBe('Retain');
    expect(spec.properties!.database!.properties!.serverless!.x_kubernetes_validations!.length).toBe(3);
    expect(spec.x_kubernetes_validations!.length).toBeGreaterThanOrEqual(8);
  });
});
