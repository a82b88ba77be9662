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

/** Creates the missing generated Secrets; returns the names it created. */
export async function ensureGeneratedSecrets(kube: KubeClient, env: MarketplaceEnvironment, secrets: readonly GeneratedSecret[]): Promise<string[]> {
  const namespace = env.metadata.namespace ?? 'default';
  const created: string[] = [];
  for (const s of secrets) {
    const ref = { apiVersion: 'v1', kind: 'Secret', namespace, name: s.name };
    if (await kube.get(ref)) continue;
    const owned = env.spec.deletionPolicy === 'Delete' && env.metadata.uid;
    await kube.apply({
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
    created.push(s.name);
  }
  return created;
}
