/**
 * What kro v0.9.4 makes of a ResourceGraphDefinition for one instance, evaluated here without kro: the `${...}`
 * expressions of each template (found the way kro's parser finds them, evaluated with cel-js), and which resources
 * kro holds back because a resource they reference is not ready (kro gates a node on the `readyWhen` of every node its
 * expressions reference: pkg/runtime/node.go). Used to check the generated RGD against our render without a cluster,
 * and to tell the benchmark which children kro creates when no ACK controller runs.
 */
import { evaluate } from '@marcbachmann/cel-js';

/** One resource of a ResourceGraphDefinition. */
export interface RgdResource {
  readonly id: string;
  readonly template: Record<string, unknown>;
  readonly readyWhen?: readonly string[];
}

/** The parts of a ResourceGraphDefinition read here. */
export interface Rgd {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly spec: {
    readonly schema: { readonly apiVersion: string; readonly kind: string; readonly spec?: Record<string, string> };
    readonly resources: readonly RgdResource[];
  };
}

/** An instance of the RGD's kind, as the user applies it. */
export interface KroInstanceObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec: Record<string, unknown>;
}

/** What kro does with one resource: creates `object`, or holds it back waiting for the resources `waitingFor`. */
export type KroOutcome = { readonly id: string; readonly object: Record<string, unknown> } | { readonly id: string; readonly waitingFor: readonly string[] };

/** One `${...}`: the CEL text and where it sits in the string. */
interface Match {
  readonly expr: string;
  readonly start: number;
  readonly end: number;
}

/**
 * The `${...}` expressions of `str`, as kro's parser finds them (pkg/graph/parser/cel.go): braces are counted outside
 * double-quoted CEL string literals, so `${{"a": x}}` and `${"${"}` are one expression each.
 */
export function extractExpressions(str: string): Match[] {
  const matches: Match[] = [];
  let start = 0;
  while (start < str.length) {
    const at = str.indexOf('${', start);
    if (at < 0) break;
    let depth = 1;
    let end = at + 2;
    let inString = false;
    for (; end < str.length; end++) {
      const c = str[end];
      if (inString && c === '\\') {
        end++;
        continue;
      }
      if (c === '"') inString = !inString;
      else if (!inString && c === '{') depth++;
      else if (!inString && c === '}' && --depth === 0) break;
    }
    if (depth !== 0) {
      start = at + 1;
      continue;
    }
    matches.push({ expr: str.slice(at + 2, end), start: at, end: end + 1 });
    start = end + 1;
  }
  return matches;
}

/** cel-js returns integers as bigint; templates want JSON numbers. */
const toJson = (v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : v);

/**
 * Evaluates one field value: a string that is exactly one expression becomes the expression's value (any type); a
 * string with expressions among text is their concatenation (each must be a string, as kro requires).
 */
function evaluateString(str: string, ctx: Record<string, unknown>): unknown {
  const matches = extractExpressions(str);
  if (matches.length === 0) return str;
  if (matches.length === 1 && matches[0]!.start === 0 && matches[0]!.end === str.length) return toJson(evaluate(matches[0]!.expr, ctx));
  let out = '';
  let from = 0;
  for (const m of matches) {
    const value = evaluate(m.expr, ctx);
    if (typeof value !== 'string') throw new Error(`\${${m.expr}} in a string template returns ${typeof value}, not a string`);
    out += str.slice(from, m.start) + value;
    from = m.end;
  }
  return out + str.slice(from);
}

/** `value` with every `${...}` evaluated in `ctx` (a deep copy). */
export function interpolate(value: unknown, ctx: Record<string, unknown>): unknown {
  if (typeof value === 'string') return evaluateString(value, ctx);
  if (Array.isArray(value)) return value.map((v) => interpolate(v, ctx));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, ctx)]));
  return value;
}

/** Every string of a template, depth first. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

/** The resource ids among `ids` that the expressions of `template` reference (identifiers outside string literals). */
export function referencedIds(template: unknown, ids: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  for (const s of strings(template)) {
    for (const { expr } of extractExpressions(s)) {
      const code = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
      for (const m of code.matchAll(/(?<![\w.])([A-Za-z_]\w*)/g)) if (ids.has(m[1]!)) found.add(m[1]!);
    }
  }
  return [...found].sort();
}

/** The defaults of the RGD's SimpleSchema spec fields (`string | default="prod"`), as the generated CRD applies them. */
export function schemaDefaults(rgd: Rgd): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, type] of Object.entries(rgd.spec.schema.spec ?? {})) {
    const m = /\|.*\bdefault=(?:"((?:[^"\\]|\\.)*)"|(\S+))/.exec(type);
    if (m) out[field] = m[1] ?? m[2];
  }
  return out;
}

/** Whether every `readyWhen` of `resource` holds for its observed object. */
function isReady(resource: RgdResource, observed: unknown): boolean {
  if (!observed) return false;
  const ctx = JSON.parse(JSON.stringify({ [resource.id]: observed })) as Record<string, unknown>;
  return (resource.readyWhen ?? []).every((expr) => {
    try {
      return evaluateString(expr, ctx) === true;
    } catch {
      return false; // A status field not there yet: kro waits (data pending).
    }
  });
}

/**
 * What kro does with each resource of `rgd` for `instance`, given the objects it observes (`observed`, by resource
 * id: the live children with their status). A resource is created when every resource its expressions reference is
 * observed and ready, and held back otherwise; nothing else gates it (kro v0.9.4 applies every resolvable resource in
 * one batch per reconcile).
 */
export function kroOutcomes(rgd: Rgd, instance: KroInstanceObject, observed: ReadonlyMap<string, unknown> = new Map()): KroOutcome[] {
  const byId = new Map(rgd.spec.resources.map((r) => [r.id, r]));
  const ids = new Set(byId.keys());
  // A JSON round trip: cel-js only accepts plain objects of its own realm (Jest runs tests in a VM context).
  const schema = JSON.parse(JSON.stringify({ ...instance, spec: { ...schemaDefaults(rgd), ...instance.spec } })) as unknown;
  return rgd.spec.resources.map((r): KroOutcome => {
    const refs = referencedIds(r.template, ids);
    const waitingFor = refs.filter((id) => !isReady(byId.get(id)!, observed.get(id)));
    if (waitingFor.length > 0) return { id: r.id, waitingFor };
    const ctx = JSON.parse(JSON.stringify({ schema, ...Object.fromEntries(refs.map((id) => [id, observed.get(id)])) })) as Record<string, unknown>;
    return { id: r.id, object: interpolate(r.template, ctx) as Record<string, unknown> };
  });
}
