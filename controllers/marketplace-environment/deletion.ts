/**
 * Ordered teardown while the environment is being deleted: children are deleted wave by wave, each kind in the wave
 * the charts declare for it (charts/child-kinds.ts), the next wave only once the previous one is gone. Reads children
 * with LIST calls, not the cache: deleting is rare, and removing the finalizer on a stale "nothing left" would skip
 * the ordering.
 */
import { deletionWave, kindsOfWave } from '../../charts/deletion-order.js';
import { ENVIRONMENT_LABEL } from '../../charts/naming.js';
import type { KubeClient } from '../runtime/kube-client.js';
import { CHILD_KINDS } from './child-kinds.js';
import type { LiveChild } from './outputs.js';

/** Progress of one deletion pass. */
export interface DeletionProgress {
  /** Children still present. */
  readonly remaining: number;
  /** Kinds of the wave being deleted. */
  readonly kinds: readonly string[];
}

/** Lists every child of the environment across the served child kinds. */
export async function listChildren(kube: KubeClient, namespace: string, name: string, unserved: ReadonlySet<string>): Promise<LiveChild[]> {
  const kinds = CHILD_KINDS.filter((k) => !unserved.has(`${k.apiVersion}/${k.kind}`));
  const lists = await Promise.all(kinds.map((k) => kube.list({ apiVersion: k.apiVersion, kind: k.kind, namespace, labelSelector: `${ENVIRONMENT_LABEL}=${name}` })));
  return lists.flat() as LiveChild[];
}

/** Deletes the earliest wave still present; returns what is left. */
export async function deleteNextWave(kube: KubeClient, namespace: string, children: readonly LiveChild[]): Promise<DeletionProgress> {
  if (children.length === 0) return { remaining: 0, kinds: [] };
  // listChildren lists child kinds only, and each declares its wave.
  const wave = Math.min(...children.map((c) => deletionWave(c)));
  const targets = children.filter((c) => deletionWave(c) === wave);
  for (const c of targets) {
    // Already deleting (waiting for ACK's finalizer): deleting again would only cost a write.
    if ((c.metadata as { deletionTimestamp?: string } | undefined)?.deletionTimestamp) continue;
    await kube.delete({ apiVersion: c.apiVersion!, kind: c.kind!, namespace, name: c.metadata!.name! });
  }
  return { remaining: children.length, kinds: kindsOfWave(wave) };
}
