/**
 * Informer caches of every child kind the API server serves, so a reconcile reads children without API calls.
 * A change to a child enqueues its environment (found through the environment label): ACK reports progress only on
 * the children, never on our object.
 *
 * Two measures keep this cheap at hundreds of environments (docs/benchmarks.md):
 * - children are indexed by environment as informer events arrive, so {@link ChildCache.list} costs the children of
 *   one environment, not a scan of every cached child of the namespace;
 * - `metadata.managedFields` is dropped before objects enter the cache: the controller never reads it, and after
 *   server-side apply it is the largest part of each object.
 */
import { type KubeConfig, type KubernetesObject, CustomObjectsApi } from '@kubernetes/client-node';
import { ENVIRONMENT_LABEL, MANAGED_BY } from '../../charts/naming.js';
import { ResilientInformer, type InformerEvent } from '../runtime/informer.js';
import type { Logger } from '../runtime/logger.js';
import { CHILD_KINDS, gvkKey, type ChildKind } from './child-kinds.js';
import type { LiveChild } from './outputs.js';

/** Read access to live children. */
export interface ChildCache {
  /** `apiVersion/kind` keys the API server does not serve (no CRD installed). */
  unserved(): ReadonlySet<string>;
  /** Children of environment `name` in `namespace`, all kinds. */
  list(namespace: string, name: string): LiveChild[];
  /** One child. */
  get(apiVersion: string, kind: string, namespace: string, name: string): LiveChild | undefined;
}

/** Options of {@link InformerChildCache}. */
export interface InformerChildCacheOptions {
  readonly kubeConfig: KubeConfig;
  /** Namespaces to watch; empty = all. */
  readonly namespaces: readonly string[];
  /** Called with `namespace/name` of the environment owning a changed child. */
  readonly enqueue: (key: string) => void;
  readonly logger: Logger;
  /** @default 300_000 */
  readonly resyncPeriodMs?: number;
}

const splitApiVersion = (apiVersion: string) => {
  const [group = '', version = ''] = apiVersion.split('/');
  return { group, version };
};

/**
 * Children by environment, maintained from informer events (pure bookkeeping, no I/O). Keys: `namespace/environment`
 * → `apiVersion/kind/name` → object. An object whose environment label changes moves with it.
 */
export class ChildIndex {
  private readonly byEnv = new Map<string, Map<string, LiveChild>>();
  /** `namespace/apiVersion/kind/name` → the `namespace/environment` it is indexed under. */
  private readonly envOf = new Map<string, string>();

  /** Applies one informer event for an object of `kind`. */
  update(event: InformerEvent, kind: Pick<ChildKind, 'apiVersion' | 'kind'>, o: KubernetesObject): void {
    const namespace = o.metadata?.namespace ?? '';
    const key = `${kind.apiVersion}/${kind.kind}/${o.metadata?.name}`;
    const id = `${namespace}/${key}`;
    const previous = this.envOf.get(id);
    const env = event === 'delete' ? undefined : o.metadata?.labels?.[ENVIRONMENT_LABEL];
    const next = env ? `${namespace}/${env}` : undefined;
    if (previous !== undefined && previous !== next) {
      const children = this.byEnv.get(previous);
      children?.delete(key);
      if (children?.size === 0) this.byEnv.delete(previous);
      this.envOf.delete(id);
    }
    if (next === undefined) return;
    let children = this.byEnv.get(next);
    if (!children) this.byEnv.set(next, (children = new Map()));
    children.set(key, o as LiveChild);
    this.envOf.set(id, next);
  }

  /** Children of environment `name` in `namespace`. */
  list(namespace: string, name: string): LiveChild[] {
    return [...(this.byEnv.get(`${namespace}/${name}`)?.values() ?? [])];
  }
}

/**
 * A {@link ChildCache} kept from informer events (pure bookkeeping, no I/O): {@link InformerChildCache} feeds it from
 * its informers, the reconciler's unit tests from the in-memory fake client's changes.
 */
export class ChildStore implements ChildCache {
  private readonly index = new ChildIndex();
  /** `apiVersion/kind/namespace/name` → object. */
  private readonly objects = new Map<string, LiveChild>();

  /** @param missing `apiVersion/kind` keys the API server does not serve; the owner may add to it later */
  constructor(private readonly missing: ReadonlySet<string> = new Set()) {}

  /** Applies one informer event for an object of `kind`. */
  update(event: InformerEvent, kind: Pick<ChildKind, 'apiVersion' | 'kind'>, o: KubernetesObject): void {
    this.index.update(event, kind, o);
    const id = `${kind.apiVersion}/${kind.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
    if (event === 'delete') this.objects.delete(id);
    else this.objects.set(id, o as LiveChild);
  }

  unserved(): ReadonlySet<string> {
    return this.missing;
  }

  list(namespace: string, name: string): LiveChild[] {
    return this.index.list(namespace, name);
  }

  get(apiVersion: string, kind: string, namespace: string, name: string): LiveChild | undefined {
    return this.objects.get(`${apiVersion}/${kind}/${namespace}/${name}`);
  }
}

/** {@link ChildCache} on one {@link ResilientInformer} per served kind and namespace, kept in a {@link ChildStore}. */
export class InformerChildCache implements ChildCache {
  private readonly informers = new Map<string, ResilientInformer<KubernetesObject>[]>();
  private readonly missing = new Set<string>();
  private readonly store = new ChildStore(this.missing);

  constructor(private readonly options: InformerChildCacheOptions) {}

  /** Discovers which kinds are served, starts their informers and waits for their first list. */
  async start(): Promise<void> {
    const api = this.options.kubeConfig.makeApiClient(CustomObjectsApi);
    for (const kind of CHILD_KINDS) {
      if (await this.isServed(api, kind)) this.informers.set(gvkKey(kind), this.startInformers(kind));
      else this.missing.add(gvkKey(kind));
    }
    if (this.missing.size > 0) this.options.logger.warn({ unserved: [...this.missing] }, 'child kinds not served by the API server');
    await Promise.all([...this.informers.values()].flat().map((i) => i.waitForSync()));
  }

  /** Stops every informer. */
  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].flat().map((i) => i.stop()));
  }

  unserved(): ReadonlySet<string> {
    return this.store.unserved();
  }

  list(namespace: string, name: string): LiveChild[] {
    return this.store.list(namespace, name);
  }

  get(apiVersion: string, kind: string, namespace: string, name: string): LiveChild | undefined {
    return this.store.get(apiVersion, kind, namespace, name);
  }

  private async isServed(api: CustomObjectsApi, kind: ChildKind): Promise<boolean> {
    const { group, version } = splitApiVersion(kind.apiVersion);
    try {
      await api.listClusterCustomObject({ group, version, plural: kind.plural, limit: 1 });
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return false;
      throw err;
    }
  }

  private startInformers(kind: ChildKind): ResilientInformer<KubernetesObject>[] {
    const { group, version } = splitApiVersion(kind.apiVersion);
    const paths = this.options.namespaces.length
      ? this.options.namespaces.map((ns) => `/apis/${group}/${version}/namespaces/${ns}/${kind.plural}`)
      : [`/apis/${group}/${version}/${kind.plural}`];
    const labelSelector = `app.kubernetes.io/managed-by=${MANAGED_BY}`;
    const kc = this.options.kubeConfig;
    return paths.map((path) => {
      const informer = new ResilientInformer<KubernetesObject>({
        kubeConfig: kc,
        path,
        labelSelector,
        resyncPeriodMs: 0,
        logger: this.options.logger,
        slim: true,
        handler: (event, o) => {
          this.store.update(event, kind, o);
          const env = o.metadata?.labels?.[ENVIRONMENT_LABEL];
          if (env && event !== 'resync') this.options.enqueue(`${o.metadata?.namespace}/${env}`);
        },
      });
      void informer.start();
      return informer;
    });
  }
}
