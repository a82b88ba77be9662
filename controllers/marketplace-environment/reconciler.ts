/**
 * Reconciles one MarketplaceEnvironment. Reads as a numbered script; each step lives in its own module, and the status
 * is written once on every path, errors included (see Reconciler.reconcile).
 * Level-triggered: every run starts from the newest cached state of the environment and its children, so collapsed or
 * reordered events lose nothing (docs/controller.md explains how stale copies are kept harmless).
 */
import { isDeepStrictEqual } from 'node:util';
import { API_VERSION, KIND, REASONS, SpecValidationError, validateEnvironment, type FieldError, type MarketplaceEnvironment, type MarketplaceEnvironmentStatus } from '../../api/index.js';
import { renderEnvironment, type RenderedObject } from '../../charts/index.js';
import { isInvalid, isNotFound } from '../runtime/errors.js';
import type { KubeClient } from '../runtime/kube-client.js';
import { reconcileLogger, type Logger } from '../runtime/logger.js';
import type { HandlerResult } from '../runtime/work-queue.js';
import { applyChildren, pruneChildren, unrenderedChildren } from './apply.js';
import type { ChildCache } from './child-cache.js';
import { objectKey } from './child-kinds.js';
import { AwsGapActions } from '../aws-gaps/actions.js';
import { SdkAwsClients } from '../aws-gaps/clients.js';
import { environmentSecretWriter } from '../aws-gaps/secrets.js';
import { StepError, describeError, during, failureOf } from './conditions.js';
import { deleteNextWave, listChildren, type DeletionProgress } from './deletion.js';
import { emitTransitionEvents } from './events.js';
import { KnownSecrets, declaredSecrets, ensureGeneratedSecrets } from './generated-secrets.js';
import { IdentityRecords } from './identity-record.js';
import { computeOutputs, type LiveChild } from './outputs.js';
import { computeStatus, type Observation } from './status.js';

/** Finalizer that keeps an environment until its children are deleted in order. */
export const FINALIZER = 'marketplace.platform.dev/finalizer';

/** Applies in flight per reconcile unless {@link ReconcilerOptions.applyConcurrency} says otherwise. */
export const DEFAULT_APPLY_CONCURRENCY = 8;

/** Read access to cached environments (the EnvironmentController's informer store). */
export interface EnvironmentReader {
  /** The cached environment, or undefined when the cache has none. */
  get(namespace: string, name: string): MarketplaceEnvironment | undefined;
}

/** Dependencies of {@link Reconciler}. */
export interface ReconcilerOptions {
  readonly kube: KubeClient;
  readonly children: ChildCache;
  /**
   * Where step 1 reads the environment. The EnvironmentController passes its informer cache, as controller-runtime's client does:
   * the event that enqueued a reconcile has already updated the cache, and a write based on a stale copy fails with
   * 409 (resourceVersion preconditions) and is retried. @default a GET from the API server
   */
  readonly environments?: EnvironmentReader;
  /** How long a generated Secret seen to exist is trusted before it is looked up again (see KnownSecrets). @default 300_000 */
  readonly knownSecretsTtlMs?: number;
  readonly logger: Logger;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Applies in flight per reconcile. @default DEFAULT_APPLY_CONCURRENCY */
  readonly applyConcurrency?: number;
  /** Poll interval while children are not ready (ACK updates arrive as child events; this is the safety net). @default 30_000 */
  readonly progressRequeueMs?: number;
  /**
   * Carries out the AWS actions the charts declare where ACK has no kind (charts/aws-gaps.ts).
   * @default AWS SDK clients with the default credential chain and endpoint settings (docs/aws-gaps.md)
   */
  readonly awsGaps?: AwsGapActions;
}

/** The environment as read from the API server (spec not yet validated). */
type Env = MarketplaceEnvironment & { metadata: { deletionTimestamp?: string; finalizers?: string[] } };

/**
 * The outcome of validating and rendering one generation of an environment, kept as JSON text: a string is about a
 * third of the parsed objects' heap, and parsing it back costs a fraction of a render (docs/benchmarks.md).
 */
interface RenderedGeneration {
  readonly uid: string;
  readonly generation: number;
  /** `{ spec, desired }` (the defaulted spec and the children) or `{ errors }` (the spec is invalid). */
  readonly json: string;
}

/**
 * Validates and renders `env`, reusing the result of an earlier reconcile of the same generation: rendering reads only
 * the spec and the immutable name, namespace and uid, and `metadata.generation` changes with every spec change.
 * Follow-up reconciles (status and child events, progress polls, resyncs) then cost no render.
 */
export class RenderCache {
  private readonly entries = new Map<string, RenderedGeneration>();

  /** The validated environment and its children. @throws SpecValidationError as validateEnvironment does */
  render(env: MarketplaceEnvironment): { valid: MarketplaceEnvironment; desired: RenderedObject[] } {
    const key = `${env.metadata.namespace}/${env.metadata.name}`;
    const { uid, generation } = env.metadata;
    const hit = this.entries.get(key);
    if (hit && uid !== undefined && hit.uid === uid && hit.generation === generation) {
      const cached = JSON.parse(hit.json) as { spec?: MarketplaceEnvironment['spec']; desired?: RenderedObject[]; errors?: FieldError[] };
      if (cached.errors) throw new SpecValidationError(cached.errors);
      return { valid: { ...env, spec: cached.spec! }, desired: cached.desired! };
    }
    const remember = (value: object) => {
      if (uid !== undefined && generation !== undefined) this.entries.set(key, { uid, generation, json: JSON.stringify(value) });
    };
    try {
      const valid = validateEnvironment(env);
      const desired = renderEnvironment(valid);
      remember({ spec: valid.spec, desired });
      return { valid, desired };
    } catch (err) {
      if (err instanceof SpecValidationError) remember({ errors: err.errors });
      throw err;
    }
  }

  /** Forgets `namespace/name` (deleted, or being deleted). */
  forget(namespace: string, name: string): void {
    this.entries.delete(`${namespace}/${name}`);
  }

  /** Number of environments remembered. */
  get size(): number {
    return this.entries.size;
  }
}

/** What steps 2–8 of one reconcile saw, for the status, and how they ended. */
interface Pass {
  /** What the status is computed from (the rest as nothing seen, see writeStatus). */
  readonly observed: Partial<Observation>;
  /** Children pruned (for the event). */
  readonly pruned?: readonly string[];
  /** The error that stopped the pass: recorded in the status, then thrown for the work queue to retry. */
  readonly error?: unknown;
  /**
   * When to come back: after this many ms, `never` (nothing changes until the spec does, which enqueues the
   * environment again), or by default at the progress poll while not Ready.
   */
  readonly requeue?: number | 'never';
}

/** What a pass has seen so far: steps fill it in as they go, so a step that throws leaves what came before it. */
type Seen = { -readonly [K in keyof Observation]?: Observation[K] };

/** See the module comment. */
export class Reconciler {
  private readonly renders = new RenderCache();
  private readonly secrets: KnownSecrets;
  private readonly identities: IdentityRecords;
  private readonly awsGaps: AwsGapActions;

  constructor(private readonly options: ReconcilerOptions) {
    this.secrets = new KnownSecrets(options.knownSecretsTtlMs ?? 300_000);
    this.identities = new IdentityRecords(options.kube);
    this.awsGaps = options.awsGaps ?? new AwsGapActions({ clients: new SdkAwsClients(), logger: options.logger });
  }

  /**
   * Reconciles `namespace/name`. Throws to ask the work queue for a retry (with the error's retry decision), but only
   * after the status says why: as cluster-api's deferred patch, every path that gets past the finalizer computes the
   * status once and patches it at most once, errors included.
   */
  async reconcile(key: string): Promise<HandlerResult> {
    const [namespace = 'default', name = ''] = key.split('/');
    // 1. fetch
    const env = (this.options.environments ? this.options.environments.get(namespace, name) : await this.options.kube.get({ apiVersion: API_VERSION, kind: KIND, namespace, name })) as Env | undefined;
    if (!env) return this.forget(namespace, name);
    const log = reconcileLogger(this.options.logger, env, KIND);
    // 2.–8. the deletion branch, or finalizer, render, apply, AWS actions, prune and read children; undefined when the
    // environment is gone or going away (nothing to write the status to)
    const pass = env.metadata.deletionTimestamp ? await this.finalize(env, log) : await this.converge(env, log);
    if (!pass) return;
    // 9. compute conditions and patch the status once, on every path, a failed one included (undefined: gone meanwhile)
    const status = await this.writeStatus(env, pass, log);
    if (!status) return;
    if (pass.error !== undefined) throw pass.error;
    if (pass.requeue !== undefined) return pass.requeue === 'never' ? undefined : { requeueAfterMs: pass.requeue };
    return status.phase === 'Ready' ? undefined : { requeueAfterMs: this.options.progressRequeueMs ?? 30_000 };
  }

  /** Steps 3–8 for an environment that is not being deleted. */
  private async converge(env: Env, log: Logger): Promise<Pass | undefined> {
    const { kube, children } = this.options;
    const namespace = env.metadata.namespace ?? 'default';
    const name = env.metadata.name;
    // 3. finalizer (optimistic concurrency: a concurrent writer makes this 409, and the queue retries)
    if (!env.metadata.finalizers?.includes(FINALIZER)) {
      const added = await unlessGone(() => kube.patchMetadata(this.ref(env), { finalizers: [...(env.metadata.finalizers ?? []), FINALIZER] }, { resourceVersion: env.metadata.resourceVersion }));
      if (!added) return undefined;
    }
    const seen: Seen = { live: new Map(children.list(namespace, name).map((o) => [objectKey(o), o])) };
    try {
      // 4. render (the same pure function as `npm run render`; once per generation, see RenderCache)
      const { valid, desired } = this.renders.render(env);
      seen.desired = desired;
      // 5. generated secrets, then server-side apply of what changed; a retained id-keyed child not created yet gets
      // the id a deleted environment of this name recorded, so ACK adopts it (identity-record.ts)
      await during(REASONS.SecretGenerationFailed, 'generated secrets', () => ensureGeneratedSecrets(kube, valid, declaredSecrets(desired), this.secrets));
      const toApply = await during(REASONS.ApplyFailed, 'record of retained ids', () => this.identities.prepare(valid, desired, seen.live!));
      const applied = await applyChildren(toApply, { kube, cache: children, namespace, envName: name, environment: env, concurrency: this.options.applyConcurrency ?? DEFAULT_APPLY_CONCURRENCY });
      Object.assign(seen, { live: applied.live, heldBack: applied.heldBack, applyErrors: applied.errors });
      await during(REASONS.ApplyFailed, 'record of retained ids', () => this.identities.record(valid, desired, applied.live));
      // 6. the AWS actions ACK lacks (charts/aws-gaps.ts): ensure those the rendered children declare, and undo those
      // of the children about to be pruned (AWS refuses to delete a web ACL still associated, for one); what AWS
      // generates goes to Secrets of the environment (a client secret) and to the outputs (a client id)
      const unrendered = applied.errors.size === 0 ? unrenderedChildren(desired, applied.live) : [];
      const actions = await this.awsGaps.reconcile(desired, applied.live.values(), environmentSecretWriter(kube, valid));
      seen.awsActions = actions.components;
      const undone = await this.awsGaps.undo(unrendered, applied.live.values());
      const prunable = undone.pending === 0 ? unrendered : [];
      // 7. prune, only after every apply and undo succeeded, and only for the newest spec (see confirmNewest)
      const newest = prunable.length === 0 || (await during(REASONS.PruneFailed, 'prune', () => this.confirmNewest(env)));
      const pruned = newest ? await during(REASONS.PruneFailed, 'prune', () => pruneChildren(prunable, kube, namespace)) : [];
      // 8. read children (cache, refreshed by this pass's apply responses, minus what was just pruned)
      const live = new Map(applied.live);
      if (newest) for (const o of prunable) live.delete(objectKey(o));
      Object.assign(seen, { live, outputs: computeOutputs(desired, live, actions.outputs) });
      log.debug({ applied: applied.applied, pruned: pruned.length, heldBack: applied.heldBack.size }, 'reconciled');
      if (applied.errors.size > 0) throw new StepError(REASONS.ApplyFailed, `apply failed for ${[...applied.errors.keys()].map(childName).join(', ')}`);
      const actionError = actions.error ?? undone.error;
      if (actionError) throw new StepError(REASONS.AWSActionFailed, actionError.message, { cause: actionError });
      return { observed: seen, pruned, requeue: newest ? undefined : 1_000 };
    } catch (err) {
      // Not retried: nothing changes until the spec does, which enqueues the environment again.
      if (err instanceof SpecValidationError) return { observed: { invalid: err.errors }, requeue: 'never' };
      return { observed: seen, error: err };
    }
  }

  /**
   * Whether `env` (read from the cache) is the API server's newest generation. Asked before a prune, the one
   * destructive step: the cache only moves forward within a process, but a new leader's environment cache can lag
   * behind children its predecessor created for a newer spec, and pruning those would delete them. A GET is
   * linearizable; a prune is rare, so this read costs nothing in the steady state.
   */
  private async confirmNewest(env: Env): Promise<boolean> {
    if (!this.options.environments) return true;
    const fresh = await this.options.kube.get({ apiVersion: API_VERSION, kind: KIND, namespace: env.metadata.namespace ?? 'default', name: env.metadata.name });
    return fresh?.metadata?.uid === env.metadata.uid && (fresh?.metadata as { generation?: number } | undefined)?.generation === env.metadata.generation;
  }

  /** 2. Deletion: children wave by wave, then the finalizer (undefined once it is released). */
  private async finalize(env: Env, log: Logger): Promise<Pass | undefined> {
    const { kube, children } = this.options;
    this.forget(env.metadata.namespace ?? 'default', env.metadata.name);
    if (!env.metadata.finalizers?.includes(FINALIZER)) return undefined;
    const namespace = env.metadata.namespace ?? 'default';
    let remaining: LiveChild[] = [];
    let progress: DeletionProgress;
    try {
      remaining = await during(REASONS.DeletionFailed, 'list children', () => listChildren(kube, namespace, env.metadata.name, children.unserved()));
      // The AWS actions ACK lacks are undone first: they name children that the waves delete.
      const undone = await this.awsGaps.undo(remaining);
      if (undone.error) throw new StepError(REASONS.AWSActionFailed, `before deleting the children: ${undone.error.message}`, { cause: undone.error });
      progress = await during(REASONS.DeletionFailed, 'delete children', () => deleteNextWave(kube, namespace, remaining));
    } catch (err) {
      return { observed: { deleting: { kinds: [], remaining: remaining.length }, live: liveMap(remaining) }, error: err };
    }
    if (progress.remaining > 0) return { observed: { deleting: progress, live: liveMap(remaining) }, requeue: 2_000 };
    // Retain keeps the record of retained ids for the next environment of this name; Delete left nothing to adopt.
    // An environment whose spec never validated has nothing recorded, and is Retain by default.
    if (env.spec?.deletionPolicy === 'Delete') {
      try {
        await during(REASONS.DeletionFailed, 'delete the record of retained ids', () => this.identities.discard(env));
      } catch (err) {
        return { observed: { deleting: progress, live: liveMap(remaining) }, error: err };
      }
    }
    // Like the finalizer's addition (step 3), its removal carries the resourceVersion: a 409 is the queue's to retry.
    // Gone already (404): a reconcile that read the cache before the deletion event arrived; nothing left to do.
    if (await unlessGone(() => kube.patchMetadata(this.ref(env), { finalizers: env.metadata.finalizers!.filter((f) => f !== FINALIZER) }, { resourceVersion: env.metadata.resourceVersion }))) {
      log.info('children deleted; finalizer removed');
    }
    return undefined;
  }

  /**
   * Computes the status from what a pass saw (anything it did not see counts as nothing, the outputs as before) and
   * patches it when it changed (no write otherwise); undefined when the environment is gone (404). When the pass
   * failed, the pass's error is the one the queue gets: a status write failing as well is logged here, and the retry
   * writes the status again.
   */
  private async writeStatus(env: Env, pass: Pass, log: Logger): Promise<MarketplaceEnvironmentStatus | undefined> {
    const previous = env.status;
    const status = this.computeStatus(env, pass);
    if (isDeepStrictEqual(JSON.parse(JSON.stringify(status)), previous ?? null)) return status;
    try {
      if (!(await unlessGone(() => this.options.kube.patchStatus(this.ref(env), mergePatchOver(previous, status))))) return undefined;
    } catch (err) {
      if (isInvalid(err)) return this.writeRefusedStatus(env, pass, err);
      if (pass.error === undefined) throw err;
      log.warn({ err }, 'could not record the failure in the status');
      return status;
    }
    // Not awaited (as client-go's event recorder): events are best effort and never fail a reconcile, and the
    // worker moves on to the next environment instead of waiting for them.
    void emitTransitionEvents(this.options.kube, env, previous, status, pass.pruned ?? [], log);
    return status;
  }

  /** The status a pass leads to (anything it did not see counts as nothing, the outputs as before). */
  private computeStatus(env: Env, pass: Pass): MarketplaceEnvironmentStatus {
    return computeStatus({
      generation: env.metadata.generation ?? 0,
      previous: env.status,
      desired: [],
      live: new Map<string, LiveChild>(),
      heldBack: new Map(),
      applyErrors: new Map(),
      unserved: this.options.children.unserved(),
      outputs: env.status?.outputs ?? {},
      now: (this.options.now?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ...pass.observed,
      ...(pass.error === undefined ? {} : { failure: failureOf(pass.error) }),
    });
  }

  /**
   * The API server refused the status itself (a value a child's ACK status holds that our status schema does not
   * admit, say): writes the conditions alone, naming what it refused, so that the environment does not sit with no
   * visible reason; the components and outputs stay as they were. Then throws, for a retry with backoff: what was
   * refused can change (the child's ACK status).
   */
  private async writeRefusedStatus(env: Env, pass: Pass, err: unknown): Promise<undefined> {
    const before = pass.error === undefined ? '' : `${failureOf(pass.error).message}; then `;
    const refused = new StepError(REASONS.ReconcileFailed, `${before}the API server refused the status: ${describeError(err)}`, { cause: err });
    const fallback = this.computeStatus(env, { ...pass, error: refused });
    const previous = env.status;
    const conditionsOnly = { ...previous, observedGeneration: fallback.observedGeneration, phase: fallback.phase, conditions: fallback.conditions };
    await unlessGone(() => this.options.kube.patchStatus(this.ref(env), mergePatchOver(previous, conditionsOnly)));
    throw refused;
  }

  private forget(namespace: string, name: string): undefined {
    this.renders.forget(namespace, name);
    this.secrets.forget(`${namespace}/${name}`);
    this.identities.forget(namespace, name);
    return undefined;
  }

  private ref(env: Env) {
    return { apiVersion: API_VERSION, kind: KIND, namespace: env.metadata.namespace ?? 'default', name: env.metadata.name };
  }
}

/** `Kind/name` of an objectKey (`apiVersion/kind/name`; the apiVersion of a group kind has a slash itself). */
const childName = (key: string) => key.split('/').slice(-2).join('/');

const liveMap = (children: readonly LiveChild[]) => new Map(children.map((c) => [objectKey(c), c]));

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `next` as a JSON merge patch over `previous` (the status is written with one): a merge patch keeps every key it
 * does not name, so a map key `next` no longer has (the outputs of a section removed from the spec) is sent as null,
 * which deletes it. Lists are replaced whole anyway.
 */
function mergePatchOver(previous: unknown, next: unknown): unknown {
  if (!isMap(previous) || !isMap(next)) return next;
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(previous)) if (next[key] === undefined) patch[key] = null;
  for (const [key, value] of Object.entries(next)) if (value !== undefined) patch[key] = mergePatchOver(previous[key], value);
  return patch;
}

/**
 * Runs a write to the environment itself; false when the environment is gone (404). The environment comes from the
 * informer cache, which may still hold it for a moment after its deletion: that reconcile then simply ends.
 */
async function unlessGone(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
