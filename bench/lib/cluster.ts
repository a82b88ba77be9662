/**
 * Cluster helpers of the benchmark: namespaces, kube-apiserver's `/metrics` (requests and their latency between two
 * scrapes) and the kinds the API server serves.
 */
import { forEachLimited } from '../../controllers/runtime/for-each-limited.js';
import { request } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { API_VERSION, KIND } from '../../api/index.js';
import { CHILD_KINDS } from '../../controllers/marketplace-environment/child-kinds.js';
import { FINALIZER } from '../../controllers/marketplace-environment/reconciler.js';
import type { KubeClient } from '../../controllers/runtime/kube-client.js';
import { delta, requestSecondsByVerbAndResource, requestsByVerbAndResource } from './prom.js';
import { round } from './stats.js';
import { sleep } from './util.js';

/** Creates (server-side applies) the namespace `name`. */
export async function createNamespace(kube: KubeClient, name: string): Promise<void> {
  await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } } as never);
}

/** Deletes a namespace (dropping our finalizer from its environments first: no controller runs) and waits until gone. */
export async function deleteNamespace(kube: KubeClient, name: string, timeoutMs = 300_000): Promise<number> {
  const t0 = performance.now();
  const envs = await kube.list({ apiVersion: API_VERSION, kind: KIND, namespace: name });
  await forEachLimited(envs, 16, async (e) => {
    const finalizers = (e.metadata?.finalizers ?? []).filter((f) => f !== FINALIZER);
    if (finalizers.length !== (e.metadata?.finalizers ?? []).length) {
      await kube.patchMetadata({ apiVersion: API_VERSION, kind: KIND, namespace: name, name: e.metadata!.name! }, { finalizers });
    }
  });
  await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name });
  while (await kube.get({ apiVersion: 'v1', kind: 'Namespace', name })) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`namespace ${name} still terminating after ${timeoutMs / 1000} s`);
    await sleep(500);
  }
  return performance.now() - t0;
}

/** kube-apiserver's `/metrics` (needs the admin kubeconfig); undefined when not allowed. */
export async function apiserverMetrics(kc: KubeConfig): Promise<string | undefined> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) return undefined;
  const url = new URL('/metrics', server);
  const opts: Parameters<typeof request>[1] = { method: 'GET', hostname: url.hostname, port: url.port, path: url.pathname, headers: {} };
  await kc.applyToHTTPSOptions(opts as never);
  return new Promise((resolve) => {
    const req = request(opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(res.statusCode === 200 ? Buffer.concat(chunks).toString('utf8') : undefined));
    });
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/**
 * Waits until the API server is quiet (fewer than 5 requests/s besides watches, over 3 s; at most `limitMs`): after a
 * namespace deletion the garbage collector keeps verifying owners for a while, which would load the next run.
 */
export async function waitApiserverQuiet(kc: KubeConfig, limitMs = 120_000): Promise<number> {
  const t0 = performance.now();
  const busy = (text: string | undefined) =>
    text ? Object.entries(requestsByVerbAndResource(text)).filter(([k]) => !k.startsWith('WATCH') && !k.startsWith('LIST')).reduce((n, [, v]) => n + v, 0) : 0;
  let before = busy(await apiserverMetrics(kc));
  while (performance.now() - t0 < limitMs) {
    await sleep(3_000);
    const now = busy(await apiserverMetrics(kc));
    if (now - before < 15) break;
    before = now;
  }
  return performance.now() - t0;
}

/** Seconds the API server spent per `VERB resource` between two scrapes (top 12; latency, summed over requests). */
export function secondsDelta(before: string | undefined, after: string | undefined): Record<string, number> | undefined {
  if (!before || !after) return undefined;
  const d = delta(requestSecondsByVerbAndResource(before), requestSecondsByVerbAndResource(after));
  return Object.fromEntries(Object.entries(d).filter(([, v]) => v > 0.05).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => [k, round(v, 1)]));
}

/** Requests the API server served between two scrapes, by `VERB resource`, largest first (non-zero only). */
export function requestDelta(before: string | undefined, after: string | undefined): Record<string, number> | undefined {
  if (!before || !after) return undefined;
  const d = delta(requestsByVerbAndResource(before), requestsByVerbAndResource(after));
  return Object.fromEntries(Object.entries(d).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]));
}

/** The kinds the API server does not serve (a LIST answers 404). */
export async function unservedKinds(kube: KubeClient): Promise<Set<string>> {
  const missing = new Set<string>();
  for (const k of CHILD_KINDS) {
    try {
      await kube.list({ apiVersion: k.apiVersion, kind: k.kind, namespace: 'default' });
    } catch {
      missing.add(`${k.apiVersion}/${k.kind}`);
    }
  }
  return missing;
}
