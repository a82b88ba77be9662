/**
 * Kubernetes Secrets the operator generates once (master passwords, application secrets with source Generate).
 * A value is created only when the Secret does not exist and is never overwritten. With deletionPolicy Retain the
 * Secret has no owner reference, so deleting the environment does not lose the password of a retained database.
 */
import { randomBytes } from 'node:crypto';
import { GENERATED_SECRETS_ANNOTATION, type GeneratedSecret } from '../../charts/bindings.js';
import { ENVIRONMENT_LABEL, MANAGED_BY } from '../../charts/naming.js';
import type { RenderedObject } from '../../charts/render.js';
import type { KubeClient } from '../runtime/kube-client.js';
import type { MarketplaceEnvironment } from '../../api/index.js';

/** A random value of `length` characters from [A-Za-z0-9_-] (valid in RDS passwords and Secrets Manager). */
export function randomValue(length: number): string {
  return randomBytes(Math.ceil((length * 3) / 4) + 3).toString('base64url').slice(0, length);
}

/** The generated secrets declared by the rendered objects, de-duplicated by name. */
export function declaredSecrets(objects: readonly RenderedObject[]): GeneratedSecret[] {
  const byName = new Map<string, GeneratedSecret>();
  for (const o of objects) {
    const raw = o.metadata.annotations?.[GENERATED_SECRETS_ANNOTATION];
    for (const s of raw ? (JSON.parse(raw) as GeneratedSecret[]) : []) byName.set(s.name, s);
  }
  return [...byName.values()];
}

/**
 * Generated Secrets recently seen to exist, by environment, so that follow-up reconciles (status and child events,
 * progress polls) cost no GET. A sighting expires after `ttlMs`; the next reconcile then looks again and re-creates a
 * deleted Secret. In memory only: the operator has no list/watch on Secrets (its RBAC reads Secrets by name only).
 */
export class KnownSecrets {
  private readonly byEnv = new Map<string, Map<string, number>>();

  /** @param ttlMs how long a sighting is trusted @param now clock in ms */
  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether Secret `name` of environment `envKey` (`namespace/name`) was seen within the TTL. */
  has(envKey: string, name: string): boolean {
    const at = this.byEnv.get(envKey)?.get(name);
    return at !== undefined && this.now() - at < this.ttlMs;
  }

  /** Records that Secret `name` of environment `envKey` exists now. */
  saw(envKey: string, name: string): void {
    let seen = this.byEnv.get(envKey);
    if (!seen) this.byEnv.set(envKey, (seen = new Map()));
    seen.set(name, this.now());
  }

  /** Forgets the environment (deleted, or being deleted). */
  forget(envKey: string): void {
    this.byEnv.delete(envKey);
  }

  /** Environments held (for tests and benchmarks). */
  get size(): number {
    return this.byEnv.size;
  }
}

/**
 * Creates the missing generated Secrets; returns the names it created. An environment that was never reconciled (no
 * status yet) is almost certainly without them, so its Secrets are created straight away (one request each); a
 * Secret that exists all the same (kept by deletionPolicy Retain from an earlier environment of that name) makes the
 * create answer 409 and is left as it is. Otherwise a Secret is looked up first, so an unchanged environment costs
 * no write.
 */
export async function ensureGeneratedSecrets(kube: KubeClient, env: MarketplaceEnvironment, secrets: readonly GeneratedSecret[], known?: KnownSecrets): Promise<string[]> {
  const namespace = env.metadata.namespace ?? 'default';
  const envKey = `${namespace}/${env.metadata.name}`;
  const neverReconciled = env.status === undefined;
  const created: string[] = [];
  for (const s of secrets) {
    if (known?.has(envKey, s.name)) continue;
    if (!neverReconciled && (await kube.get({ apiVersion: 'v1', kind: 'Secret', namespace, name: s.name }))) {
      known?.saw(envKey, s.name);
      continue;
    }
    const owned = env.spec.deletionPolicy === 'Delete' && env.metadata.uid;
    const fresh = await kube.createIfAbsent({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: {
        name: s.name,
        namespace,
        labels: { 'app.kubernetes.io/managed-by': MANAGED_BY, [ENVIRONMENT_LABEL]: env.metadata.name },
        ...(owned ? { ownerReferences: [{ apiVersion: env.apiVersion, kind: env.kind, name: env.metadata.name, uid: env.metadata.uid!, controller: true, blockOwnerDeletion: false }] } : {}),
      },
      stringData: { [s.key]: randomValue(s.length) },
    } as never);
    known?.saw(envKey, s.name);
    if (fresh) created.push(s.name);
  }
  return created;
}
