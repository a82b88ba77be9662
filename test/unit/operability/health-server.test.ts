import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { HealthServer, parseBindAddress } from '../../../controllers/health-server.js';
import { OperatorMetrics } from '../../../controllers/metrics.js';

const servers: HealthServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

/** A started server on a free loopback port with a mutable probe. */
async function serve(state = { alive: true, ready: false }, metrics: OperatorMetrics | null = new OperatorMetrics({ defaultMetrics: false })) {
  const server = new HealthServer({ address: '127.0.0.1:0', probe: { alive: () => state.alive, ready: () => state.ready }, metrics: metrics ?? undefined });
  servers.push(server);
  const { port } = await server.start();
  const get = async (path: string, method = 'GET') => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
    return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
  };
  return { server, state, get, port };
}

describe('HealthServer', () => {
  it('serves /metrics with the metric names, in the Prometheus text format', async () => {
    const metrics = new OperatorMetrics({ defaultMetrics: false });
    metrics.workQueue('marketplaceenvironment').incAdds();
    metrics.observeReconcile('marketplaceenvironment', 'success', 0.1);
    const { get } = await serve(undefined, metrics);
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of ['controller_runtime_reconcile_total', 'controller_runtime_reconcile_time_seconds_bucket', 'workqueue_adds_total', 'workqueue_depth']) {
      expect(res.body).toContain(name);
    }
  });

  it('/readyz flips from 503 to 200 once the caches are synced (and back when stopping)', async () => {
    const { get, state } = await serve();
    expect(await get('/readyz')).toMatchObject({ status: 503, body: 'caches not synced\n' });
    state.ready = true;
    expect(await get('/readyz')).toMatchObject({ status: 200, body: 'ok\n' });
    state.ready = false;
    expect((await get('/readyz')).status).toBe(503);
  });

  it('/healthz is 200 while alive, 500 once the informers are stopped', async () => {
    const { get, state } = await serve();
    expect(await get('/healthz')).toMatchObject({ status: 200, body: 'ok\n' });
    expect((await get('/livez')).status).toBe(200);
    state.alive = false;
    expect(await get('/healthz')).toMatchObject({ status: 500, body: 'informers stopped\n' });
  });

  it('answers HEAD without a body, 404 elsewhere, 405 for writes, 404 on /metrics without a registry', async () => {
    const { get } = await serve({ alive: true, ready: true });
    expect(await get('/healthz', 'HEAD')).toMatchObject({ status: 200, body: '' });
    expect((await get('/nope')).status).toBe(404);
    expect((await get('/healthz', 'POST')).status).toBe(405);
    const bare = await serve({ alive: true, ready: true }, null);
    expect((await bare.get('/metrics')).status).toBe(404);
  });

  it('fails to start when the address is taken, and stops idempotently', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const server = new HealthServer({ address: `127.0.0.1:${port}`, probe: { alive: () => true, ready: () => true } });
      await expect(server.start()).rejects.toThrow(/EADDRINUSE/);
      await server.stop();
    } finally {
      await new Promise((r) => blocker.close(r));
    }
    const { server } = await serve();
    await server.stop();
    await server.stop();
    expect(() => server.address()).toThrow(/not listening/);
  });
});

describe('parseBindAddress', () => {
  it.each([
    ['0.0.0.0:8080', { host: '0.0.0.0', port: 8080 }],
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    [':9090', { host: '0.0.0.0', port: 9090 }],
    ['[::1]:8080', { host: '::1', port: 8080 }],
    ['localhost:80', { host: 'localhost', port: 80 }],
  ])('%s', (input, expected) => {
    expect(parseBindAddress(input)).toEqual(expected);
  });

  it.each(['8080', 'host:', 'host:99999', '::1:8080', ''])('rejects %j', (input) => {
    expect(() => parseBindAddress(input)).toThrow(/invalid bind address/);
  });
});
