/**
 * Fills the late bindings the charts declared (charts/bindings.ts) from live children. Pure: the caller supplies
 * the lookup (an informer cache in production).
 */
import { BINDINGS_ANNOTATION, VALUE_PLACEHOLDER, type Binding } from '../../charts/bindings.js';
import type { RenderedObject } from '../../charts/render.js';

/** Finds a live child by apiVersion, kind and name (same namespace as the object being resolved). */
export type ChildLookup = (apiVersion: string, kind: string, name: string) => Record<string, unknown> | undefined;

/** Result of resolving one object. */
export interface Resolution {
  /** The object with every resolvable binding filled in. */
  readonly object: RenderedObject;
  /** Required bindings without a value yet: the object must not be applied. */
  readonly waitingFor: readonly Binding[];
}

/** Whether `element` has every field value of `where`. */
const matches = (element: unknown, where: Readonly<Record<string, string>>) =>
  !!element && typeof element === 'object' && Object.entries(where).every(([k, v]) => (element as Record<string, unknown>)[k] === v);

/**
 * Value at a dot path (`status.ackResourceMetadata.arn`), if it is a non-empty string. A `*` part is the element of
 * the array there that `where` selects.
 */
function valueAt(obj: Record<string, unknown> | undefined, dotPath: string, where: Binding['where'] = {}): string | undefined {
  let cur: unknown = obj;
  for (const part of dotPath.split('.')) {
    if (part === '*') cur = Array.isArray(cur) ? cur.find((e) => matches(e, where)) : undefined;
    else cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[part] : undefined;
  }
  return typeof cur === 'string' && cur !== '' ? cur : undefined;
}

/** The part of `value` after the first `marker`; undefined when `value` has no such (non-empty) part. */
function cutAfter(value: string | undefined, marker: string | undefined): string | undefined {
  if (value === undefined || marker === undefined) return value;
  const at = value.indexOf(marker);
  return at < 0 || at + marker.length === value.length ? undefined : value.slice(at + marker.length);
}

/** The part of `value` before the last `marker`; undefined when `value` has no such (non-empty) part. */
function cutBefore(value: string | undefined, marker: string | undefined): string | undefined {
  if (value === undefined || marker === undefined) return value;
  const at = value.lastIndexOf(marker);
  return at <= 0 ? undefined : value.slice(0, at);
}

/** Sets `value` at a JSON pointer, creating missing intermediate objects. */
function setAt(root: Record<string, unknown>, pointer: string, value: unknown): void {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let cur: Record<string, unknown> = root;
  parts.slice(0, -1).forEach((part) => {
    cur[part] ??= {};
    cur = cur[part] as Record<string, unknown>;
  });
  cur[parts[parts.length - 1]!] = value;
}

/** The bindings declared on an object. */
export function bindingsOf(object: RenderedObject): Binding[] {
  const raw = object.metadata.annotations?.[BINDINGS_ANNOTATION];
  return raw ? (JSON.parse(raw) as Binding[]) : [];
}

/** Resolves the bindings of `object` with `lookup`; never mutates `object`. */
export function resolveBindings(object: RenderedObject, lookup: ChildLookup): Resolution {
  const bindings = bindingsOf(object);
  if (bindings.length === 0) return { object, waitingFor: [] };
  const copy = JSON.parse(JSON.stringify(object)) as RenderedObject;
  const waitingFor: Binding[] = [];
  // Joined bindings of one path: the values so far, or undefined once one of them is missing.
  const joined = new Map<string, { readonly separator: string; values: string[] | undefined }>();
  for (const b of bindings) {
    const found = cutBefore(cutAfter(valueAt(lookup(b.from.apiVersion, b.from.kind, b.from.name), b.fieldPath, b.where), b.after), b.before);
    const text = found !== undefined && b.template ? b.template.split(VALUE_PLACEHOLDER).join(found) : found;
    const value: unknown = text !== undefined && b.json ? JSON.parse(text) : text;
    if (value === undefined && b.required) waitingFor.push(b);
    if (b.join !== undefined) {
      const entry = joined.get(b.path) ?? { separator: b.join, values: [] };
      entry.values = text === undefined ? undefined : entry.values?.concat(text);
      joined.set(b.path, entry);
    } else if (value !== undefined) {
      setAt(copy as unknown as Record<string, unknown>, b.path, value);
    }
  }
  for (const [path, { separator, values }] of joined) if (values) setAt(copy as unknown as Record<string, unknown>, path, values.join(separator));
  return { object: copy, waitingFor };
}
