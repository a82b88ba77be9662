/**
 * ACK smoke test against emulated AWS: starts moto (localcluster/aws-emulator.ts) and every built ACK controller
 * (localcluster/ack-controllers.ts) against a running cluster, and takes one object of each kind the operator renders
 * (hack/ack-smoke-cases.ts) through the life the operator gives it:
 *   1. create (an object with late bindings once its sources have an ARN) and wait (bounded) for ACK.ResourceSynced;
 *   2. check that moto has the AWS resources and, for the application tier, what its API reports about them;
 *   3. apply each case's update and wait until moto reports the change;
 *   4. restart the controllers with a short resync period (`--resync` s; steps 1-3 run with ACK's default, 10 h, as in
 *      production) and watch them for `--watch` s: a synced object whose spec ACK still finds different from AWS is
 *      updated on every resync (a diff loop);
 *   5. check that ACK kept every spec field we wrote: a field it rewrote makes the operator apply the object again on
 *      each reconcile (controllers/marketplace-environment/apply-diff.ts), a loop between the two;
 *   6. delete everything, wait until the objects are gone and check moto no longer has the resources.
 * Prints a table. Processes it started are always stopped.
 *
 * Usage: npx tsx hack/ack-smoke.ts [kubeconfig] [--timeout <s>] [--update-timeout <s>] [--delete-timeout <s>]
 *          [--resync <s>] [--watch <s> (0 skips step 4)] [--log-dir <dir>] [--json <file>]
 *          [--services ec2,rds,...]   (default: every built controller; the kinds of the others are skipped)
 *   kubeconfig defaults to .cluster/kubeconfig (`npm run cluster:up`). Exit 0 when every kind whose controller is
 *   built passed every step, 1 otherwise.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { startAckControllers, type AckControllers } from '../localcluster/ack-controllers.js';
import { MOTO_INVENTORY_SCRIPT, MOTO_PYTHON, awsInventory, startAwsEmulator, type AwsEmulator } from '../localcluster/aws-emulator.js';
import { REPO_ROOT } from '../localcluster/paths.js';
import { smokeCases, type AckObject, type Case } from './ack-smoke-cases.js';
import { awsIdOf, bindSpec, condition, diffsSince, explain, factMismatches, mergePatch, specNotKept, unboundSources } from './ack-smoke-checks.js';

/** Outcome per case, printed as the table. */
interface Row {
  service: string;
  kind: string;
  name: string;
  synced: boolean | 'no controller';
  seconds?: number;
  detail?: string;
  deleted?: boolean;
  /** Seconds from the delete calls until the object was gone. */
  deleteSeconds?: number;
  deleteDetail?: string;
  /** Whether the AWS resource exists in the emulator after the sync wait (by count per kind). */
  inAws?: boolean;
  /** Whether it is gone from the emulator after the delete wait. */
  goneFromAws?: boolean;
  /** moto's facts about the resource that differ from the case's (empty: they match; undefined: nothing to compare). */
  awsMismatches?: string[];
  /** Outcome of the case's update: seconds until moto reported it, or what moto still reports differently. */
  updated?: { seconds: number } | { mismatches: string[] };
  /** Spec fields ACK still found different from AWS (and went to update) during the quiet watch; empty: none. */
  steadyDiffs?: string[];
  /** Those of them the case lists as known (`resyncDiffs`): reported, not failures. */
  knownDiffs?: string[];
  /** Top-level spec fields we wrote that ACK rewrote; empty: all kept. */
  notKept?: string[];
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Options {
  kubeconfig: string;
  timeoutS: number;
  updateTimeoutS: number;
  resyncS: number;
  watchS: number;
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
    resyncS: 15,
    watchS: 35,
    deleteTimeoutS: 120,
    logDir: join(REPO_ROOT, '.cache', 'ack-smoke', new Date().toISOString().replace(/[:.]/g, '-')),
  };
  const numeric: Record<string, keyof Options> = {
    '--timeout': 'timeoutS',
    '--update-timeout': 'updateTimeoutS',
    '--resync': 'resyncS',
    '--watch': 'watchS',
    '--delete-timeout': 'deleteTimeoutS',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    const field = numeric[arg];
    if (field) (out as unknown as Record<string, number>)[field] = Number(value());
    else if (arg === '--log-dir') out.logDir = value();
    else if (arg === '--json') out.json = value();
    else if (arg === '--services') out.services = value().split(',');
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else out.kubeconfig = arg;
  }
  return out;
}

/** One smoke run: the cluster and moto, the cases, one row per case, what we wrote and the ARNs ACK recorded. */
class Smoke {
  readonly rows: Row[];
  /** The spec we last wrote, per case (after late bindings and updates). */
  private readonly written = new Map<Case, Record<string, unknown>>();
  private readonly arns = new Map<string, string>();

  constructor(
    private readonly api: KubernetesObjectApi,
    private readonly moto: AwsEmulator,
    readonly cases: Case[],
    running: ReadonlySet<string>,
  ) {
    this.rows = cases.map((c) => ({ service: c.service, kind: c.kind, name: c.object.metadata?.name ?? '', synced: running.has(c.service) ? false : 'no controller' }));
  }

  /** The cases with their rows whose controller runs. */
  active(): { c: Case; row: Row }[] {
    return this.cases.map((c, i) => ({ c, row: this.rows[i] as Row })).filter(({ row }) => row.synced !== 'no controller');
  }

  async read(c: Case): Promise<AckObject | undefined> {
    const { apiVersion = '', kind = '', metadata } = c.object;
    try {
      return await this.api.read<AckObject>({ apiVersion, kind, metadata: { name: metadata?.name ?? '', namespace: metadata?.namespace ?? '' } });
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  }

  /** Creates each object once its late bindings resolve, and polls until all synced or `timeoutS`. */
  async createAndWait(timeoutS: number): Promise<void> {
    const start = Date.now();
    const pending = (): { c: Case; row: Row }[] => this.active().filter(({ row }) => row.synced === false);
    while (pending().length > 0 && Date.now() - start < timeoutS * 1000) {
      for (const { c, row } of pending()) {
        if (!this.written.has(c)) {
          await this.readArns(unboundSources(c, this.arns));
          const waiting = unboundSources(c, this.arns);
          if (waiting.length > 0) {
            row.detail = `not created: its late bindings wait for the ARN of ${waiting.join(', ')}`;
            continue;
          }
          const spec = bindSpec(c.object.spec ?? {}, c, this.arns);
          await this.api.create({ ...c.object, spec });
          this.written.set(c, spec);
        }
        const obj = await this.read(c);
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
  }

  /** Reads the ARN ACK recorded (if any yet) for each `<Kind>/<name>` of the set. */
  private async readArns(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      const source = this.cases.find((c) => `${c.kind}/${c.object.metadata?.name}` === key);
      const arn = source && (await this.read(source))?.status?.ackResourceMetadata?.arn;
      if (arn) this.arns.set(key, arn);
    }
  }

  /** moto's facts about the application-tier resources (`inventory.py --details`), by `<service> <Kind>` and AWS id. */
  private async facts(): Promise<Record<string, Record<string, Record<string, unknown>>>> {
    const { stdout } = await promisify(execFile)(MOTO_PYTHON, [MOTO_INVENTORY_SCRIPT, '--details', this.moto.endpoint], { timeout: 60_000 });
    return JSON.parse(stdout) as Record<string, Record<string, Record<string, unknown>>>;
  }

  private async mismatches(c: Case, expected: Record<string, unknown>, facts: Record<string, Record<string, Record<string, unknown>>>): Promise<string[]> {
    const id = awsIdOf(c, await this.read(c));
    return id ? factMismatches(expected, facts[`${c.service} ${c.kind}`]?.[id]) : ['ACK recorded no AWS id'];
  }

  /** Counts per kind against moto's inventory: after the sync every synced object has a resource, after the delete none is left. */
  async markInventory(field: 'inAws' | 'goneFromAws'): Promise<void> {
    const inventory = await awsInventory(this.moto);
    for (const { row } of this.active()) {
      const live = inventory[`${row.service} ${row.kind}`]?.length ?? 0;
      if (field === 'goneFromAws') row.goneFromAws = live === 0;
      else if (row.synced === true) row.inAws = live >= this.rows.filter((o) => o.kind === row.kind && o.synced === true).length;
    }
  }

  /** Compares moto's facts with each synced case's expected ones. */
  async checkFacts(): Promise<void> {
    const facts = await this.facts();
    for (const { c, row } of this.active()) if (c.aws && row.synced === true) row.awsMismatches = await this.mismatches(c, c.aws, facts);
  }

  /** Applies every synced case's update at once (merge patch), then polls moto until each reports it, or `timeoutS`. */
  async updateAll(timeoutS: number): Promise<void> {
    const todo = this.active().filter(({ c, row }) => c.update && row.synced === true);
    if (todo.length === 0) return;
    say(`updating ${todo.length} objects; waiting up to ${timeoutS} s for moto to report the change`);
    for (const { c } of todo) {
      const spec = bindSpec(c.update?.spec ?? {}, c, this.arns);
      const { apiVersion, kind, metadata } = c.object;
      const patch = { apiVersion, kind, metadata: { name: metadata?.name, namespace: metadata?.namespace }, spec };
      await this.api.patch(patch, undefined, undefined, 'ack-smoke', undefined, PatchStrategy.MergePatch);
      this.written.set(c, mergePatch(this.written.get(c), spec) as Record<string, unknown>);
    }
    // ACK has no observedGeneration: moto's view is the only reliable sign that a change landed.
    const start = Date.now();
    for (;;) {
      const facts = await this.facts();
      for (const { c, row } of todo.filter(({ row }) => !row.updated || 'mismatches' in row.updated)) {
        const mismatches = await this.mismatches(c, c.update?.aws ?? {}, facts);
        row.updated = mismatches.length === 0 ? { seconds: Math.round((Date.now() - start) / 1000) } : { mismatches };
      }
      if (todo.every(({ row }) => row.updated && 'seconds' in row.updated) || Date.now() - start > timeoutS * 1000) return;
      await sleep(2_000);
    }
  }

  /** Leaves everything alone for `watchS`, then records per synced case what ACK still went to update. */
  async watchQuiet(controllers: AckControllers, ns: string, watchS: number): Promise<void> {
    const since = Date.now();
    await sleep(watchS * 1000);
    const diffs = diffsSince(controllers.running, ns, since);
    for (const { c, row } of this.active().filter(({ row }) => row.synced === true)) {
      const found = [...(diffs.get(`${row.kind}/${row.name}`) ?? [])].sort();
      row.steadyDiffs = found.filter((path) => !c.resyncDiffs?.includes(path));
      row.knownDiffs = found.filter((path) => c.resyncDiffs?.includes(path));
    }
  }

  /** Records which spec fields we wrote ACK rewrote; returns the objects as ACK left them. */
  async checkKept(): Promise<(AckObject | undefined)[]> {
    const objects: (AckObject | undefined)[] = [];
    for (const { c, row } of this.active()) {
      const obj = await this.read(c);
      objects.push(obj);
      const written = this.written.get(c);
      if (written && row.synced === true) row.notKept = specNotKept(written, obj);
    }
    return objects;
  }

  /** Deletes in reverse creation order and waits until each object is gone (finalizer removed). */
  async deleteAll(timeoutS: number): Promise<void> {
    const active = this.active();
    for (const { c } of [...active].reverse()) {
      await this.api.delete(c.object).catch((err: unknown) => {
        if ((err as { code?: number }).code !== 404) throw err;
      });
    }
    const start = Date.now();
    const left = (): { c: Case; row: Row }[] => active.filter(({ row }) => row.deleted === undefined);
    while (left().length > 0) {
      for (const { c, row } of left()) {
        const obj = await this.read(c);
        if (obj) row.deleteDetail = explain(obj);
        else [row.deleted, row.deleteSeconds] = [true, Math.round((Date.now() - start) / 1000)];
      }
      if (Date.now() - start > timeoutS * 1000) break;
      if (left().length > 0) await sleep(2_000);
    }
    for (const { row } of left()) row.deleted = false;
  }
}

/** Whether a row shows a failure in any step. */
function failed(r: Row): boolean {
  return (
    r.synced === false ||
    r.deleted === false ||
    r.inAws === false ||
    r.goneFromAws === false ||
    (r.awsMismatches?.length ?? 0) > 0 ||
    (r.updated !== undefined && 'mismatches' in r.updated) ||
    (r.steadyDiffs?.length ?? 0) > 0 ||
    (r.notKept?.length ?? 0) > 0
  );
}

function printTable(rows: Row[]): void {
  const synced = (r: Row): string => (r.synced === true ? `yes (${r.seconds} s)` : r.synced === false ? 'NO' : 'no controller');
  const yesNo = (v: boolean | undefined): string => (v === true ? 'yes' : v === false ? 'NO' : '-');
  const deleted = (r: Row): string => (r.deleted ? `yes (${r.deleteSeconds} s)` : yesNo(r.deleted));
  const none = (v: string[] | undefined, ok = 'yes'): string => (v === undefined ? '-' : v.length === 0 ? ok : 'NO');
  const updated = (r: Row): string => (r.updated === undefined ? '-' : 'seconds' in r.updated ? `yes (${r.updated.seconds} s)` : 'NO');
  const quiet = (r: Row): string => `${none(r.steadyDiffs)}${r.knownDiffs?.length ? ` (known: ${r.knownDiffs.join(', ')})` : ''}`;
  say("\n| kind | object | synced | in AWS | moto's view | updated | quiet | spec kept | k8s object deleted | gone from AWS |");
  say('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const cells = [`${r.service} ${r.kind}`, r.name, synced(r), yesNo(r.inAws), none(r.awsMismatches, 'as specified'), updated(r), quiet(r), none(r.notKept), deleted(r), yesNo(r.goneFromAws)];
    say(`| ${cells.join(' | ')} |`);
  }
  const bad = rows.filter(failed);
  if (bad.length > 0) say('\nFailures:');
  for (const r of bad) {
    const what = `- ${r.kind}/${r.name}`;
    if (r.synced === false) say(`${what} not synced: ${r.detail ?? ''}`);
    if (r.inAws === false) say(`${what}: synced, but the emulator has fewer ${r.kind}s than synced objects`);
    for (const m of r.awsMismatches ?? []) say(`${what}: moto's view differs: ${m}`);
    if (r.updated && 'mismatches' in r.updated) say(`${what}: update not reported by moto: ${r.updated.mismatches.join('; ')}`);
    if (r.steadyDiffs?.length) say(`${what}: updated again on a resync (diff loop) at ${r.steadyDiffs.join(', ')}`);
    if (r.notKept?.length) say(`${what}: ACK rewrote spec field(s) ${r.notKept.join(', ')}: the operator would apply it again and again`);
    if (r.deleted === false) say(`${what} not deleted: ${r.deleteDetail ?? ''}`);
    if (r.goneFromAws === false) say(`${what}: still in the emulator after the delete`);
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

  let moto: AwsEmulator | undefined;
  let controllers: AckControllers | undefined;
  let smoke: Smoke | undefined;
  try {
    say(`logs: ${opts.logDir}`);
    moto = await startAwsEmulator({ logDir: opts.logDir });
    say(`moto: ${moto.endpoint} (pid ${moto.pid})`);
    const endpoint = moto.endpoint;
    const start = (extraArgs: string[] = []): Promise<AckControllers> =>
      startAckControllers({ kubeconfigPath: opts.kubeconfig, endpoint, logDir: opts.logDir, services: opts.services, extraArgs });
    controllers = await start();
    for (const c of controllers.running) say(`controller: ${c.service} ${c.tag} (pid ${c.pid})`);
    for (const m of controllers.missing) say(`controller missing: ${m.service}: ${m.reason}`);
    smoke = new Smoke(api, moto, smokeCases(ns, id), new Set(controllers.running.map((c) => c.service)));

    await core.createNamespace({ body: { metadata: { name: ns } } });
    const password = { metadata: { name: 'db-master' }, type: 'Opaque', stringData: { password: 'smoke-test-password-0123' } };
    await core.createNamespacedSecret({ namespace: ns, body: password });
    say(`creating ${smoke.active().length} objects in namespace ${ns}; waiting up to ${opts.timeoutS} s for ACK.ResourceSynced`);
    await smoke.createAndWait(opts.timeoutS);
    await smoke.markInventory('inAws');
    await smoke.checkFacts();
    await smoke.updateAll(opts.updateTimeoutS);
    if (opts.watchS > 0) {
      say(`restarting the controllers with a resync every ${opts.resyncS} s; watching ${opts.watchS} s for updates nobody asked for`);
      await controllers.stop();
      controllers = await start([`--reconcile-default-resync-seconds=${opts.resyncS}`]);
      await smoke.watchQuiet(controllers, ns, opts.watchS);
    }
    // The objects as ACK left them (status, late-initialised spec), for debugging a failed kind.
    writeFileSync(join(opts.logDir, 'objects.json'), `${JSON.stringify(await smoke.checkKept(), null, 2)}\n`);
    say(`deleting; waiting up to ${opts.deleteTimeoutS} s for the objects to go away`);
    await smoke.deleteAll(opts.deleteTimeoutS);
    await smoke.markInventory('goneFromAws');
    await core.deleteNamespace({ name: ns }).catch(() => undefined);
  } finally {
    await controllers?.stop();
    await moto?.stop();
  }
  const rows = smoke?.rows ?? [];
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
