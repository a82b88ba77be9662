import { describe, expect, it } from '@jest/globals';
import { ApiException } from '@kubernetes/client-node';
import { instrumentHandler, OperatorMetrics } from '../../../controllers/metrics.js';
import { ApiWriteCounter } from '../../../controllers/runtime/api-write-counter.js';
import { WorkQueue } from '../../../controllers/runtime/work-queue.js';
import { flushPromises, ManualClock } from '../runtime/manual-clock.js';

/** The value of one sample line, e.g. `sample(text, 'workqueue_adds_total{name="q"}')`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('OperatorMetrics', () => {
  it('exports every controller-runtime and workqueue metric name, with HELP and TYPE', async () => {
    const metrics = new OperatorMetrics({ defaultMetrics: false });
    metrics.workQueue('marketplaceenvironment');
    metrics.observeReconcile('marketplaceenvironment', 'success', 0.2);
    metrics.trackWrites(new ApiWriteCounter());
    metrics.trackLeader('marketplace-operator', () => false);
    const text = await metrics.metrics();
    const types: Record<string, string> = {
      controller_runtime_reconcile_total: 'counter',
      controller_runtime_reconcile_errors_total: 'counter',
      controller_runtime_reconcile_time_seconds: 'histogram',
      workqueue_depth: 'gauge',
      workqueue_adds_total: 'counter',
      workqueue_queue_duration_seconds: 'histogram',
      workqueue_work_duration_seconds: 'histogram',
      workqueue_retries_total: 'counter',
      marketplace_api_writes_total: 'counter',
      leader_election_master_status: 'gauge',
    };
    for (const [name, type] of Object.entries(types)) {
      expect(text).toContain(`# HELP ${name} `);
      expect(text).toContain(`# TYPE ${name} ${type}`);
    }
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('counts reconciles by result, errors separately, and times them', async () => {
    const metrics = new OperatorMetrics({ defaultMetrics: false });
    metrics.observeReconcile('c', 'success', 0.004);
    metrics.observeReconcile('c', 'success', 0.3);
    metrics.observeReconcile('c', 'error', 2);
    metrics.observeReconcile('c', 'requeue_after', 0.1);
    const text = await metrics.metrics();
    expect(sample(text, 'controller_runtime_reconcile_total{controller="c",result="success"}')).toBe(2);
    expect(sample(text, 'controller_runtime_reconcile_total{controller="c",result="error"}')).toBe(1);
    expect(sample(text, 'controller_runtime_reconcile_total{controller="c",result="requeue_after"}')).toBe(1);
    expect(sample(text, 'controller_runtime_reconcile_errors_total{controller="c"}')).toBe(1);
    expect(sample(text, 'controller_runtime_reconcile_time_seconds_count{controller="c"}')).toBe(4);
    expect(sample(text, 'controller_runtime_reconcile_time_seconds_bucket{le="0.005",controller="c"}')).toBe(1);
    expect(sample(text, 'controller_runtime_reconcile_time_seconds_sum{controller="c"}')).toBeCloseTo(2.404);
  });

  it('implements WorkQueueMetrics: a real queue drives depth, adds, retries and both durations', async () => {
    const metrics = new OperatorMetrics({ defaultMetrics: false });
    const clock = new ManualClock();
    let fail = true;
    const queue = new WorkQueue({
      name: 'q',
      clock,
      backoff: { jitter: 0, baseMs: 100 },
      metrics: metrics.workQueue('q'),
      handler: async () => {
        await clock.advance(250); // 0.25 s of "work" (fires due timers meanwhile)
        if (fail) {
          fail = false;
          throw new Error('transient');
        }
      },
    });
    queue.add('ns/a');
    queue.add('ns/b');
    let text = await metrics.metrics();
    expect(sample(text, 'workqueue_depth{name="q"}')).toBe(2); // not started: keys wait
    expect(sample(text, 'workqueue_adds_total{name="q"}')).toBe(2);
    await clock.advance(1_000);
    // a: waited 1 s, fails after 0.25 s → retry in 0.1 s; b: waited 1.25 s, runs 0.25 s, during which a's retry
    // timer fires; a again: waited 0.15 s (behind b, concurrency 1).
    queue.start();
    for (let i = 0; i < 30; i++) await flushPromises();
    text = await metrics.metrics();
    expect(sample(text, 'workqueue_depth{name="q"}')).toBe(0);
    expect(sample(text, 'workqueue_retries_total{name="q"}')).toBe(1);
    expect(sample(text, 'workqueue_adds_total{name="q"}')).toBe(3);
    expect(sample(text, 'workqueue_work_duration_seconds_count{name="q"}')).toBe(3);
    expect(sample(text, 'workqueue_work_duration_seconds_sum{name="q"}')).toBeCloseTo(0.75);
    expect(sample(text, 'workqueue_queue_duration_seconds_count{name="q"}')).toBe(3);
    expect(sample(text, 'workqueue_queue_duration_seconds_sum{name="q"}')).toBeCloseTo(2.4);
    expect(sample(text, 'workqueue_queue_duration_seconds_bucket{le="0.1",name="q"}')).toBe(0);
    expect(sample(text, 'workqueue_queue_duration_seconds_bucket{le="1",name="q"}')).toBe(2);
    await queue.shutdown();
  });

  it('mirrors the ApiWriteCounter into marketplace_api_writes_total{verb} at each scrape', async () => {
    const metrics = new OperatorMetrics({ defaultMetrics: false });
    const writes = new ApiWriteCounter();
    metrics.trackWrites(writes);
    expect(sample(await metrics.metrics(), 'marketplace_api_writes_total{verb="apply"}')).toBe(0);
    writes.increment('apply');
    writes.increment('apply');
    writes.increment('patchStatus');
    const text = await metrics.metrics();
    expect(sample(text, 'marketplace_api_writes_total{verb="apply"}')).toBe(2);
    expect(sample(text, 'marketplace_api_writes_total{verb="patchStatus"}')).toBe(1);
    expect(sample(text, 'marketplace_api_writes_total{verb="delete"}')).toBe(0);
  });

  it('reads leader status at scrape time', async () => {
    const metrics = new OperatorMetrics({ defaultMetrics: false });
    let leading = false;
    metrics.trackLeader('lease', () => leading);
    expect(sample(await metrics.metrics(), 'leader_election_master_status{name="lease"}')).toBe(0);
    leading = true;
    expect(sample(await metrics.metrics(), 'leader_election_master_status{name="lease"}')).toBe(1);
  });

  it('includes the default process metrics unless disabled, in a private registry per instance', async () => {
    const a = new OperatorMetrics();
    const b = new OperatorMetrics();
    a.observeReconcile('c', 'success', 0.1);
    expect(await a.metrics()).toMatch(/^process_cpu_user_seconds_total /m);
    expect(sample(await b.metrics(), 'controller_runtime_reconcile_total{controller="c",result="success"}')).toBeUndefined();
  });
});

describe('instrumentHandler', () => {
  it('labels success, requeue_after (result, or a 429 with Retry-After) and error, and rethrows', async () => {
    const seen: string[] = [];
    const sink = { observeReconcile: (controller: string, result: string, seconds: number) => void seen.push(`${controller}:${result}:${seconds}`) };
    let t = 0;
    const now = () => (t += 500);
    const results = [undefined, { requeueAfterMs: 1_000 }, new ApiException(429, 'later', {}, { 'retry-after': '5' }), new Error('boom')];
    const handler = instrumentHandler('ctl', async () => {
      const next = results.shift();
      if (next instanceof Error) throw next;
      return next;
    }, sink, now);
    await handler('a');
    await handler('a');
    await expect(handler('a')).rejects.toThrow('later');
    await expect(handler('a')).rejects.toThrow('boom');
    expect(seen).toEqual(['ctl:success:0.5', 'ctl:requeue_after:0.5', 'ctl:requeue_after:0.5', 'ctl:error:0.5']);
  });

  it('returns the handler unchanged without a sink', () => {
    const handler = async () => undefined;
    expect(instrumentHandler('ctl', handler, undefined)).toBe(handler);
  });
});
