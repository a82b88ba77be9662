/**
 * An in-memory {@link KubeClient} for unit tests, as cluster-api's `fake.NewClientBuilder()`: one shared fake instead
 * of a hand-written object per test. It keeps what the controllers rely on from the API server:
 *
 * - server-side apply creates or updates; a field the client applied before and leaves out now is removed, one it
 *   never applied (written by another writer, such as ACK late-initialising spec) is kept. Simplified: lists are
 *   atomic (replaced whole) and there is a single field manager;
 * - `metadata.resourceVersion` changes on every write that changes the object; a write carrying a resourceVersion
 *   precondition that does not match fails with 409 Conflict; `metadata.generation` grows when anything but metadata
 *   and status changes (and when deletion starts, as the API server does);
 * - 404 for a patch of a missing object (get resolves undefined, delete false, as the real client does);
 * - the status is a subresource: apply and create ignore `status`, patchStatus changes nothing else;
 * - finalizers: deleting an object that has some sets `deletionTimestamp` and keeps it; removing the last finalizer of
 *   such an object removes it; adding a finalizer to it fails (422), as on a real API server;
 * - list selects by namespace and label selector (`k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`).
 *
 * Not modelled: owner-reference garbage collection, admission and schema validation, field-manager conflicts.
 *
 * Tests also get: every call in order (`calls`), the events created (`events`), change notifications (`subscribe`,
 * which is how a test feeds the reconciler's ChildStore, as informers do in production), and error injection per
 * verb and object (`failOn`, `intercept`).
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { EventInput, KubeClient, ListOptions, MetadataPatch, ObjectRef, PatchOptions } from '../../controllers/runtime/kube-client.js';

/** The KubeClient methods. */
export type Verb = 'get' | 'list' | 'createIfAbsent' | 'apply' | 'patchStatus' | 'patchMetadata' | 'delete' | 'createEvent';

/** One call, as recorded. */
export interface Call {
  readonly verb: Verb;
  /** The object (for list: apiVersion, kind and namespace; for createEvent: the object the event is about). */
  readonly ref: { readonly apiVersion: string; readonly kind: string; readonly namespace?: string; readonly name?: string };
  /** What was sent: the object, the patch, the list options or the event (a copy). */
  readonly body?: unknown;
}

/** How a stored object changed, as an informer would report it. */
export type Change = 'add' | 'update' | 'delete';

/** An object as stored. */
export type StoredObject = KubernetesObject & {
  metadata: NonNullable<KubernetesObject['metadata']> & { name: string; resourceVersion: string; uid: string; generation: number };
  status?: Record<string, unknown>;
  [field: string]: unknown;
};

/** Selects calls by object; every field given must match. */
export interface CallMatch {
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
}

/** An API error shaped as client-node's `ApiException` (numeric `code`, `Status` body), so errors.ts reads it. */
export class FakeApiError extends Error {
  readonly body: { readonly kind: 'Status'; readonly apiVersion: 'v1'; readonly status: 'Failure'; readonly code: number; readonly reason: string; readonly message: string };

  constructor(
    readonly code: number,
    message: string,
    reason = REASONS_BY_CODE[code] ?? 'InternalError',
  ) {
    super(`HTTP-Code: ${code} Message: ${message}`);
    this.name = 'FakeApiError';
    this.body = { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message };
  }
}

const REASONS_BY_CODE: Record<number, string> = { 400: 'BadRequest', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable' };

/** An API error with `code` (and a message like the API server's). */
export function apiError(code: number, message = `the server answered ${code}`): FakeApiError {
  return new FakeApiError(code, message);
}

/** Options of {@link FakeKubeClient}. */
export interface FakeKubeClientOptions {
  /** Objects present from the start (created as by a create call). @default none */
  readonly objects?: readonly object[];
  /** Clock for creation and deletion timestamps. @default a fixed instant */
  readonly now?: () => Date;
}

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A copy as JSON makes it (what crosses the wire; also keeps objects in the test's realm, unlike structuredClone). */
const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));
const keyOf = (r: { apiVersion?: string; kind?: string; namespace?: string; name?: string }) => `${r.apiVersion}|${r.kind}|${r.namespace ?? ''}|${r.name}`;
const refOf = (o: KubernetesObject) => ({ apiVersion: o.apiVersion ?? '', kind: o.kind ?? '', namespace: o.metadata?.namespace, name: o.metadata?.name ?? '' });
/** Everything the generation follows: all but metadata and status. */
const generationFields = (o: Json) => JSON.stringify(Object.entries(o).filter(([k]) => k !== 'metadata' && k !== 'status').sort(([a], [b]) => a.localeCompare(b)));

/** See the module comment. */
export class FakeKubeClient implements KubeClient {
  /** Every call, in order. */
  readonly calls: Call[] = [];
  /** Every event created, in order. */
  readonly events: EventInput[] = [];
  private readonly store = new Map<string, StoredObject>();
  /** What the client applied last, per object: the fields it owns. */
  private readonly applied = new Map<string, Json>();
  private readonly listeners = new Set<(change: Change, object: StoredObject) => void>();
  private readonly interceptors: { readonly verb: Verb; readonly run: (call: Call) => void }[] = [];
  private readonly now: () => Date;
  private version = 0;

  constructor(options: FakeKubeClientOptions = {}) {
    this.now = options.now ?? (() => new Date('2026-01-01T00:00:00Z'));
    for (const o of options.objects ?? []) this.put(o);
  }

  // ---- for tests (not recorded as calls) ----

  /**
   * Stores `object` as given, status included (to seed a test), with a uid unless it has one, a resourceVersion and
   * generation 1; replaces any object of that name.
   */
  put(object: object): StoredObject {
    const ref = refOf(object as KubernetesObject);
    const existed = this.store.get(keyOf(ref));
    const o = clone(object) as unknown as StoredObject;
    // Timestamps as the API server sends them (strings, although client-node's type says Date).
    o.metadata = { ...o.metadata, name: ref.name, uid: o.metadata.uid ?? `uid-${++this.version}`, generation: 1, resourceVersion: '', creationTimestamp: this.timestamp() } as unknown as StoredObject['metadata'];
    return this.save(o, existed ? 'update' : 'add');
  }

  /** A copy of the stored object, or undefined. */
  object<T = StoredObject>(ref: ObjectRef): T | undefined {
    const o = this.store.get(keyOf(ref));
    return o ? (clone(o) as unknown as T) : undefined;
  }

  /** Copies of every stored object that `filter` accepts. */
  objects(filter: (o: StoredObject) => boolean = () => true): StoredObject[] {
    return [...this.store.values()].filter(filter).map(clone);
  }

  /** Removes an object at once, finalizers or not (as if it had been deleted and released meanwhile). */
  remove(ref: ObjectRef): void {
    const o = this.store.get(keyOf(ref));
    if (o) this.drop(o);
  }

  /** Calls `listener` after every change with a copy of the object (deleted: its last state). Returns an unsubscribe. */
  subscribe(listener: (change: Change, object: StoredObject) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs `run` before every call of `verb` (after recording it); what `run` throws, the call throws. */
  intercept(verb: Verb, run: (call: Call) => void): void {
    this.interceptors.push({ verb, run });
  }

  /** Makes calls of `verb` on objects matching `match` throw `error`, the next `times` of them (default: all). */
  failOn(verb: Verb, match: CallMatch, error: unknown, times = Infinity): void {
    let left = times;
    this.intercept(verb, (call) => {
      const hit = Object.entries(match).every(([k, v]) => v === undefined || call.ref[k as keyof CallMatch] === v);
      if (hit && left > 0) {
        left--;
        throw error;
      }
    });
  }

  /** Removes every interceptor, failures included. */
  clearInterceptors(): void {
    this.interceptors.length = 0;
  }

  /** The calls of `verb`, optionally only those on objects matching `match`. */
  callsTo(verb: Verb, match: CallMatch = {}): Call[] {
    return this.calls.filter((c) => c.verb === verb && Object.entries(match).every(([k, v]) => v === undefined || c.ref[k as keyof CallMatch] === v));
  }

  // ---- KubeClient ----

  async get<T extends KubernetesObject = KubernetesObject>(ref: ObjectRef): Promise<T | undefined> {
    this.record('get', ref);
    return this.object<T>(ref);
  }

  async list<T extends KubernetesObject = KubernetesObject>(options: ListOptions): Promise<T[]> {
    this.record('list', { apiVersion: options.apiVersion, kind: options.kind, namespace: options.namespace }, options);
    const selects = selector(options.labelSelector ?? '');
    return [...this.store.values()]
      .filter((o) => o.apiVersion === options.apiVersion && o.kind === options.kind)
      .filter((o) => options.namespace === undefined || (o.metadata.namespace ?? '') === options.namespace)
      .filter((o) => selects(o.metadata.labels ?? {}))
      .sort((a, b) => keyOf(refOf(a)).localeCompare(keyOf(refOf(b))))
      .map((o) => clone(o) as unknown as T);
  }

  async createIfAbsent<T extends KubernetesObject>(object: T): Promise<T | undefined> {
    this.record('createIfAbsent', refOf(object), object);
    if (this.store.has(keyOf(refOf(object)))) return undefined;
    const o = clone(object) as unknown as StoredObject;
    delete o.status;
    if (o.kind === 'Secret' && o.apiVersion === 'v1') secretData(o);
    return clone(this.put(o)) as unknown as T;
  }

  async apply<T extends KubernetesObject>(object: T): Promise<T> {
    const ref = refOf(object);
    this.record('apply', ref, object);
    const key = keyOf(ref);
    const intent = clone(object) as unknown as Json;
    delete intent.status;
    const existing = this.store.get(key);
    this.checkVersion(existing, (object.metadata as { resourceVersion?: string } | undefined)?.resourceVersion);
    if (!existing) {
      this.applied.set(key, intent);
      return clone(this.put(intent)) as unknown as T;
    }
    const next = clone(existing) as unknown as Json;
    dropDisowned(next, this.applied.get(key) ?? {}, intent);
    merge(next, intent);
    this.checkNewFinalizers(existing, next as StoredObject);
    this.applied.set(key, intent);
    return clone(this.update(existing, next as StoredObject)) as unknown as T;
  }

  async patchStatus<T extends KubernetesObject = KubernetesObject>(ref: ObjectRef, status: unknown, options?: PatchOptions): Promise<T> {
    this.record('patchStatus', ref, { status });
    const existing = this.existing(ref);
    this.checkVersion(existing, options?.resourceVersion);
    const next = clone(existing);
    const patched = mergePatch({ status: next.status }, { status: clone(status) }) as Json;
    if (patched.status === undefined) delete next.status;
    else next.status = patched.status as Record<string, unknown>;
    return clone(this.update(existing, next)) as unknown as T;
  }

  async patchMetadata<T extends KubernetesObject = KubernetesObject>(ref: ObjectRef, metadata: MetadataPatch, options?: PatchOptions): Promise<T> {
    this.record('patchMetadata', ref, { metadata });
    const existing = this.existing(ref);
    this.checkVersion(existing, options?.resourceVersion);
    const next = clone(existing);
    next.metadata = mergePatch(next.metadata, clone(metadata)) as StoredObject['metadata'];
    this.checkNewFinalizers(existing, next);
    if (next.metadata.deletionTimestamp && !next.metadata.finalizers?.length) {
      this.drop(existing);
      return clone(next) as unknown as T;
    }
    return clone(this.update(existing, next)) as unknown as T;
  }

  async delete(ref: ObjectRef): Promise<boolean> {
    this.record('delete', ref);
    const existing = this.store.get(keyOf(ref));
    if (!existing) return false;
    if (!existing.metadata.finalizers?.length) {
      this.drop(existing);
      return true;
    }
    if (!existing.metadata.deletionTimestamp) {
      const next = clone(existing);
      next.metadata.deletionTimestamp = this.timestamp() as never;
      next.metadata.generation = existing.metadata.generation + 1;
      this.save(next, 'update');
    }
    return true;
  }

  async createEvent(event: EventInput): Promise<void> {
    this.record('createEvent', event.regarding, event);
    this.events.push(clone(event));
  }

  // ---- internals ----

  private record(verb: Verb, ref: Call['ref'], body?: unknown): void {
    const call: Call = { verb, ref: { apiVersion: ref.apiVersion, kind: ref.kind, namespace: ref.namespace, name: ref.name }, ...(body === undefined ? {} : { body: clone(body) }) };
    this.calls.push(call);
    for (const i of this.interceptors) if (i.verb === verb) i.run(call);
  }

  private existing(ref: ObjectRef): StoredObject {
    const o = this.store.get(keyOf(ref));
    if (!o) throw new FakeApiError(404, `${ref.kind} "${ref.name}" not found`);
    return o;
  }

  private checkVersion(existing: StoredObject | undefined, expected: string | undefined): void {
    if (expected === undefined) return;
    if (!existing) throw new FakeApiError(404, 'not found');
    if (existing.metadata.resourceVersion !== expected) {
      throw new FakeApiError(409, `Operation cannot be fulfilled on ${existing.kind} "${existing.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`);
    }
  }

  private checkNewFinalizers(existing: StoredObject, next: StoredObject): void {
    if (!existing.metadata.deletionTimestamp) return;
    const before = new Set(existing.metadata.finalizers ?? []);
    if ((next.metadata.finalizers ?? []).some((f) => !before.has(f))) {
      throw new FakeApiError(422, `${existing.kind} "${existing.metadata.name}" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted`);
    }
  }

  /** Stores `next` over `existing` if anything changed (a no-op write changes nothing, as on the API server). */
  private update(existing: StoredObject, next: StoredObject): StoredObject {
    next.metadata.resourceVersion = existing.metadata.resourceVersion;
    if (JSON.stringify(next) === JSON.stringify(existing)) return existing;
    if (generationFields(next) !== generationFields(existing)) next.metadata.generation = existing.metadata.generation + 1;
    return this.save(next, 'update');
  }

  private save(o: StoredObject, change: Change): StoredObject {
    o.metadata.resourceVersion = String(++this.version);
    this.store.set(keyOf(refOf(o)), o);
    this.notify(change, o);
    return o;
  }

  private drop(o: StoredObject): void {
    const key = keyOf(refOf(o));
    this.store.delete(key);
    this.applied.delete(key);
    this.notify('delete', o);
  }

  private notify(change: Change, o: StoredObject): void {
    for (const listener of this.listeners) listener(change, clone(o));
  }

  private timestamp(): string {
    return this.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}

/** Merges `patch` into `target` in place: maps recursively, everything else (lists included) replaced. */
function merge(target: Json, patch: Json): void {
  for (const [k, v] of Object.entries(patch)) {
    if (isMap(v) && isMap(target[k])) merge(target[k] as Json, v);
    else target[k] = clone(v);
  }
}

/** Removes from `target` the map fields `before` applied that `now` no longer does (SSA: the manager gave them up). */
function dropDisowned(target: Json, before: Json, now: Json): void {
  for (const [k, v] of Object.entries(before)) {
    if (!(k in now)) delete target[k];
    else if (isMap(v) && isMap(now[k]) && isMap(target[k])) dropDisowned(target[k] as Json, v, now[k] as Json);
  }
}

/** JSON merge patch (RFC 7386): maps merged, `null` deletes, everything else replaced. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isMap(patch)) return patch;
  const out: Json = isMap(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** A Secret's `stringData` folded into `data` (base64), as the API server stores it. */
function secretData(o: Json): void {
  const stringData = o.stringData as Record<string, string> | undefined;
  if (!stringData) return;
  const data = { ...((o.data as Record<string, string> | undefined) ?? {}) };
  for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(v).toString('base64');
  o.data = data;
  delete o.stringData;
}

/** A label selector as a predicate over labels. */
export function selector(expression: string): (labels: Readonly<Record<string, string>>) => boolean {
  const terms = expression.split(/,(?![^(]*\))/).map((t) => t.trim()).filter(Boolean);
  const tests = terms.map((term): ((labels: Readonly<Record<string, string>>) => boolean) => {
    const set = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (set) {
      const [, key, op, values] = set as unknown as [string, string, string, string];
      const allowed = new Set(values.split(',').map((v) => v.trim()));
      return op === 'in' ? (l) => key in l && allowed.has(l[key]!) : (l) => !(key in l) || !allowed.has(l[key]!);
    }
    const eq = /^([^\s!=]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (eq) {
      const [, key, op, value] = eq as unknown as [string, string, string, string];
      return op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value;
    }
    if (term.startsWith('!')) return (l) => !(term.slice(1) in l);
    if (/^[^\s!=(),]+$/.test(term)) return (l) => term in l;
    throw new FakeApiError(400, `unable to parse requirement: ${term}`);
  });
  return (labels) => tests.every((t) => t(labels));
}
