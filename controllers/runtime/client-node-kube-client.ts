/**
 * {@link KubeClient} implemented on client-node 1.4.0, through {@link RawObjectApi} so that every
 * write can carry `fieldValidation` (see object-api.ts for why the stock methods cannot).
 */
import { PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { ApiWriteCounter, type WriteVerb } from './api-write-counter.js';
import { formatMicroTime, systemClock, type Clock } from './clock.js';
import { isConflict, isNotFound } from './errors.js';
import type { EventInput, KubeClient, ListOptions, MetadataPatch, ObjectRef, PatchOptions } from './kube-client.js';
import { RawObjectApi, type RawRequest } from './object-api.js';

/** A list response as the server sends it (client-node's `V1ListMeta` renames `continue`). */
interface RawList<T> {
  readonly items: T[];
  readonly metadata?: { readonly continue?: string };
}

/** How the server treats fields the schema does not know (the `fieldValidation` query parameter). */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** Options of {@link ClientNodeKubeClient}. */
export interface ClientNodeKubeClientOptions {
  /** Field manager of every write; SSA ownership and `managedFields` are recorded under it. */
  readonly fieldManager: string;
  /**
   * Sent on apply and on both merge patches. With Strict, a merge patch carrying a field the schema
   * does not know fails with 422 instead of the field being silently pruned (a status field the CRD
   * forgot to declare would otherwise just vanish). Apply refuses unknown fields in every mode
   * (HTTP 500 "field not declared in schema"); see `isInvalid()` for recognising both.
   * @default 'Strict'
   */
  readonly fieldValidation?: FieldValidation;
  /** Receives one count per write request. @default a private counter, exposed as `writes` */
  readonly writes?: ApiWriteCounter;
  /** Event `reportingInstance`, normally the pod name. @default the field manager */
  readonly reportingInstance?: string;
  /** @default 500 */
  readonly listPageSize?: number;
  /** Used for event timestamps. @default systemClock */
  readonly clock?: Clock;
}

/** {@link KubeClient} on client-node, via {@link RawObjectApi}. */
export class ClientNodeKubeClient implements KubeClient {
  /** Writes sent by this client, by verb. */
  readonly writes: ApiWriteCounter;
  private readonly api: RawObjectApi;
  private readonly options: ClientNodeKubeClientOptions;
  private readonly clock: Clock;
  private eventSeq = 0;

  /** @param api use {@link ClientNodeKubeClient.fromKubeConfig} unless injecting a test transport. */
  constructor(api: RawObjectApi, options: ClientNodeKubeClientOptions) {
    this.api = api;
    this.options = options;
    this.writes = options.writes ?? new ApiWriteCounter();
    this.clock = options.clock ?? systemClock;
  }

  /** Creates the client for the kubeconfig's current context. */
  static fromKubeConfig(kc: KubeConfig, options: ClientNodeKubeClientOptions): ClientNodeKubeClient {
    return new ClientNodeKubeClient(RawObjectApi.fromKubeConfig(kc), options);
  }

  async get<T extends KubernetesObject = KubernetesObject>(ref: ObjectRef): Promise<T | undefined> {
    try {
      return await this.api.send<T>({ method: 'GET', target: { object: asObject(ref), action: 'read' } });
    } catch (err) {
      if (isNotFound(err)) {
        return undefined;
      }
      throw err;
    }
  }

  async list<T extends KubernetesObject = KubernetesObject>(options: ListOptions): Promise<T[]> {
    const object = { apiVersion: options.apiVersion, kind: options.kind, metadata: { namespace: options.namespace } };
    const items: T[] = [];
    let token: string | undefined;
    do {
      const page = await this.api.send<RawList<T>>({
        method: 'GET',
        target: { object, action: 'list' },
        query: {
          labelSelector: options.labelSelector,
          limit: String(this.options.listPageSize ?? 500),
          continue: token,
        },
      });
      // Items of built-in lists come without apiVersion/kind; callers (prune) need both.
      items.push(...page.items.map((item) => ({ apiVersion: options.apiVersion, kind: options.kind, ...item })));
      token = page.metadata?.continue || undefined;
    } while (token !== undefined);
    return items;
  }

  async createIfAbsent<T extends KubernetesObject>(object: T): Promise<T | undefined> {
    try {
      return await this.write<T>('create', { method: 'POST', target: { object, action: 'create' }, query: this.writeQuery(), body: object });
    } catch (err) {
      if (isConflict(err)) {
        return undefined;
      }
      throw err;
    }
  }

  apply<T extends KubernetesObject>(object: T): Promise<T> {
    return this.write('apply', {
      method: 'PATCH',
      target: { object, action: 'patch' },
      query: { ...this.writeQuery(), force: 'true' },
      contentType: PatchStrategy.ServerSideApply,
      body: object,
    });
  }

  patchStatus<T extends KubernetesObject = KubernetesObject>(
    ref: ObjectRef,
    status: unknown,
    options?: PatchOptions,
  ): Promise<T> {
    return this.write('patchStatus', {
      method: 'PATCH',
      target: { object: asObject(ref), action: 'patch', subresource: 'status' },
      query: this.writeQuery(),
      contentType: PatchStrategy.MergePatch,
      body: { ...preconditionOf(options), status },
    });
  }

  patchMetadata<T extends KubernetesObject = KubernetesObject>(
    ref: ObjectRef,
    metadata: MetadataPatch,
    options?: PatchOptions,
  ): Promise<T> {
    const body = { metadata: { ...metadata, ...preconditionOf(options)?.metadata } };
    return this.write('patchMetadata', {
      method: 'PATCH',
      target: { object: asObject(ref), action: 'patch' },
      query: this.writeQuery(),
      contentType: PatchStrategy.MergePatch,
      body,
    });
  }

  async delete(ref: ObjectRef): Promise<boolean> {
    try {
      // Background: the object goes at once and the garbage collector removes its dependents
      // later, so a prune never blocks on grandchildren.
      await this.write('delete', {
        method: 'DELETE',
        target: { object: asObject(ref), action: 'delete' },
        query: { propagationPolicy: 'Background' },
      });
      return true;
    } catch (err) {
      if (isNotFound(err)) {
        return false;
      }
      throw err;
    }
  }

  async createEvent(event: EventInput): Promise<void> {
    const namespace = event.regarding.namespace ?? 'default';
    await this.write('create', {
      method: 'POST',
      path: `/apis/events.k8s.io/v1/namespaces/${namespace}/events`,
      body: this.eventBody(event, namespace),
    });
  }

  private write<R>(verb: WriteVerb, request: RawRequest): Promise<R> {
    this.writes.increment(verb);
    return this.api.send<R>(request);
  }

  private writeQuery(): Record<string, string> {
    return { fieldManager: this.options.fieldManager, fieldValidation: this.options.fieldValidation ?? 'Strict' };
  }

  private eventBody(event: EventInput, namespace: string): KubernetesObject & Record<string, unknown> {
    const now = this.clock.now();
    this.eventSeq = (this.eventSeq + 1) % 1_000_000;
    // Name like client-go's recorder (`<object>.<hex nanoseconds>`); the sequence keeps two events
    // in the same millisecond from colliding.
    const suffix = (BigInt(now) * 1_000_000n + BigInt(this.eventSeq)).toString(16);
    return {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: `${event.regarding.name}.${suffix}`, namespace },
      eventTime: formatMicroTime(now),
      reportingController: this.options.fieldManager,
      reportingInstance: this.options.reportingInstance ?? this.options.fieldManager,
      regarding: { ...event.regarding },
      type: event.type,
      reason: event.reason,
      action: event.action,
      note: event.note?.slice(0, 1024),
    };
  }
}

function asObject(ref: ObjectRef): KubernetesObject {
  return { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } };
}

function preconditionOf(options: PatchOptions | undefined): { metadata: { resourceVersion: string } } | undefined {
  const resourceVersion = options?.resourceVersion;
  return resourceVersion === undefined ? undefined : { metadata: { resourceVersion } };
}
