/**
 * The fault matrix on the e2e stack (issue 16, item 1, the faults that need no change to the stack): the operator runs
 * as a separate process (helpers/operator-process.ts) so that it can be SIGKILLed, and the ec2 and kms ACK controllers
 * of this file run apart from the suite's (watching only this file's namespaces) so that ec2's can be stopped and
 * started again. Each environment is a network of 16 children (VPC, internet gateway, 4 route tables, 8 subnets,
 * the app security group, the KMS key; d's has 3 zones with 4 subnets of each tier: 49), deletionPolicy Delete; each
 * lives in a namespace of its own.
 *
 * - d: the operator SIGKILLed in the middle of its first apply (triggered by the watch event of the first child),
 *      started again, SIGKILLed again once ACK has created part of the network, started again after 5 s;
 * - a: the environment deleted as soon as ACK created its first resource, while the others are still being created;
 * - b: the ec2 controller stopped (SIGTERM) while the environment is being created, for OUTAGE_MS, then started again;
 * - c: a Ready environment deleted while the ec2 controller is down (the same outage as b): the deletion must wait
 *      (environment, finalizer and children kept), then complete once ec2 is back;
 * - e: on b, once Ready, a subnet deleted by hand and the VPC's spec changed by another field manager: the operator
 *      re-creates the one and restores the other.
 *
 * After each, moto's own API (helpers/moto-census.ts) must show exactly one AWS resource per rendered child for a
 * converged environment (0 duplicates) and none for a deleted one (0 orphans). What each fault showed is printed and
 * written to `<logDir>/faults/result.json` (docs/reliability.md, "Fault matrix").
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KubeConfig, Watch, type KubernetesObject } from '@kubernetes/client-node';
import { API_VERSION, KIND } from '../../api/index.js';
import { FINALIZER } from '../../controllers/marketplace-environment/reconciler.js';
import { ClientNodeKubeClient } from '../../controllers/runtime/client-node-kube-client.js';
import { findAckControllers, startAckControllers, type AckControllers } from '../../localcluster/ack-controllers.js';
import { waitFor } from '../integration/helpers/wait.js';
import { e2eInfo } from './env.js';
import { awsIdOf } from './helpers/aws.js';
import { isSynced, listChildren, type Child } from './helpers/children.js';
import { makeFaultCase, type FaultCase as Case } from './helpers/fault-case.js';
import { countByKind, duplicates, motoCensus, resourcesOf, type CensusItem } from './helpers/moto-census.js';
import { OperatorProcess } from './helpers/operator-process.js';
import { ACK_CONCURRENT_SYNCS } from './stack.js';

type Env = KubernetesObject & { status?: { phase?: string; observedGeneration?: number; summary?: string } };

const info = e2eInfo();
const REGION = 'us-east-1';
const dir = join(info.logDir, 'faults');
/** How long the ec2 controller is down in b and c. */
const OUTAGE_MS = 45_000;
const READY_TIMEOUT_MS = 300_000;
const DELETE_TIMEOUT_MS = 300_000;
const makeCase = (id: string, octet: number, large = false) => makeFaultCase(info.namespaceSuffix, REGION, id, octet, large);
const cases = { d: makeCase('d', 201, true), a: makeCase('a', 202), b: makeCase('b', 203), c: makeCase('c', 204) };
const all = Object.values(cases);

const kc = new KubeConfig();
kc.loadFromFile(info.kubeconfig);
const kube = ClientNodeKubeClient.fromKubeConfig(kc, { fieldManager: 'mpe-e2e-faults' });
const ackArgs = [`--reconcile-default-max-concurrent-syncs=${ACK_CONCURRENT_SYNCS}`, `--watch-namespace=${all.map((c) => c.namespace).join(',')}`];
const startAck = (service: string) => startAckControllers({ kubeconfigPath: info.kubeconfig, endpoint: info.awsEndpoint, logDir: dir, services: [service], extraArgs: ackArgs });
const startOperator = () =>
  OperatorProcess.start({
    kubeconfig: info.kubeconfig,
    namespaces: all.map((c) => c.namespace),
    logPath: join(dir, 'operator.log'),
    // The operator's own AWS calls (none for these environments) would go to moto too.
    env: { AWS_ENDPOINT_URL: info.awsEndpoint, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: REGION, AWS_EC2_METADATA_DISABLED: 'true' },
  });

let ec2: AckControllers | undefined;
let kms: AckControllers | undefined;
let operator: OperatorProcess | undefined;
/** What each fault showed (result.json, docs/reliability.md). */
const result: Record<string, Record<string, unknown>> = {};
const record = (id: string, facts: Record<string, unknown>) => void (result[id] = { ...result[id], ...facts });

const getEnv = (c: Case) => kube.get<Env>({ apiVersion: API_VERSION, kind: KIND, namespace: c.namespace, name: c.name });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The children of `c` now; remembers the AWS ids ACK recorded. */
async function childrenOf(c: Case): Promise<Child[]> {
  const children = await listChildren(kube, c.namespace, c.name, c.kinds);
  for (const child of children) {
    const id = awsIdOf(child)?.id;
    if (id) c.ids.add(id);
  }
  return children;
}

/** `{ children, synced }` of `c` now. */
async function progress(c: Case): Promise<{ children: number; synced: number }> {
  const children = await childrenOf(c);
  return { children: children.length, synced: children.filter(isSynced).length };
}

/** What moto holds of `c`. */
async function census(c: Case): Promise<CensusItem[]> {
  return resourcesOf(await motoCensus(info.awsEndpoint, REGION), { namespace: c.namespace, name: c.name, vpcCIDR: c.vpcCIDR, ids: [...c.ids] });
}

/** Seconds until `c` is Ready for its newest generation. */
async function waitReady(c: Case, timeoutMs = READY_TIMEOUT_MS): Promise<number> {
  const t0 = Date.now();
  let last: Env | undefined;
  await waitFor(`${c.id}: Ready`, async () => {
    last = await getEnv(c);
    return last?.status?.phase === 'Ready' && last.status.observedGeneration === last.metadata?.generation;
  }, timeoutMs, 1_000).catch((err: Error) => {
    throw new Error(`${err.message}; last status: ${JSON.stringify(last?.status ?? {}).slice(0, 2000)}`);
  });
  await childrenOf(c);
  return Math.round((Date.now() - t0) / 100) / 10;
}

/** Seconds until `c` and every child of it are gone. */
async function waitGone(c: Case, timeoutMs = DELETE_TIMEOUT_MS): Promise<number> {
  const t0 = Date.now();
  let left: string[] = [];
  await waitFor(`${c.id}: environment and children gone`, async () => {
    const children = await listChildren(kube, c.namespace, c.name, c.kinds);
    left = children.map((ch) => `${ch.kind}/${ch.metadata?.name}`);
    return left.length === 0 && (await getEnv(c)) === undefined;
  }, timeoutMs, 1_000).catch((err: Error) => {
    throw new Error(`${err.message}; left: ${left.join(', ')}`);
  });
  return Math.round((Date.now() - t0) / 100) / 10;
}

/** Asserts moto holds exactly one resource per rendered child of `c` (census kinds), and records it. */
async function expectExactlyOne(c: Case): Promise<void> {
  const items = await census(c);
  const facts = { byKind: countByKind(items), duplicates: duplicates(items) };
  record(c.id, { moto: facts });
  expect(facts).toEqual({ byKind: c.expected, duplicates: {} });
}

/** Asserts moto holds nothing of `c` (a KMS key pending deletion counts as deleted), and records it. */
async function expectNoOrphan(c: Case): Promise<void> {
  const items = await census(c);
  record(c.id, { orphans: items.map((i) => `${i.kind} ${i.id} ${i.name ?? ''}`.trim()) });
  expect(items).toEqual([]);
}

/** Starts the operator and the ec2 controller again if an earlier failed test left them stopped. */
async function ensureRunning(): Promise<void> {
  if (!ec2) ec2 = await startAck('ec2');
  if (!operator?.alive) operator = await startOperator();
}

/** Resolves once the first child of `c` is ADDED (watch events of the kinds it applies first), after calling `then`. */
async function onFirstChild(c: Case, then: () => void): Promise<{ fired: Promise<void>; stop(): void }> {
  let fire!: () => void;
  const fired = new Promise<void>((r) => (fire = r));
  let done = false;
  const watches = await Promise.all(
    c.kinds.map((k) =>
      new Watch(kc).watch(
        `/apis/${k.apiVersion}/namespaces/${c.namespace}/${k.plural}`,
        {},
        (phase) => {
          if (phase !== 'ADDED' || done) return;
          done = true;
          then();
          fire();
        },
        () => undefined,
      ),
    ),
  );
  return { fired, stop: () => watches.forEach((w) => w.abort()) };
}

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  const available = new Set(findAckControllers().available.map((b) => b.service));
  for (const s of ['ec2', 'kms']) if (!available.has(s)) throw new Error(`ACK ${s}-controller not built (bash hack/build-ack-controllers.sh)`);
  [ec2, kms] = await Promise.all([startAck('ec2'), startAck('kms')]);
  for (const c of all) await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: c.namespace } });
  operator = await startOperator();
}, 240_000);

afterAll(async () => {
  const path = join(dir, 'result.json');
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`\nfault matrix (${path}):\n${JSON.stringify(result, null, 2)}\n`);
  // Whatever a failed test left: deleted while everything runs, so that ACK removes it from moto too.
  if (!ec2) ec2 = await startAck('ec2').catch(() => undefined);
  if (!operator?.alive) operator = await startOperator().catch(() => undefined);
  for (const c of all) await kube.delete({ apiVersion: API_VERSION, kind: KIND, namespace: c.namespace, name: c.name }).catch(() => undefined);
  await Promise.all(all.map((c) => waitGone(c, 120_000).catch(() => undefined)));
  await operator?.kill('SIGTERM');
  await ec2?.stop();
  await kms?.stop();
  // No operator is left to run the finalizers: drop them, or the namespaces would stay Terminating.
  for (const c of all) {
    if (await getEnv(c).catch(() => undefined)) await kube.patchMetadata({ apiVersion: API_VERSION, kind: KIND, namespace: c.namespace, name: c.name }, { finalizers: [] }).catch(() => undefined);
    await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: c.namespace }).catch(() => undefined);
  }
}, 300_000);

describe('the fault matrix on real ACK controllers and moto', () => {
  it('d: operator SIGKILLed in the middle of its first apply, and again while ACK creates the network: converges, one of each in moto', async () => {
    const c = cases.d;
    // Kill point 1: the watch event of the first child, while the other applies of the first pass are in flight.
    let killedAt = 0;
    const trigger = await onFirstChild(c, () => {
      killedAt = Date.now();
      process.kill(-operator!.pid, 'SIGKILL');
    });
    const appliedAt = Date.now();
    await kube.apply(structuredClone(c.manifest) as never);
    await Promise.race([trigger.fired, sleep(60_000)]);
    trigger.stop();
    expect(killedAt).toBeGreaterThan(0);
    expect(await operator!.exited).toBe('SIGKILL');
    await sleep(1_000);
    const atKill1 = await progress(c);
    record(c.id, { kill1: { afterMs: killedAt - appliedAt, childrenAfterKill: atKill1.children, firstPass: c.firstPass, of: c.total } });
    // Less than the whole first pass (children without a late binding are all applied at once): the kill landed in its middle.
    expect(atKill1.children).toBeGreaterThan(0);
    expect(atKill1.children).toBeLessThan(c.firstPass);

    operator = await startOperator();
    // Kill point 2: ACK has created part of the network in moto, not all of it.
    const mid = await waitFor('d: part of the network synced', async () => {
      const p = await progress(c);
      return p.synced > 0 && p.synced < c.total ? p : undefined;
    }, READY_TIMEOUT_MS, 250);
    process.kill(-operator.pid, 'SIGKILL');
    expect(await operator.exited).toBe('SIGKILL');
    record(c.id, { kill2: { childrenAtKill: mid.children, syncedAtKill: mid.synced, of: c.total } });
    await sleep(5_000);
    operator = await startOperator();

    record(c.id, { readySecondsAfterRestart: await waitReady(c) });
    expect((await childrenOf(c)).length).toBe(c.total);
    await expectExactlyOne(c);
  }, 2 * READY_TIMEOUT_MS + 180_000);

  it('a: environment deleted while its children are still being created: it and its children go, and moto keeps no orphan', async () => {
    await ensureRunning();
    const [a, c] = [cases.a, cases.c];
    // c is created meanwhile, for the outage of b and c.
    await kube.apply(structuredClone(c.manifest) as never);
    await kube.apply(structuredClone(a.manifest) as never);
    const at = await waitFor('a: its first resource created by ACK', async () => {
      const p = await progress(a);
      return p.synced > 0 ? p : undefined;
    }, READY_TIMEOUT_MS, 250);
    await kube.delete({ apiVersion: API_VERSION, kind: KIND, namespace: a.namespace, name: a.name });
    const inMoto = await census(a);
    record(a.id, { atDelete: { children: at.children, synced: at.synced, of: a.total, inMotoRightAfter: inMoto.length } });
    // The deletion met a network half made.
    expect(at.synced).toBeLessThan(a.total);
    expect(inMoto.length).toBeGreaterThan(0);
    record(a.id, { goneSeconds: await waitGone(a) });
    // Anything ACK still had in flight has landed by now.
    await sleep(5_000);
    await expectNoOrphan(a);
  }, READY_TIMEOUT_MS + DELETE_TIMEOUT_MS + 60_000);

  it('c (setup): an environment Ready, one of each in moto', async () => {
    const c = cases.c;
    record(c.id, { readySeconds: await waitReady(c) });
    await expectExactlyOne(c);
  }, READY_TIMEOUT_MS + 60_000);

  it(`b and c: the ec2 controller down ${OUTAGE_MS / 1000} s while b is created and c is deleted: c's deletion waits, then both converge; one of each of b, nothing of c in moto`, async () => {
    await ensureRunning();
    const [b, c] = [cases.b, cases.c];
    await kube.apply(structuredClone(b.manifest) as never);
    const mid = await waitFor('b: part of the network synced', async () => {
      const p = await progress(b);
      return p.synced > 0 ? p : undefined;
    }, READY_TIMEOUT_MS, 250);
    const stoppedAt = Date.now();
    await ec2!.stop();
    ec2 = undefined;
    const atStop = await progress(b);
    record(b.id, { atStop: { childrenBefore: mid.children, syncedBefore: mid.synced, childrenAfterStop: atStop.children, syncedAfterStop: atStop.synced, of: b.total } });
    expect(atStop.synced).toBeLessThan(b.total);

    await kube.delete({ apiVersion: API_VERSION, kind: KIND, namespace: c.namespace, name: c.name });
    // The outage: sample both every 5 s.
    const samples: Record<string, unknown>[] = [];
    while (Date.now() - stoppedAt < OUTAGE_MS) {
      await sleep(5_000);
      const [envB, envC, pC] = await Promise.all([getEnv(b), getEnv(c), progress(c)]);
      samples.push({
        at: Math.round((Date.now() - stoppedAt) / 1000),
        bPhase: envB?.status?.phase,
        cPresent: envC !== undefined,
        cDeleting: envC?.metadata?.deletionTimestamp !== undefined,
        cFinalizer: envC?.metadata?.finalizers?.includes(FINALIZER) ?? false,
        cChildren: pC.children,
        operatorAlive: operator!.alive,
      });
    }
    const inMotoDuringOutage = await census(c);
    record(c.id, { outage: samples, inMotoDuringOutage: inMotoDuringOutage.length });
    record(b.id, { outage: samples.map((s) => ({ at: s.at, phase: s.bPhase })) });
    for (const s of samples) {
      expect(s).toMatchObject({ cPresent: true, cDeleting: true, cFinalizer: true, operatorAlive: true });
      expect(s.bPhase).not.toBe('Ready');
      expect(s.cChildren).toBeGreaterThan(0);
    }
    // Nothing of c left AWS while nothing could delete it there: no resource was dropped from Kubernetes unaccounted.
    expect(inMotoDuringOutage.length).toBeGreaterThan(0);

    ec2 = await startAck('ec2');
    const [goneSeconds, readySeconds] = await Promise.all([waitGone(c), waitReady(b)]);
    record(c.id, { goneSecondsAfterRestart: goneSeconds });
    record(b.id, { readySecondsAfterRestart: readySeconds });
    await expectExactlyOne(b);
    await sleep(5_000);
    await expectNoOrphan(c);
  }, OUTAGE_MS + READY_TIMEOUT_MS + DELETE_TIMEOUT_MS + 120_000);

  it('e: on b, Ready, a subnet deleted by hand and the VPC\'s spec edited by hand: both restored, one of each in moto, the old subnet gone from it', async () => {
    await ensureRunning();
    const b = cases.b;
    const children = await childrenOf(b);
    const subnet = children.filter((ch) => ch.kind === 'Subnet').sort((x, y) => String(x.metadata?.name).localeCompare(String(y.metadata?.name)))[0]!;
    const vpc = children.find((ch) => ch.kind === 'VPC')!;
    const oldSubnetID = String(subnet.status?.subnetID);
    const t0 = Date.now();
    await kube.delete({ apiVersion: subnet.apiVersion!, kind: subnet.kind!, namespace: b.namespace, name: subnet.metadata!.name! });
    // As `kubectl apply --server-side --force-conflicts` by someone else: the field changes owner and value.
    await ClientNodeKubeClient.fromKubeConfig(kc, { fieldManager: 'someone-by-hand' }).apply({ apiVersion: vpc.apiVersion, kind: vpc.kind, metadata: { name: vpc.metadata!.name!, namespace: b.namespace }, spec: { enableDNSHostnames: false } } as never);
    const restored = await waitFor('e: subnet re-created and synced with a new AWS id, VPC spec restored, environment Ready', async () => {
      const now = await childrenOf(b);
      const s = now.find((ch) => ch.kind === 'Subnet' && ch.metadata?.name === subnet.metadata?.name);
      const v = now.find((ch) => ch.kind === 'VPC');
      const env = await getEnv(b);
      const ready = env?.status?.phase === 'Ready' && env.status.observedGeneration === env.metadata?.generation;
      return s && isSynced(s) && s.status?.subnetID !== oldSubnetID && v?.spec?.enableDNSHostnames === true && ready ? { newSubnetID: String(s.status?.subnetID) } : undefined;
    }, READY_TIMEOUT_MS, 1_000);
    record('e', { on: b.id, oldSubnetID, ...restored, seconds: Math.round((Date.now() - t0) / 100) / 10 });
    await expectExactlyOne(b);
    // The deleted subnet is gone from AWS (ACK deleted it with its object), not left beside the new one.
    expect((await census(b)).some((i) => i.id === oldSubnetID)).toBe(false);
  }, READY_TIMEOUT_MS + 60_000);

  it('d and b: deleting the converged environments leaves no orphan in moto; the operator never restarted by itself', async () => {
    await ensureRunning();
    const { d, b } = cases;
    for (const c of [d, b]) await kube.delete({ apiVersion: API_VERSION, kind: KIND, namespace: c.namespace, name: c.name });
    const seconds = await Promise.all([d, b].map((c) => waitGone(c)));
    record(d.id, { goneSeconds: seconds[0] });
    record(b.id, { goneSeconds: seconds[1] });
    await sleep(5_000);
    for (const c of [d, b]) await expectNoOrphan(c);
    expect(operator!.alive).toBe(true);
  }, DELETE_TIMEOUT_MS + 60_000);
});
