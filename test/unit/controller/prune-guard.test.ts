/**
 * The reconciler reads environments from the informer cache, but prunes only for the API server's newest generation:
 * a cache lagging behind children created for a newer spec (a new leader) must not delete them.
 */
import { describe, expect, it } from '@jest/globals';
import { validateEnvironment, type MarketplaceEnvironment } from '../../../api/index.js';
import { renderEnvironment } from '../../../charts/index.js';
import { objectKey } from '../../../controllers/marketplace-environment/child-kinds.js';
import type { LiveChild } from '../../../controllers/marketplace-environment/outputs.js';
import { FINALIZER, Reconciler } from '../../../controllers/marketplace-environment/reconciler.js';
import { silentLogger } from '../../../controllers/runtime/logger.js';
import { validBase } from '../../fixtures/invalid-specs.js';

const cached = (generation: number) => {
  const m = validBase('shop') as unknown as MarketplaceEnvironment;
  return { ...m, metadata: { ...m.metadata, namespace: 'ns', uid: 'u1', generation, finalizers: [FINALIZER], resourceVersion: '5' }, status: { phase: 'Progressing' } } as MarketplaceEnvironment;
};

/** A child the cached generation does not render (created by the predecessor for a newer spec). */
const extra = { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'SecurityGroup', metadata: { name: 'shop-newer-sg', namespace: 'ns', labels: { 'marketplace.platform.dev/environment': 'shop' } }, spec: {} } as LiveChild;

function setup(serverGeneration: number) {
  const env = cached(1);
  const desired = renderEnvironment(validateEnvironment(env));
  const live = [...desired.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: 'ns' } }) as LiveChild), extra];
  const deleted: string[] = [];
  const kube = {
    get: async (ref: { kind: string }) => (ref.kind === 'MarketplaceEnvironment' ? { ...env, metadata: { ...env.metadata, generation: serverGeneration } } : { metadata: {} }),
    apply: async (o: unknown) => o,
    createIfAbsent: async (o: unknown) => o,
    delete: async (ref: { name: string }) => (deleted.push(ref.name), true),
    patchStatus: async () => ({}),
    patchMetadata: async () => ({}),
    createEvent: async () => undefined,
    list: async () => [],
  };
  const children = {
    unserved: () => new Set<string>(),
    list: () => live,
    get: (apiVersion: string, kind: string, _ns: string, name: string) => live.find((o) => objectKey(o) === `${apiVersion}/${kind}/${name}`),
  };
  const reconciler = new Reconciler({ kube: kube as never, children, environments: { get: () => env }, logger: silentLogger() });
  return { reconciler, deleted };
}

describe('prune guard', () => {
  it('does not prune while the cached environment is older than the API server’s, and asks to come back', async () => {
    const { reconciler, deleted } = setup(2);
    expect(await reconciler.reconcile('ns/shop')).toEqual({ requeueAfterMs: 1_000 });
    expect(deleted).toEqual([]);
  });

  it('prunes what the newest generation no longer renders', async () => {
    const { reconciler, deleted } = setup(1);
    await reconciler.reconcile('ns/shop');
    expect(deleted).toEqual(['shop-newer-sg']);
  });
});
