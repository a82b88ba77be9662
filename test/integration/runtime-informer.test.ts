// ResilientInformer against a real watch: initial list, add/update/delete events, label selection, cache.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { KubernetesObject } from '@kubernetes/client-node';
import { ClientNodeKubeClient } from '../../controllers/runtime/client-node-kube-client.js';
import { ResilientInformer, type InformerEvent } from '../../controllers/runtime/informer.js';
import { loadTestKubeConfig, uniqueName, waitFor } from './helpers/kube.js';

const TIMEOUT_MS = 60_000;

describe('ResilientInformer on a real API server', () => {
  const namespace = uniqueName('runtime-inf');
  let kube: ClientNodeKubeClient;
  let informer: ResilientInformer<KubernetesObject> | undefined;

  const configMap = (name: string, value: string, selected = true): KubernetesObject & { data: Record<string, string> } => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, labels: { watched: selected ? 'yes' : 'no' } },
    data: { value },
  });

  beforeAll(async () => {
    kube = ClientNodeKubeClient.fromKubeConfig(loadTestKubeConfig(), { fieldManager: 'runtime-it' });
    await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  }, TIMEOUT_MS);

  afterAll(async () => {
    await informer?.stop();
    await kube?.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
  }, TIMEOUT_MS);

  test('lists, then streams add/update/delete for the selected objects only', async () => {
    await kube.apply(configMap('before', '1'));
    const events: Array<[InformerEvent, string]> = [];
    informer = new ResilientInformer<KubernetesObject>({
      kubeConfig: loadTestKubeConfig(),
      path: `/api/v1/namespaces/${namespace}/configmaps`,
      labelSelector: 'watched=yes',
      resyncPeriodMs: 0,
      handler: (event, o) => events.push([event, o.metadata?.name ?? '']),
    });
    await informer.start();
    await informer.waitForSync();
    expect(events).toEqual([['add', 'before']]);

    await kube.apply(configMap('after', '1'));
    await kube.apply(configMap('ignored', '1', false));
    await kube.apply(configMap('after', '2'));
    await kube.delete({ apiVersion: 'v1', kind: 'ConfigMap', name: 'before', namespace });
    await waitFor('the delete event', async () => events.some((e) => e[0] === 'delete'), { timeoutMs: 15_000 });

    expect(events).toEqual([
      ['add', 'before'],
      ['add', 'after'],
      ['update', 'after'],
      ['delete', 'before'],
    ]);
    expect(informer.list(namespace).map((o) => o.metadata?.name)).toEqual(['after']);
    expect((informer.get('after', namespace) as { data?: Record<string, string> } | undefined)?.data).toEqual({ value: '2' });
  }, TIMEOUT_MS);
});
