/**
 * localcluster/kro.ts without a cluster: where the binary is looked for, and installKro's waits against a fake API
 * server that plays the API server (CRDs Established) and kro (the RGD Active, or rejected with its message).
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeKubeClient, type StoredObject } from '../../helpers/fake-kube-client.js';
import { installKro, installKroCrds, kroBinary, kroUnavailable } from '../../../localcluster/kro.js';

const CRD = 'apiextensions.k8s.io/v1';
const crdYaml = (plural: string, group: string, kind: string) =>
  `apiVersion: ${CRD}\nkind: CustomResourceDefinition\nmetadata:\n  name: ${plural}.${group}\nspec:\n  group: ${group}\n  names: { kind: ${kind}, plural: ${plural} }\n  scope: Cluster\n  versions: []\n`;

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A bin/kro look-alike: the two CRD files, and optionally an executable `controller`. */
function binDir(withController: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'kro-bin-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'crds'));
  writeFileSync(join(dir, 'crds', 'kro.run_resourcegraphdefinitions.yaml'), crdYaml('resourcegraphdefinitions', 'kro.run', 'ResourceGraphDefinition'));
  writeFileSync(join(dir, 'crds', 'internal.kro.run_graphrevisions.yaml'), crdYaml('graphrevisions', 'internal.kro.run', 'GraphRevision'));
  if (withController) {
    writeFileSync(join(dir, 'controller'), '#!/bin/sh\n');
    chmodSync(join(dir, 'controller'), 0o755);
  }
  writeFileSync(join(dir, 'rgd.yaml'), 'apiVersion: kro.run/v1alpha1\nkind: ResourceGraphDefinition\nmetadata:\n  name: demo\nspec:\n  schema:\n    apiVersion: v1alpha1\n    kind: DemoThing\n  resources: []\n');
  return dir;
}

const established = { conditions: [{ type: 'Established', status: 'True' }] };

/** Plays the API server (every CRD applied becomes Established) and kro (`onRgd` decides the RGD's status). */
function fakeCluster(onRgd: (kube: FakeKubeClient, rgd: StoredObject) => void): FakeKubeClient {
  const kube = new FakeKubeClient();
  kube.subscribe((change, o) => {
    if (change === 'delete' || o.status) return;
    if (o.kind === 'CustomResourceDefinition') kube.put({ ...o, status: established });
    if (o.kind === 'ResourceGraphDefinition') onRgd(kube, o);
  });
  return kube;
}

describe('kroBinary', () => {
  it('is bin/kro/controller when executable; otherwise kroUnavailable says how to build it', () => {
    const built = binDir(true);
    expect(kroBinary(built)).toBe(join(built, 'controller'));
    expect(kroUnavailable(built)).toBeUndefined();
    const missing = binDir(false);
    expect(kroBinary(missing)).toBeUndefined();
    expect(kroUnavailable(missing)).toMatch(/not built .*bash hack\/build-kro\.sh/);
  });
});

describe('installKro', () => {
  it('installKroCrds applies both kro CRDs and waits until they are Established', async () => {
    const dir = binDir(false);
    const kube = new FakeKubeClient();
    const pending = installKroCrds(kube, { binDir: dir, timeoutMs: 5_000 });
    await new Promise((r) => setTimeout(r, 300));
    expect(kube.callsTo('apply').map((c) => c.ref.name)).toEqual(['resourcegraphdefinitions.kro.run', 'graphrevisions.internal.kro.run']);
    for (const o of kube.objects()) kube.put({ ...o, status: established });
    await pending;
  });

  it('applies the kro CRDs and the RGD, and resolves once the RGD is Active and its instance CRD Established', async () => {
    const dir = binDir(false);
    const kube = fakeCluster((k, rgd) => {
      k.put({ ...rgd, status: { state: 'Active', conditions: [{ type: 'Ready', status: 'True' }] } });
      k.put({ apiVersion: CRD, kind: 'CustomResourceDefinition', metadata: { name: 'demothings.kro.run' }, spec: {} });
    });
    await installKro(kube, join(dir, 'rgd.yaml'), { binDir: dir, timeoutMs: 5_000 });
    expect(kube.callsTo('apply').map((c) => `${c.ref.kind}/${c.ref.name}`)).toEqual([
      'CustomResourceDefinition/resourcegraphdefinitions.kro.run',
      'CustomResourceDefinition/graphrevisions.internal.kro.run',
      'ResourceGraphDefinition/demo',
    ]);
  });

  it('fails at once with kro\'s message when kro rejects the graph', async () => {
    const dir = binDir(false);
    const kube = fakeCluster((k, rgd) =>
      k.put({ ...rgd, status: { state: 'Inactive', conditions: [{ type: 'GraphAccepted', status: 'False', reason: 'InvalidResourceGraph', message: 'schema not found for field podReplicas' }] } }),
    );
    await expect(installKro(kube, join(dir, 'rgd.yaml'), { binDir: dir, timeoutMs: 5_000 })).rejects.toThrow('kro rejected ResourceGraphDefinition demo: InvalidResourceGraph: schema not found for field podReplicas');
  });

  it('times out naming the state when kro never reports (not running)', async () => {
    const dir = binDir(false);
    const kube = fakeCluster(() => undefined);
    await expect(installKro(kube, join(dir, 'rgd.yaml'), { binDir: dir, timeoutMs: 600 })).rejects.toThrow(/demo Active \(is kro running\?\): not ready after 0.6 s \(state none\)/);
  });
});
