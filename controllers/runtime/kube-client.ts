/**
 * The narrow API-server interface the controllers use. The implementation on client-node is
 * `ClientNodeKubeClient` (client-node-kube-client.ts).
 *
 * Controllers depend on {@link KubeClient} only, so their tests run against an in-memory fake (as
 * cluster-api does with `fake.NewClientBuilder()`), and every write goes through one place that
 * fixes the field manager, the validation mode and the delete propagation policy.
 */
import type { KubernetesObject } from '@kubernetes/client-node';

/** Identity of one object. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** Omit for cluster-scoped kinds. */
  readonly namespace?: string;
}

/** Selects the objects returned by {@link KubeClient.list}. */
export interface ListOptions {
  readonly apiVersion: string;
  readonly kind: string;
  /** Omit to list across all namespaces. */
  readonly namespace?: string;
  /** A label selector such as `app.kubernetes.io/managed-by=marketplace-operator,env=prod`. */
  readonly labelSelector?: string;
}

/** Options of the merge-patch writes. */
export interface PatchOptions {
  /**
   * When set, the patch carries `metadata.resourceVersion` and the server rejects it with 409
   * Conflict if the object changed since it was read (optimistic concurrency). Use it when the patch
   * replaces a list computed from what was read, such as `finalizers`.
   */
  readonly resourceVersion?: string;
}

/** The metadata fields {@link KubeClient.patchMetadata} may change. `null` deletes a map entry. */
export interface MetadataPatch {
  /** Replaces the whole list (JSON merge patch semantics for arrays). */
  readonly finalizers?: readonly string[];
  readonly labels?: Readonly<Record<string, string | null>>;
  readonly annotations?: Readonly<Record<string, string | null>>;
}

/** An `events.k8s.io/v1` Event about one object. */
export interface EventInput {
  readonly regarding: ObjectRef & { readonly uid?: string };
  readonly type: 'Normal' | 'Warning';
  /** Machine-readable, PascalCase (`ApplyFailed`). */
  readonly reason: string;
  /** What the controller was doing (`Apply`, `Prune`, `Delete`). */
  readonly action: string;
  /** Human-readable detail, at most 1 kB. */
  readonly note?: string;
}

/** Everything the controllers may do against the API server. */
export interface KubeClient {
  /** Reads one object; resolves `undefined` if it does not exist (404). */
  get<T extends KubernetesObject = KubernetesObject>(ref: ObjectRef): Promise<T | undefined>;
  /** Lists objects of one kind (all pages), each with `apiVersion` and `kind` filled in. */
  list<T extends KubernetesObject = KubernetesObject>(options: ListOptions): Promise<T[]>;
  /**
   * Creates `object` (POST) unless an object of that name exists; resolves the created object, or `undefined` when
   * it already existed (409 AlreadyExists). Never changes an existing object, unlike apply.
   */
  createIfAbsent<T extends KubernetesObject>(object: T): Promise<T | undefined>;
  /** Server-side apply with the client's field manager and `force=true`; returns the live object. */
  apply<T extends KubernetesObject>(object: T): Promise<T>;
  /** JSON merge patch of the `status` subresource with `{ status }`. */
  patchStatus<T extends KubernetesObject = KubernetesObject>(
    ref: ObjectRef,
    status: unknown,
    options?: PatchOptions,
  ): Promise<T>;
  /** JSON merge patch of `metadata` (finalizers, labels, annotations). */
  patchMetadata<T extends KubernetesObject = KubernetesObject>(
    ref: ObjectRef,
    metadata: MetadataPatch,
    options?: PatchOptions,
  ): Promise<T>;
  /** Deletes with `propagationPolicy=Background`; resolves `false` if the object was already gone. */
  delete(ref: ObjectRef): Promise<boolean>;
  /** Records an Event. Callers treat this as best effort: a failed event must not fail a reconcile. */
  createEvent(event: EventInput): Promise<void>;
}

/** Builds an {@link ObjectRef} from an object; throws if it lacks apiVersion, kind or name. */
export function refOf(object: KubernetesObject): ObjectRef {
  const { apiVersion, kind } = object;
  const name = object.metadata?.name;
  if (apiVersion === undefined || kind === undefined || name === undefined) {
    throw new Error(`object needs apiVersion, kind and metadata.name (got ${apiVersion}/${kind} ${name})`);
  }
  return { apiVersion, kind, name, namespace: object.metadata?.namespace };
}
