// kube-controller-manager runs: its garbage collector deletes owned objects (core kinds and CRD kinds) once
// the owner is gone, and its namespace controller finishes namespace deletion.
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type V1ConfigMap, type V1OwnerReference } from '@kubernetes/client-node';
import { isGone, loadTestKubeConfig, uniqueName, waitFor } from './helpers/kube.js';

const TIMEOUT_MS = 90_000;
const GC_WAIT = { timeoutMs: 60_000 };

/** An ownerReference pointing at a ConfigMap, as the operator will point ACK objects at their owner. */
function ownedBy(owner: V1ConfigMap): V1OwnerReference {
  const { name, uid } = owner.metadata ?? {};
  if (!name || !uid) throw new Error('owner ConfigMap has no name/uid (was it created?)');
  return { apiVersion: 'v1', kind: 'ConfigMap', name, uid };
}

describe('kube-controller-manager', () => {
  let kc: KubeConfig;
  let core: CoreV1Api;
  const namespace = uniqueName('gc');

  beforeAll(async () => {
    kc = loadTestKubeConfig();
    core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  });

  afterAll(async () => {
    await core.deleteNamespace({ name: namespace });
  });

  test(
    'garbage collector: deleting an owner ConfigMap deletes the ConfigMap it owns',
    async () => {
      const owner = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'owner' } } });
      await core.createNamespacedConfigMap({
        namespace,
        body: { metadata: { name: 'child', ownerReferences: [ownedBy(owner)] }, data: { k: 'v' } },
      });
      await core.deleteNamespacedConfigMap({ name: 'owner', namespace, propagationPolicy: 'Background' });
      await waitFor(
        'the garbage collector to delete ConfigMap child',
        () => isGone(() => core.readNamespacedConfigMap({ name: 'child', namespace })),
        GC_WAIT,
      );
    },
    TIMEOUT_MS,
  );

  test(
    'garbage collector: an owned custom resource (ACK s3 Bucket) is deleted with its owner',
    async () => {
      const custom = kc.makeApiClient(CustomObjectsApi);
      const bucket = { group: 's3.services.k8s.aws', version: 'v1alpha1', namespace, plural: 'buckets' };
      const owner = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'bucket-owner' } } });
      await custom.createNamespacedCustomObject({
        ...bucket,
        body: {
          apiVersion: 's3.services.k8s.aws/v1alpha1',
          kind: 'Bucket',
          metadata: { name: 'owned-bucket', ownerReferences: [ownedBy(owner)] },
          spec: { name: 'owned-bucket' },
        },
      });
      await core.deleteNamespacedConfigMap({ name: 'bucket-owner', namespace, propagationPolicy: 'Background' });
      await waitFor(
        'the garbage collector to delete Bucket owned-bucket',
        () => isGone(() => custom.getNamespacedCustomObject({ ...bucket, name: 'owned-bucket' })),
        GC_WAIT,
      );
    },
    TIMEOUT_MS,
  );

  test(
    'namespace controller: a deleted namespace with content goes away completely',
    async () => {
      const doomed = uniqueName('ns-delete');
      await core.createNamespace({ body: { metadata: { name: doomed } } });
      await core.createNamespacedConfigMap({ namespace: doomed, body: { metadata: { name: 'content' } } });
      await core.deleteNamespace({ name: doomed });
      // Without the namespace controller the namespace would stay Terminating forever.
      await waitFor('namespace deletion to finish', () => isGone(() => core.readNamespace({ name: doomed })), GC_WAIT);
    },
    TIMEOUT_MS,
  );
});
