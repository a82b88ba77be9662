import { describe, expect, it } from '@jest/globals';
import { KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { ResilientInformer, listAllPages, type InformerEvent, type Watcher } from '../../../controllers/runtime/informer.js';
import { flushPromises, ManualClock } from './manual-clock.js';

type WatchCallback = (phase: string, obj: unknown) => void;

/** One watch request made by ListWatch, which the test drives by hand. */
interface WatchCall {
  readonly query: Record<string, unknown>;
  readonly emit: WatchCallback;
  readonly done: (err: unknown) => void;
  readonly controller: AbortController;
}

function obj(name: string, rv: string, namespace = 'ns'): KubernetesObject {
  return { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name, namespace, resourceVersion: rv } };
}

function listOf(items: KubernetesObject[], rv: string): KubernetesListObject<KubernetesObject> {
  return { apiVersion: 'example.com/v1', kind: 'ThingList', metadata: { resourceVersion: rv }, items };
}

/** A fake API server: list responses are queued by the test, watch requests are recorded. */
function setup(options: { resyncPeriodMs?: number; rejectWatch?: boolean } = {}) {
  const clock = new ManualClock();
  const lists: Array<KubernetesListObject<KubernetesObject> | Error> = [];
  const watches: WatchCall[] = [];
  const events: Array<[InformerEvent, string]> = [];
  let listCalls = 0;
  let handlerThrows = false;
  const watcher: Watcher = {
    watch: async (_path, query, callback, done) => {
      if (options.rejectWatch === true && watches.length === 0) {
        watches.push({ query, emit: callback, done, controller: new AbortController() });
        throw new Error('exec credential plugin failed');
      }
      const controller = new AbortController();
      watches.push({ query, emit: callback, done, controller });
      return controller;
    },
  };
  const informer = new ResilientInformer<KubernetesObject>({
    kubeConfig: new KubeConfig(),
    path: '/apis/example.com/v1/namespaces/ns/things',
    clock,
    watcher,
    resyncPeriodMs: options.resyncPeriodMs ?? 0,
    backoff: { baseMs: 1_000, maxMs: 30_000, jitter: 0 },
    listFn: async () => {
      listCalls += 1;
      const next = lists.shift() ?? new Error('no list response queued');
      if (next instanceof Error) {
        throw next;
      }
      return next;
    },
    handler: (event, o) => {
      events.push([event, o.metadata?.name ?? '']);
      if (handlerThrows) {
        throw new Error('handler bug');
      }
    },
  });
  return {
    clock,
    lists,
    watches,
    events,
    informer,
    listCalls: () => listCalls,
    setHandlerThrows: (v: boolean) => (handlerThrows = v),
  };
}

const serverError = (): Error => Object.assign(new Error('Internal Server Error'), { statusCode: 500 });

describe('ResilientInformer: list, watch and cache', () => {
  it('delivers the initial list, then watch events, and serves the cache', async () => {
    const t = setup();
    t.lists.push(listOf([obj('a', '1'), obj('b', '2')], '10'));
    expect(t.informer.hasSynced()).toBe(false);
    await t.informer.start();
    await t.informer.waitForSync();

    expect(t.informer.hasSynced()).toBe(true);
    expect(t.watches[0].query.resourceVersion).toBe('10');
    t.watches[0].emit('ADDED', obj('c', '11'));
    t.watches[0].emit('MODIFIED', obj('a', '12'));
    t.watches[0].emit('MODIFIED', obj('a', '12')); // same resourceVersion: no update event
    t.watches[0].emit('DELETED', obj('b', '13'));

    expect(t.events).toEqual([
      ['add', 'a'],
      ['add', 'b'],
      ['add', 'c'],
      ['update', 'a'],
      ['delete', 'b'],
    ]);
    expect(t.informer.get('a', 'ns')?.metadata?.resourceVersion).toBe('12');
    expect(t.informer.get('b', 'ns')).toBeUndefined();
    expect(t.informer.list('ns').map((o) => o.metadata?.name).sort()).toEqual(['a', 'c']);
  });

  it('keeps delivering events after a handler throws', async () => {
    const t = setup();
    t.lists.push(listOf([obj('a', '1')], '10'));
    t.setHandlerThrows(true);
    await t.informer.start();
    await flushPromises();
    expect(t.informer.hasSynced()).toBe(true);
    t.watches[0].emit('ADDED', obj('b', '11'));
    expect(t.events.map((e) => e[1])).toEqual(['a', 'b']);
  });
});

describe('ResilientInformer: restart and relist', () => {
  it('restarts after a non-410 watch error with backoff, resuming from the last resourceVersion', async () => {
    const t = setup();
    t.lists.push(listOf([obj('a', '1')], '10'));
    await t.informer.start();
    await flushPromises();
    t.watches[0].emit('ADDED', obj('b', '11'));

    t.watches[0].done(serverError());
    await flushPromises();
    expect(t.clock.pendingDelays()).toEqual([1_000]);
    await t.clock.advance(999);
    expect(t.watches).toHaveLength(1);
    await t.clock.advance(1);

    expect(t.watches).toHaveLength(2);
    expect(t.watches[1].query.resourceVersion).toBe('11');
    expect(t.listCalls()).toBe(1);
  });

  it('grows the restart delay 1 s → 30 s while failures continue, and resets after a quiet period', async () => {
    const t = setup();
    t.lists.push(...Array.from({ length: 8 }, () => serverError()));
    await t.informer.start();
    const delays: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      await flushPromises();
      const [delay] = t.clock.pendingDelays();
      delays.push(delay);
      await t.clock.advance(delay);
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    expect(t.informer.hasSynced()).toBe(false);

    // The 8th list (queued error) fails right after the 7th restart; let it recover and run
    // quietly for more than the reset period, then fail again: the backoff starts over.
    await flushPromises();
    t.lists.push(listOf([obj('a', '1')], '10'));
    await t.clock.advance(30_000);
    expect(t.informer.hasSynced()).toBe(true);
    await t.clock.advance(61_000);
    t.watches.at(-1)?.done(serverError());
    await flushPromises();
    expect(t.clock.pendingDelays()).toEqual([1_000]);
  });

  it('relists on 410 Gone without an error or a restart delay, deleting vanished objects', async () => {
    const t = setup();
    t.lists.push(listOf([obj('a', '1'), obj('b', '2')], '10'));
    t.lists.push(listOf([obj('a', '1'), obj('c', '30')], '31'));
    await t.informer.start();
    await flushPromises();

    t.watches[0].emit('ERROR', { kind: 'Status', code: 410, reason: 'Expired' });
    t.watches[0].done(null);
    await flushPromises();

    expect(t.listCalls()).toBe(2);
    expect(t.clock.pending()).toBe(0);
    expect(t.watches[1].query.resourceVersion).toBe('31');
    expect(t.events).toEqual([
      ['add', 'a'],
      ['add', 'b'],
      ['delete', 'b'],
      ['add', 'c'],
    ]);
  });

  it('relists when the watch request itself answers HTTP 410', async () => {
    const t = setup();
    t.lists.push(listOf([], '10'), listOf([obj('a', '40')], '41'));
    await t.informer.start();
    await flushPromises();
    t.watches[0].done(Object.assign(new Error('Gone'), { statusCode: 410 }));
    await flushPromises();
    expect(t.listCalls()).toBe(2);
    expect(t.clock.pending()).toBe(0);
    expect(t.informer.get('a', 'ns')).toBeDefined();
  });

  it('retries when start() itself rejects (failure before the request is sent)', async () => {
    const t = setup({ rejectWatch: true });
    t.lists.push(listOf([obj('a', '1')], '10'));
    await t.informer.start();
    await flushPromises();
    expect(t.clock.pendingDelays()).toEqual([1_000]);
    await t.clock.advance(1_000);
    expect(t.watches).toHaveLength(2);
    expect(t.watches[1].query.resourceVersion).toBe('10');
  });
});

describe('ResilientInformer: resync and stop', () => {
  it('re-delivers every cached object each resync period, only once synced', async () => {
    const t = setup({ resyncPeriodMs: 60_000 });
    t.lists.push(serverError(), listOf([obj('a', '1'), obj('b', '2')], '10'));
    await t.informer.start();
    await flushPromises();
    expect(t.informer.hasSynced()).toBe(false);
    await t.clock.advance(1_000); // restart: the second list succeeds
    expect(t.events.filter((e) => e[0] === 'resync')).toEqual([]);

    await t.clock.advance(59_000);
    expect(t.events.filter((e) => e[0] === 'resync')).toEqual([
      ['resync', 'a'],
      ['resync', 'b'],
    ]);
    await t.clock.advance(60_000);
    expect(t.events.filter((e) => e[0] === 'resync')).toHaveLength(4);
  });

  it('stops: aborts the watch, ignores the abort error, cancels timers and calls no handler', async () => {
    const t = setup({ resyncPeriodMs: 60_000 });
    t.lists.push(listOf([obj('a', '1')], '10'));
    await t.informer.start();
    await flushPromises();
    await t.informer.stop();

    expect(t.watches[0].controller.signal.aborted).toBe(true);
    t.watches[0].emit('ADDED', obj('late', '11'));
    t.watches[0].done(Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }));
    await flushPromises();
    expect(t.clock.pending()).toBe(0);
    await t.clock.advance(120_000);
    expect(t.events).toEqual([['add', 'a']]);
    await expect(t.informer.start()).rejects.toThrow(/was stopped/);
  });
});

describe('listAllPages', () => {
  it('follows continue tokens, calls each on every item, and keeps the first page resourceVersion', async () => {
    const queries: Record<string, string | undefined>[] = [];
    const pages = [
      { metadata: { resourceVersion: '7', continue: 'p2' }, items: [{ metadata: { name: 'a' } }, { metadata: { name: 'b' } }] },
      { metadata: { resourceVersion: '7' }, items: [{ metadata: { name: 'c' } }] },
    ];
    const api = { send: async (r: { query: Record<string, string | undefined> }) => (queries.push(r.query), pages[queries.length - 1]) };
    const seen: string[] = [];
    const list = await listAllPages(api as never, '/apis/g/v1/things', 'x=y', (o) => void seen.push(o.metadata!.name!), 2);
    expect(list.items.map((o) => o.metadata?.name)).toEqual(['a', 'b', 'c']);
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(list.metadata).toEqual({ resourceVersion: '7' });
    expect(queries).toEqual([
      { labelSelector: 'x=y', limit: '2', continue: undefined },
      { labelSelector: 'x=y', limit: '2', continue: 'p2' },
    ]);
  });
});
