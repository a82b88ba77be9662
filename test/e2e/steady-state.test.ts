/**
 * The operator's steady state against the real ACK controllers on emulated AWS (issue 15, item 3): once the
 * environments have settled, the operator writes nothing over 3.5 resync periods (its own write counter,
 * kube-apiserver's request counts and the managedFields of every child and environment agree); one spec change is
 * applied to exactly the children it renders differently, once each; and then nothing again. The environments,
 * their own ACK controllers (short resync, so ACK re-reads AWS and writes back what it finds during the windows) and
 * the measuring code are in helpers/steady-state.ts, which `bench/ack-steady.ts` runs for longer. The figures are
 * printed and written to `<logDir>/steady-state/result.json`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { e2eInfo } from './env.js';
import { kindFigures, type WindowFigures } from './helpers/steady-figures.js';
import { AckSteadyState, STEADY_CHANGE } from './helpers/steady-state.js';
import { findAckControllers } from '../../localcluster/ack-controllers.js';

const RESYNC_S = 10;
const ACK_RESYNC_S = 15;
const WINDOW_MS = 3.5 * RESYNC_S * 1000;
const SETTLE_TIMEOUT_MS = 600_000;

const info = e2eInfo();
let state: AckSteadyState | undefined;
const result: Record<string, unknown> = {};

/** Only the children (the environment's status is written after a change, as it should be). */
const childrenOf = (keys: readonly string[]) => keys.filter((k) => k.split('/')[1] !== 'MarketplaceEnvironment');

/** A window's figures that must all be zero. */
function writesOf(w: WindowFigures) {
  return { operator: w.operator.total, apiserver: w.apiserver?.total ?? 0, applies: w.applies, written: w.written, fieldsTaken: w.fieldsTaken };
}

beforeAll(async () => {
  state = await AckSteadyState.start({
    kubeconfigPath: info.kubeconfig,
    awsEndpoint: info.awsEndpoint,
    logDir: info.logDir,
    namespaceSuffix: info.namespaceSuffix,
    crds: info.crds,
    resyncS: RESYNC_S,
    ackResyncS: ACK_RESYNC_S,
    log: (l) => process.stderr.write(`[steady] ${l}\n`),
  });
}, 180_000);

afterAll(async () => {
  result.deletionSeconds = await state?.stop();
  const path = join(info.logDir, 'steady-state', 'result.json');
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  // The totals and the per-kind table here; every object's detail in the file.
  const brief = (w: unknown) => {
    const f = w as WindowFigures | undefined;
    return f && { seconds: f.seconds, reconciles: f.reconciles, operator: f.operator.total, apiserver: f.apiserver?.total, written: f.written.length };
  };
  const change = result.change as { changed: string[]; settleSeconds: number; figures: WindowFigures } | undefined;
  const summary = {
    ...result,
    steady: brief(result.steady),
    change: change && { changed: change.changed, settleSeconds: change.settleSeconds, ...brief(change.figures), byVerb: change.figures.operator },
    afterChange: brief(result.afterChange),
  };
  process.stdout.write(`\nsteady state (every object in ${path}):\n${JSON.stringify(summary, null, 2)}\n`);
}, 420_000);

describe('the operator against real ACK controllers, once settled', () => {
  it('measures environments that together render every kind a controller here syncs, the changed one among them', () => {
    const services = findAckControllers().available.map((b) => b.service);
    const every = new Set(AckSteadyState.candidates({ namespaceSuffix: info.namespaceSuffix, crds: info.crds }, services).flatMap((r) => [...r.readyKinds]));
    expect(state!.runs.map((r) => r.id)).toContain(STEADY_CHANGE.id);
    const covered = new Set(state!.runs.flatMap((r) => [...r.readyKinds]));
    expect([...every].filter((k) => !covered.has(k))).toEqual([]);
    result.environments = state!.runs.map((r) => r.id);
    result.ackControllers = state!.ackVersions;
  });

  it('settles: every component as the stack allows (Ready wherever a controller runs and nothing it needs lacks one)', async () => {
    result.settleSeconds = await state!.waitSettled(SETTLE_TIMEOUT_MS);
    // Reported, not asserted: a child applied twice while converging is no fight unless it goes on (the windows).
    result.creation = await state!.creationApplies();
    const synced = await state!.syncedKinds();
    result.syncedKinds = synced;
    // Every kind expected Ready is synced by ACK (the windows cover it).
    const kinds = new Set(state!.runs.flatMap((r) => [...r.readyKinds]));
    expect([...kinds].filter((k) => !synced[k])).toEqual([]);
  }, SETTLE_TIMEOUT_MS + 30_000);

  it(`writes nothing over ${WINDOW_MS / 1000} s (3.5 resync periods) while ACK resyncs every ${ACK_RESYNC_S} s`, async () => {
    // One period for the events of the last transitions to pass.
    await new Promise((r) => setTimeout(r, RESYNC_S * 1000));
    const w = await state!.window(WINDOW_MS);
    result.steady = w;
    // Every environment was reconciled on each resync: the zero is not for want of reconciles.
    expect(w.reconciles).toBeGreaterThanOrEqual(3 * state!.runs.length);
    expect(writesOf(w)).toEqual({ operator: 0, apiserver: 0, applies: {}, written: [], fieldsTaken: {} });
  }, WINDOW_MS + 60_000);

  it(`applies a spec change (${STEADY_CHANGE.description}) once to each child it changes and to no other`, async () => {
    const { changed, settleSeconds, figures } = await state!.change(SETTLE_TIMEOUT_MS, RESYNC_S * 1000);
    result.change = { description: STEADY_CHANGE.description, changed, settleSeconds, figures };
    expect(changed.map((k) => k.split('/').slice(1, 2)[0]).sort()).toEqual(['Bucket', 'DBInstance', 'SecurityGroup']);
    // Per object, as the operator's client sent them (a no-op apply included), and in total.
    expect(figures.applies).toEqual(Object.fromEntries(changed.map((k) => [k, 1])));
    expect(figures.operator.apply).toBe(changed.length);
    if (figures.apiserver) expect(Object.entries(figures.apiserver.byRequest).filter(([k]) => k.startsWith('APPLY ')).reduce((n, [, v]) => n + v, 0)).toBe(changed.length);
    expect(childrenOf(figures.written)).toEqual(changed);
    expect(figures.fieldsTaken).toEqual({});
    // ACK took each change to AWS: its update of each changed child is in its log.
    expect(changed.filter((k) => !figures.ackUpdates[k])).toEqual([]);
  }, 2 * SETTLE_TIMEOUT_MS);

  it(`writes nothing again over ${WINDOW_MS / 1000} s after the change`, async () => {
    const w = await state!.window(WINDOW_MS);
    result.afterChange = w;
    expect(w.reconciles).toBeGreaterThanOrEqual(3 * state!.runs.length);
    expect(writesOf(w)).toEqual({ operator: 0, apiserver: 0, applies: {}, written: [], fieldsTaken: {} });
    // Both windows' operator writes: the figure bench/results calls ack_steady_writes.
    const steady = result.steady as WindowFigures | undefined;
    result.ack_steady_writes = (steady?.operator.total ?? Number.NaN) + w.operator.total;
    const change = (result.change as { figures?: WindowFigures } | undefined)?.figures;
    if (steady && change) result.kinds = kindFigures(result.syncedKinds as Record<string, number>, steady, change, w);
  }, WINDOW_MS + 60_000);
});
