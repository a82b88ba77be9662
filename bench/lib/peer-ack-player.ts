/**
 * Plays the ACK controllers' part before the side-by-side steady state (`--peer kro`): no ACK controller runs in the
 * benchmark, so no child ever reports ACK.ResourceSynced, and kro requeues an instance every 3 s (re-reading and
 * re-applying all its children) for as long as a child is not ready. To measure kro's steady state at all, and ours
 * under the same conditions, every child gets the status an ACK controller would write once its AWS resource exists
 * (test/integration/helpers/ack-simulator.ts: conditions, ids, ARNs), and the children that wait for those values
 * (late bindings; kro's references to other resources' status) get theirs when they appear.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { forEachLimited } from '../../controllers/runtime/for-each-limited.js';
import { syncedStatus } from '../../test/integration/helpers/ack-simulator.js';
import type { Ctx } from '../phases/context.js';
import { sleep, type Log } from './util.js';

type Child = KubernetesObject & { spec?: Record<string, unknown>; status?: { conditions?: { type?: string; status?: string }[] } };

const synced = (o: Child) => !!o.status?.conditions?.some((c) => c.type === 'ACK.ResourceSynced' && c.status === 'True');

/** What a {@link playAck} did. */
export interface AckPlay {
  /** Children marked synced (each once). */
  readonly marked: number;
  /** Children in the namespace at the end. */
  readonly children: number;
  readonly ms: number;
  /** Whether `converged()` held at the end (else the time limit ended it). */
  readonly converged: boolean;
}

/**
 * Marks every child of namespace `ns` synced, again and again for children that appear meanwhile (a controller runs
 * and creates the late-bound ones), until a pass finds nothing to mark and `converged()` holds, or `limitMs` passed.
 */
export async function playAck(ctx: Ctx, ns: string, converged: () => Promise<boolean>, log: Log, limitMs: number): Promise<AckPlay> {
  const t0 = performance.now();
  let marked = 0;
  let children = 0;
  for (let pass = 1; ; pass++) {
    const all = (await Promise.all(ctx.kinds.map((k) => ctx.kube.list<Child>({ apiVersion: k.apiVersion, kind: k.kind, namespace: ns })))).flat();
    children = all.length;
    const todo = all.filter((o) => !synced(o));
    // 16 in flight, as the benchmark applies environments: a pace the API server takes on 2 cores.
    await forEachLimited(todo, 16, async (o) => {
      await ctx.kube.patchStatus({ apiVersion: o.apiVersion!, kind: o.kind!, namespace: ns, name: o.metadata!.name! }, syncedStatus(o));
    });
    marked += todo.length;
    if (todo.length === 0 && (await converged())) return { marked, children, ms: performance.now() - t0, converged: true };
    if (performance.now() - t0 > limitMs) {
      log(`ACK player: not converged after ${(limitMs / 1000).toFixed(0)} s (${marked} children marked synced, ${children} in ${ns})`);
      return { marked, children, ms: performance.now() - t0, converged: false };
    }
    if (todo.length === 0) await sleep(2_000);
    else if (pass % 5 === 0) log(`ACK player: ${marked} children marked synced so far (${children} in ${ns})`);
  }
}
