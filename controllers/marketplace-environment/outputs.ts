/**
 * status.outputs: the values applications need, built from the output declarations of the rendered children
 * (charts/outputs.ts) and the values of their live copies once AWS reports them. Pure; knows no child name or kind.
 */
import type { Outputs } from '../../api/index.js';
import { VALUE_PLACEHOLDER } from '../../charts/bindings.js';
import { OUTPUTS_ANNOTATION, type FieldOutput, type OutputDeclaration, type ValueOutput } from '../../charts/outputs.js';
import type { RenderedObject } from '../../charts/render.js';
import { objectKey } from './child-kinds.js';

/** A live child as read from the cache. */
export type LiveChild = { apiVersion?: string; kind?: string; metadata?: { name?: string }; spec?: any; status?: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The output declarations of a rendered child. */
export function outputsOf(object: RenderedObject): OutputDeclaration[] {
  const raw = object.metadata.annotations?.[OUTPUTS_ANNOTATION];
  return raw ? (JSON.parse(raw) as OutputDeclaration[]) : [];
}

/** Value at a dot path (numeric parts index arrays), if it is a non-empty string or a number. */
function valueAt(obj: unknown, dotPath: string): string | number | undefined {
  let cur: unknown = obj;
  for (const part of dotPath.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[part] : undefined;
  return (typeof cur === 'string' && cur !== '') || typeof cur === 'number' ? cur : undefined;
}

/** The part of `value` after the first `marker` (none: undefined); `value` itself without a marker. */
function cutAfter(value: string | number | undefined, marker: string | undefined): string | number | undefined {
  if (value === undefined || marker === undefined) return value;
  const text = String(value);
  const at = text.indexOf(marker);
  return at < 0 || at + marker.length === text.length ? undefined : text.slice(at + marker.length);
}

/** What a field declaration gives once the field has a value: the value (cut after `after`), written into the template if there is one. */
function fieldValue(child: LiveChild, declaration: FieldOutput): string | number | undefined {
  const found = cutAfter(valueAt(child, declaration.fieldPath), declaration.after);
  return found === undefined || declaration.template === undefined ? found : declaration.template.split(VALUE_PLACEHOLDER).join(String(found));
}

/** Sets `value` at a JSON pointer, creating arrays for numeric segments and objects for the others. */
function setAt(root: Record<string, unknown>, pointer: string, value: unknown): void {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let cur: Record<string, unknown> = root;
  parts.slice(0, -1).forEach((part, i) => {
    cur[part] ??= /^\d+$/.test(parts[i + 1]!) ? [] : {};
    cur = cur[part] as Record<string, unknown>;
  });
  cur[parts[parts.length - 1]!] = value;
}

/** Drops the holes of arrays (entries of children not seen yet) and empty objects and arrays. */
function compact(value: unknown): unknown {
  if (Array.isArray(value)) {
    // filter skips holes: a list of three subnets of which only the third is known becomes a list of one.
    const items = value.map(compact).filter((v) => v !== undefined);
    return items.length > 0 ? items : undefined;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => [k, compact(v)] as const).filter(([, v]) => v !== undefined);
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  }
  return value;
}

/**
 * Outputs of an environment: for each rendered child in `desired` that exists in `live` (by objectKey), its declared
 * outputs; for one output the first declaration with a value wins. `generated` are values only the operator's own AWS
 * calls returned (a Cognito app client id, controllers/aws-gaps/); they come first.
 */
export function computeOutputs(desired: readonly RenderedObject[], live: ReadonlyMap<string, LiveChild>, generated: readonly ValueOutput[] = []): Outputs {
  const outputs: Record<string, unknown> = {};
  const filled = new Set<string>();
  for (const { output, value } of generated) {
    setAt(outputs, output, value);
    filled.add(output);
  }
  for (const object of desired) {
    const child = live.get(objectKey(object));
    if (!child) continue;
    for (const declaration of outputsOf(object)) {
      if (filled.has(declaration.output)) continue;
      const value = 'value' in declaration ? declaration.value : fieldValue(child, declaration);
      if (value === undefined) continue;
      setAt(outputs, declaration.output, value);
      filled.add(declaration.output);
    }
  }
  return (compact(outputs) ?? {}) as Outputs;
}
