/**
 * The checks of hack/ack-smoke.ts that need no cluster: ACK conditions, moto's facts, late bindings, whether ACK kept
 * the spec we wrote (the operator's own no-op test), and the diffs ACK logged on its resyncs.
 */
import { ackDiffEntries, currentLogText } from '../localcluster/ack-logs.js';
import { isSubset } from '../controllers/marketplace-environment/apply-diff.js';
import type { AckCondition, AckObject, Case } from './ack-smoke-cases.js';

/** The condition of `type`, if the object has it. */
export function condition(obj: AckObject | undefined, type: string): AckCondition | undefined {
  return obj?.status?.conditions?.find((c) => c.type === type);
}

/** The ACK conditions that explain a not-synced object, most telling first. */
export function explain(obj: AckObject | undefined): string {
  if (!obj) return 'object not readable';
  const conds = obj.status?.conditions ?? [];
  if (conds.length === 0) return 'no status conditions (controller never reconciled it)';
  const order = ['ACK.Terminal', 'ACK.ReferencesResolved', 'ACK.Recoverable', 'ACK.ResourceSynced', 'ACK.Advisory'];
  const rank = (c: AckCondition): number => (order.includes(c.type) ? order.indexOf(c.type) : order.length);
  return [...conds]
    .sort((a, b) => rank(a) - rank(b))
    .filter((c) => c.type !== 'ACK.ReferencesResolved' || c.status !== 'True')
    .map((c) => `${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ''}${c.message ? `: ${c.message}` : ''}`)
    .join(' | ');
}

/**
 * The AWS id `localcluster/moto/inventory.py` lists for a case's object: what ACK recorded (ARN, launch template id)
 * or the name AWS addresses the resource by. Undefined for kinds without detail facts, or before ACK recorded it.
 */
export function awsIdOf(c: Case, obj: AckObject | undefined): string | undefined {
  if (!obj) return undefined;
  if (c.service === 'elbv2' || (c.service === 'iam' && c.kind === 'Policy')) return obj.status?.ackResourceMetadata?.arn;
  if (c.service === 'iam' || c.service === 'ecr') return obj.spec?.name as string | undefined;
  if (c.kind === 'LaunchTemplate') return obj.status?.id;
  return undefined;
}

/** `field: want X, moto says Y` for every expected fact moto reports differently (compared as JSON). */
export function factMismatches(expected: Record<string, unknown>, actual: Record<string, unknown> | undefined): string[] {
  if (!actual) return ['moto does not list it'];
  return Object.entries(expected)
    .filter(([field, want]) => JSON.stringify(want) !== JSON.stringify(actual[field]))
    .map(([field, want]) => `${field}: want ${JSON.stringify(want)}, moto says ${JSON.stringify(actual[field])}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** RFC 7386 JSON merge patch of `target` with `patch` (objects merge, arrays and scalars replace, null removes). */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** The ARNs ACK recorded, by `<Kind>/<name>` of the smoke's objects. */
export type ArnsByObject = ReadonlyMap<string, string>;

/** The objects a case's late bindings wait for (no ARN recorded yet). */
export function unboundSources(c: Case, arns: ArnsByObject): string[] {
  return [...new Set((c.bind ?? []).map((b) => `${b.from.kind}/${b.from.name}`))].filter((key) => !arns.has(key));
}

/**
 * A copy of `spec` with every late binding of the case whose path exists in it set to its source's ARN, as the
 * operator's late bindings do (charts/bindings.ts). Throws if a source has no ARN yet: check {@link unboundSources}.
 */
export function bindSpec(spec: Record<string, unknown>, c: Case, arns: ArnsByObject): Record<string, unknown> {
  const copy = structuredClone(spec);
  for (const b of c.bind ?? []) {
    const arn = arns.get(`${b.from.kind}/${b.from.name}`);
    if (arn === undefined) throw new Error(`${c.kind}/${c.object.metadata?.name}: no ARN of ${b.from.kind}/${b.from.name} yet`);
    const parent = b.path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string | number, unknown> | undefined)?.[key], copy);
    if (parent !== null && typeof parent === 'object') (parent as Record<string | number, unknown>)[b.path[b.path.length - 1] as string] = arn;
  }
  return copy;
}

/**
 * The top-level spec fields of `written` that are not a subset of the live spec: ACK rewrote them. The operator
 * applies a child again whenever that is the case (controllers/marketplace-environment/apply-diff.ts), so such a
 * field makes it and ACK take turns writing the object.
 */
export function specNotKept(written: Record<string, unknown>, live: AckObject | undefined): string[] {
  const spec = live?.spec ?? {};
  return Object.keys(written).filter((key) => !isSubset(written[key], spec[key]));
}

/** A controller's log and where its current process started writing (localcluster/ack-controllers.ts). */
export interface ControllerLog {
  logPath: string;
  logOffset: number;
}

/**
 * The spec fields ACK found different from AWS after `since`, per `<Kind>/<name>` of namespace `ns`, from the
 * "desired resource state has changed" lines the runtime logs before each update it makes.
 */
export function diffsSince(logs: readonly ControllerLog[], ns: string, since: number): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const log of logs) {
    for (const entry of ackDiffEntries(currentLogText(log))) {
      if (entry.namespace !== ns || entry.at < since) continue;
      const key = `${entry.kind}/${entry.name}`;
      const paths = found.get(key) ?? new Set<string>();
      for (const path of entry.paths) paths.add(path);
      found.set(key, paths);
    }
  }
  return found;
}
