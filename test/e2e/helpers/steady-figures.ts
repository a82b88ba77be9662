/**
 * The figures of the steady-state measurement (steady-state.ts) and the pure functions behind them: which requests
 * only the operator sends, which environments cover every kind, which children a change touches, and the per-kind
 * table. Pure.
 */
import { isDeepStrictEqual } from 'node:util';
import type { RenderedObject } from '../../../charts/render.js';
import type { WriteCounts } from '../../../controllers/runtime/api-write-counter.js';
import { requestsByVerbAndResource } from '../../../bench/lib/prom.js';
import type { AckUpdates } from './write-audit.js';

const objectKey = (o: { apiVersion?: string; kind?: string; metadata?: { name?: string } }) => `${o.apiVersion}/${o.kind}/${o.metadata?.name}`;

/** What one counted window saw. */
export interface WindowFigures {
  readonly seconds: number;
  /** Reconciles the operator ran (a window with none would prove nothing). */
  readonly reconciles: number;
  /** The operator's own write counter, by verb, and its total. */
  readonly operator: WriteCounts & { total: number };
  /** kube-apiserver's count of the requests only the operator sends (undefined when /metrics cannot be read). */
  readonly apiserver?: { total: number; byRequest: Record<string, number> };
  /** managedFields: objects the operator wrote (`<namespace>/<Kind>/<name>`), and their count by kind. */
  readonly written: string[];
  readonly writtenByKind: Record<string, number>;
  /** Objects changed by someone else (ACK) by kind, with where they changed; and the operator's fields they took. */
  readonly changedByOthers: Record<string, { objects: number; paths: string[] }>;
  readonly fieldsTaken: Record<string, string[]>;
  /** ACK's updates to AWS per object (see module comment), and their count by kind. */
  readonly ackUpdates: Record<string, AckUpdates>;
  readonly ackUpdatesByKind: Record<string, number>;
  /** The operator's own AWS calls (controllers/aws-gaps), by `service.method`. */
  readonly operatorAwsCalls: Record<string, number>;
  /** Server-side applies the operator sent (its client, no-op applies included), by `<namespace>/<Kind>/<name>`. */
  readonly applies: Record<string, number>;
}

/** Requests only the operator sends: server-side APPLY to an ACK kind, and any write to our kind (none in a window from the test). */
export function operatorRequests(metrics: string): Record<string, number> {
  return Object.fromEntries(
    Object.entries(requestsByVerbAndResource(metrics)).filter(([key]) => {
      const [verb = '', resource = ''] = key.split(' ');
      if (verb === 'APPLY') return resource !== 'namespaces' && !resource.startsWith('marketplaceenvironments');
      return ['PATCH', 'PUT', 'POST', 'DELETE'].includes(verb) && resource.startsWith('marketplaceenvironments');
    }),
  );
}

/** ACK's updates by kind (`<namespace>/<Kind>/<name>` keys). */
export function updatesByKind(updates: ReadonlyMap<string, AckUpdates>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, u] of updates) {
    const kind = key.split('/')[1] ?? '';
    out[kind] = (out[kind] ?? 0) + u.count;
  }
  return out;
}

/** Objects another client changed, by kind: how many, and the union of where. */
export function othersByKind(changed: Readonly<Record<string, string[]>>): Record<string, { objects: number; paths: string[] }> {
  const out: Record<string, { objects: number; paths: string[] }> = {};
  for (const [key, paths] of Object.entries(changed)) {
    const kind = (out[key.split('/')[1] ?? ''] ??= { objects: 0, paths: [] });
    kind.objects += 1;
    kind.paths = [...new Set([...kind.paths, ...paths])].sort();
  }
  return out;
}

/**
 * Fewest example environments that together render every `<service> <Kind>` any of them has Ready here (greedy set
 * cover, ties by id), plus `mustInclude`. In the order of the examples.
 */
export function coveringRuns<T extends { id: string; readyKinds: ReadonlySet<string> }>(runs: readonly T[], mustInclude: readonly string[] = []): T[] {
  const chosen = new Set(runs.filter((r) => mustInclude.includes(r.id)));
  const covered = new Set([...chosen].flatMap((r) => [...r.readyKinds]));
  const all = new Set(runs.flatMap((r) => [...r.readyKinds]));
  while ([...all].some((k) => !covered.has(k))) {
    const gain = (r: T) => [...r.readyKinds].filter((k) => !covered.has(k)).length;
    const best = runs.filter((r) => !chosen.has(r)).reduce<T | undefined>((b, r) => (b === undefined || gain(r) > gain(b) ? r : b), undefined);
    if (!best || gain(best) === 0) break;
    chosen.add(best);
    for (const k of best.readyKinds) covered.add(k);
  }
  return runs.filter((r) => chosen.has(r));
}

/** Rendered children of `after` that are new or differ from `before` (by apiVersion/kind/name). Pure. */
export function changedChildren(before: readonly RenderedObject[], after: readonly RenderedObject[]): string[] {
  const old = new Map(before.map((o) => [objectKey(o), o]));
  return after.filter((o) => !isDeepStrictEqual(old.get(objectKey(o)), o)).map((o) => `${o.kind}/${o.metadata.name}`);
}

/** One synced kind's figures over the measurement. */
export interface KindFigures {
  /** Children ACK reports synced. */
  readonly children: number;
  /** Objects of the kind the operator wrote in the steady windows (managedFields): 0 expected. */
  readonly steadyWrites: number;
  /** Children of the kind applied because of the spec change. */
  readonly changeApplies: number;
  readonly afterChangeWrites: number;
  /** ACK's own updates to AWS in the two steady windows (no Kubernetes write of the operator), and what differed. */
  readonly ackUpdates: number;
  readonly ackUpdatePaths: string[];
  /** Where ACK changed the objects in the steady windows (Kubernetes writes of ACK), e.g. `status.conditions`. */
  readonly ackWrites: number;
  readonly ackWritePaths: string[];
}

/** Per synced `<service> <Kind>` (see {@link KindFigures}). Pure. */
export function kindFigures(syncedKinds: Readonly<Record<string, number>>, steady: WindowFigures, change: WindowFigures, afterChange: WindowFigures): Record<string, KindFigures> {
  const windows = [steady, afterChange];
  const updates = (kind: string) => windows.flatMap((w) => Object.entries(w.ackUpdates).filter(([k]) => k.split('/')[1] === kind).map(([, u]) => u));
  return Object.fromEntries(
    Object.entries(syncedKinds).map(([key, children]) => {
      const kind = key.split(' ')[1] ?? '';
      return [
        key,
        {
          children,
          steadyWrites: steady.writtenByKind[kind] ?? 0,
          changeApplies: change.writtenByKind[kind] ?? 0,
          afterChangeWrites: afterChange.writtenByKind[kind] ?? 0,
          ackUpdates: updates(kind).reduce((n, u) => n + u.count, 0),
          ackUpdatePaths: [...new Set(updates(kind).flatMap((u) => u.paths))].sort(),
          ackWrites: windows.reduce((n, w) => n + (w.changedByOthers[kind]?.objects ?? 0), 0),
          ackWritePaths: [...new Set(windows.flatMap((w) => w.changedByOthers[kind]?.paths ?? []))].sort(),
        },
      ];
    }),
  );
}
