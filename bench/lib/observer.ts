/**
 * Observes child creation the same way for the controller and the baseline: one watch per child kind in one
 * namespace, recording when each object was first seen (ADDED). "All children exist" is the arrival of the last
 * expected ADDED event, so both runs are timed by the same clock and the same path through the API server.
 */
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import type { ChildKind } from '../../controllers/marketplace-environment/child-kinds.js';
import { RawObjectApi } from '../../controllers/runtime/object-api.js';
import { childKey } from './workload.js';

type Obj = { kind?: string; metadata?: { name?: string; namespace?: string; resourceVersion?: string } };

interface Waiter {
  readonly remaining: Set<string>;
  readonly resolve: (lastSeenAt: number) => void;
  readonly keys: readonly string[];
}

/** See the module comment. Times are `performance.now()` milliseconds. */
export class ChildObserver {
  private readonly seen = new Map<string, number>();
  private readonly waiters = new Set<Waiter>();
  private readonly aborts = new Map<string, AbortController>();
  private stopped = false;
  /** Watch restarts (a dropped watch resumes from its last resourceVersion). */
  restarts = 0;

  constructor(
    private readonly kc: KubeConfig,
    private readonly namespace: string,
    private readonly kinds: readonly ChildKind[],
  ) {}

  /** Lists each kind (recording what already exists) and starts watching from there. */
  async start(): Promise<void> {
    const api = RawObjectApi.fromKubeConfig(this.kc);
    await Promise.all(this.kinds.map((k) => this.listAndWatch(api, k)));
  }

  private async listAndWatch(api: RawObjectApi, k: ChildKind): Promise<void> {
    const list = await api.send<{ items: Obj[]; metadata: { resourceVersion: string } }>({ method: 'GET', path: this.path(k) });
    for (const o of list.items) this.record({ ...o, kind: k.kind });
    await this.watch(api, k, list.metadata.resourceVersion);
  }

  /** Number of objects seen so far. */
  count(): number {
    return this.seen.size;
  }

  /** Resolves with the time the last of `keys` was first seen (at once if all were seen already). */
  waitFor(keys: readonly string[], timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const remaining = new Set(keys.filter((k) => !this.seen.has(k)));
      if (remaining.size === 0) return resolve(this.lastSeen(keys));
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const missing = [...waiter.remaining];
        reject(new Error(`timed out after ${timeoutMs / 1000} s: ${missing.length}/${keys.length} children not seen (e.g. ${missing.slice(0, 3).join(', ')})`));
      }, timeoutMs);
      const waiter: Waiter = {
        remaining,
        keys,
        resolve: (t) => {
          clearTimeout(timer);
          resolve(t);
        },
      };
      this.waiters.add(waiter);
    });
  }

  /** Stops every watch. */
  stop(): void {
    this.stopped = true;
    for (const a of this.aborts.values()) a.abort();
  }

  private lastSeen(keys: readonly string[]): number {
    return Math.max(...keys.map((k) => this.seen.get(k) ?? Number.NaN));
  }

  private path(k: ChildKind): string {
    const [group, version] = k.apiVersion.split('/');
    return `/apis/${group}/${version}/namespaces/${this.namespace}/${k.plural}`;
  }

  private async watch(api: RawObjectApi, k: ChildKind, resourceVersion: string): Promise<void> {
    const abort = await new Watch(this.kc).watch(
      this.path(k),
      { resourceVersion, allowWatchBookmarks: true },
      (phase: string, o: Obj) => {
        if (phase === 'ADDED') this.record({ ...o, kind: k.kind });
      },
      (err: unknown) => {
        if (this.stopped) return;
        this.restarts++;
        // Relist and watch again (a relist records what was created meanwhile; a 410 cannot loop).
        if (err) process.stderr.write(`[bench] watch ${k.plural} ended (${String(err)}); relisting\n`);
        setTimeout(() => void this.listAndWatch(api, k).catch((e: unknown) => process.stderr.write(`[bench] relist ${k.plural} failed: ${String(e)}\n`)), 200);
      },
    );
    this.aborts.set(k.plural, abort);
  }

  private record(o: Obj): void {
    const key = childKey(o);
    if (this.seen.has(key)) return;
    const now = performance.now();
    this.seen.set(key, now);
    for (const w of this.waiters) {
      if (!w.remaining.delete(key) || w.remaining.size > 0) continue;
      this.waiters.delete(w);
      w.resolve(this.lastSeen(w.keys));
    }
  }
}
