import { describe, expect, it } from '@jest/globals';
import { ApiException } from '@kubernetes/client-node';
import { TerminalError } from '../../../controllers/runtime/errors.js';
import { WorkQueue, type KeyHandler, type WorkQueueOptions } from '../../../controllers/runtime/work-queue.js';
import { noopWorkQueueMetrics, type WorkQueueMetrics } from '../../../controllers/runtime/work-queue-metrics.js';
import { deferred, flushPromises, ManualClock, type Deferred } from './manual-clock.js';

interface Harness {
  readonly queue: WorkQueue;
  readonly clock: ManualClock;
  /** Every handler invocation, in order, with the clock time it started at. */
  readonly calls: Array<{ key: string; at: number }>;
}

function harness(handler: KeyHandler, options: Partial<WorkQueueOptions> = {}): Harness {
  const clock = new ManualClock();
  const calls: Array<{ key: string; at: number }> = [];
  const queue = new WorkQueue({
    name: 'test',
    clock,
    backoff: { jitter: 0 },
    ...options,
    handler: (key) => {
      calls.push({ key, at: clock.now() });
      return handler(key);
    },
  });
  return { queue, clock, calls };
}

const ok: KeyHandler = async () => undefined;

describe('WorkQueue de-duplication', () => {
  it('processes a key added many times before a worker is free only once', async () => {
    const { queue, calls } = harness(ok);
    queue.add('ns/a');
    queue.add('ns/a');
    queue.add('ns/b');
    queue.add('ns/a');
    expect(queue.len()).toBe(2);

    queue.start();
    await flushPromises();

    expect(calls.map((c) => c.key)).toEqual(['ns/a', 'ns/b']);
    expect(queue.len()).toBe(0);
  });

  it('does nothing before start()', async () => {
    const { queue, calls } = harness(ok);
    queue.add('ns/a');
    await flushPromises();
    expect(calls).toHaveLength(0);
  });
});

describe('WorkQueue per-key serialization', () => {
  it('never runs one key twice at once, and re-runs a key re-added while processing exactly once', async () => {
    const gates: Deferred[] = [];
    let active = 0;
    let maxActiveForA = 0;
    const { queue, calls } = harness(
      async (key) => {
        if (key === 'ns/a') {
          active += 1;
          maxActiveForA = Math.max(maxActiveForA, active);
        }
        const gate = deferred();
        gates.push(gate);
        await gate.promise;
        if (key === 'ns/a') {
          active -= 1;
        }
      },
      { concurrency: 4 },
    );
    queue.start();
    queue.add('ns/a');
    await flushPromises();
    queue.add('ns/a');
    queue.add('ns/a');
    await flushPromises();

    // Four workers are free, yet the second add of ns/a must wait for the first run.
    expect(calls.map((c) => c.key)).toEqual(['ns/a']);
    gates[0].resolve();
    await flushPromises();
    expect(calls.map((c) => c.key)).toEqual(['ns/a', 'ns/a']);
    gates[1].resolve();
    await flushPromises();

    expect(calls).toHaveLength(2);
    expect(maxActiveForA).toBe(1);
  });

  it('runs different keys in parallel up to the concurrency limit', async () => {
    const gates = new Map<string, Deferred>();
    const { queue, calls } = harness(
      async (key) => {
        const gate = deferred();
        gates.set(key, gate);
        await gate.promise;
      },
      { concurrency: 2 },
    );
    ['ns/a', 'ns/b', 'ns/c', 'ns/d'].forEach((k) => queue.add(k));
    queue.start();
    await flushPromises();

    expect(calls.map((c) => c.key)).toEqual(['ns/a', 'ns/b']);
    expect(queue.len()).toBe(2);
    gates.get('ns/b')?.resolve();
    await flushPromises();
    expect(calls.map((c) => c.key)).toEqual(['ns/a', 'ns/b', 'ns/c']);
    gates.get('ns/a')?.resolve();
    gates.get('ns/c')?.resolve();
    await flushPromises();
    gates.get('ns/d')?.resolve();
    await flushPromises();
    expect(calls.map((c) => c.key)).toEqual(['ns/a', 'ns/b', 'ns/c', 'ns/d']);
  });
});

describe('WorkQueue retries', () => {
  it('backs off exponentially per key (no jitter): 100, 200, 400, 800 ms, capped', async () => {
    const { queue, clock, calls } = harness(
      async () => {
        throw new Error('boom');
      },
      { backoff: { baseMs: 100, maxMs: 500, jitter: 0 } },
    );
    queue.start();
    const t0 = clock.now();
    queue.add('ns/a');
    await flushPromises();
    await clock.advance(2_000);

    const gaps = calls.slice(1).map((c, i) => c.at - calls[i].at);
    expect(calls[0].at).toBe(t0);
    expect(gaps.slice(0, 5)).toEqual([100, 200, 400, 500, 500]);
    expect(queue.numRequeues('ns/a')).toBe(calls.length);
  });

  it('keeps jittered delays within [d * (1 - jitter), d]', async () => {
    const randoms = [0, 0.5, 0.999];
    for (const r of randoms) {
      const { queue, clock } = harness(
        async () => {
          throw new Error('boom');
        },
        { backoff: { baseMs: 1_000, maxMs: 60_000, jitter: 0.2, random: () => r } },
      );
      queue.start();
      queue.add('ns/a');
      await flushPromises();
      const [delay] = clock.pendingDelays();
      expect(delay).toBeGreaterThanOrEqual(800);
      expect(delay).toBeLessThanOrEqual(1_000);
      expect(delay).toBe(Math.round(1_000 * (1 - 0.2 * r)));
      await queue.shutdown();
    }
  });

  it('resets the backoff after a success', async () => {
    let failuresLeft = 3;
    const { queue, clock, calls } = harness(async () => {
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        throw new Error('transient');
      }
    });
    queue.start();
    queue.add('ns/a');
    await clock.advance(10_000);
    expect(calls).toHaveLength(4);
    expect(queue.numRequeues('ns/a')).toBe(0);

    failuresLeft = 1;
    const before = clock.now();
    queue.add('ns/a');
    await flushPromises();
    expect(clock.pendingDelays()).toEqual([100]);
    await clock.advance(100);
    expect(calls.at(-1)?.at).toBe(before + 100);
  });

  it('retries a 429 at exactly its Retry-After without growing the backoff', async () => {
    let n = 0;
    const { queue, clock, calls } = harness(async () => {
      n += 1;
      if (n <= 2) {
        throw new ApiException(429, 'Too Many Requests', { kind: 'Status', code: 429 }, { 'retry-after': '30' });
      }
    });
    queue.start();
    queue.add('ns/a');
    await flushPromises();
    expect(queue.numRequeues('ns/a')).toBe(0);
    await clock.advance(29_999);
    expect(calls).toHaveLength(1);
    await clock.advance(1);
    expect(calls).toHaveLength(2);
    await clock.advance(30_000);
    expect(calls).toHaveLength(3);
    expect(clock.pending()).toBe(0);
  });

  it('does not retry a TerminalError, even when wrapped', async () => {
    const { queue, clock, calls } = harness(async () => {
      throw new Error('apply failed', { cause: new TerminalError('spec.region is immutable') });
    });
    queue.start();
    queue.add('ns/a');
    await clock.advance(600_000);
    expect(calls).toHaveLength(1);
    expect(clock.pending()).toBe(0);
  });

  it('honours requeueAfterMs returned by a successful handler', async () => {
    const { queue, clock, calls } = harness(async () => ({ requeueAfterMs: 5_000 }));
    queue.start();
    queue.add('ns/a');
    await clock.advance(12_000);
    expect(calls.map((c) => c.at - calls[0].at)).toEqual([0, 5_000, 10_000]);
  });
});

describe('WorkQueue.addAfter', () => {
  it('adds the key only once the delay has elapsed', async () => {
    const { queue, clock, calls } = harness(ok);
    queue.start();
    queue.addAfter('ns/a', 1_000);
    await clock.advance(999);
    expect(calls).toHaveLength(0);
    await clock.advance(1);
    expect(calls).toHaveLength(1);
  });

  it('keeps the earlier time when a key is delayed twice', async () => {
    const { queue, clock, calls } = harness(ok);
    queue.start();
    const t0 = clock.now();
    queue.addAfter('ns/a', 5_000);
    queue.addAfter('ns/a', 1_000);
    queue.addAfter('ns/a', 3_000);
    expect(clock.pending()).toBe(1);
    await clock.advance(10_000);
    expect(calls.map((c) => c.at - t0)).toEqual([1_000]);
  });
});

describe('WorkQueue.addBatched', () => {
  it('turns a burst of adds for one key into one run at the end of the first window', async () => {
    const { queue, clock, calls } = harness(ok);
    queue.start();
    const t0 = clock.now();
    for (let i = 0; i < 26; i++) {
      queue.addBatched('ns/a', 1_000);
      await clock.advance(20);
    }
    await clock.advance(5_000);
    expect(calls.map((c) => c.at - t0)).toEqual([1_000]);
  });

  it('does not postpone a key that is already queued, and counts no retry', async () => {
    let retries = 0;
    const metrics: WorkQueueMetrics = { ...noopWorkQueueMetrics, incRetries: () => void retries++ };
    const { queue, clock, calls } = harness(ok, { metrics });
    queue.add('ns/a');
    queue.addBatched('ns/a', 1_000);
    expect(clock.pending()).toBe(0);
    queue.start();
    await flushPromises();
    expect(calls).toHaveLength(1);
    expect(retries).toBe(0);
  });
});

describe('WorkQueue.shutdown', () => {
  it('waits for in-flight runs, drops queued and delayed keys, and ignores later adds', async () => {
    const gate = deferred();
    const { queue, clock, calls } = harness(async (key) => {
      if (key === 'ns/a') {
        await gate.promise;
      }
    });
    queue.start();
    queue.add('ns/a');
    queue.add('ns/b');
    queue.addAfter('ns/c', 1_000);
    await flushPromises();

    let done = false;
    const stopping = queue.shutdown().then(() => {
      done = true;
    });
    queue.add('ns/d');
    await flushPromises();
    expect(done).toBe(false);
    expect(clock.pending()).toBe(0);

    gate.resolve();
    await stopping;
    expect(done).toBe(true);
    await clock.advance(5_000);
    expect(calls.map((c) => c.key)).toEqual(['ns/a']);
  });
});

describe('WorkQueue metrics', () => {
  it('reports adds (after de-duplication), depth, latency, durations and retries', async () => {
    const recorded = { adds: 0, retries: 0, depth: [] as number[], queue: [] as number[], work: [] as number[] };
    const metrics: WorkQueueMetrics = {
      incAdds: () => void (recorded.adds += 1),
      incRetries: () => void (recorded.retries += 1),
      setDepth: (d) => void recorded.depth.push(d),
      observeQueueDuration: (s) => void recorded.queue.push(s),
      observeWorkDuration: (s) => void recorded.work.push(s),
    };
    let first = true;
    const { queue, clock } = harness(
      async () => {
        if (first) {
          first = false;
          throw new Error('once');
        }
      },
      { metrics },
    );
    queue.add('ns/a');
    queue.add('ns/a');
    await clock.advance(2_000);
    queue.start();
    await clock.advance(1_000);

    expect(recorded.adds).toBe(2);
    expect(recorded.retries).toBe(1);
    expect(recorded.queue[0]).toBe(2);
    // The retry became ready after its 100 ms backoff and was picked up at once: the delay is not
    // queue latency (client-go measures from the moment the key is ready, too).
    expect(recorded.queue[1]).toBe(0);
    expect(recorded.work).toHaveLength(2);
    expect(recorded.depth.at(-1)).toBe(0);
    expect(Math.max(...recorded.depth)).toBe(1);
  });
});
