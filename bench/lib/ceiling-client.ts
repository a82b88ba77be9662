/**
 * The P2 ceiling client (run by bench/worker.ts in mode `ceiling`): the bare client plus exactly the API-server work any
 * operator with our API contract cannot avoid, and none of our controller's own CPU. It reacts to the environments the
 * benchmark applies (one watch on them, as the controller's informer), and per environment makes the requests our
 * controller makes on its first reconcile, in the same order and with the same concurrency (workers × applies):
 * the finalizer PATCH (with the resourceVersion precondition), one POST per generated Secret, the server-side apply of
 * every child, one status PATCH carrying the status the controller writes at that point, and one Event (not awaited).
 * It also holds one watch per served child kind with the informers' label selector, so the API server fans every child
 * event out to one more watcher as in the controller run; the events are parsed (any JSON client does) and dropped.
 *
 * Everything that depends only on the spec is computed before the benchmark's clock starts, as the baseline does:
 * validation, rendering, binding resolution, the generated-Secret declarations and the status. The children are
 * rendered with a placeholder owner uid, replaced by the environment's uid when it arrives.
 */
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION, validateEnvironment, type MarketplaceEnvironment, type MarketplaceEnvironmentStatus } from '../../api/index.js';
import type { GeneratedSecret } from '../../charts/bindings.js';
import { renderEnvironment, type RenderedObject } from '../../charts/index.js';
import { MANAGED_BY } from '../../charts/naming.js';
import { AwsGapActions } from '../../controllers/aws-gaps/actions.js';
import { SdkAwsClients } from '../../controllers/aws-gaps/clients.js';
import { CHILD_KINDS, gvkKey, objectKey } from '../../controllers/marketplace-environment/child-kinds.js';
import { emitTransitionEvents } from '../../controllers/marketplace-environment/events.js';
import { declaredSecrets, ensureGeneratedSecrets } from '../../controllers/marketplace-environment/generated-secrets.js';
import { computeOutputs, type LiveChild } from '../../controllers/marketplace-environment/outputs.js';
import { FINALIZER } from '../../controllers/marketplace-environment/reconciler.js';
import { resolveBindings } from '../../controllers/marketplace-environment/resolve-bindings.js';
import { computeStatus } from '../../controllers/marketplace-environment/status.js';
import { forEachLimited } from '../../controllers/runtime/for-each-limited.js';
import type { KubeClient } from '../../controllers/runtime/kube-client.js';
import type { Logger } from '../../controllers/runtime/logger.js';
import type { Manifest } from './workload.js';

/** Stands for the environment's uid in children rendered before the environment exists. */
const PLACEHOLDER_UID = '00000000-0000-0000-0000-000000000000';

/** What one environment costs the API server, prepared before the clock starts. */
export interface CeilingPlan {
  /** The validated spec (defaults applied), as the controller passes it to the Secret step. */
  readonly spec: MarketplaceEnvironment['spec'];
  readonly secrets: readonly GeneratedSecret[];
  /** The children the controller applies (late bindings unresolved here are held back, as in the controller run). */
  readonly children: readonly RenderedObject[];
  /** The status the controller's first reconcile writes (every applied child Progressing, the held-back ones Waiting). */
  readonly status: MarketplaceEnvironmentStatus;
}

/** Prepares `manifest`'s requests (see CeilingPlan); `unserved` as the controller's cache reports it. */
export async function planEnvironment(manifest: Manifest, unserved: ReadonlySet<string>, logger: Logger): Promise<CeilingPlan> {
  const valid = validateEnvironment(structuredClone({ ...manifest, metadata: { ...manifest.metadata, uid: PLACEHOLDER_UID } }) as never);
  const desired = renderEnvironment(valid);
  const children: RenderedObject[] = [];
  const heldBack = new Map<string, ReturnType<typeof resolveBindings>['waitingFor']>();
  for (const o of desired) {
    if (unserved.has(gvkKey(o))) continue;
    const { object, waitingFor } = resolveBindings(o, () => undefined);
    if (waitingFor.length > 0) heldBack.set(objectKey(o), waitingFor);
    else children.push(object);
  }
  const live = new Map<string, LiveChild>(children.map((o) => [objectKey(o), o as LiveChild]));
  const actions = await new AwsGapActions({ clients: new SdkAwsClients(), logger }).reconcile(desired, live.values());
  const status = computeStatus({
    generation: 1,
    desired,
    live,
    heldBack,
    applyErrors: new Map(),
    unserved,
    awsActions: actions.components,
    outputs: computeOutputs(desired, live, actions.outputs),
    now: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  });
  return { spec: valid.spec, secrets: declaredSecrets(desired), children, status: JSON.parse(JSON.stringify(status)) as MarketplaceEnvironmentStatus };
}

/** The API-server work of one environment that just appeared (see the module comment); resolves when the status is written. */
export async function unavoidableWork(kube: KubeClient, env: MarketplaceEnvironment, plan: CeilingPlan, applyConcurrency: number, logger: Logger): Promise<void> {
  const { namespace = 'default', name, uid, resourceVersion } = env.metadata;
  const ref = { apiVersion: env.apiVersion, kind: env.kind, namespace, name };
  await kube.patchMetadata(ref, { finalizers: [FINALIZER] }, { resourceVersion });
  await ensureGeneratedSecrets(kube, { ...env, spec: plan.spec }, plan.secrets);
  await forEachLimited(plan.children, applyConcurrency, async (o) => {
    for (const r of o.metadata.ownerReferences ?? []) if (r.uid === PLACEHOLDER_UID) r.uid = uid!;
    await kube.apply(o as never);
  });
  await kube.patchStatus(ref, plan.status);
  void emitTransitionEvents(kube, env, undefined, plan.status, [], logger);
}

/**
 * Starts one watch per served child kind in `namespace` (the controller's informers' label selector); their events
 * are dropped. Resolves with a stop function once every watch is established.
 */
export async function watchChildren(kc: KubeConfig, namespace: string, unserved: ReadonlySet<string>): Promise<() => void> {
  const kinds = CHILD_KINDS.filter((k) => !unserved.has(gvkKey(k)));
  let stopped = false;
  const failed: string[] = [];
  const aborts = await Promise.all(
    kinds.map((k) =>
      new Watch(kc).watch(`/apis/${k.apiVersion}/namespaces/${namespace}/${k.plural}`, { labelSelector: `app.kubernetes.io/managed-by=${MANAGED_BY}` }, () => undefined, (err) => {
        if (!stopped) failed.push(`${k.plural}: ${String(err)}`);
      }),
    ),
  );
  const stop = () => {
    stopped = true;
    aborts.forEach((a) => a.abort());
  };
  // A ceiling with fewer watchers than the controller would not be one.
  if (failed.length > 0) {
    stop();
    throw new Error(`child watches failed: ${failed.join('; ')}`);
  }
  return stop;
}

/**
 * Watches the environments of `namespace` and hands each newly ADDED one to `onAdded`, at most `concurrency` at a time
 * (the controller's workers). Resolves with a stop function once the watch is established.
 */
export async function watchEnvironments(kc: KubeConfig, namespace: string, concurrency: number, onAdded: (env: MarketplaceEnvironment) => Promise<void>): Promise<() => void> {
  const pending: MarketplaceEnvironment[] = [];
  const idle: (() => void)[] = [];
  let stopped = false;
  const work = async () => {
    while (!stopped) {
      const env = pending.shift();
      if (env) await onAdded(env);
      else await new Promise<void>((resolve) => idle.push(resolve));
    }
  };
  for (let i = 0; i < concurrency; i++) void work();
  const abort = await new Watch(kc).watch(
    `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}`,
    {},
    (phase: string, o: MarketplaceEnvironment) => {
      if (phase !== 'ADDED') return;
      pending.push(o);
      idle.shift()?.();
    },
    () => undefined,
  );
  return () => {
    stopped = true;
    abort.abort();
    idle.splice(0).forEach((wake) => wake());
  };
}
