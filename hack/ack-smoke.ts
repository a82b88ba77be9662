/**
 * ACK smoke test against emulated AWS: starts moto (localcluster/aws-emulator.ts) and every built ACK
 * controller (localcluster/ack-controllers.ts) against a running cluster, creates one object of each kind the
 * operator renders with a minimal valid spec (hack/ack-smoke-cases.ts), waits (bounded) for `ACK.ResourceSynced=True`,
 * checks that moto has the AWS resources (and, for the application tier, what its API reports about them), changes
 * the objects that have an update and waits until moto reports the change, prints a table, then deletes everything
 * and checks it goes away. Processes it started are always stopped.
 *
 * Usage: npx tsx hack/ack-smoke.ts [kubeconfig] [--timeout <s>] [--update-timeout <s>] [--delete-timeout <s>]
 *          [--log-dir <dir>] [--json <file>]
 *          [--services ec2,rds,...]   (default: every built controller; the kinds of the others are skipped)
 *   kubeconfig defaults to .cluster/kubeconfig (`npm run cluster:up`). Exit 0 when every kind whose
 *   controller is built synced, matched moto's view, took its update and was deleted, 1 otherwise.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { startAckControllers, type AckControllers } from '../localcluster/ack-controllers.js';
import { MOTO_INVENTORY_SCRIPT, MOTO_PYTHON, awsInventory, startAwsEmulator, type AwsEmulator } from '../localcluster/aws-emulator.js';
import { REPO_ROOT } from '../localcluster/paths.js';
import { awsIdOf, factMismatches, smokeCases, type AckCondition, type AckObject, type Case } from './ack-smoke-cases.js';

/** Outcome per kind, printed as the table. */
interface Row {
  service: string;
  kind: string;
  name: string;
  synced: boolean | 'no controller';
  seconds?: number;
  detail?: string;
  deleted?: boolean;
  deleteDetail?: string;
  /** Whether the AWS resource exists in the emulator after the sync wait (by count per kind). */
  inAws?: boolean;
  /** Whether it is gone from the emulator after the delete wait. */
  goneFromAws?: boolean;
  /** moto's facts about the resource differ from the case's (empty: they match; undefined: nothing to compare). */
  awsMismatches?: string[];
  /** Outcome of the case's update: seconds until moto reported it, or what moto still reports differently. */
  updated?: { seconds: number } | { mismatches: string[] };
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);

interface Options {
  kubeconfig: string;
  timeoutS: number;
  updateTimeoutS: number;
  deleteTimeoutS: number;
  logDir: string;
  json?: string;
  services?: string[];
}

function parseArgs(argv: string[]): Options {
  const out: Options = {
    kubeconfig: join(REPO_ROOT, '.cluster', 'kubeconfig'),
    timeoutS: 240,
    updateTimeoutS: 90,
    deleteTimeoutS: 120,
    logDir: join(REPO_ROOT, '.cache', 'ack-smoke', new Date().toISOString().replace(/[:.]/g, '-')),
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--timeout') out.timeoutS = Number(value());
    else if (arg === '--update-timeout') out.updateTimeoutS = Number(value());
    else if (arg === '--delete-timeout') out.deleteTimeoutS = Number(value());
    else if (arg === '--log-dir') out.logDir = value();
    else if (arg === '--json') out.json = value();
    else if (arg === '--services') out.services = value().split(',');
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else out.kubeconfig = arg;
  }
  return out;
}

function condition(obj: AckObject | undefined, type: string): AckCondition | undefined {
  return obj?.status?.conditions?.find((c) => c.type === type);
}

/** The ACK conditions that explain a not-synced object, most telling first. */
function explain(obj: AckObject | undefined): string {
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

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function readOrUndefined(api: KubernetesObjectApi, obj: AckObject): Promise<AckObject | undefined> {
  try {
    return await api.read<AckObject>({
      apiVersion: obj.apiVersion ?? '',
      kind: obj.kind ?? '',
      metadata: { name: obj.metadata?.name ?? '', namespace: obj.metadata?.namespace ?? '' },
    });
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

async function createAll(api: KubernetesObjectApi, core: CoreV1Api, ns: string, cases: Case[]): Promise<void> {
  await core.createNamespace({ body: { metadata: { name: ns } } });
  await core.createNamespacedSecret({
    namespace: ns,
    body: { metadata: { name: 'db-master' }, type: 'Opaque', stringData: { password: 'smoke-test-password-0123' } },
  });
  for (const c of cases) await api.create(c.object);
}

/** Polls every object until synced or `timeoutS`; returns one row per case. */
async function waitSynced(api: KubernetesObjectApi, cases: Case[], running: Set<string>, timeoutS: number): Promise<Row[]> {
  const start = Date.now();
  const rows = new Map<Case, Row>();
  for (const c of cases) {
    const row: Row = { service: c.service, kind: c.kind, name: c.object.metadata?.name ?? '', synced: false };
    if (!running.has(c.service)) row.synced = 'no controller';
    rows.set(c, row);
  }
  const pending = (): Case[] => cases.filter((c) => rows.get(c)?.synced === false);
  while (pending().length > 0 && Date.now() - start < timeoutS * 1000) {
    for (const c of pending()) {
      const obj = await readOrUndefined(api, c.object);
      const row = rows.get(c) as Row;
      if (condition(obj, 'ACK.ResourceSynced')?.status === 'True') {
        row.synced = true;
        row.seconds = Math.round((Date.now() - start) / 1000);
        row.detail = undefined;
        say(`  synced: ${c.kind}/${row.name} after ${row.seconds} s`);
      } else {
        row.detail = explain(obj);
      }
    }
    await sleep(2_000);
  }
  return cases.map((c) => rows.get(c) as Row);
}

/** Deletes in reverse creation order and waits until each object is gone (finalizer removed). */
async function deleteAll(api: KubernetesObjectApi, cases: Case[], rows: Row[], timeoutS: number): Promise<void> {
  for (const c of [...cases].reverse()) {
    try {
      await api.delete(c.object);
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
  }
  const start = Date.now();
  const left = (): number[] => rows.map((_, i) => i).filter((i) => rows[i]?.deleted === undefined);
  while (left().length > 0) {
    for (const i of left()) {
      const obj = await readOrUndefined(api, (cases[i] as Case).object);
      if (!obj) (rows[i] as Row).deleted = true;
      else (rows[i] as Row).deleteDetail = explain(obj);
    }
    if (Date.now() - start > timeoutS * 1000) break;
    if (left().length > 0) await sleep(2_000);
  }
  for (const i of left()) (rows[i] as Row).deleted = false;
}

/**
 * Compares the emulator's inventory with the rows, per kind: after the sync wait every synced object of a
 * kind must have an AWS resource (count >= synced objects); after the delete wait none may be left.
 */
function markAws(rows: Row[], inventory: Record<string, string[]>, field: 'inAws' | 'goneFromAws'): void {
  for (const r of rows) {
    if (r.synced === 'no controller') continue;
    const live = inventory[`${r.service} ${r.kind}`]?.length ?? 0;
    if (field === 'inAws') {
      if (r.synced === true) r.inAws = live >= rows.filter((o) => o.kind === r.kind && o.synced === true).length;
    } else {
      r.goneFromAws = live === 0;
    }
  }
}

/** moto's facts about the application-tier resources (`inventory.py --details`), by `<service> <Kind>` and AWS id. */
type AwsFacts = Record<string, Record<string, Record<string, unknown>>>;

async function awsFacts(moto: AwsEmulator): Promise<AwsFacts> {
  const { stdout } = await promisify(execFile)(MOTO_PYTHON, [MOTO_INVENTORY_SCRIPT, '--details', moto.endpoint], { timeout: 60_000 });
  return JSON.parse(stdout) as AwsFacts;
}

/** What moto reports differently from `expected` for the case's resource. */
function mismatchesOf(c: Case, obj: AckObject | undefined, facts: AwsFacts, expected: Record<string, unknown>): string[] {
  const id = awsIdOf(c, obj);
  if (!id) return ['ACK recorded no AWS id'];
  return factMismatches(expected, facts[`${c.service} ${c.kind}`]?.[id]);
}

/** Compares moto's facts with each synced case's expected ones. */
async function checkFacts(api: KubernetesObjectApi, moto: AwsEmulator, cases: Case[], rows: Row[]): Promise<void> {
  const facts = await awsFacts(moto);
  for (const [i, c] of cases.entries()) {
    const row = rows[i] as Row;
    if (c.aws && row.synced === true) row.awsMismatches = mismatchesOf(c, await readOrUndefined(api, c.object), facts, c.aws);
  }
}

/**
 * Applies every synced case's update (merge patch of its spec) at once, then polls moto until each reports the
 * change, or `timeoutS`. ACK has no observedGeneration, so moto's view is the only reliable sign the change landed.
 */
async function updateAll(api: KubernetesObjectApi, moto: AwsEmulator, cases: Case[], rows: Row[], timeoutS: number): Promise<void> {
  const todo = cases.map((c, i) => ({ c, row: rows[i] as Row })).filter(({ c, row }) => c.update && row.synced === true);
  if (todo.length === 0) return;
  say(`updating ${todo.length} objects; waiting up to ${timeoutS} s for moto to report the change`);
  for (const { c } of todo) {
    const { apiVersion, kind, metadata } = c.object;
    await api.patch({ apiVersion, kind, metadata: { name: metadata?.name, namespace: metadata?.namespace }, spec: c.update?.spec }, undefined, undefined, 'ack-smoke', undefined, PatchStrategy.MergePatch);
  }
  const start = Date.now();
  for (;;) {
    const facts = await awsFacts(moto);
    for (const { c, row } of todo.filter(({ row }) => !row.updated || 'mismatches' in row.updated)) {
      const mismatches = mismatchesOf(c, await readOrUndefined(api, c.object), facts, c.update?.aws ?? {});
      row.updated = mismatches.length === 0 ? { seconds: Math.round((Date.now() - start) / 1000) } : { mismatches };
    }
    if (todo.every(({ row }) => row.updated && 'seconds' in row.updated) || Date.now() - start > timeoutS * 1000) return;
    await sleep(2_000);
  }
}

/** Whether a row shows a failure: not synced, not deleted, missing from or left in AWS, wrong facts, update not applied. */
function failed(r: Row): boolean {
  return (
    r.synced === false ||
    r.deleted === false ||
    r.inAws === false ||
    r.goneFromAws === false ||
    (r.awsMismatches?.length ?? 0) > 0 ||
    (r.updated !== undefined && 'mismatches' in r.updated)
  );
}

function printTable(rows: Row[]): void {
  const synced = (r: Row): string => (r.synced === true ? `yes (${r.seconds} s)` : r.synced === false ? 'NO' : 'no controller');
  const yesNo = (v: boolean | undefined): string => (v === true ? 'yes' : v === false ? 'NO' : '-');
  const view = (r: Row): string => (r.awsMismatches === undefined ? '-' : r.awsMismatches.length === 0 ? 'as specified' : 'NO');
  const updated = (r: Row): string => (r.updated === undefined ? '-' : 'seconds' in r.updated ? `yes (${r.updated.seconds} s)` : 'NO');
  say("\n| kind | object | synced | in AWS | moto's view | updated | k8s object deleted | gone from AWS |");
  say('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    say(`| ${r.service} ${r.kind} | ${r.name} | ${synced(r)} | ${yesNo(r.inAws)} | ${view(r)} | ${updated(r)} | ${yesNo(r.deleted)} | ${yesNo(r.goneFromAws)} |`);
  }
  const bad = rows.filter(failed);
  if (bad.length > 0) say('\nFailures:');
  for (const r of bad) {
    for (const m of r.awsMismatches ?? []) say(`- ${r.kind}/${r.name}: moto's view differs: ${m}`);
    if (r.updated && 'mismatches' in r.updated) say(`- ${r.kind}/${r.name}: update not reported by moto: ${r.updated.mismatches.join('; ')}`);
    if (r.synced === false) say(`- ${r.kind}/${r.name} not synced: ${r.detail ?? ''}`);
    if (r.deleted === false) say(`- ${r.kind}/${r.name} not deleted: ${r.deleteDetail ?? ''}`);
    if (r.inAws === false) say(`- ${r.kind}/${r.name}: synced, but the emulator has fewer ${r.kind}s than synced objects`);
    if (r.goneFromAws === false) say(`- ${r.kind}/${r.name}: still in the emulator after the delete`);
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  const opts = parseArgs(process.argv.slice(2));
  mkdirSync(opts.logDir, { recursive: true });
  const kc = new KubeConfig();
  kc.loadFromFile(opts.kubeconfig);
  const api = KubernetesObjectApi.makeApiClient(kc);
  const core = kc.makeApiClient(CoreV1Api);
  const id = Math.random().toString(36).slice(2, 7);
  const ns = `ack-smoke-${id}`;
  const cases = smokeCases(ns, id);

  let moto: AwsEmulator | undefined;
  let controllers: AckControllers | undefined;
  let rows: Row[] = [];
  try {
    say(`logs: ${opts.logDir}`);
    moto = await startAwsEmulator({ logDir: opts.logDir });
    say(`moto: ${moto.endpoint} (pid ${moto.pid})`);
    controllers = await startAckControllers({ kubeconfigPath: opts.kubeconfig, endpoint: moto.endpoint, logDir: opts.logDir, services: opts.services });
    for (const c of controllers.running) say(`controller: ${c.service} ${c.tag} (pid ${c.pid})`);
    for (const m of controllers.missing) say(`controller missing: ${m.service}: ${m.reason}`);
    const running = new Set(controllers.running.map((c) => c.service));
    const active = cases.filter((c) => running.has(c.service));

    say(`creating ${active.length} objects in namespace ${ns}; waiting up to ${opts.timeoutS} s for ACK.ResourceSynced`);
    await createAll(api, core, ns, active);
    rows = await waitSynced(api, cases, running, opts.timeoutS);
    markAws(rows, await awsInventory(moto), 'inAws');
    await checkFacts(api, moto, cases, rows);
    await updateAll(api, moto, cases, rows, opts.updateTimeoutS);
    // The objects as ACK left them (status, late-initialised spec), for debugging a failed kind.
    const synced = await Promise.all(active.map((c) => readOrUndefined(api, c.object)));
    writeFileSync(join(opts.logDir, 'objects.json'), `${JSON.stringify(synced, null, 2)}\n`);
    say(`deleting; waiting up to ${opts.deleteTimeoutS} s for the objects to go away`);
    await deleteAll(api, active, rows.filter((r) => r.synced !== 'no controller'), opts.deleteTimeoutS);
    markAws(rows, await awsInventory(moto), 'goneFromAws');
    await core.deleteNamespace({ name: ns }).catch(() => undefined);
  } finally {
    await controllers?.stop();
    await moto?.stop();
  }
  printTable(rows);
  say(`\nwall time ${Math.round((Date.now() - started) / 1000)} s (moto and ${controllers?.running.length ?? 0} controllers started and stopped)`);
  if (opts.json) writeFileSync(opts.json, `${JSON.stringify(rows, null, 2)}\n`);
  return rows.some(failed) ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`ack-smoke: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 2;
  },
);
