/**
 * Hostile specs through the cluster (issue 16, item 3). Hundreds of invalid MarketplaceEnvironments generated with
 * fast-check from the schema (test/fixtures/hostile-specs.ts), each breaking one field of a valid base, go to the real
 * API server; each must be
 * - rejected at admission (OpenAPI, CEL, strict field validation) with a message naming the field, or
 * - admitted, and then reported by the running operator as Degraded / InvalidSpec, the message naming the field.
 * Valid extremes (max subnets, max buckets, longest names) must be admitted, render, have their children applied and
 * go Ready (no ACK controller runs here: the test plays ACK's part, helpers/ack-simulator.ts). Through all of it the
 * controller must not crash or fail a reconcile, and it reconciles a known-good environment afterwards.
 *
 * Reproduce: the seed is printed; HOSTILE_SPECS_SEED=<seed> (and HOSTILE_SPECS_COUNT=<n>) replays the same specs.
 * Each failure names the spec's index, family, field and value; the failing manifests are written to a JSON file.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CustomObjectsApi, type KubernetesObject } from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION, validateEnvironment, type MarketplaceEnvironmentStatus } from '../../api/index.js';
import { renderEnvironment, type RenderedObject } from '../../charts/index.js';
import { ENVIRONMENT_LABEL } from '../../charts/naming.js';
import { EnvironmentController } from '../../controllers/environment-controller.js';
import { forEachLimited } from '../../controllers/runtime/for-each-limited.js';
import { createLogger } from '../../controllers/runtime/logger.js';
import { AckCrdSources } from '../../localcluster/ack-crd-sources.js';
import { hostileSpecs, validExtremes, type HostileSpec } from '../fixtures/hostile-specs.js';
import { validBase, type Manifest } from '../fixtures/invalid-specs.js';
import { testRequiring } from '../helpers/requirements.js';
import { markSynced } from './helpers/ack-simulator.js';
import { loadTestKubeConfig, statusOf, uniqueName } from './helpers/kube.js';
import { waitFor } from './helpers/wait.js';

type Obj = KubernetesObject & { spec?: unknown; status?: { conditions?: unknown[] } };
type Env = KubernetesObject & { status?: MarketplaceEnvironmentStatus };

/** The default seed; HOSTILE_SPECS_SEED overrides it (any integer). */
const SEED = Number(process.env.HOSTILE_SPECS_SEED ?? 20261128);
/** How many hostile specs (the valid extremes come on top); HOSTILE_SPECS_COUNT overrides it. */
const COUNT = Number(process.env.HOSTILE_SPECS_COUNT ?? 240);
/** API-server round trips in flight (the local control plane has 2 cores). */
const CONCURRENCY = 8;
const API = `${GROUP}/${VERSION}`;

const kc = loadTestKubeConfig();
const crs = kc.makeApiClient(CustomObjectsApi);
const namespace = uniqueName('hostile');
const hostile = hostileSpecs(SEED, COUNT).map((spec, i) => named(spec, `hostile-${i}`));
const extremes = validExtremes(SEED).map((spec, i) => named(spec, `extreme-${i}`));
/** A known-good environment reconciled after everything else (controller.test.ts's: no CDN, firewall or cache). */
const knownGood = (() => {
  const m = validBase('known-good');
  m.metadata.namespace = namespace;
  delete m.spec.cdn;
  delete m.spec.firewall;
  return m;
})();

/** The kinds of `objects`, each once. */
const kindsOf = (objects: readonly RenderedObject[]) => [...new Map(objects.map((o) => [`${o.apiVersion}|${o.kind}`, { apiVersion: o.apiVersion, kind: o.kind }])).values()];
/** The children each valid environment renders, by its name. */
const rendered = new Map([...extremes.map((s) => s.manifest), knownGood].map((m) => [m.metadata.name as string, renderEnvironment(validateEnvironment(m))]));
const kinds = kindsOf([...rendered.values()].flat());
/** Every kind the valid environments render must be served; else their tests are skipped (and fail under CI=true). */
const sources = new AckCrdSources();
const extremesTest = testRequiring(sources.unavailable(kindsOf(extremes.flatMap((s) => rendered.get(s.manifest.metadata.name)!))));
const knownGoodTest = testRequiring(sources.unavailable(kindsOf(rendered.get(knownGood.metadata.name)!)));

/** Where a spec ended up. */
type Result = 'rejected at admission' | 'reported by the operator' | 'valid, applied';
interface Outcome {
  readonly index: number;
  readonly spec: HostileSpec;
  admitted?: boolean;
  code?: number;
  message?: string;
  result?: Result;
}
const outcomes: Outcome[] = [...hostile, ...extremes].map((spec, index) => ({ index, spec }));
const violations: { readonly outcome: Outcome; readonly problem: string }[] = [];
const violate = (outcome: Outcome, problem: string) => violations.push({ outcome, problem });
/** The violations recorded since `from`, one line each (a test checks its own). */
const since = (from: number) => violations.slice(from).map((v) => `${describe_(v.outcome)}: ${v.problem}`);

/** Lines the controller logged at warn or above (a failed reconcile is logged once, at error, by the work queue). */
const logged: string[] = [];
let controller: EnvironmentController | undefined;
const kube = () => controller!.kube;

/** `spec` in the test namespace, named `name` unless its generator chose the name. */
function named(spec: HostileSpec, name: string): HostileSpec {
  const manifest = { ...spec.manifest, metadata: { ...spec.manifest.metadata, namespace, ...(spec.named ? {} : { name }) } };
  return { ...spec, manifest };
}

/** The server's message of a rejected request (client-node keeps the body as JSON text). */
function messageOf(err: unknown): string {
  const body = (err as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      return body;
    }
  }
  return (body as { message?: string } | undefined)?.message ?? String((err as Error).message);
}

/** Creates `m` (only validating it when `dryRun`), with strict field validation as kubectl sends it. */
async function create(m: Manifest, dryRun: boolean): Promise<{ code?: number; message?: string }> {
  try {
    await crs.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, body: m, fieldValidation: 'Strict', ...(dryRun ? { dryRun: 'All' } : {}) });
    return {};
  } catch (err) {
    return { code: statusOf(err), message: messageOf(err) };
  }
}

const envs = async () => new Map((await kube().list<Env>({ apiVersion: API, kind: 'MarketplaceEnvironment', namespace })).map((e) => [e.metadata!.name!, e]));
const condition = (env: Env | undefined, type: string) => env?.status?.conditions?.find((c) => c.type === type);
const describe_ = (o: Outcome) => `#${o.index} ${o.spec.family}/${o.spec.kind} on ${o.spec.base} ${o.spec.field ?? '(valid)'} = ${JSON.stringify(o.spec.value)?.slice(0, 160)}`;

beforeAll(async () => {
  process.stdout.write(`\nhostile specs: seed ${SEED} (HOSTILE_SPECS_SEED), ${hostile.length} hostile + ${extremes.length} valid extremes (HOSTILE_SPECS_COUNT=${COUNT})\n`);
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  controller = new EnvironmentController({ kubeConfig: kc, logger: createLogger({ level: 'warn', destination }), namespaces: [namespace], resyncPeriodMs: 5_000, progressRequeueMs: 1_000, concurrency: 4 });
  await controller.kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } } as never);
  await controller.start();
}, 60_000);

afterAll(async () => {
  if (controller) {
    // Cleanup, not a test of deletion (controller.test.ts has that): the namespace goes with the environments, whose
    // finalizers are dropped once the controller has stopped.
    const names = [...(await envs()).keys()];
    await controller.stop();
    await kube().delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
    await forEachLimited(names, CONCURRENCY, (name) => kube().patchMetadata({ apiVersion: API, kind: 'MarketplaceEnvironment', namespace, name }, { finalizers: [] }).then(() => undefined));
  }
  const count = (result: Result, family?: string) => outcomes.filter((o) => o.result === result && (!family || o.spec.family === family)).length;
  const results: Result[] = ['rejected at admission', 'reported by the operator', 'valid, applied'];
  const families = [...new Set(outcomes.map((o) => o.spec.family))].map((f) => `${f} ${results.map((r) => count(r, f)).join('/')}`);
  process.stdout.write(`hostile specs (seed ${SEED}): ${results.map((r) => `${count(r)} ${r}`).join(', ')}; by family (rejected/reported/applied): ${families.join(', ')}; ${violations.length} violations\n`);
  const through = outcomes.filter((o) => o.result === 'reported by the operator' && o.spec.family !== 'subnets').map((o) => `${o.spec.kind} ${o.spec.field}`);
  if (through.length > 0) process.stdout.write(`admitted, then reported by the operator: ${through.join(', ')}\n`);
  if (violations.length > 0) {
    const file = join(tmpdir(), `hostile-specs-${SEED}-violations.json`);
    writeFileSync(file, JSON.stringify(violations.map((v) => ({ problem: v.problem, seed: SEED, index: v.outcome.index, ...v.outcome.spec, message: v.outcome.message })), null, 2));
    process.stdout.write(`the violating specs: ${file}\n`);
  }
}, 120_000);

describe(`${COUNT} hostile specs (seed ${SEED})`, () => {
  it('generates at least 200 hostile specs of every family, and the valid extremes', () => {
    expect(hostile.length).toBeGreaterThanOrEqual(200);
    expect(new Set(hostile.map((s) => s.family))).toEqual(new Set(['schema', 'cel', 'subnets', 'metadata']));
    expect(extremes.map((s) => s.kind)).toEqual(['maxSubnets', 'maxBuckets', 'longestNames', 'allAtOnce', 'longestServerlessNames']);
  });

  it('at admission: each is rejected with a message naming the field, or admitted (dry-run creates)', async () => {
    const from = violations.length;
    await forEachLimited(outcomes, CONCURRENCY, async (o) => {
      const { code, message } = await create(o.spec.manifest, true);
      Object.assign(o, { admitted: code === undefined && message === undefined, code, message });
      if (o.admitted) return;
      o.result = 'rejected at admission';
      if (!o.spec.field) violate(o, `a valid extreme was rejected (${code}): ${message}`);
      else if (!message?.includes(o.spec.field)) violate(o, `rejected (${code}) without naming ${o.spec.field}: ${message?.slice(0, 400)}`);
      // 422 Invalid for schema and CEL errors, 400 for strict decoding (an unknown field); anything else is a finding.
      else if (code !== 422 && code !== 400) violate(o, `rejected with HTTP ${code}: ${message?.slice(0, 400)}`);
    });
    expect(outcomes.every((o) => o.admitted !== undefined)).toBe(true);
    expect(since(from)).toEqual([]);
  }, 120_000);

  it('the operator reports each admitted hostile spec as InvalidSpec naming the field', async () => {
    const from = violations.length;
    const admitted = outcomes.filter((o) => o.admitted && o.spec.field);
    await forEachLimited(admitted, CONCURRENCY, async (o) => {
      const { code, message } = await create(o.spec.manifest, false);
      if (code !== undefined) violate(o, `admitted by a dry run, refused by the create (${code}): ${message}`);
    });
    const reported = (e: Env | undefined) => condition(e, 'Degraded')?.status === 'True' && e?.status?.observedGeneration === e?.metadata?.generation;
    const live = await waitFor('every admitted hostile spec reported', async () => {
      const all = await envs();
      return admitted.every((o) => reported(all.get(o.spec.manifest.metadata.name))) ? all : undefined;
    }, 60_000, 500).catch(async () => envs());
    for (const o of admitted) {
      const env = live.get(o.spec.manifest.metadata.name);
      const degraded = condition(env, 'Degraded');
      o.message = degraded?.message;
      if (!reported(env)) violate(o, `admitted and not reported Degraded (status: ${JSON.stringify(env?.status?.conditions)?.slice(0, 400)})`);
      else if (degraded?.reason !== 'InvalidSpec') violate(o, `admitted and reported ${degraded?.reason}, not InvalidSpec: ${degraded?.message.slice(0, 400)}`);
      else if (!degraded.message.includes(o.spec.field!)) violate(o, `reported InvalidSpec without naming ${o.spec.field}: ${degraded.message.slice(0, 400)}`);
      else o.result = 'reported by the operator';
    }
    // A spec the operator cannot render gets no children at all (not some of them).
    // (A kind the API server does not serve has no children: its list fails, and counts as empty.)
    const lists = await Promise.all(kinds.map((k) => kube().list<Obj>({ ...k, namespace }).catch(() => [])));
    const owners = new Set(lists.flat().map((c) => c.metadata?.labels?.[ENVIRONMENT_LABEL]));
    for (const o of admitted) if (owners.has(o.spec.manifest.metadata.name)) violate(o, 'reported InvalidSpec, yet has children');
    expect(since(from)).toEqual([]);
  }, 120_000);

  extremesTest('the valid extremes (max subnets, max buckets, longest names) render, apply and go Ready', async () => {
    const from = violations.length;
    const valid = outcomes.filter((o) => o.admitted && !o.spec.field);
    expect(valid).toHaveLength(extremes.length);
    await forEachLimited(valid, CONCURRENCY, async (o) => {
      const { code, message } = await create(o.spec.manifest, false);
      if (code !== undefined) violate(o, `refused by the create (${code}): ${message}`);
    });
    await forEachLimited(valid, CONCURRENCY, async (o) => {
      const env = await playAckUntilReady(o.spec.manifest.metadata.name).catch((err: Error) => void violate(o, err.message));
      if (!env) return;
      const expected = rendered.get(o.spec.manifest.metadata.name)!;
      if (env.status?.summary !== `${expected.length}/${expected.length}`) violate(o, `Ready with ${env.status?.summary} children, ${expected.length} rendered`);
      else o.result = 'valid, applied';
    });
    expect(since(from)).toEqual([]);
  }, 180_000);

  knownGoodTest('reconciles a known-good environment afterwards', async () => {
    await kube().apply(knownGood as never);
    const env = await playAckUntilReady(knownGood.metadata.name);
    expect(condition(env, 'Ready')).toMatchObject({ status: 'True', reason: 'AllComponentsReady' });
  }, 90_000);

  it('0 controller crashes: it still runs, no reconcile failed (nothing logged at error)', () => {
    expect(controller!.health()).toMatchObject({ synced: true, stopped: false, leading: true });
    const errors = logged.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
    expect(errors).toEqual([]);
  });
});

/** Plays ACK for environment `name` (marks each child without conditions synced) until the environment is Ready. */
async function playAckUntilReady(name: string): Promise<Env> {
  const its = kindsOf(rendered.get(name)!);
  return waitFor(`${name} Ready`, async () => {
    const children = (await Promise.all(its.map((k) => kube().list<Obj>({ ...k, namespace, labelSelector: `${ENVIRONMENT_LABEL}=${name}` })))).flat();
    await forEachLimited(children.filter((c) => !c.status?.conditions?.length), 4, (c) => markSynced(kube(), c as never));
    const env = (await envs()).get(name);
    return env?.status?.phase === 'Ready' ? env : undefined;
  }, 120_000, 500);
}
