/**
 * End to end on emulated AWS: the operator (in-process, its AWS actions against moto too) renders every environment
 * of every examples/*.yaml (example 003: one per region) into ACK children, the real ACK controllers (bin/ack) create
 * them in moto, and the environment's status is rolled up from what they report. All run at once, each in its own
 * namespace, plus one environment whose database AWS rejects. What each child must become here follows from the
 * kinds whose controller runs (helpers/expectations.ts): a kind without one, and whatever waits for it, is not ready;
 * everything else is, and moto's API shows it (network, data stores and the application tier). Then every
 * environment is deleted, and the AWS API of moto shows what `Retain` kept and what `Delete` removed.
 * Results (table, timings) are printed and written to docs/e2e-results.md. The stack comes from global-setup.ts.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { validateEnvironment, type MarketplaceEnvironmentStatus } from '../../api/index.js';
import { CHILD_KINDS, type ChildKind } from '../../charts/child-kinds.js';
import { DELETION_POLICY_ANNOTATION } from '../../charts/context.js';
import { renderEnvironment, type RenderedObject } from '../../charts/render.js';
import { EXAMPLES_DIR, exampleEnvironments, readManifests } from '../../cli/examples.js';
import { AwsGapActions } from '../../controllers/aws-gaps/actions.js';
import { SdkAwsClients } from '../../controllers/aws-gaps/clients.js';
import { EnvironmentController } from '../../controllers/environment-controller.js';
import { ClientNodeKubeClient } from '../../controllers/runtime/client-node-kube-client.js';
import { createLogger } from '../../controllers/runtime/logger.js';
import { awsInventory } from '../../localcluster/aws-emulator.js';
import { waitFor } from '../integration/helpers/wait.js';
import { e2eInfo, e2eNamespace } from './env.js';
import { APP_TIER_KEYS, appTierReport } from './helpers/app-tier.js';
import { awsDetails, awsIdOf, awsSnapshot, countInInventory } from './helpers/aws.js';
import { conditionOf, isSynced, listChildren, serviceOf } from './helpers/children.js';
import { DeletionRecorder } from './helpers/deletion-recorder.js';
import { componentMismatches, expectedComponents, type Stack } from './helpers/expectations.js';
import { checkOutputs } from './helpers/outputs.js';
import { SERVERLESS_SERVED_KEYS, isRegional, regionReport, serverlessReport } from './helpers/serverless.js';
import { writeResults, type Run } from './helpers/results.js';

type Manifest = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Env = { metadata?: { generation?: number; finalizers?: string[] }; status?: MarketplaceEnvironmentStatus };

const API = 'marketplace.platform.dev/v1alpha1';
const KIND = 'MarketplaceEnvironment';
/** Per-example waits: generous for a shared 2-core machine; on an idle one everything syncs in about a minute. */
const SYNC_TIMEOUT_MS = 480_000;
const DELETE_TIMEOUT_MS = 420_000;

const info = e2eInfo();
const kc = new KubeConfig();
kc.loadFromFile(info.kubeconfig);
const kube = ClientNodeKubeClient.fromKubeConfig(kc, { fieldManager: 'mpe-e2e-test' });
const running = new Set(info.ackServices);
const crds = new Set(info.crds);
const stack: Stack = {
  controlled: (apiVersion) => running.has(serviceOf(apiVersion)),
  served: (o) => crds.has(`${CHILD_KINDS.find((k) => k.apiVersion === o.apiVersion && k.kind === o.kind)?.plural}.${o.apiVersion.split('/')[0]}`),
};

function makeRun(id: string, manifest: Manifest, file?: string): Run {
  const namespace = e2eNamespace(id, info.namespaceSuffix);
  manifest.metadata.namespace = namespace;
  const rendered: RenderedObject[] = renderEnvironment(validateEnvironment(manifest));
  const kinds: ChildKind[] = CHILD_KINDS.filter((k) => rendered.some((o) => o.apiVersion === k.apiVersion && o.kind === k.kind));
  const expected = expectedComponents(rendered, stack);
  return {
    id,
    file,
    manifest,
    name: manifest.metadata.name,
    namespace,
    region: manifest.spec.region,
    policy: manifest.spec.deletionPolicy ?? 'Retain',
    rendered,
    kinds,
    expected,
    expectReady: expected.every((e) => e.state === 'Ready'),
  };
}

/** Every environment of every example; in a file of several (one per region) each is labelled with its name too. */
const runs: Run[] = exampleEnvironments().map((e) => makeRun(e.id, e.manifest, e.count === 1 ? e.file : `${e.file} (${e.manifest.metadata.name})`));

/**
 * A standalone MySQL database whose backup window (03:00-04:00) overlaps its maintenance window (sun:03:30-04:30).
 * The API accepts it (no rule relates the two fields), AWS rejects CreateDBInstance with InvalidParameterValue, and
 * the rds-controller treats InvalidParameterValue as terminal for DBInstance (generator.yaml terminal_codes).
 */
function rejectedManifest(): Manifest {
  const m: Manifest = readManifests(join(EXAMPLES_DIR, '004-core-business-unit.yaml'))[0]!;
  m.metadata.name = 'rejected-db';
  Object.assign(m.spec, { project: 'reject', environmentSuffix: 'e2e', deletionPolicy: 'Delete' });
  m.spec.network.vpcCIDR = '10.99.0.0/16';
  Object.assign(m.spec.database, { preferredBackupWindow: '03:00-04:00', preferredMaintenanceWindow: 'sun:03:30-sun:04:30', deletionProtection: false });
  delete m.spec.storage;
  delete m.spec.secrets;
  // The application reads the bucket and the secrets removed above; the case is about the database alone.
  delete m.spec.loadBalancer;
  delete m.spec.compute;
  delete m.spec.registry;
  // Alarms watch the application and the database (no cloudwatch controller runs here); the DNS records point at the
  // load balancer; the proxy and the user pool are not about the database's rejection.
  delete m.spec.monitoring;
  delete m.spec.dns;
  delete m.spec.identity;
  delete m.spec.database.proxy;
  return m;
}
const rejected = makeRun('rejected', rejectedManifest());
const all = [...runs, rejected];

let controller: EnvironmentController | undefined;
/** The operator's AWS actions (aws-gaps) go to moto, with its test credentials, as the ACK controllers' calls do. */
const awsClients = new SdkAwsClients({ clientConfig: { endpoint: info.awsEndpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } } });
let operatorLog: WriteStream | undefined;
let monitor: NodeJS.Timeout | undefined;

const getEnv = (run: Run) => kube.get({ apiVersion: API, kind: KIND, namespace: run.namespace, name: run.name }) as Promise<Env | undefined>;
const label = (o: { kind?: string; metadata?: { name?: string } }) => `${o.kind}/${o.metadata?.name}`;
/** Whether `o` (rendered or live) is expected Ready in `run`. */
const readyIn = (run: Run, o: { kind?: string; metadata?: { name?: string } }) => run.expected.some((e) => e.state === 'Ready' && `${e.kind}/${e.name}` === label(o));

/** Samples every environment's status once a second: first time Ready, every child expected Ready ready, Degraded. */
async function sampleStatuses(): Promise<void> {
  await Promise.all(all.map(async (run) => {
    if (run.appliedAt === undefined || run.deleteStartedAt !== undefined) return;
    const env = await getEnv(run).catch(() => undefined);
    const status = env?.status;
    if (!status || status.observedGeneration !== env?.metadata?.generation) return;
    const at = Date.now() - run.appliedAt;
    if (status.phase === 'Ready') run.readyMs ??= at;
    if (status.phase === 'Degraded') run.degradedMs ??= at;
    const wanted = run.expected.filter((e) => e.state === 'Ready');
    const ready = new Set((status.components ?? []).filter((c) => c.state === 'Ready').map((c) => `${c.kind}/${c.name}`));
    if (wanted.every((e) => ready.has(`${e.kind}/${e.name}`))) run.availableMs ??= at;
  }));
}

beforeAll(async () => {
  operatorLog = createWriteStream(join(info.logDir, 'operator.log'), { flags: 'a' });
  const logger = createLogger({ level: 'info', destination: operatorLog });
  controller = new EnvironmentController({
    kubeConfig: kc,
    logger,
    namespaces: all.map((r) => r.namespace),
    concurrency: all.length,
    progressRequeueMs: 5_000,
    awsGaps: new AwsGapActions({ clients: awsClients, logger }),
  });
  await controller.start();
  for (const run of all) {
    await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: run.namespace } });
    await kube.apply(run.manifest as never);
    run.appliedAt = Date.now();
  }
  let busy = false;
  monitor = setInterval(() => {
    if (busy) return;
    busy = true;
    void sampleStatuses().finally(() => (busy = false));
  }, 1_000);
}, 120_000);

afterAll(async () => {
  clearInterval(monitor);
  const results = writeResults(all, info);
  process.stdout.write(`\n${results}\n`);
  // Anything a failed test left behind goes with the namespace (the cluster is thrown away anyway unless MPE_KUBECONFIG).
  for (const run of all) await kube.delete({ apiVersion: API, kind: KIND, namespace: run.namespace, name: run.name }).catch(() => undefined);
  await controller?.stop();
  awsClients.close();
  for (const run of all) await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: run.namespace }).catch(() => undefined);
  await new Promise((r) => operatorLog?.end(r));
}, 120_000);

/** Children of `run` now, and whether every child expected Ready exists and is synced. */
async function observe(run: Run): Promise<boolean> {
  run.children = await listChildren(kube, run.namespace, run.name, run.kinds);
  run.env = await getEnv(run);
  const wanted = run.rendered.filter((o) => readyIn(run, o));
  const live = run.children.filter((c) => readyIn(run, c));
  return live.length === wanted.length && live.every(isSynced);
}

/** The environment once its components are exactly as expected (for the newest generation). */
async function settled(run: Run): Promise<Env> {
  let last: string[] = [];
  return waitFor(`${run.id}: components as expected`, async () => {
    const e = await getEnv(run);
    if (e?.status?.observedGeneration !== e?.metadata?.generation) return undefined;
    last = componentMismatches(run.expected, e?.status?.components ?? []);
    return last.length === 0 ? e : undefined;
  }, 180_000, 1_000).catch((err: Error) => {
    throw new Error(`${err.message}\n${last.join('\n')}`);
  });
}

describe('the examples on emulated AWS', () => {
  for (const run of runs) {
    it(`${run.file}: every child expected Ready here (its controller runs, nothing it needs waits for a kind without one) reaches ACK.ResourceSynced=True`, async () => {
      const synced = await waitFor(`${run.id}: children of ${info.ackServices.join('/')} synced`, () => observe(run), SYNC_TIMEOUT_MS, 2_000).catch(async (err: Error) => {
        await observe(run);
        const notSynced = (run.children ?? []).filter((c) => readyIn(run, c) && !isSynced(c));
        throw new Error(`${err.message}\nnot synced: ${notSynced.map((c) => `${label(c)} ${JSON.stringify(c.status?.conditions ?? [])}`).join('\n') || 'objects missing'}`);
      });
      expect(synced).toBe(true);
    }, SYNC_TIMEOUT_MS + 30_000);

    const title = run.expectReady
      ? 'Ready, with outputs as the emulated AWS reports them'
      : 'exactly the children of kinds without a controller here, and those waiting for them, are not ready; outputs as the emulated AWS reports them';
    it(`${run.file}: ${title}`, async () => {
      const env = await settled(run);
      run.env = env;
      run.children = await listChildren(kube, run.namespace, run.name, run.kinds);
      const status = env.status!;
      const ready = status.conditions!.find((c) => c.type === 'Ready');
      if (run.expectReady) {
        expect(ready).toMatchObject({ status: 'True', reason: 'AllComponentsReady' });
        expect(status.summary).toBe(`${run.expected.length}/${run.expected.length}`);
      } else {
        expect(ready?.status).toBe('False');
        // Served kinds without a controller only wait (Progressing); a kind the API server does not serve fails.
        expect(status.phase).toBe(run.expected.some((e) => e.state === 'Failed') ? 'Degraded' : 'Progressing');
        // (settled: the components are exactly the expected ones.) Each waiting one names what it waits for.
        for (const e of run.expected.filter((x) => x.state === 'Waiting')) {
          const message = status.components!.find((c) => c.kind === e.kind && c.name === e.name)?.message ?? '';
          for (const w of e.waitsFor ?? []) expect([`${e.kind}/${e.name}`, message]).toEqual([`${e.kind}/${e.name}`, expect.stringContaining(w)]);
        }
      }
      const aws = await awsSnapshot(info.awsEndpoint, [run.region]);
      checkOutputs(run, status, run.children, aws, run.expected);
    }, 240_000);

    if (run.rendered.some((o) => APP_TIER_KEYS.includes(`${serviceOf(o.apiVersion)} ${o.kind}`))) {
      it(`${run.file}: the application tier in moto: every child expected Ready exists once as the spec asks, the others are absent`, async () => {
        const report = appTierReport(run.rendered, run.children ?? [], run.expected, await awsDetails(info.awsEndpoint, [run.region]));
        run.appTier = report;
        expect(report.problems).toEqual([]);
        // The seeds' figures: one ALB where the spec has a load balancer (the serverless examples have only the
        // functions' roles and policies here); the target groups (blue and green for 002); the repository where the spec has one.
        const count = (kind: string) => report.found.filter((f) => f.startsWith(`${kind} `)).length;
        const loadBalancers = run.manifest.spec.loadBalancer ? 1 : 0;
        expect(count('LoadBalancer')).toBe(loadBalancers);
        expect(count('TargetGroup')).toBe(loadBalancers * (run.manifest.spec.compute?.containers?.blueGreen ? 2 : 1));
        expect(count('Repository')).toBe(run.manifest.spec.registry ? 1 : 0);
        // The operator's own AWS action: the WAF association waits for the WebACL (no wafv2 controller), or, without a
        // firewall, says against moto that the load balancer has no web ACL, as declared; no load balancer, no association.
        const association = run.env?.status?.components?.find((c) => c.kind === 'WebACLAssociation');
        if (loadBalancers === 0) expect(association).toBeUndefined();
        else if (run.manifest.spec.firewall?.scope !== 'REGIONAL') expect(association).toMatchObject({ state: 'Ready', message: 'no web ACL associated, as declared' });
        else if (running.has('wafv2')) expect(association).toMatchObject({ state: 'Ready', message: `associated with web ACL ${run.env?.status?.outputs?.firewall?.webACLARN}` });
        else expect(association).toMatchObject({ state: 'Waiting', reason: 'WaitingForDependency', message: expect.stringContaining('WebACL/') });
      }, 120_000);
    }

    if (run.rendered.some((o) => SERVERLESS_SERVED_KEYS.includes(`${serviceOf(o.apiVersion)} ${o.kind}`))) {
      it(`${run.file}: the serverless tier's VPC endpoints and KMS alias in moto: on the private route tables, one subnet per zone, the alias naming the environment key`, async () => {
        run.children = await listChildren(kube, run.namespace, run.name, run.kinds);
        const aws = await awsSnapshot(info.awsEndpoint, [run.region]);
        const report = serverlessReport(run, run.children, aws.regions[run.region]!);
        run.serverless = report;
        expect(report.problems).toEqual([]);
        // Every served serverless child is Ready here (the VPC, route tables, subnets and key they need are served too).
        const served = run.rendered.filter((o) => SERVERLESS_SERVED_KEYS.includes(`${serviceOf(o.apiVersion)} ${o.kind}`));
        expect(report.found).toHaveLength(served.length);
      }, 120_000);
    }
  }

  it('every environment\'s network, key and alias are in moto in its own region and in no other (example 003: one environment per region)', async () => {
    const regions = [...new Set(all.map((r) => r.region))];
    const aws = await awsSnapshot(info.awsEndpoint, regions);
    const problems: string[] = [];
    for (const run of runs) {
      run.children = await listChildren(kube, run.namespace, run.name, run.kinds);
      const report = regionReport(run.region, run.children, aws);
      problems.push(...report.problems.map((p) => `${run.id}: ${p}`));
      // Nothing synced would make the check empty.
      expect([run.id, report.found]).toEqual([run.id, run.children.filter((c) => isRegional(c) && readyIn(run, c)).length]);
    }
    expect(problems).toEqual([]);
    // Example 003 is the seed's three regions, one environment each.
    expect(runs.filter((r) => r.id.startsWith('003')).map((r) => r.region).sort()).toEqual(['us-east-1', 'us-east-2', 'us-west-2']);
  }, 180_000);
});

describe('a child that AWS rejects', () => {
  it('makes the environment Degraded, naming the DBInstance and the AWS error', async () => {
    const dbName = `${rejected.name}-db`;
    const env = await waitFor('rejected-db Degraded', async () => {
      const e = await getEnv(rejected);
      return e?.status?.phase === 'Degraded' ? e : undefined;
    }, SYNC_TIMEOUT_MS, 2_000);
    rejected.env = env;
    rejected.children = await listChildren(kube, rejected.namespace, rejected.name, rejected.kinds);
    const degraded = env.status!.conditions!.find((c) => c.type === 'Degraded');
    expect(degraded?.status).toBe('True');
    expect(degraded?.message).toContain(`DBInstance/${dbName}`);
    expect(degraded?.message).toContain('The backup window and maintenance window must not overlap');
    const component = env.status!.components!.find((c) => c.kind === 'DBInstance' && c.name === dbName);
    expect(component).toMatchObject({ state: 'Failed' });
    expect(component?.message).toMatch(/InvalidParameterValue/);
    // ACK marked it terminal (no retry), and AWS holds no such instance.
    const child = rejected.children.find((c) => c.kind === 'DBInstance');
    expect(conditionOf(child, 'ACK.Terminal')?.status).toBe('True');
    const aws = await awsSnapshot(info.awsEndpoint, [rejected.region]);
    expect(aws.regions[rejected.region]!.dbInstances.find((i) => i.id === child?.spec?.dbInstanceIdentifier)).toBeUndefined();
    // Everything else of that environment is fine: only the database is named.
    expect(env.status!.components!.filter((c) => c.state !== 'Ready').map((c) => `${c.kind}/${c.name}`)).toEqual([`DBInstance/${dbName}`]);
    rejected.rejection = component?.message;
  }, SYNC_TIMEOUT_MS + 30_000);
});

describe('deleting the environments', () => {
  it('removes every child wave by wave, with no finalizer stuck', async () => {
    // What ACK reported (AWS ids, retain annotations) before anything goes away.
    for (const run of all) run.children = await listChildren(kube, run.namespace, run.name, run.kinds);
    await Promise.all(all.map(async (run) => {
      const recorder = new DeletionRecorder(kube, run.namespace, run.name, run.kinds);
      recorder.seed(run.children ?? []);
      run.deletion = { recorder };
      run.deleteStartedAt = Date.now();
      await kube.delete({ apiVersion: API, kind: KIND, namespace: run.namespace, name: run.name });
      const deadline = Date.now() + DELETE_TIMEOUT_MS;
      for (;;) {
        const left = await recorder.sample();
        const envGone = (await getEnv(run)) === undefined;
        if (left === 0 && envGone) {
          run.deletion.seconds = Math.round((Date.now() - run.deleteStartedAt!) / 100) / 10;
          return;
        }
        if (Date.now() > deadline) return;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }));
    const problems = all.flatMap((run) => [
      ...(run.deletion?.seconds === undefined ? [`${run.id}: not deleted within ${DELETE_TIMEOUT_MS / 1000} s; left: ${run.deletion?.recorder.stuck().map((r) => `${r.kind}/${r.name}`).join(', ')}`] : []),
      ...(run.deletion?.recorder.violations ?? []).slice(0, 3).map((v) => `${run.id}: ${v}`),
    ]);
    expect(problems).toEqual([]);
  }, DELETE_TIMEOUT_MS + 60_000);

  it('leaves what Retain keeps in AWS (example 004: data stores, the image repository and the network they use) and removes everything else', async () => {
    const regions = [...new Set(all.map((r) => r.region))];
    const inventory = await awsInventory({ endpoint: info.awsEndpoint }, undefined, regions);
    const mismatches: string[] = [];
    for (const run of all) {
      const kept: string[] = [];
      const gone: string[] = [];
      // What ACK created: a child never synced (waiting, or rejected by AWS) has nothing in AWS to keep or remove.
      for (const child of (run.children ?? []).filter(isSynced)) {
        const aws = awsIdOf(child);
        if (!aws) {
          mismatches.push(`${run.id}: ${label(child)} synced, but no AWS id recorded to look for`);
          continue;
        }
        const retain = child.metadata?.annotations?.[DELETION_POLICY_ANNOTATION] === 'retain';
        const present = countInInventory(inventory, aws) > 0;
        const what = `${label(child)} (${aws.id})`;
        if (retain !== present) mismatches.push(`${run.id}: ${what} ${retain ? 'retained but gone from AWS' : 'deleted but still in AWS'}`);
        (present ? kept : gone).push(`${child.kind}`);
      }
      run.aws = { kept, gone };
    }
    expect(mismatches).toEqual([]);
    // Example 004 is the Retain one: its data stores (the image repository among them) and what they depend on stay;
    // the rest of its network and its load balancer, target group, listener, roles and policies go.
    const retainRun = runs.find((r) => r.id === '004')!;
    expect(retainRun.policy).toBe('Retain');
    expect([...new Set(retainRun.aws!.kept)].sort()).toEqual(expect.arrayContaining(['Bucket', 'DBInstance', 'DBSubnetGroup', 'Key', 'Repository', 'Secret', 'SecurityGroup', 'Subnet', 'VPC']));
    expect(retainRun.aws!.gone).toEqual(expect.arrayContaining(['NATGateway', 'ElasticIPAddress', 'InternetGateway', 'LoadBalancer', 'TargetGroup', 'Listener', 'Role', 'Policy']));
    for (const run of all.filter((r) => r.policy === 'Delete')) expect([run.id, run.aws!.kept]).toEqual([run.id, []]);
    // 001 leaves deletionPolicy at its default, Retain, and has no database or cache: only its buckets and key stay.
    expect([...new Set(runs.find((r) => r.id === '001')?.aws?.kept)].sort()).toEqual(['Bucket', 'Key']);
  }, 120_000);
});

