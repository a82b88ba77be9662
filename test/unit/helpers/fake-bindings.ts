/**
 * Test helper: fills the late bindings of rendered objects the way the controller does (its own resolveBindings),
 * from fake source objects that hold a plausible value at every field a binding reads. What comes out is what the
 * controller would apply, so it can be checked against the CRDs and read like AWS would.
 */
import { bindingsOf, resolveBindings } from '../../../controllers/marketplace-environment/resolve-bindings.js';
import type { RenderedObject } from '../../../charts/render.js';

/** Account id of every fake ARN. */
export const FAKE_ACCOUNT = '123456789012';

/** A plausible value for `fieldPath` of the child `kind`/`name`. */
export function fakeValue(kind: string, name: string, fieldPath: string): string {
  if (fieldPath.endsWith('ownerAccountID')) return FAKE_ACCOUNT;
  if (fieldPath === 'status.repositoryURI') return `${FAKE_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/${name}`;
  if (/arn$/i.test(fieldPath)) return `arn:aws:fake:us-east-1:${FAKE_ACCOUNT}:${kind.toLowerCase()}/${name}`;
  if (fieldPath === 'status.subnetID') return `subnet-${name}`;
  if (fieldPath === 'status.id') return `id-${name}`;
  return `${name}.${fieldPath.split('.').pop()}.example`;
}

/** Every object of `objects` with its bindings filled in from fake sources (none is held back). */
export function resolveWithFakes(objects: readonly RenderedObject[]): RenderedObject[] {
  const sources = new Map<string, Record<string, unknown>>();
  for (const o of objects) {
    for (const b of bindingsOf(o)) {
      const key = `${b.from.apiVersion}/${b.from.kind}/${b.from.name}`;
      const source = sources.get(key) ?? {};
      let cur = source;
      const parts = b.fieldPath.split('.');
      parts.slice(0, -1).forEach((part, i) => {
        if (part === '*') {
          // The element `where` selects, added to the array when it has none yet.
          const list = cur as unknown as Record<string, unknown>[];
          const where = b.where ?? {};
          let found = list.find((e) => Object.entries(where).every(([k, v]) => e[k] === v));
          if (!found) list.push((found = { ...where }));
          cur = found;
          return;
        }
        cur[part] ??= /^(\d+|\*)$/.test(parts[i + 1]!) ? [] : {};
        cur = cur[part] as Record<string, unknown>;
      });
      // A value with the marker `before` cuts at, as the real field has it.
      cur[parts[parts.length - 1]!] = fakeValue(b.from.kind, b.from.name, b.fieldPath) + (b.before ?? '');
      sources.set(key, source);
    }
  }
  return objects.map((o) => {
    const { object, waitingFor } = resolveBindings(o, (apiVersion, kind, name) => sources.get(`${apiVersion}/${kind}/${name}`));
    if (waitingFor.length > 0) throw new Error(`${o.kind} ${o.metadata.name} still waits for ${JSON.stringify(waitingFor)}`);
    return object;
  });
}
