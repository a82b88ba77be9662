/**
 * The reconciler reads environments from the informer cache, but prunes only for the API server's newest generation:
 * a cache lagging behind children created for a newer spec (a new leader) must not delete them.
 */
import { describe, expect, it } from '@jest/globals';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { MarketplaceEnvironment } from '../../../api/index.js';
import { ENVIRONMENT_LABEL, MANAGED_BY } from '../../../charts/naming.js';
import { FINALIZER } from '../../../controllers/marketplace-environment/reconciler.js';
import { harness, manifest, NAME, NAMESPACE } from './harness.js';

/** A child the cached generation does not render (created by the predecessor for a newer spec). */
const newer = { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'SecurityGroup', metadata: { name: `${NAME}-newer-sg`, namespace: NAMESPACE, labels: { 'app.kubernetes.io/managed-by': MANAGED_BY, [ENVIRONMENT_LABEL]: NAME } }, spec: {} };

/** The environment cached at generation 1, while the API server holds `serverGeneration`. */
async function setup(serverGeneration: 1 | 2) {
  const cache: { env?: MarketplaceEnvironment } = {};
  const h = harness({ manifest: manifest((m) => { m.metadata.finalizers = [FINALIZER]; }), environments: () => ({ get: () => cache.env }) });
  cache.env = h.env();
  if (serverGeneration === 2) await h.kube.apply({ ...manifest(), spec: { ...manifest().spec, tags: { ...manifest().spec.tags, owner: 'team-b' } } } as KubernetesObject);
  h.kube.put(newer);
  expect(h.env()!.metadata.generation).toBe(serverGeneration);
  return h;
}

describe('prune guard', () => {
  it('does not prune while the cached environment is older than the API server’s, and asks to come back', async () => {
    const h = await setup(2);
    const { result, calls } = await h.reconcile();
    expect(result).toEqual({ requeueAfterMs: 1_000 });
    expect(calls.filter((c) => c.verb === 'delete')).toEqual([]);
    expect(h.live().some((c) => c.metadata.name === newer.metadata.name)).toBe(true);
  });

  it('prunes what the newest generation no longer renders', async () => {
    const h = await setup(1);
    const { calls } = await h.reconcile();
    expect(calls.filter((c) => c.verb === 'delete').map((c) => c.ref.name)).toEqual([newer.metadata.name]);
    expect(h.live().some((c) => c.metadata.name === newer.metadata.name)).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.kube.events.find((e) => e.reason === 'Pruned')?.note).toBe(`deleted children no longer rendered: SecurityGroup/${newer.metadata.name}`);
  });
});
