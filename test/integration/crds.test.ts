/**
 * The CRDs the harness installs on start are Established: the ACK ones localcluster/ack-crd-sources.ts chooses (the
 * Go module proxy's, then ACK_CRDS_DIR's) and ours from crds/. Every kind the charts render is served, and every
 * object rendered from every example is accepted by server-side apply with strict field validation. A kind no source
 * could provide makes its tests skip with the reason, or fail under CI=true (test/helpers/requirements.ts).
 */
import { join } from 'node:path';
import { ApiextensionsV1Api } from '@kubernetes/client-node';
import { validateEnvironment } from '../../api/index.js';
import { CHILD_KINDS } from '../../charts/child-kinds.js';
import { renderEnvironment } from '../../charts/index.js';
import { exampleEnvironments } from '../../cli/examples.js';
import { ClientNodeKubeClient } from '../../controllers/runtime/client-node-kube-client.js';
import { AckCrdSources, type KindRef } from '../../localcluster/ack-crd-sources.js';
import { crdsToInstall, describeError, isEstablished } from '../../localcluster/crds.js';
import { REPO_ROOT } from '../../localcluster/paths.js';
import { validBase, type Manifest } from '../fixtures/invalid-specs.js';
import { testRequiring } from '../helpers/requirements.js';
import { loadTestKubeConfig, uniqueName } from './helpers/kube.js';

const sources = new AckCrdSources();
const installed = crdsToInstall(sources);
const ours = installed.filter((crd) => crd.file.startsWith(join(REPO_ROOT, 'crds') + '/'));
/** The kinds every ACK controller shares, next to the ones we render. */
const SHARED_KINDS: readonly KindRef[] = [
  { apiVersion: 'services.k8s.aws/v1alpha1', kind: 'FieldExport' },
  { apiVersion: 'services.k8s.aws/v1alpha1', kind: 'IAMRoleSelector' },
];

const kc = loadTestKubeConfig();
const kube = ClientNodeKubeClient.fromKubeConfig(kc, { fieldManager: 'mpe-integration-test', fieldValidation: 'Strict' });
const namespace = uniqueName('crds');
/** Every environment of every example (example 003 holds one per region). */
const examples = exampleEnvironments();
let established: Set<string>;

beforeAll(async () => {
  const list = await kc.makeApiClient(ApiextensionsV1Api).listCustomResourceDefinition();
  established = new Set(list.items.filter(isEstablished).flatMap((crd) => crd.metadata?.name ?? []));
  await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } } as never);
});

afterAll(async () => {
  await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
});

describe('installed CRDs', () => {
  test('every CRD the harness installs is Established', () => {
    expect(installed.length).toBeGreaterThan(ours.length);
    expect(installed.map((crd) => crd.name).filter((name) => !established.has(name))).toEqual([]);
  });

  test('our MarketplaceEnvironment CRD (crds/*.yaml) is among them', () => {
    expect(ours.map((crd) => crd.object.spec.names.kind)).toContain('MarketplaceEnvironment');
  });

  for (const kind of [...CHILD_KINDS, ...SHARED_KINDS]) {
    testRequiring(sources.unavailable([kind]))(`${kind.apiVersion} ${kind.kind} is served`, () => {
      const found = sources.resolve(kind);
      if (found.status !== 'provided') throw new Error(found.reason);
      expect(established).toContain(found.crd.name);
    });
  }
});

describe('installed MarketplaceEnvironment CRD', () => {
  it('keeps defaults and CEL rules (a typed client would silently drop them)', async () => {
    const api = kc.makeApiClient(ApiextensionsV1Api);
    const crd = await api.readCustomResourceDefinition({ name: 'marketplaceenvironments.marketplace.platform.dev' });
    const spec = crd.spec.versions[0]!.schema!.openAPIV3Schema!.properties!.spec!;
    expect(spec.properties!.deletionPolicy!._default).toBe('Retain');
    expect(spec.properties!.database!.properties!.serverless!.x_kubernetes_validations!.length).toBe(3);
    expect(spec.x_kubernetes_validations!.length).toBeGreaterThanOrEqual(8);
  });
});

describe('rendered ACK objects', () => {
  const environment = (manifest: Manifest, name: string) => validateEnvironment({ ...manifest, metadata: { name, namespace } });

  test('there are examples to apply', () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  for (const { id, file, manifest } of examples) {
    const objects = renderEnvironment(environment(manifest, `r-${id}`));
    testRequiring(sources.unavailable(objects))(`are all accepted by server-side apply with strict field validation (${file}, ${manifest.metadata.name})`, async () => {
      expect(objects.length).toBeGreaterThan(0);
      for (const o of objects) {
        await kube.apply(o as never).catch((err: unknown) => {
          throw new Error(`${o.kind}/${o.metadata.name}: ${describeError(err)}`);
        });
      }
    });
  }

  test('a misspelt field is rejected (the strictness the previous tests rely on)', async () => {
    const [vpc] = renderEnvironment(environment(validBase('strict-check'), 'strict-check')).filter((o) => o.kind === 'VPC');
    const outcome = await kube.apply({ ...vpc!, spec: { ...vpc!.spec, cidrBlock: '10.0.0.0/16' } } as never).then(() => 'accepted', describeError);
    expect(outcome).toContain('cidrBlock');
  });
});
