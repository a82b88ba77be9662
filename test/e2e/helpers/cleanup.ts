/**
 * The end of an e2e file that runs its own operator: its environments must be gone before that operator stops.
 * An environment left with the operator's finalizer and no operator to remove it keeps its namespace Terminating,
 * and kube-controller-manager's namespace controller then re-sends DELETE for it every few seconds for the rest of
 * the suite, which the steady-state test counts as writes to our kind.
 */
import { API_VERSION, KIND } from '../../../api/index.js';
import type { KubeClient } from '../../../controllers/runtime/kube-client.js';

/**
 * Deletes the environment `namespace/name` and waits (while the caller's operator still runs) until it is gone; if it
 * is not gone after `timeoutMs`, drops its finalizers so that nothing is left waiting on an operator that will stop.
 * Then deletes the namespace. Never throws: it runs in afterAll, after the assertions.
 */
export async function removeEnvironmentAndNamespace(kube: KubeClient, namespace: string, name: string, timeoutMs = 60_000): Promise<void> {
  const ref = { apiVersion: API_VERSION, kind: KIND, namespace, name };
  await kube.delete(ref).catch(() => undefined);
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && (await kube.get(ref).catch(() => undefined))) await new Promise((r) => setTimeout(r, 500));
  if (await kube.get(ref).catch(() => undefined)) await kube.patchMetadata(ref, { finalizers: [] }).catch(() => undefined);
  await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace }).catch(() => undefined);
}
