/**
 * Reconciles one MarketplaceEnvironment. Reads as a numbered script; each step lives in its own module.
 * Level-triggered: every run starts from a fresh GET of the environment, so collapsed or reordered events lose nothing.
 */
import { isDeepStrictEqual } from 'node:util';
import { API_VERSION, KIND, SpecValidationError, validateEnvironment, type FieldError, type MarketplaceEnvironment, type MarketplaceEnvironmentStatus } from '../../api/index.js';
import { renderEnvironment, type RenderedObject } from '../../charts/index.js';
import type { KubeClient } from '../runtime/kube-client.js';
import { reconcileLogger, type Logger } from '../runtime/logger.js';
import type { HandlerResult } from '../runtime/work-queue.js';
import { applyChildren, pruneChildren } from './apply.js';
import type { ChildCache } from './child-cache.js';
import { objectKey } from './child-kinds.js';
import { deleteNextWave, listChildren } from './deletion.js';
import { emitTransitionEvents } from './events.js';
import { declaredSecrets, ensureGeneratedSecrets } from './generated-secrets.js';
import { computeOutputs, type LiveChild } from './outputs.js';
import { computeStatus, type Observation } from './status.js';

/** Finalizer that keeps an environment until its children are deleted in order. */
export const FINALIZER = 'marketplace.platform.dev/finalizer';

/** Dependencies of {@link Reconciler}. */
export interface ReconcilerOptions {
  readonly kube: KubeClient;
  readonly children: ChildCache;
  readonly logger: Logger;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Applies in flight per reconcile. @default 8 */
  readonly applyConcurrency?: number;
  /** Poll interval while children are not ready (ACK updates arrive as child events; this is the safety net). @default 30_000 */
  readonly progressRequeueMs?: number;
}

/** The environment as read from the API server (spec not yet validated). */
type Env = MarketplaceEnvironment & { metadata: { deletionTimestamp?: string; finalizers?: string[] } };

/** See the module comment. */
export class Reconciler {
  constructor(private readonly options: ReconcilerOptions) {}

  /** Reconciles `namespace/name`. Throws to ask the work queue for a retry with backoff. */
  async reconcile(key: string): Promise<HandlerResult> {
    const [namespace = 'default', name = ''] = key.split('/');
    const { kube } = this.options;
    // 1. fetch
    const env = (await kube.get({ apiVersion: API_VERSION, kind: KIND, namespace, name })) as Env | undefined;
    if (!env) return;
    const log = reconcileLogger(this.options.logger, env, KIND);
    // 2. deletion branch
    if (env.metadata.deletionTimestamp) return this.finalize(env, log);
    // 3. finalizer (optimistic concurrency: a concurrent writer makes this 409, and the queue retries)
    if (!env.metadata.finalizers?.includes(FINALIZER)) {
      await kube.patchMetadata(this.ref(env), { finalizers: [...(env.metadata.finalizers ?? []), FINALIZER] }, { resourceVersion: env.metadata.resourceVersion });
    }
    // 4. render (the same pure function as `npm run render`)
    let desired: RenderedObject[];
    let valid: MarketplaceEnvironment;
    try {
      valid = validateEnvironment(env);
      desired = renderEnvironment(valid);
    } catch (err) {
      if (!(err instanceof SpecValidationError)) throw err;
      // Not retried: nothing changes until the spec does, which enqueues the environment again.
      await this.writeStatus(env, { invalid: err.errors }, log);
      return;
    }
    // 5. generated secrets, then server-side apply of what changed
    await ensureGeneratedSecrets(kube, valid, declaredSecrets(desired));
    const applied = await applyChildren(desired, { kube, cache: this.options.children, namespace, envName: name, concurrency: this.options.applyConcurrency ?? 8 });
    // 6. prune, only after every apply succeeded
    const pruned = applied.errors.size === 0 ? await pruneChildren(desired, applied.live, kube, namespace) : [];
    for (const p of pruned) applied.live.delete(p);
    // 7. read children (cache, refreshed by this pass's apply responses)
    const live = new Map(applied.live);
    for (const key2 of [...live.keys()]) if (pruned.some((p) => key2.endsWith(`/${p}`))) live.delete(key2);
    // 8. compute conditions and patch status once
    const status = await this.writeStatus(env, { desired, live, heldBack: applied.heldBack, applyErrors: applied.errors, outputs: computeOutputs(valid, [...live.values()]) }, log, pruned);
    log.debug({ applied: applied.applied, pruned: pruned.length, heldBack: applied.heldBack.size }, 'reconciled');
    if (applied.errors.size > 0) throw new Error(`apply failed for ${[...applied.errors.keys()].join(', ')}`);
    return status.phase === 'Ready' ? undefined : { requeueAfterMs: this.options.progressRequeueMs ?? 30_000 };
  }

  /** Deletion: children wave by wave, then the finalizer. */
  private async finalize(env: Env, log: Logger): Promise<HandlerResult> {
    const { kube, children } = this.options;
    if (!env.metadata.finalizers?.includes(FINALIZER)) return;
    const namespace = env.metadata.namespace ?? 'default';
    const remaining = await listChildren(kube, namespace, env.metadata.name, children.unserved());
    const progress = await deleteNextWave(kube, namespace, remaining);
    if (progress.remaining === 0) {
      await kube.patchMetadata(this.ref(env), { finalizers: env.metadata.finalizers.filter((f) => f !== FINALIZER) }, { resourceVersion: env.metadata.resourceVersion });
      log.info('children deleted; finalizer removed');
      return;
    }
    await this.writeStatus(env, { deleting: progress, live: new Map(remaining.map((c) => [objectKey(c), c])) }, log);
    return { requeueAfterMs: 2_000 };
  }

  /** Computes the status from a partial observation and patches it when it changed (no write otherwise). */
  private async writeStatus(env: Env, partial: Partial<Observation> & { invalid?: readonly FieldError[] }, log: Logger, pruned: readonly string[] = []): Promise<MarketplaceEnvironmentStatus> {
    const previous = env.status;
    const status = computeStatus({
      generation: env.metadata.generation ?? 0,
      previous,
      desired: [],
      live: new Map<string, LiveChild>(),
      heldBack: new Map(),
      applyErrors: new Map(),
      unserved: this.options.children.unserved(),
      outputs: previous?.outputs ?? {},
      now: (this.options.now?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ...partial,
    });
    if (!isDeepStrictEqual(JSON.parse(JSON.stringify(status)), previous ?? null)) {
      await this.options.kube.patchStatus(this.ref(env), status);
      await emitTransitionEvents(this.options.kube, env, previous, status, pruned, log);
    }
    return status;
  }

  private ref(env: Env) {
    return { apiVersion: API_VERSION, kind: KIND, namespace: env.metadata.namespace ?? 'default', name: env.metadata.name };
  }
}
