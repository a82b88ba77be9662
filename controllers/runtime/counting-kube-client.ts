import type { KubernetesObject } from '@kubernetes/client-node';
import type { ApiWriteCounter } from './api-write-counter.js';
import type { EventInput, KubeClient, ListOptions, MetadataPatch, ObjectRef, PatchOptions } from './kube-client.js';

/**
 * Wraps any {@link KubeClient} (the real one or a test fake) so that its writes are also counted in
 * `counter`. The reconciler wraps the shared client with a fresh counter per reconcile: with several
 * workers, the shared client's own counter mixes reconciles, this one does not.
 */
export function countingKubeClient(inner: KubeClient, counter: ApiWriteCounter): KubeClient {
  return {
    get: <T extends KubernetesObject>(ref: ObjectRef) => inner.get<T>(ref),
    list: <T extends KubernetesObject>(options: ListOptions) => inner.list<T>(options),
    createIfAbsent: <T extends KubernetesObject>(object: T) => {
      counter.increment('create');
      return inner.createIfAbsent(object);
    },
    apply: <T extends KubernetesObject>(object: T) => {
      counter.increment('apply');
      return inner.apply(object);
    },
    patchStatus: <T extends KubernetesObject>(ref: ObjectRef, status: unknown, options?: PatchOptions) => {
      counter.increment('patchStatus');
      return inner.patchStatus<T>(ref, status, options);
    },
    patchMetadata: <T extends KubernetesObject>(ref: ObjectRef, metadata: MetadataPatch, options?: PatchOptions) => {
      counter.increment('patchMetadata');
      return inner.patchMetadata<T>(ref, metadata, options);
    },
    delete: (ref: ObjectRef) => {
      counter.increment('delete');
      return inner.delete(ref);
    },
    createEvent: (event: EventInput) => {
      counter.increment('create');
      return inner.createEvent(event);
    },
  };
}
