/**
 * End to end on emulated AWS: the operator (in-process) renders every examples/*.yaml into ACK children, the real
 * ACK controllers (bin/ack) create them in moto, and the environment's status is rolled up from what they report.
 * All examples run at once, each in its own namespace, plus one environment whose database AWS rejects. Then every
 * environment is deleted, and the AWS API of moto shows what `Retain` kept and what `Delete` removed.
 * Results (table, timings) are printed and written to docs/e2e-results.md. The stack comes from global-setup.ts.
 */
import { readFileSync, readdirSync, createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { validateEnvironment, type MarketplaceEnvironmentStatus } from '../../api/index.js';
import { CHILD_KINDS, type ChildKind } from '../../charts/child-kinds.js';
import { DELETION_POLICY_ANNOTATION } from '../../charts/context.js';
import { renderEnvironment, type RenderedObject } from '../../charts/render.js';
import { EnvironmentController } from '../../controllers/environment-controller.js';
import { ClientNodeKubeClient } from '../../controllers/runtime/client-node-kube-client.js';
import { createLogger } from '../../controllers/runtime/logger.js';
import { awsInventory } from '../../localcluster/aws-emulator.js';
import { REPO_ROOT } from '../../localcluster/paths.js';
import { waitFor } from '../integration/helpers/wait.js';
import { e2eInfo, e2eNamespace } from './env.js';
import { awsIdOf, awsSnapshot, inInventory } from './helpers/aws.js';
import { conditionOf, isSynced, listChildren, serviceOf } from './helpers/children.js';
import { DeletionRecorder } from './helpers/deletion-recorder.js';
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

function makeRun(id: string, manifest: Manifest, file?: string): Run {
  const namespace = e2eNamespace(id, info.namespaceSuffix);
  manifest.metadata.namespace = namespace;
  const rendered: RenderedObject[] = renderEnvironment(validateEnvironment(manifest));
  const kinds: ChildKind[] = CHILD_KINDS.filter((k) => rendered.some((o) => o.apiVersion === k.apiVersion && o.kind === k.kind));
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
    expectReady: rendered.every((o) => running.has(serviceOf(o.apiVersion))),
  };
}

const exampleFiles = readdirSync(join(REPO_ROOT, 'examples')).filter((f) => f.endsWith('.yaml')).sort();
const runs: Run[] = exampleFiles.map((f) => makeRun(f.slice(0, 3), parse(readFileSync(join(REPO_ROOT, 'examples', f), 'utf8')) as Manifest, f));

/**
 * A standalone MySQL database whose backup window (03:00-04:00) overlaps its maintenance window (sun:03:30-04:30).
 * The API accepts it (no rule relates the two fields), AWS rejects CreateDBInstance with InvalidParameterValue, and
 * the rds-controller treats InvalidParameterValue as terminal for DBInstance (generator.yaml terminal_codes).
 */
function rejectedManifest(): Manifest {
  const m = parse(readFileSync(join(REPO_ROOT, 'examples', '004-core-business-unit.yaml'), 'utf8')) as Manifest;
  m.metadata.name = 'rejected-db';
  Object.assign(m.spec, { project: 'reject', environmentSuffix: 'e2e', deletionPolicy: 'Delete' });
  m.spec.network.vpcCIDR = '10.99.0.0/16';
  Object.assign(m.spec.database, { preferredBackupWindow: '03:00-04:00', preferredMaintenanceWindow: 'sun:03:30-sun:04:30', deletionProtection: false });
  delete m.spec.storage;
  delete m.spec.secrets;
  return m;
}
const rejected = makeRun('rejected', rejectedManifest());
const all = [...runs, rejected];

let controller: EnvironmentController | undefined;
let operatorLog: WriteStream | undefined;
let monitor: NodeJS.Timeout | undefined;

const getEnv = (run: Run) => kube.get({ apiVersion: API, kind: KIND, namespace: run.namespace, name: run.name }) as Promise<Env | undefined>;
const controlled = (o: { apiVersion?: string }) => running.has(serviceOf(o.apiVersion));
const label = (o: { kind?: string; metadata?: { name?: string } }) => `${o.kind}/${o.metadata?.name}`;

/** Samples every environment's status once a second: first time Ready, all controlled children ready, Degraded. */
async function sampleStatuses(): Promise<void> {
  await Promise.all(all.map(async (run) => {
    if (run.appliedAt === undefined || run.deleteStartedAt !== undefined) return;
    const env = await getEnv(run).catch(() => undefined);
    const status = env?.status;
    if (!status || status.observedGeneration !== env?.metadata?.generation) return;
    const at = Date.now() - run.appliedAt;
    if (status.phase === 'Ready') run.readyMs ??= at;
    if (status.phase === 'Degraded') run.degradedMs ??= at;
    const mine = (status.components ?? []).filter((c) => running.has(serviceOf(run.rendered.find((o) => o.kind === c.kind && o.metadata.name === c.name)?.apiVersion)));
    const expected = run.rendered.filter(controlled).length;
    if (mine.length === expected && mine.every((c) => c.state === 'Ready')) run.availableMs ??= at;
  }));
}

beforeAll(async () => {
  operatorLog = createWriteStream(join(info.logDir, 'operator.log'), { flags: 'a' });
  controller = new EnvironmentController({
    kubeConfig: kc,
    logger: createLogger({ level: 'info', destination: operatorLog }),
    namespaces: all.map((r) => r.namespace),
    concurrency: all.length,
    progressRequeueMs: 5_000,
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
  for (const run of all) await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: run.namespace }).catch(() => undefined);
  await new Promise((r) => operatorLog?.end(r));
}, 120_000);

/** Children of `run` now, and whether every child of a kind with a controller exists and is synced. */
async function observe(run: Run): Promise<boolean> {
  run.children = await listChildren(kube, run.namespace, run.name, run.kinds);
  run.env = await getEnv(run);
  const wanted = run.rendered.filter(controlled);
  const live = run.children.filter(controlled);
  return live.length === wanted.length && live.every(isSynced);
}

describe('the examples on emulated AWS', () => {
  for (const run of runs) {
    it(`${run.file}: every child whose ACK controller runs reaches ACK.ResourceSynced=True`, async () => {
      const synced = await waitFor(`${run.id}: children of ${info.ackServices.join('/')} synced`, () => observe(run), SYNC_TIMEOUT_MS, 2_000).catch(async (err: Error) => {
        await observe(run);
        const notSynced = (run.children ?? []).filter((c) => controlled(c) && !isSynced(c));
        throw new Error(`${err.message}\nnot synced: ${notSynced.map((c) => `${label(c)} ${JSON.stringify(c.status?.conditions ?? [])}`).join('\n') || 'objects missing'}`);
      });
      expect(synced).toBe(true);
    }, SYNC_TIMEOUT_MS + 30_000);

    if (run.expectReady) {
      it(`${run.file}: Ready, with outputs as the emulated AWS reports them`, async () => {
        const env = await waitFor(`${run.id} Ready`, async () => {
          const e = await getEnv(run);
          return e?.status?.phase === 'Ready' && e.status.observedGeneration === e.metadata?.generation ? e : undefined;
        }, 180_000, 1_000);
        run.env = env;
        run.children = await listChildren(kube, run.namespace, run.name, run.kinds);
        const ready = env.status!.conditions!.find((c) => c.type === 'Ready');
        expect(ready).toMatchObject({ status: 'True', reason: 'AllComponentsReady' });
        expect(env.status!.summary).toBe(`${run.rendered.length}/${run.rendered.length}`);

        const out = env.status!.outputs!;
        const aws = (await awsSnapshot(info.awsEndpoint, [run.region]));
        const region = aws.regions[run.region]!;
        const spec = run.manifest.spec;
        // Network: the VPC with the spec's CIDR, all of its subnets and security groups, by the ids AWS gave them.
        const vpc = region.vpcs.find((v) => v.id === out.vpcID);
        expect(vpc?.cidr).toBe(spec.network.vpcCIDR);
        expect(Object.values(out.subnetIDs ?? {}).flat().sort()).toEqual(region.subnets.filter((s) => s.vpc === out.vpcID).map((s) => s.id).sort());
        expect(Object.keys(out.subnetIDs ?? {}).sort()).toEqual(Object.keys(spec.network.subnets).filter((t) => spec.network.subnets[t].countPerAZ > 0).sort());
        expect(Object.values(out.securityGroupIDs ?? {}).sort()).toEqual(region.securityGroups.filter((g) => g.vpc === out.vpcID).map((g) => g.id).sort());
        // The environment key, in the environment's region.
        expect(region.keys.find((k) => k.arn === out.kmsKeyARN)?.state).toBe('Enabled');
        expect(out.kmsKeyARN).toContain(`:${run.region}:`);
        // Database endpoints and port.
        const db = run.children.find((c) => (c.kind === 'DBCluster' || c.kind === 'DBInstance') && c.metadata?.name === `${run.name}-db`)!;
        if (db.kind === 'DBCluster') {
          const cluster = region.dbClusters.find((c) => c.id === db.spec?.dbClusterIdentifier);
          expect(cluster?.status).toBe('available');
          expect(out.database).toMatchObject({ writerEndpoint: cluster?.endpoint, readerEndpoint: cluster?.readerEndpoint, port: cluster?.port });
          expect(region.dbInstances.filter((i) => i.cluster === cluster?.id)).toHaveLength(1 + (spec.database.readers ?? 0));
        } else {
          const instance = region.dbInstances.find((i) => i.id === db.spec?.dbInstanceIdentifier);
          expect(instance?.status).toBe('available');
          expect(out.database).toMatchObject({ writerEndpoint: instance?.address, port: instance?.port });
          if (spec.database.credentials === 'AWSManaged') expect(out.database?.masterUserSecretARN).toBe(instance?.masterUserSecretARN);
        }
        expect(out.database?.writerEndpoint).toBeTruthy();
        if (spec.database.credentials === 'GeneratedSecret') {
          expect(await kube.get({ apiVersion: 'v1', kind: 'Secret', namespace: run.namespace, name: out.database?.credentialsSecret ?? '' })).toBeDefined();
        }
        // Buckets: ARN, existence, and the KMS key as default encryption where the spec asks for it.
        expect(out.buckets?.map((b) => b.name).sort()).toEqual(spec.storage.buckets.map((b: { name: string }) => b.name).sort());
        for (const b of out.buckets ?? []) {
          expect(b.arn).toBe(`arn:aws:s3:::${b.bucketName}`);
          const live = aws.buckets.find((x) => x.name === b.bucketName);
          expect(live).toBeDefined();
          if (spec.storage.buckets.find((x: { name: string }) => x.name === b.name)?.encryption === 'KMS') {
            expect(live).toMatchObject({ sseAlgorithm: 'aws:kms', kmsKeyID: out.kmsKeyARN });
          }
        }
        // Secrets Manager secrets by ARN.
        for (const s of out.secrets ?? []) expect(region.secrets.find((x) => x.arn === s.arn && !x.deleted)).toBeDefined();
        expect(out.secrets ?? []).toHaveLength(spec.secrets?.length ?? 0);
      }, 240_000);
    } else {
      it(`${run.file}: exactly the CloudFront/WAF children are reported not ready (no controller for them here)`, async () => {
        const uncontrolled = run.rendered.filter((o) => !controlled(o)).map((o) => `${o.kind}/${o.metadata.name}`).sort();
        const env = await waitFor(`${run.id}: only ${uncontrolled.join(', ')} not ready`, async () => {
          const e = await getEnv(run);
          const notReady = (e?.status?.components ?? []).filter((c) => c.state !== 'Ready').map((c) => `${c.kind}/${c.name}`).sort();
          return e?.status?.observedGeneration === e?.metadata?.generation && JSON.stringify(notReady) === JSON.stringify(uncontrolled) ? e : undefined;
        }, 180_000, 1_000);
        run.env = env;
        run.children = await listChildren(kube, run.namespace, run.name, run.kinds);
        const components = env.status!.components!;
        const ready = env.status!.conditions!.find((c) => c.type === 'Ready');
        expect(ready?.status).toBe('False');
        if (info.referenceCrds.length > 0) {
          // The kinds are served (pinned reference CRDs) but no controller reconciles them: the objects exist without
          // ACK conditions; the Distribution is held back until the OriginAccessControl reports its id.
          expect(env.status!.phase).toBe('Progressing');
          for (const c of components.filter((c) => uncontrolled.includes(`${c.kind}/${c.name}`))) {
            expect([c.kind, c.reason]).toEqual([c.kind, c.kind === 'Distribution' ? 'WaitingForDependency' : 'NotReconciledByACK']);
          }
        } else {
          expect(env.status!.phase).toBe('Degraded');
          for (const c of components.filter((c) => uncontrolled.includes(`${c.kind}/${c.name}`))) expect([c.kind, c.state, c.reason]).toEqual([c.kind, 'Failed', 'KindNotInstalled']);
        }
        // No output may come from a child that never synced.
        expect(env.status!.outputs?.cdn?.domainName).toBeUndefined();
      }, 240_000);
    }
  }
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

  it('leaves what Retain keeps in AWS (example 004: data stores and the network they use) and removes everything else', async () => {
    const regions = [...new Set(all.map((r) => r.region))];
    const inventory = await awsInventory({ endpoint: info.awsEndpoint }, undefined, regions);
    const mismatches: string[] = [];
    for (const run of all) {
      const kept: string[] = [];
      const gone: string[] = [];
      for (const child of run.children ?? []) {
        const aws = controlled(child) ? awsIdOf(child) : undefined;
        if (!aws) continue;
        const retain = child.metadata?.annotations?.[DELETION_POLICY_ANNOTATION] === 'retain';
        const present = inInventory(inventory, aws.key, aws.id);
        const what = `${label(child)} (${aws.id})`;
        if (retain !== present) mismatches.push(`${run.id}: ${what} ${retain ? 'retained but gone from AWS' : 'deleted but still in AWS'}`);
        (present ? kept : gone).push(`${child.kind}`);
      }
      run.aws = { kept, gone };
    }
    expect(mismatches).toEqual([]);
    // Example 004 is the Retain one: its data stores and what they depend on stay; the rest of its network goes.
    const retainRun = runs.find((r) => r.id === '004')!;
    expect(retainRun.policy).toBe('Retain');
    expect([...new Set(retainRun.aws!.kept)].sort()).toEqual(expect.arrayContaining(['Bucket', 'DBInstance', 'DBSubnetGroup', 'Key', 'Secret', 'SecurityGroup', 'Subnet', 'VPC']));
    expect(retainRun.aws!.gone).toEqual(expect.arrayContaining(['NATGateway', 'ElasticIPAddress', 'InternetGateway']));
    for (const run of all.filter((r) => r.policy === 'Delete')) expect([run.id, run.aws!.kept]).toEqual([run.id, []]);
    // 001 leaves deletionPolicy at its default, Retain, and has no database or cache: only its buckets and key stay.
    expect([...new Set(runs.find((r) => r.id === '001')?.aws?.kept)].sort()).toEqual(['Bucket', 'Key']);
  }, 120_000);
});

