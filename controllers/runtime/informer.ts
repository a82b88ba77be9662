/**
 * An informer that does not die: client-node's `ListWatch` plus the missing operational pieces.
 *
 * client-node 1.4.0 facts this works around (docs/ack-facts.md, "client-node 1.4 watch and informer quirks"):
 * - any non-410 error (list failure, watch HTTP error, connection reset) fires `error` and the
 *   `ListWatch` stops for good; this class restarts it with capped exponential backoff and jitter
 *   (1 s to 30 s), because naive fixed-delay restarts caused request storms (client-node #1933);
 * - a restart resumes the watch from the last resourceVersion; a 410 Gone (HTTP status or watch
 *   `ERROR` event) is handled inside `ListWatch` by relisting, and a relist fires synthetic `delete`
 *   events for objects that disappeared meanwhile;
 * - there is no periodic resync; ACK reports AWS-side progress only in the status of its own
 *   objects, with no event on ours, so {@link ResilientInformer} re-delivers every cached object
 *   every `resyncPeriodMs` (ACK's `resyncPeriod`, controller-runtime's `SyncPeriod`);
 * - exceptions thrown by handlers during a watch are swallowed by client-node (its JSON-parse
 *   try/catch wraps the callback) and abort the list during a relist; handlers are isolated here;
 * - the watch has no client-side timeout in 1.4.0 (`watch.js` overwrites its 30 s AbortSignal), so
 *   a silently dead connection is only noticed through TCP keepalive; the resync still re-delivers
 *   cached objects meanwhile, but spec edits would wait for the reconnect.
 */
import {
  ListWatch,
  Watch,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type ListPromise,
} from '@kubernetes/client-node';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { silentLogger, type Logger } from './logger.js';
import { RawObjectApi } from './object-api.js';

/** Why the handler is called: a watch/list change, or the periodic resync of a cached object. */
export type InformerEvent = 'add' | 'update' | 'delete' | 'resync';

/** Receives every event. Keep it cheap and synchronous: normally it only enqueues a key. */
export type InformerHandler<T extends KubernetesObject> = (event: InformerEvent, object: T) => void;

/** The one method of client-node's `Watch` that `ListWatch` calls; injectable for tests. */
export type Watcher = Pick<Watch, 'watch'>;

/** Options of {@link ResilientInformer}. */
export interface ResilientInformerOptions<T extends KubernetesObject> {
  readonly kubeConfig: KubeConfig;
  /**
   * Collection path, namespaced (`/apis/g/v1/namespaces/ns/things`) or cluster-wide
   * (`/apis/g/v1/things`).
   */
  readonly path: string;
  /** Restricts both the list and the watch. */
  readonly labelSelector?: string;
  readonly handler: InformerHandler<T>;
  /**
   * Period of the full resync; 0 disables it.
   * @default 60_000
   */
  readonly resyncPeriodMs?: number;
  /** @default { baseMs: 1_000, maxMs: 30_000, jitter: 0.2 } */
  readonly backoff?: Partial<BackoffOptions>;
  /**
   * An error this long after the previous one starts the backoff from `baseMs` again: the watch was
   * healthy in between, so this is a new incident, not a continuing outage.
   * @default 60_000
   */
  readonly backoffResetMs?: number;
  /** Lists `path`. @default a GET of `path` with the label selector, decoded as plain JSON */
  readonly listFn?: ListPromise<T>;
  /** @default new Watch(kubeConfig) */
  readonly watcher?: Watcher;
  /**
   * Drop `metadata.managedFields` from every object before it is cached (see {@link slimForCache}). Applies to the
   * default list and to `watcher`; a custom `listFn` slims its own items.
   * @default false
   */
  readonly slim?: boolean;
  /** @default systemClock */
  readonly clock?: Clock;
  /** @default silent */
  readonly logger?: Logger;
}

const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 30_000, jitter: 0.2 };

/**
 * `Watch` that reports each watch start. `ListWatch` opens a watch only after a list has been
 * applied to its cache, so the first start is the exact moment the cache is synced.
 */
class SyncSignallingWatch extends Watch {
  constructor(
    kc: KubeConfig,
    private readonly inner: Watcher,
    private readonly onWatchStart: () => void,
  ) {
    super(kc);
  }

  override watch(...args: Parameters<Watch['watch']>): Promise<AbortController> {
    this.onWatchStart();
    return this.inner.watch(...args);
  }
}

/** See the module comment. */
export class ResilientInformer<T extends KubernetesObject> {
  private readonly options: ResilientInformerOptions<T>;
  private readonly listWatch: ListWatch<T>;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly backoff: BackoffOptions;
  private stopped = true;
  private terminated = false;
  private synced = false;
  private syncWaiters: Array<() => void> = [];
  private attempt = 0;
  private lastErrorAt = Number.NEGATIVE_INFINITY;
  private restartTimer: TimerHandle | undefined;
  private resyncTimer: TimerHandle | undefined;

  constructor(options: ResilientInformerOptions<T>) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.logger = (options.logger ?? silentLogger()).child({ informer: options.path });
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    const kc = options.kubeConfig;
    const inner: Watcher = options.watcher ?? new Watch(kc);
    const watcher: Watcher = options.slim ? { watch: (path, query, callback, done) => inner.watch(path, query, (phase, o, raw) => callback(phase, slimForCache(o), raw), done) } : inner;
    const watch = new SyncSignallingWatch(kc, watcher, () => this.markSynced());
    const listFn = options.listFn ?? defaultListFn<T>(kc, options.path, options.labelSelector, options.slim ?? false);
    this.listWatch = new ListWatch<T>(options.path, watch, listFn, false, options.labelSelector);
    this.listWatch.on('add', (o) => this.dispatch('add', o));
    this.listWatch.on('update', (o) => this.dispatch('update', o));
    this.listWatch.on('delete', (o) => this.dispatch('delete', o));
    this.listWatch.on('error', (err) => this.onError(err));
  }

  /**
   * Lists, then watches. Resolves once the first attempt is under way (failures are retried).
   * An informer cannot be restarted after {@link stop}: the aborted watch reports its abort later,
   * asynchronously, and would be taken for a failure of the new run.
   */
  async start(): Promise<void> {
    if (this.terminated) {
      throw new Error(`informer for ${this.options.path} was stopped; create a new one`);
    }
    if (!this.stopped) {
      return;
    }
    this.stopped = false;
    this.scheduleResync();
    await this.launch();
  }

  /** Stops watching and resyncing; no handler call happens after this resolves. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.terminated = true;
    this.clearTimers();
    await this.listWatch.stop();
  }

  /** True once the first list has been loaded into the cache (and stays true across relists). */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves when {@link hasSynced} becomes true. Callers race it with their own timeout. */
  waitForSync(): Promise<void> {
    return this.synced ? Promise.resolve() : new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** Cached object by name; pass the namespace for namespaced kinds. */
  get(name: string, namespace?: string): T | undefined {
    return this.listWatch.get(name, namespace);
  }

  /** Cached objects of one namespace, or of all namespaces when omitted. */
  list(namespace?: string): readonly T[] {
    return this.listWatch.list(namespace);
  }

  private async launch(): Promise<void> {
    if (this.stopped) {
      return;
    }
    try {
      await this.listWatch.start();
    } catch (err) {
      // Failures before the request is sent (no current cluster, credential plugin errors) reject
      // start() instead of firing 'error'.
      this.onError(err);
    }
  }

  private onError(err: unknown): void {
    // stop() aborts the watch, which surfaces as an error event: that one is expected.
    if (this.stopped || this.restartTimer !== undefined) {
      return;
    }
    const now = this.clock.now();
    if (now - this.lastErrorAt >= (this.options.backoffResetMs ?? 60_000)) {
      this.attempt = 0;
    }
    this.lastErrorAt = now;
    const delayMs = backoffDelay(this.attempt, this.backoff);
    this.attempt += 1;
    this.logger.warn({ err, delayMs, attempt: this.attempt }, 'informer stopped by an error; restarting');
    this.restartTimer = this.clock.setTimeout(() => {
      this.restartTimer = undefined;
      void this.launch();
    }, delayMs);
  }

  private markSynced(): void {
    if (this.synced) {
      return;
    }
    this.synced = true;
    this.logger.debug({ objects: this.listWatch.list().length }, 'informer cache synced');
    this.syncWaiters.forEach((resolve) => resolve());
    this.syncWaiters = [];
  }

  private scheduleResync(): void {
    const period = this.options.resyncPeriodMs ?? 60_000;
    if (period <= 0 || this.stopped) {
      return;
    }
    this.resyncTimer = this.clock.setTimeout(() => {
      this.resync();
      this.scheduleResync();
    }, period);
  }

  private resync(): void {
    // Before the first sync the cache is partial; the initial list will deliver everything anyway.
    if (!this.synced) {
      return;
    }
    this.listWatch.list().forEach((object) => this.dispatch('resync', object));
  }

  private dispatch(event: InformerEvent, object: T): void {
    if (this.stopped) {
      return;
    }
    try {
      this.options.handler(event, object);
    } catch (err) {
      this.logger.error({ err, event, name: object.metadata?.name }, 'informer handler threw');
    }
  }

  private clearTimers(): void {
    for (const timer of [this.restartTimer, this.resyncTimer]) {
      if (timer !== undefined) {
        this.clock.clearTimeout(timer);
      }
    }
    this.restartTimer = undefined;
    this.resyncTimer = undefined;
  }
}

function defaultListFn<T extends KubernetesObject>(
  kc: KubeConfig,
  path: string,
  labelSelector: string | undefined,
  slim: boolean,
): ListPromise<T> {
  let api: RawObjectApi | undefined;
  return () => {
    api ??= RawObjectApi.fromKubeConfig(kc);
    return listAllPages<T>(api, path, labelSelector, slim ? slimForCache : undefined);
  };
}

/**
 * Removes the fields no reconcile reads (`metadata.managedFields`) from an object about to be cached; returns it.
 * After server-side apply they are the largest part of most objects (docs/benchmarks.md).
 */
export function slimForCache<T extends KubernetesObject>(o: T): T {
  if (o?.metadata?.managedFields) delete o.metadata.managedFields;
  return o;
}

/** Objects per page of an informer's list. */
export const LIST_PAGE_SIZE = 500;

/**
 * Lists `path` page by page (`limit`/`continue`) into one list, calling `each` on every item as its page arrives. A
 * list of thousands of children then never sits in memory as one response body and its parse at once (the
 * controller's start-up peak, docs/benchmarks.md), and the API server serves bounded chunks. Every page belongs to
 * the first page's snapshot, so its resourceVersion is the one to watch from.
 */
export async function listAllPages<T extends KubernetesObject>(
  api: RawObjectApi,
  path: string,
  labelSelector: string | undefined,
  each: (item: T) => void = () => undefined,
  pageSize = LIST_PAGE_SIZE,
): Promise<KubernetesListObject<T>> {
  const items: T[] = [];
  let first: KubernetesListObject<T> | undefined;
  let token: string | undefined;
  do {
    const page = await api.send<KubernetesListObject<T> & { metadata?: { continue?: string } }>({
      method: 'GET',
      path,
      query: { labelSelector, limit: String(pageSize), continue: token },
    });
    first ??= page;
    for (const item of page.items) {
      each(item);
      items.push(item);
    }
    token = page.metadata?.continue || undefined;
  } while (token !== undefined);
  return { ...first, metadata: { resourceVersion: first?.metadata?.resourceVersion }, items };
}
