/** Kubernetes Events on every state transition of an environment (best effort: a failed event never fails a reconcile). */
import type { MarketplaceEnvironment, MarketplaceEnvironmentStatus } from '../../api/index.js';
import type { EventInput, KubeClient } from '../runtime/kube-client.js';
import type { Logger } from '../runtime/logger.js';
import { failedReason } from './status.js';

type Note = Pick<EventInput, 'type' | 'reason' | 'action' | 'note'>;

/** The events that `previous` → `next` calls for. Pure. */
export function transitionEvents(previous: MarketplaceEnvironmentStatus | undefined, next: MarketplaceEnvironmentStatus, pruned: readonly string[]): Note[] {
  const notes: Note[] = [];
  const ready = next.conditions?.find((c) => c.type === 'Ready');
  if (previous?.phase !== next.phase) {
    const type = next.phase === 'Degraded' ? 'Warning' : 'Normal';
    notes.push({ type, reason: `Phase${next.phase}`, action: 'Reconcile', note: `${previous?.phase ?? 'none'} → ${next.phase}: ${ready?.message ?? ''}`.slice(0, 1000) });
  }
  const failedBefore = new Set((previous?.components ?? []).filter((c) => c.state === 'Failed').map((c) => `${c.kind}/${c.name}`));
  for (const c of next.components ?? []) {
    if (c.state === 'Failed' && !failedBefore.has(`${c.kind}/${c.name}`)) {
      // Our reason, like the conditions'; ACK's reason and message are in the component's message.
      notes.push({ type: 'Warning', reason: failedReason([c]), action: 'Reconcile', note: `${c.kind}/${c.name}: ${c.message ?? c.reason ?? ''}`.slice(0, 1000) });
    }
  }
  if (pruned.length > 0) notes.push({ type: 'Normal', reason: 'Pruned', action: 'Prune', note: `deleted children no longer rendered: ${pruned.join(', ')}`.slice(0, 1000) });
  return notes;
}

/** Records the transition events of one status change. */
export async function emitTransitionEvents(
  kube: KubeClient,
  env: MarketplaceEnvironment,
  previous: MarketplaceEnvironmentStatus | undefined,
  next: MarketplaceEnvironmentStatus,
  pruned: readonly string[],
  log: Logger,
): Promise<void> {
  const regarding = { apiVersion: env.apiVersion, kind: env.kind, namespace: env.metadata.namespace ?? 'default', name: env.metadata.name, uid: env.metadata.uid };
  for (const note of transitionEvents(previous, next, pruned)) {
    try {
      await kube.createEvent({ regarding, ...note });
      log.info({ event: note.reason, note: note.note }, 'state transition');
    } catch (err) {
      log.warn({ err }, 'could not record event');
    }
  }
}
