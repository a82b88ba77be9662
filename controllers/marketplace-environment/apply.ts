/**
 * Applies the rendered children (server-side apply, fixed field manager, strict field validation) and prunes the
 * children that are no longer rendered. Objects whose required late bindings are unresolved are held back; objects
 * whose live state already contains everything rendered are skipped (no write for an unchanged environment).
 */
import type { Binding } from '../../charts/bindings.js';
import type { RenderedObject } from '../../charts/render.js';
import { forEachLimited } from '../runtime/for-each-limited.js';
import type { KubeClient } from '../runtime/kube-client.js';
import { needsApply } from './apply-diff.js';
import type { ChildCache } from './child-cache.js';
import { gvkKey, objectKey } from './child-kinds.js';
import type { LiveChild } from './outputs.js';
import { resolveBindings } from './resolve-bindings.js';

/** What an apply pass did. */
export interface ApplyResult {
  /** Live objects by objectKey, including the responses of this pass. */
  readonly live: Map<string, LiveChild>;
  readonly heldBack: Map<string, readonly Binding[]>;
  readonly errors: Map<string, string>;
  /** Number of objects written. */
  readonly applied: number;
}


/** Options of {@link applyChildren}. */
export interface ApplyOptions {
  readonly kube: KubeClient;
  readonly cache: ChildCache;
  readonly namespace: string;
  readonly envName: string;
  /**
   * The environment itself, a binding source for what only its status holds: outputs of values the operator's own AWS
   * calls generated (a Cognito app client id, controllers/aws-gaps/), as a binding from the MarketplaceEnvironment
   * reads them in the next pass. @default none
   */
  readonly environment?: LiveChild;
  /** Applies in flight at once. */
  readonly concurrency: number;
}

/** Applies `desired` (see the module comment). */
export async function applyChildren(desired: readonly RenderedObject[], options: ApplyOptions): Promise<ApplyResult> {
  const { kube, cache, namespace } = options;
  const live = new Map(cache.list(namespace, options.envName).map((o) => [objectKey(o), o] as const));
  const heldBack = new Map<string, readonly Binding[]>();
  const errors = new Map<string, string>();
  const unserved = cache.unserved();
  const self = options.environment;
  const isSelf = (apiVersion: string, kind: string, name: string) => self !== undefined && apiVersion === self.apiVersion && kind === self.kind && name === self.metadata?.name;
  const lookup = (apiVersion: string, kind: string, name: string) =>
    isSelf(apiVersion, kind, name) ? (self as Record<string, unknown>) : (live.get(`${apiVersion}/${kind}/${name}`) ?? cache.get(apiVersion, kind, namespace, name));
  const toApply: RenderedObject[] = [];
  for (const o of desired) {
    if (unserved.has(gvkKey(o))) continue;
    const { object, waitingFor } = resolveBindings(o, lookup);
    if (waitingFor.length > 0) heldBack.set(objectKey(o), waitingFor);
    else if (needsApply(object, live.get(objectKey(o)))) toApply.push(object);
  }
  await forEachLimited(toApply, options.concurrency, async (o) => {
    try {
      live.set(objectKey(o), (await kube.apply(o as never)) as LiveChild);
    } catch (err) {
      errors.set(objectKey(o), (err as Error).message);
    }
  });
  return { live, heldBack, errors, applied: toApply.length };
}

/** Live children that are no longer rendered (what a prune would delete). Pure. */
export function unrenderedChildren(desired: readonly RenderedObject[], live: ReadonlyMap<string, LiveChild>): LiveChild[] {
  const wanted = new Set(desired.map(objectKey));
  return [...live].filter(([key, o]) => !wanted.has(key) && o.apiVersion && o.kind && o.metadata?.name).map(([, o]) => o);
}

/**
 * Deletes `children` (from {@link unrenderedChildren}). Called only after every apply succeeded, so a failed apply can
 * never make the operator delete something it merely failed to re-create.
 */
export async function pruneChildren(children: readonly LiveChild[], kube: KubeClient, namespace: string): Promise<string[]> {
  const pruned: string[] = [];
  for (const o of children) {
    await kube.delete({ apiVersion: o.apiVersion!, kind: o.kind!, namespace, name: o.metadata!.name! });
    pruned.push(`${o.kind}/${o.metadata!.name}`);
  }
  return pruned;
}
