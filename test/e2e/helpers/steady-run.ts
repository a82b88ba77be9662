/**
 * The whole steady-state measurement in one call (bench/ack-steady.ts): settle, a steady window, the spec change,
 * another steady window, clean up. The e2e test (test/e2e/steady-state.test.ts) runs the same steps one `it` each.
 */
import { sleep } from '../../../bench/lib/util.js';
import { AckSteadyState, STEADY_CHANGE, type CreationApplies, type SteadyStateOptions } from './steady-state.js';
import { kindFigures, type KindFigures, type WindowFigures } from './steady-figures.js';

/** The figures of a whole measurement (bench/ack-steady.ts writes them as JSON). */
export interface AckSteadyResult {
  readonly params: { resyncS: number; ackResyncS: number; windowS: number; environments: string[]; ackControllers: Record<string, string> };
  readonly settleSeconds: number;
  /** The operator's applies until settled, against the children it applied (see AckSteadyState.creationApplies). */
  readonly creation: CreationApplies;
  /** Children ACK reports synced, by `<service> <Kind>`: the kinds the windows cover. */
  readonly syncedKinds: Record<string, number>;
  readonly steady: WindowFigures;
  readonly change: { description: string; changed: string[]; settleSeconds: number; figures: WindowFigures };
  readonly afterChange: WindowFigures;
  /** The operator's writes in both steady windows (its counter): the figure expected to be 0. */
  readonly ack_steady_writes: number;
  /** The same by kube-apiserver's count (undefined when its /metrics could not be read). */
  readonly ack_steady_writes_apiserver?: number;
  readonly kinds: Record<string, KindFigures>;
  readonly deletionSeconds?: number;
}

/** Runs the whole measurement: settle, a steady window, the change, another steady window, clean up. */
export async function runAckSteadyState(options: SteadyStateOptions & { windowS: number; settleTimeoutS?: number }): Promise<AckSteadyResult> {
  const log = options.log ?? (() => undefined);
  const state = await AckSteadyState.start(options);
  try {
    const resyncS = options.resyncS ?? 10;
    const settleTimeoutMs = (options.settleTimeoutS ?? 600) * 1000;
    const settleSeconds = await state.waitSettled(settleTimeoutMs);
    const creation = await state.creationApplies();
    log(`settled in ${settleSeconds} s; a resync period to let the last events pass, then ${options.windowS} s counted`);
    await sleep(resyncS * 1000);
    const steady = await state.window(options.windowS * 1000);
    log(`steady: ${steady.operator.total} operator writes, ${steady.reconciles} reconciles`);
    const change = await state.change(settleTimeoutMs, resyncS * 1000);
    log(`change: ${change.figures.operator.apply} applies for ${change.changed.length} changed children`);
    const afterChange = await state.window(options.windowS * 1000);
    log(`after the change: ${afterChange.operator.total} operator writes, ${afterChange.reconciles} reconciles`);
    const syncedKinds = await state.syncedKinds();
    const ackControllers = state.ackVersions;
    const deletionSeconds = await state.stop();
    return {
      params: { resyncS, ackResyncS: options.ackResyncS ?? 15, windowS: options.windowS, environments: state.runs.map((r) => r.id), ackControllers },
      settleSeconds,
      creation,
      syncedKinds,
      steady,
      change: { description: STEADY_CHANGE.description, ...change },
      afterChange,
      ack_steady_writes: steady.operator.total + afterChange.operator.total,
      ack_steady_writes_apiserver: steady.apiserver && afterChange.apiserver ? steady.apiserver.total + afterChange.apiserver.total : undefined,
      kinds: kindFigures(syncedKinds, steady, change.figures, afterChange),
      deletionSeconds,
    };
  } finally {
    await state.stop().catch(() => undefined);
  }
}
