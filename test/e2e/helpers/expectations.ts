/**
 * What an environment's `status.components` must say once it has settled on this stack, derived from the rendered
 * children alone: which services have a controller here, and what each child waits for. A child of a kind without a
 * controller never gets an ACK status; a child whose required late binding names such a child (or one that itself
 * never syncs) is held back by the operator; a child whose ACK reference names one is applied but ACK cannot resolve
 * the reference. Everything else must be Ready. The same rule covers the operator's own AWS actions (aws-gaps): one
 * whose late values come from a child that never syncs waits. Pure.
 */
import { AWS_GAPS_ANNOTATION, type AwsGap, type LateValue } from '../../../charts/aws-gaps.js';
import { BINDINGS_ANNOTATION, type Binding } from '../../../charts/bindings.js';
import type { RenderedObject } from '../../../charts/render.js';
import { COMPONENT_REASONS, type ComponentStatus } from '../../../api/index.js';

/** The settled state of one component: Ready, or not ready with our reason. */
export interface Expected {
  readonly kind: string;
  readonly name: string;
  readonly state: ComponentStatus['state'];
  /** Our reason (COMPONENT_REASONS) when not Ready. */
  readonly reason?: string;
  /** For Waiting and ReferencesUnresolved: the children (`Kind/name`) it waits for. */
  readonly waitsFor?: readonly string[];
}

/** The stack, as far as the expectations depend on it. */
export interface Stack {
  /** Whether an ACK controller runs for the service of `apiVersion`. */
  controlled(apiVersion: string): boolean;
  /** Whether the API server serves the kind (a kind without a controller is served only with its reference CRD). */
  served(o: { apiVersion: string; kind: string }): boolean;
}

const label = (o: { kind: string; metadata: { name: string } }) => `${o.kind}/${o.metadata.name}`;

/** Names of the `*Ref` / `*Refs` targets (`{from: {name}}`) anywhere in a spec. */
export function ackRefs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) ackRefs(v, out);
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (/Refs?$/.test(key)) for (const ref of [v].flat() as { from?: { name?: string } }[]) out.push(ref?.from?.name ?? '');
      else ackRefs(v, out);
    }
  }
  return out;
}

const bindingsOf = (o: RenderedObject): Binding[] => JSON.parse(o.metadata.annotations?.[BINDINGS_ANNOTATION] ?? '[]') as Binding[];
const gapsOf = (o: RenderedObject): AwsGap[] => JSON.parse(o.metadata.annotations?.[AWS_GAPS_ANNOTATION] ?? '[]') as AwsGap[];

/** The expected settled component of every rendered child, then of every aws-gaps declaration. */
export function expectedComponents(rendered: readonly RenderedObject[], stack: Stack): Expected[] {
  const byName = new Map<string, RenderedObject>();
  for (const o of rendered) {
    if (byName.has(o.metadata.name)) throw new Error(`two children named ${o.metadata.name}: ACK references name one of them by name only`);
    byName.set(o.metadata.name, o);
  }
  const memo = new Map<string, Expected>();
  const source = (name: string, from: string): RenderedObject => {
    const o = byName.get(name);
    if (!o) throw new Error(`${from} names ${name}, which the environment does not render`);
    return o;
  };
  // A binding on the environment's own status.outputs reads what an aws-gaps action writes there (a Cognito app
  // client's id): it waits for the children whose actions write outputs.
  const outputWriters = rendered.filter((o) => gapsOf(o).some((g) => 'clientIDOutput' in g)).map((o) => o.metadata.name);
  const sourcesOf = (b: Binding): string[] => (b.from.kind === 'MarketplaceEnvironment' ? outputWriters : [b.from.name]);
  const notReady = (names: readonly string[], from: string) =>
    names.map((n) => source(n, from)).filter((s) => of(s).state !== 'Ready').map(label);
  function of(o: RenderedObject): Expected {
    const key = label(o);
    const known = memo.get(key);
    if (known) return known;
    // A cycle would never settle: the charts' references and bindings form a DAG (deletion waves rely on it).
    memo.set(key, { kind: o.kind, name: o.metadata.name, state: 'Failed', reason: 'cycle' });
    const base = { kind: o.kind, name: o.metadata.name };
    const heldBy = notReady([...new Set(bindingsOf(o).filter((b) => b.required).flatMap(sourcesOf))], key);
    const refsTo = notReady([...new Set(ackRefs((o as { spec?: unknown }).spec))], key);
    const result: Expected = !stack.served(o)
      ? { ...base, state: 'Failed', reason: COMPONENT_REASONS.KindNotInstalled }
      : heldBy.length > 0
        ? { ...base, state: 'Waiting', reason: COMPONENT_REASONS.WaitingForDependency, waitsFor: heldBy }
        : !stack.controlled(o.apiVersion)
          ? { ...base, state: 'Progressing', reason: COMPONENT_REASONS.NotReconciledByACK }
          : refsTo.length > 0
            ? { ...base, state: 'Progressing', reason: COMPONENT_REASONS.ReferencesUnresolved, waitsFor: refsTo }
            : { ...base, state: 'Ready' };
    memo.set(key, result);
    return result;
  }
  const children = rendered.map(of);
  const actions = rendered.flatMap((o) =>
    gapsOf(o).map((gap): Expected => {
      const inputs = Object.values(gap).filter((v): v is LateValue => typeof v === 'object' && v !== null && 'from' in v);
      const waitsFor = notReady([...new Set(inputs.map((v) => v.from.name))], `${label(o)} ${gap.type} ${gap.name}`);
      const base = { kind: gap.type, name: gap.name };
      return waitsFor.length > 0 ? { ...base, state: 'Waiting', reason: COMPONENT_REASONS.WaitingForDependency, waitsFor } : { ...base, state: 'Ready' };
    }),
  );
  return [...children, ...actions];
}

/** Differences between the expected components and `status.components` (empty when they match exactly). */
export function componentMismatches(expected: readonly Expected[], actual: readonly ComponentStatus[]): string[] {
  const key = (c: { kind: string; name: string }) => `${c.kind}/${c.name}`;
  const live = new Map(actual.map((c) => [key(c), c]));
  const problems = expected.flatMap((e) => {
    const c = live.get(key(e));
    if (!c) return [`${key(e)}: no component`];
    if (c.state !== e.state || (e.state !== 'Ready' && c.reason !== e.reason)) {
      return [`${key(e)}: ${c.state}${c.reason ? ` (${c.reason})` : ''}, expected ${e.state}${e.reason ? ` (${e.reason})` : ''}`];
    }
    return [];
  });
  const wanted = new Set(expected.map(key));
  return [...problems, ...actual.filter((c) => !wanted.has(key(c))).map((c) => `${key(c)}: unexpected component`)];
}
