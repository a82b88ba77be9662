/**
 * Who wrote what, read from the API server's own bookkeeping rather than from the operator: `metadata.managedFields`
 * of every child and environment before and after a time window, and the ACK controllers' logs over it. Used by the
 * steady-state measurement (steady-state.ts) as a count independent of the operator's write counter. Pure, apart from
 * {@link ackUpdatesInLogs}, which reads log files.
 *
 * Why managedFields tell writes apart: the API server stamps a manager's entry with the time of its last write that
 * changed the object (a write that changes nothing is not persisted at all), so an entry of the operator's field
 * manager with a new `time` means at least one effective write by the operator. A field the operator set and another
 * client then changed moves to that client's entry (an Update takes ownership of what it changes): the operator's
 * entry loses the field without a new time. That is how a field ACK rewrites shows.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { ackDiffEntries, currentLogText } from '../../../localcluster/ack-logs.js';

/** One managedFields entry, as the API server returns it. */
interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
  time?: string;
  fieldsV1?: unknown;
}

/** What one field manager holds on one object: per entry (`<operation>[/<subresource>]`), its time and field paths. */
export interface ObjectWrites {
  readonly resourceVersion: string;
  readonly entries: Readonly<Record<string, { readonly time?: string; readonly fields: readonly string[] }>>;
  /** The object's spec, status, labels, annotations and finalizers, to name what another client changed. */
  readonly content: unknown;
}

/** Objects by `<namespace>/<Kind>/<name>`. */
export type WriteSnapshot = ReadonlyMap<string, ObjectWrites>;

/**
 * An object as the API server returns it (raw JSON: managedFields times are strings, which client-node's types
 * declare as Date).
 */
type RawObject = Omit<KubernetesObject, 'metadata'> & { metadata?: Omit<NonNullable<KubernetesObject['metadata']>, 'managedFields'> & { managedFields?: unknown[] } };

/** `<namespace>/<Kind>/<name>` of an object. */
export const auditKey = (o: RawObject): string => `${o.metadata?.namespace ?? ''}/${o.kind}/${o.metadata?.name}`;

/**
 * The leaf paths of a `fieldsV1` set (`{"f:spec": {"f:tags": {}}}` → `spec.tags`); list items keep their key
 * (`k:{"key":"Name"}`) or value (`v:"x"`) segment.
 */
export function fieldPaths(fields: unknown, prefix = ''): string[] {
  if (!fields || typeof fields !== 'object') return [];
  const keys = Object.keys(fields).filter((k) => k !== '.');
  if (keys.length === 0) return prefix ? [prefix] : [];
  return keys.flatMap((k) => fieldPaths((fields as Record<string, unknown>)[k], `${prefix}${prefix ? '.' : ''}${k.startsWith('f:') ? k.slice(2) : k}`));
}

/** The entries of `manager` on each object (objects without one are recorded with none). */
export function writeSnapshot(objects: readonly RawObject[], manager: string): WriteSnapshot {
  const out = new Map<string, ObjectWrites>();
  for (const o of objects) {
    const entries: Record<string, { time?: string; fields: string[] }> = {};
    for (const m of (o.metadata?.managedFields ?? []) as ManagedFieldsEntry[]) {
      if (m.manager !== manager) continue;
      entries[`${m.operation ?? ''}${m.subresource ? `/${m.subresource}` : ''}`] = { time: m.time ? String(m.time) : undefined, fields: fieldPaths(m.fieldsV1).sort() };
    }
    const { spec, status } = o as { spec?: unknown; status?: unknown };
    const { labels, annotations, finalizers } = o.metadata ?? {};
    out.set(auditKey(o), { resourceVersion: o.metadata?.resourceVersion ?? '', entries, content: { spec, status, metadata: { labels, annotations, finalizers } } });
  }
  return out;
}

/**
 * Dot paths, at most `depth` map keys deep, under which `a` and `b` differ. Lists of the same length are compared
 * item by item under `[]` (`status.conditions[].lastTransitionTime`), others whole. Sorted, without repeats.
 */
export function changedPaths(a: unknown, b: unknown, depth = 3, prefix = ''): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return [...new Set(a.flatMap((item, i) => changedPaths(item, b[i], depth, `${prefix}[]`)))].sort();
  }
  if (depth === 0 || !isMap(a) || !isMap(b)) return [prefix || '.'];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.flatMap((k) => changedPaths(a[k], b[k], depth - 1, prefix ? `${prefix}.${k}` : k));
}

/**
 * Where `desired` is not a subset of `live`, as the operator's no-op test sees it
 * (controllers/marketplace-environment/apply-diff.ts `isSubset`: maps may have more keys, lists must match item by
 * item): `spec.ingressRules[1].fromPort: 80 ≠ 443`, `spec.tags: 3 items ≠ 5`. What made the operator apply a
 * child again.
 */
export function subsetMismatches(desired: unknown, live: unknown, path = ''): string[] {
  const show = (v: unknown) => (JSON.stringify(v) ?? 'absent').slice(0, 120);
  if (Array.isArray(desired)) {
    if (!Array.isArray(live) || live.length !== desired.length) return [`${path}: ${desired.length} items ≠ ${Array.isArray(live) ? `${live.length}` : show(live)}`];
    return desired.flatMap((d, i) => subsetMismatches(d, live[i], `${path}[${i}]`));
  }
  if (desired !== null && typeof desired === 'object') {
    if (live === null || typeof live !== 'object' || Array.isArray(live)) return [`${path}: ${show(live)}`];
    return Object.entries(desired).flatMap(([k, v]) => subsetMismatches(v, (live as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  }
  return desired === live ? [] : [`${path}: ${show(desired)} ≠ ${show(live)}`];
}

/** What changed between two snapshots of the same objects. */
export interface SnapshotDiff {
  /** Objects with a new or newer entry of the manager: it wrote them (at least once). Sorted. */
  readonly written: string[];
  /** Objects whose resourceVersion changed although the manager did not write them: someone else did. Sorted. */
  readonly changedByOthers: string[];
  /** Per object, the field paths the manager held before and no longer holds, without a write of its own. */
  readonly taken: Readonly<Record<string, string[]>>;
  /** Per object changed by someone else, where (see {@link changedPaths}). */
  readonly othersChanged: Readonly<Record<string, string[]>>;
  /** Objects only in `after` / only in `before`. Sorted. */
  readonly appeared: string[];
  readonly disappeared: string[];
}

/** Compares two snapshots (see {@link SnapshotDiff}). */
export function diffSnapshots(before: WriteSnapshot, after: WriteSnapshot): SnapshotDiff {
  const written: string[] = [];
  const changedByOthers: string[] = [];
  const taken: Record<string, string[]> = {};
  const othersChanged: Record<string, string[]> = {};
  const appeared: string[] = [];
  for (const [key, now] of after) {
    const was = before.get(key);
    if (!was) {
      appeared.push(key);
      continue;
    }
    const wrote = Object.entries(now.entries).some(([entry, e]) => was.entries[entry]?.time !== e.time);
    if (wrote) {
      written.push(key);
      continue;
    }
    if (now.resourceVersion !== was.resourceVersion) {
      changedByOthers.push(key);
      othersChanged[key] = changedPaths(was.content, now.content);
    }
    const lost = Object.entries(was.entries).flatMap(([entry, e]) => {
      const kept = new Set(now.entries[entry]?.fields ?? []);
      return e.fields.filter((f) => !kept.has(f));
    });
    if (lost.length > 0) taken[key] = lost;
  }
  const disappeared = [...before.keys()].filter((k) => !after.has(k));
  return { written: written.sort(), changedByOthers: changedByOthers.sort(), taken, othersChanged, appeared: appeared.sort(), disappeared: disappeared.sort() };
}

/** The updates an ACK controller made to one object, and the spec paths it found different from AWS. */
export interface AckUpdates {
  count: number;
  paths: string[];
}

/**
 * Per `<namespace>/<Kind>/<name>` of `namespaces`, the "desired resource state has changed" lines of ACK log text
 * `text` in [sinceMs, untilMs): the runtime logs one before each update it makes to AWS, with the spec paths it found
 * different. One per resync for the same object is an ACK-side diff loop: AWS calls, no Kubernetes write.
 */
export function ackUpdates(text: string, namespaces: ReadonlySet<string>, sinceMs: number, untilMs: number, out = new Map<string, AckUpdates>()): Map<string, AckUpdates> {
  for (const entry of ackDiffEntries(text)) {
    if (!entry.namespace || !namespaces.has(entry.namespace) || !(entry.at >= sinceMs && entry.at < untilMs)) continue;
    const key = `${entry.namespace}/${entry.kind}/${entry.name}`;
    const found = out.get(key) ?? { count: 0, paths: [] };
    found.count += 1;
    for (const path of entry.paths) if (!found.paths.includes(path)) found.paths.push(path);
    out.set(key, found);
  }
  return out;
}

/** {@link ackUpdates} over the part of each log file written by its current process (from `logOffset`). */
export function ackUpdatesInLogs(logs: readonly { logPath: string; logOffset: number }[], namespaces: ReadonlySet<string>, sinceMs: number, untilMs: number): Map<string, AckUpdates> {
  const out = new Map<string, AckUpdates>();
  for (const log of logs) {
    let text = '';
    try {
      text = currentLogText(log);
    } catch {
      continue;
    }
    ackUpdates(text, namespaces, sinceMs, untilMs, out);
  }
  return out;
}

/** Counts of `keys` (`<namespace>/<Kind>/<name>`) by Kind. */
export function byKind(keys: Iterable<string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of keys) {
    const kind = key.split('/')[1] ?? '';
    out[kind] = (out[kind] ?? 0) + 1;
  }
  return out;
}
