/**
 * The record of the AWS ids of an environment's retained id-keyed children (charts/adoption.ts), so that an
 * environment deleted with deletionPolicy Retain and applied again adopts what it left in AWS instead of creating a
 * second VPC, key or user pool. ACK keeps such an id only in the child's status, which goes with the child.
 *
 * Where: a ConfigMap in the environment's namespace, named by the charts (EnvironmentNames.retainedIds), without an
 * owner reference, so the garbage collector does not delete it with the environment, and labelled with the
 * environment's name. One entry per child, `<Kind>.<name>` → the JSON ACK reads from `services.k8s.aws/adoption-fields`.
 * It holds ids only, no secret. Kept when the environment is deleted with Retain, deleted at the end of a deletion
 * with Delete (nothing is left in AWS to adopt then).
 *
 * Writes only on change: an entry is written when a child's status first shows its id (or shows another one); the
 * record's content is read once per environment and process, then kept in memory, so the steady state costs nothing.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { ADOPTION_FIELDS_ANNOTATION, declaredIdentity, type IdentityFields } from '../../charts/adoption.js';
import { ENVIRONMENT_LABEL, EnvironmentNames, MANAGED_BY } from '../../charts/naming.js';
import type { RenderedObject } from '../../charts/render.js';
import type { MarketplaceEnvironment } from '../../api/index.js';
import type { KubeClient, ObjectRef } from '../runtime/kube-client.js';
import { objectKey } from './child-kinds.js';
import type { LiveChild } from './outputs.js';

/** Entries of a record: {@link recordKey} → adoption-fields JSON. */
export type RetainedIds = Readonly<Record<string, string>>;

/**
 * Key of a child in the record: `<Kind>.<name>` (ConfigMap keys allow `[-._a-zA-Z0-9]`; the id-keyed kinds of
 * adoption.ts IDENTITY have distinct names across their API groups).
 */
export function recordKey(o: { kind?: string; metadata?: { name?: string } }): string {
  return `${o.kind}.${o.metadata?.name}`;
}

/** Value at the dot path `path` of `o`. */
function valueAt(o: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, part) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[part] : undefined), o);
}

/** The adoption-fields JSON of a live child by its `identity`, or undefined while one of the ids is not known yet. */
export function adoptionFieldsOf(identity: IdentityFields, live: LiveChild | undefined): string | undefined {
  if (!live) return undefined;
  const fields: Record<string, string> = {};
  for (const [key, path] of Object.entries(identity)) {
    const value = valueAt(live, path);
    if (typeof value !== 'string' || value === '') return undefined;
    fields[key] = value;
  }
  return JSON.stringify(fields);
}

/**
 * The children to apply: `desired`, where a retained id-keyed child that does not exist yet and whose id the record
 * holds gets `services.k8s.aws/adoption-fields`, and one that exists keeps the annotation it was applied with (ACK
 * ignores it once it manages the child; dropping it would cost a write). Pure.
 */
export function withAdoptionFields(desired: readonly RenderedObject[], live: ReadonlyMap<string, LiveChild>, record: RetainedIds): RenderedObject[] {
  return desired.map((o) => {
    if (!declaredIdentity(o)) return o;
    const current = live.get(objectKey(o));
    const fields = current ? (current.metadata as { annotations?: Record<string, string> } | undefined)?.annotations?.[ADOPTION_FIELDS_ANNOTATION] : record[recordKey(o)];
    return fields ? { ...o, metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, [ADOPTION_FIELDS_ANNOTATION]: fields } } } : o;
  });
}

/** The records of the environments, read once each and kept in memory (see the module comment). */
export class IdentityRecords {
  private readonly known = new Map<string, RetainedIds>();

  constructor(private readonly kube: KubeClient) {}

  /**
   * {@link withAdoptionFields} over the environment's record. Reads the record only when a child that declares an
   * identity does not exist yet: with deletionPolicy Delete, or once every child exists, there is nothing to read.
   */
  async prepare(env: MarketplaceEnvironment, desired: readonly RenderedObject[], live: ReadonlyMap<string, LiveChild>): Promise<readonly RenderedObject[]> {
    const missing = desired.some((o) => declaredIdentity(o) && !live.has(objectKey(o)));
    return missing ? withAdoptionFields(desired, live, await this.read(env)) : desired;
  }

  /**
   * Records the ids the live children now show for the children that declare an identity; writes only when an entry
   * is new or changed (entries are never removed: a child no longer rendered may still be retained in AWS). Returns
   * whether it wrote.
   */
  async record(env: MarketplaceEnvironment, desired: readonly RenderedObject[], live: ReadonlyMap<string, LiveChild>): Promise<boolean> {
    const seen: Record<string, string> = {};
    for (const o of desired) {
      const identity = declaredIdentity(o);
      const fields = identity && adoptionFieldsOf(identity, live.get(objectKey(o)));
      if (fields) seen[recordKey(o)] = fields;
    }
    if (Object.keys(seen).length === 0) return false;
    const current = await this.read(env);
    if (Object.entries(seen).every(([k, v]) => current[k] === v)) return false;
    const next = { ...current, ...seen };
    const { namespace, name } = refOf(env);
    await this.kube.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': MANAGED_BY, 'app.kubernetes.io/part-of': env.spec.project, [ENVIRONMENT_LABEL]: env.metadata.name } },
      data: next,
    } as never);
    this.known.set(envKey(env), next);
    return true;
  }

  /** Deletes the record (the end of a deletion with deletionPolicy Delete); absent already is fine. */
  async discard(env: MarketplaceEnvironment): Promise<void> {
    this.forget(env.metadata.namespace ?? 'default', env.metadata.name);
    await this.kube.delete(refOf(env));
  }

  /** Forgets what is kept in memory about `namespace/name` (deleted, or being deleted). */
  forget(namespace: string, name: string): void {
    this.known.delete(`${namespace}/${name}`);
  }

  private async read(env: MarketplaceEnvironment): Promise<RetainedIds> {
    const key = envKey(env);
    const cached = this.known.get(key);
    if (cached) return cached;
    const found = await this.kube.get<KubernetesObject & { data?: Record<string, string> }>(refOf(env));
    const record = { ...found?.data };
    this.known.set(key, record);
    return record;
  }
}

const envKey = (env: MarketplaceEnvironment) => `${env.metadata.namespace ?? 'default'}/${env.metadata.name}`;

/** The environment's record, named by the charts. */
function refOf(env: MarketplaceEnvironment): ObjectRef & { namespace: string } {
  return { apiVersion: 'v1', kind: 'ConfigMap', namespace: env.metadata.namespace ?? 'default', name: new EnvironmentNames(env).retainedIds() };
}
