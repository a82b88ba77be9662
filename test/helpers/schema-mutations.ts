/**
 * One-field mutations derived from a JSON schema (the TypeBox schemas of api/): for every field a valid manifest has,
 * and every constrained scalar its objects could have, the ways the schema's own keywords say it can be wrong
 * (bounds, lengths, patterns, enums, item counts, keys, types, required and unknown fields). Each way is a fast-check
 * arbitrary, so the value a failure reports is reproduced by the seed. Used by test/fixtures/hostile-specs.ts.
 */
import fc from 'fast-check';

/** A JSON-schema node as TypeBox builds it (only the keywords read here). */
export interface SchemaNode {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly patternProperties?: Readonly<Record<string, SchemaNode>>;
  readonly required?: readonly string[];
  readonly items?: SchemaNode;
  readonly enum?: readonly (string | number)[];
  readonly default?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  readonly maxProperties?: number;
  readonly 'x-kubernetes-list-type'?: string;
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
}

/** A path into a manifest: property names and list indexes. */
export type Path = readonly (string | number)[];

/** A field of a valid manifest (or a constrained scalar it could have) and the schema it must meet. */
export interface Site {
  readonly path: Path;
  readonly schema: SchemaNode;
  /** The valid manifest has the field (false: an optional scalar it leaves out). */
  readonly present: boolean;
  /** The field's value in the valid manifest (undefined when absent). */
  readonly value?: unknown;
}

/** One field broken in one way. */
export interface Mutation {
  /** How it is broken: aboveMaximum, tooLong, patternViolated, duplicateKey, unknownField, ... */
  readonly kind: string;
  /** The field an error must name, as the API server writes it (`spec.tables[0].name`). */
  readonly field: string;
  /** What the field was set to (undefined for a deletion), for reports. */
  readonly value?: unknown;
  /** Breaks `manifest` in place. */
  readonly apply: (manifest: Record<string, unknown>) => void;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** `['spec', 'tables', 0, 'name']` as the API server names it: `spec.tables[0].name`. */
export function fieldName(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** The value at `path` of `root`, or undefined. */
export function getAt(root: unknown, path: Path): unknown {
  return path.reduce<unknown>((v, p) => (v === undefined || v === null ? undefined : (v as Json)[p as string]), root);
}

/** Sets (or, for `undefined`, deletes) the value at `path` of `root`; the parent must exist. */
export function setAt(root: unknown, path: Path, value: unknown): void {
  const parent = getAt(root, path.slice(0, -1)) as Json;
  const key = path[path.length - 1] as string;
  if (value === undefined) delete parent[key];
  else parent[key] = value;
}

const isScalar = (s: SchemaNode) => s.type === 'string' || s.type === 'integer' || s.type === 'number' || s.type === 'boolean';

/**
 * Every site of `value` under `schema`, depth first from `path`: each present field, the first item of each list, and
 * each constrained optional scalar an object leaves out. (One item per list keeps the sites of long lists from
 * outnumbering the rest; the list itself is a site of its own.)
 */
export function sitesOf(schema: SchemaNode, value: unknown, path: Path): Site[] {
  const out: Site[] = [{ path, schema, present: true, value }];
  if (isObject(value) && schema.properties) {
    for (const [key, sub] of Object.entries(schema.properties)) {
      if (key in value) out.push(...sitesOf(sub, value[key], [...path, key]));
      else if (isScalar(sub)) out.push({ path: [...path, key], schema: sub, present: false });
    }
  }
  if (Array.isArray(value) && schema.items && value.length > 0) out.push(...sitesOf(schema.items, value[0], [...path, 0]));
  return out;
}

/** A property name no schema has (`x` plus letters and digits). */
const unknownKey = (known: readonly string[]) => fc.stringMatching(/^x[A-Za-z0-9]{1,14}$/).filter((k) => !known.includes(k));
/** Characters for over-long strings: ASCII the patterns allow, and multi-byte ones (lengths count code points). */
const anyChar = fc.constantFrom('a', 'z', '0', '9', '-', '.', 'é', '€', '😀');
/** Any value of another JSON type than `type`. */
function otherType(type: string | undefined): fc.Arbitrary<unknown> {
  const all: Record<string, fc.Arbitrary<unknown>> = {
    string: fc.string({ maxLength: 12 }),
    integer: fc.integer(),
    number: fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)),
    boolean: fc.boolean(),
    object: fc.constant({ unexpected: 'object' }),
    array: fc.constant(['unexpected', 'list']),
  };
  const wrong = Object.entries(all).filter(([t]) => t !== type && !(type === 'number' && t === 'integer') && !(type === 'integer' && t === 'number'));
  return fc.oneof(...wrong.map(([, a]) => a));
}

/** A string meeting `schema`'s pattern and length, or undefined when the schema has no pattern. */
function validString(schema: SchemaNode): fc.Arbitrary<string> | undefined {
  if (!schema.pattern) return undefined;
  return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length <= (schema.maxLength ?? Infinity) && s.length >= (schema.minLength ?? 0));
}

/** `n` copies of `first` (a list item), with distinct keys where the list is a map keyed by a patterned string. */
function copies(list: SchemaNode, first: unknown, n: number): fc.Arbitrary<unknown[]> {
  const keys = list['x-kubernetes-list-map-keys'] ?? [];
  const keySchema = keys.length === 1 ? list.items?.properties?.[keys[0]!] : list['x-kubernetes-list-type'] === 'set' ? list.items : undefined;
  const key = keySchema && validString(keySchema);
  if (!key) return fc.constant(Array.from({ length: n }, () => clone(first)));
  return fc.uniqueArray(key, { minLength: n, maxLength: n }).map((names) =>
    names.map((name) => (isObject(first) ? { ...clone(first), [keys[0]!]: name } : name)),
  );
}

/**
 * The ways `site` can be broken: always a wrong type, and every constraint its schema has (each of those twice as
 * likely as the wrong type, which every site shares).
 */
export function mutationsOf(site: Site): fc.Arbitrary<Mutation> {
  const { path, schema: s } = site;
  const field = fieldName(path);
  const set = (kind: string, value: fc.Arbitrary<unknown>, at: Path = path, named = field) =>
    value.map((v): Mutation => ({ kind, field: named, value: v, apply: (m) => setAt(m, at, clone(v)) }));
  const wrongType = set('wrongType', otherType(s.type ?? (s.patternProperties ? 'object' : undefined)));
  const ways: fc.Arbitrary<Mutation>[] = [];
  const oneOf = () => fc.oneof({ arbitrary: wrongType, weight: 1 }, ...ways.map((arbitrary) => ({ arbitrary, weight: 2 })));
  if (s.type === 'integer' || s.type === 'number') {
    const int = s.type === 'integer';
    const out = (from: number, sign: 1 | -1) => (int ? fc.integer({ min: 1, max: 1000 }).map((d) => from + sign * d) : fc.double({ min: 0.01, max: 1000, noNaN: true }).map((d) => from + sign * d));
    if (s.maximum !== undefined) ways.push(set('aboveMaximum', fc.oneof(out(s.maximum, 1), fc.constantFrom(2 ** 31, Number.MAX_SAFE_INTEGER, 1e21))));
    if (s.minimum !== undefined) ways.push(set('belowMinimum', fc.oneof(out(s.minimum, -1), fc.constantFrom(-(2 ** 31), -Number.MAX_SAFE_INTEGER))));
    if (int && (s.maximum ?? Infinity) - (s.minimum ?? -Infinity) >= 1) {
      const low = s.minimum ?? 0;
      ways.push(set('notAnInteger', fc.integer({ min: low, max: Math.min((s.maximum ?? low + 1000) - 1, low + 1000) }).map((n) => n + 0.5)));
    }
    if (s.enum) ways.push(set('notInEnum', fc.integer({ min: -1, max: 100_000 }).filter((n) => !s.enum!.includes(n))));
  }
  if (s.type === 'string') {
    if (s.maxLength !== undefined) ways.push(set('tooLong', fc.array(anyChar, { minLength: s.maxLength + 1, maxLength: s.maxLength + 64 }).map((a) => a.join(''))));
    if ((s.minLength ?? 0) > 0) ways.push(set('tooShort', fc.constant('')));
    if (s.pattern) {
      const re = new RegExp(s.pattern, 'u');
      const text = fc.oneof(fc.string({ minLength: 1, maxLength: 24 }), fc.string({ minLength: 1, maxLength: 24, unit: 'grapheme' }));
      ways.push(set('patternViolated', text.filter((t) => !re.test(t) && [...t].length <= (s.maxLength ?? Infinity))));
    }
    if (s.enum) {
      const names = s.enum.map(String);
      const nearMiss = fc.constantFrom(...names.flatMap((e) => [e.toUpperCase(), e.toLowerCase(), ` ${e}`, `${e}s`]));
      ways.push(set('notInEnum', fc.oneof(nearMiss, fc.string({ maxLength: 16 })).filter((t) => !names.includes(t))));
    }
  }
  if (!site.present) return oneOf();
  if (s.type === 'object' && s.properties) {
    const known = Object.keys(s.properties);
    ways.push(unknownKey(known).chain((k) => set('unknownField', fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean()), [...path, k], `${field}.${k}`)));
    const required = (s.required ?? []).filter((k) => s.properties![k]!.default === undefined);
    if (required.length > 0) {
      ways.push(fc.constantFrom(...required).map((k): Mutation => ({ kind: 'missingRequired', field: `${field}.${k}`, apply: (m) => setAt(m, [...path, k], undefined) })));
    }
  }
  if (s.patternProperties) {
    if (s.maxProperties !== undefined) {
      const keys = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), { minLength: s.maxProperties + 1, maxLength: s.maxProperties + 8 });
      ways.push(set('tooManyProperties', keys.map((ks) => Object.fromEntries(ks.map((k) => [k, 'v'])))));
    }
    ways.push(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/).chain((k) => set('wrongValueType', fc.integer(), [...path, k], field)));
  }
  if (s.type === 'array') {
    const keyed = s['x-kubernetes-list-type'] === 'map' || s['x-kubernetes-list-type'] === 'set' || s.uniqueItems;
    const items = site.value as unknown[];
    if (s.maxItems !== undefined && items.length > 0) ways.push(fc.integer({ min: 1, max: 3 }).chain((extra) => set('tooMany', copies(s, items[0], s.maxItems! + extra))));
    if ((s.minItems ?? 0) > 0) ways.push(set('tooFew', fc.constant([])));
    if (keyed && items.length > 0) ways.push(set('duplicateKey', fc.constant([...items, items[0]])));
  }
  return oneOf();
}
