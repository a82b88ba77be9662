/**
 * The controller on a real API server. No ACK controller runs here: the tests play its part by patching the
 * children's status (helpers/ack-simulator.ts).
 */
import { writeFileSync } from 'node:fs';
import type { KubernetesObject } from '@kubernetes/client-node';
import { renderEnvironment } from '../../charts/index.js';
import { validateEnvironment, type MarketplaceEnvironmentStatus } from '../../api/index.js';
import { EnvironmentController } from '../../controllers/environment-controller.js';
import { FINALIZER } from '../../controllers/marketplace-environment/reconciler.js';
import { silentLogger } from '../../controllers/runtime/logger.js';
import { validBase, type Manifest } from '../fixtures/invalid-specs.js';
import { markSynced, markTerminal } from './helpers/ack-simulator.js';
import { loadTestKubeConfig, uniqueName } from './helpers/kube.js';
import { waitFor } from './helpers/wait.js';

type Obj = KubernetesObject & { spec?: any; status?: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
type Env = KubernetesObject & { spec?: any; status?: MarketplaceEnvironmentStatus }; // eslint-disable-line @typescript-eslint/no-explicit-any

const kc = loadTestKubeConfig();
const namespace = uniqueName('controller');
const API = 'marketplace.platform.dev/v1alpha1';
let controller: EnvironmentController;

/** An environment without CDN and firewall (their CRDs exist only where the pinned reference CRDs are at hand). */
function manifest(name: string): Manifest {
  const m = validBase(name);
  m.metadata.namespace = namespace;
  delete m.spec.cdn;
  delete m.spec.firewall;
  m.spec.storage.buckets = [{ name: 'assets', purpose: 'assets' }, { name: 'orders', purpose: 'files', encryption: 'KMS' }];
  m.spec.deletionPolicy = 'Delete';
  return m;
}

const kube = () => controller.kube;
const getEnv = (name: string) => kube().get({ apiVersion: API, kind: 'MarketplaceEnvironment', namespace, name }) as Promise<Env | undefined>;
const children = async (name: string): Promise<Obj[]> => {
  const kinds = [...new Set(renderEnvironment(validateEnvironment(manifest(name))).map((o) => `${o.apiVersion}|${o.kind}`))];
  const lists = await Promise.all(kinds.map((k) => {
    const [apiVersion, kind] = k.split('|') as [string, string];
    return kube().list({ apiVersion, kind, namespace, labelSelector: `marketplace.platform.dev/environment=${name}` });
  }));
  return lists.flat() as Obj[];
};
const child = async (name: string, kind: string, suffix: string) => (await children(name)).find((c) => c.kind === kind && c.metadata?.name === `${name}-${suffix}`);
const condition = (env: Env | undefined, type: string) => env?.status?.conditions?.find((c) => c.type === type);

/** Marks every current child synced until the environment is Ready (held-back children appear as their inputs sync). */
async function syncUntilReady(name: string): Promise<Env> {
  return waitFor(`${name} Ready`, async () => {
    for (const c of await children(name)) if (!c.status?.conditions?.length) await markSynced(kube(), c);
    const env = await getEnv(name);
    return env?.status?.phase === 'Ready' ? env : undefined;
  }, 60_000, 300);
}

beforeAll(async () => {
  controller = new EnvironmentController({ kubeConfig: kc, logger: silentLogger(), namespaces: [namespace], resyncPeriodMs: 1_000, progressRequeueMs: 1_000, concurrency: 2 });
  await controller.kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } } as never);
  await controller.start();
}, 60_000);

afterAll(async () => {
  await controller?.stop();
  await kube()?.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
});

describe('one environment through its life', () => {
  const name = 'shop';
  const expected = renderEnvironment(validateEnvironment(manifest(name)));

  it('creates every child with its references, generates secrets, and holds back what waits for a value', async () => {
    await kube().apply(manifest(name) as never);
    // The KMS bucket waits for the key's ARN (a late binding), so it is the only one missing at first.
    const live = await waitFor('children created', async () => {
      const found = await children(name);
      return found.length === expected.length - 1 ? found : undefined;
    });
    const subnet = live.find((c) => c.kind === 'Subnet');
    expect(subnet?.spec.vpcRef).toEqual({ from: { name: `${name}-vpc` } });
    expect(live.find((c) => c.metadata?.name === `${name}-bucket-orders`)).toBeUndefined();
    const secret = await kube().get({ apiVersion: 'v1', kind: 'Secret', namespace, name: `${name}-secret-jwt` }) as Obj & { data?: Record<string, string> };
    expect(Buffer.from(secret?.data?.value ?? '', 'base64').toString()).toHaveLength(48);
    const env = await waitFor('Waiting component', async () => {
      const e = await getEnv(name);
      return e?.status?.components?.some((c) => c.name === `${name}-bucket-orders` && c.state === 'Waiting') ? e : undefined;
    });
    expect(env.metadata?.finalizers).toContain(FINALIZER);
    expect(condition(env, 'Ready')).toMatchObject({ status: 'False' });
  });

  it('goes Ready with outputs once ACK reports every child synced', async () => {
    const env = await syncUntilReady(name);
    // MPE_RECORD_STATUS=path keeps a real status for the docs (docs/recorded/status-ready.json, shown in docs/controller.md).
    if (process.env.MPE_RECORD_STATUS) writeFileSync(process.env.MPE_RECORD_STATUS, JSON.stringify({ metadata: { name, generation: env.metadata?.generation }, status: env.status }, null, 2));
    expect(env.status?.observedGeneration).toBe(env.metadata?.generation);
    expect(condition(env, 'Ready')).toMatchObject({ status: 'True', reason: 'AllComponentsReady', observedGeneration: env.metadata?.generation });
    expect(condition(env, 'Degraded')).toMatchObject({ status: 'False' });
    expect(env.status?.summary).toBe(`${expected.length}/${expected.length}`);
    const outputs = env.status!.outputs!;
    expect(outputs.vpcID).toBe(`vpc-vpc-${name}-vpc`);
    expect(outputs.subnetIDs?.isolated).toHaveLength(2);
    expect(outputs.database?.writerEndpoint).toBe(`${name}-db.cluster.example`);
    expect(outputs.cache?.configurationEndpoint).toBe(`${name}-cache.cache.example`);
    expect(outputs.buckets?.map((b) => b.bucketName)).toEqual(['shop-assets-test', 'shop-orders-test']);
    expect(outputs.kmsKeyARN).toContain(`${name}-kms`);
    // The late binding was filled from the key's status.
    const bucket = await child(name, 'Bucket', 'bucket-orders');
    expect(bucket?.spec.encryption.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyID).toBe(outputs.kmsKeyARN);
  });

  it('makes no API write while nothing changes (several resyncs)', async () => {
    const before = controller.writes.total();
    await new Promise((r) => setTimeout(r, 4_000));
    expect(controller.writes.total() - before).toBe(0);
  });

  it('reports a terminal child as Degraded, naming it, and recovers', async () => {
    const cluster = (await child(name, 'DBCluster', 'db'))!;
    await markTerminal(kube(), cluster, 'InvalidParameterCombination: Cannot find version 16.99 for aurora-postgresql');
    const degraded = await waitFor('Degraded', async () => {
      const e = await getEnv(name);
      return condition(e, 'Degraded')?.status === 'True' ? e : undefined;
    });
    expect(degraded.status?.phase).toBe('Degraded');
    expect(condition(degraded, 'Degraded')?.message).toContain(`DBCluster/${name}-db`);
    expect(condition(degraded, 'Degraded')?.message).toContain('Cannot find version 16.99');
    await markSynced(kube(), cluster);
    await waitFor('Ready again', async () => (await getEnv(name))?.status?.phase === 'Ready');
  });

  it('restores a deleted child and an edited child', async () => {
    const subnet = (await child(name, 'Subnet', 'subnet-private-a-0'))!;
    await kube().delete({ apiVersion: subnet.apiVersion!, kind: subnet.kind!, namespace, name: subnet.metadata!.name! });
    await waitFor('subnet re-created', async () => {
      const again = await child(name, 'Subnet', 'subnet-private-a-0');
      return again && again.metadata?.uid !== subnet.metadata?.uid;
    });
    const group = (await child(name, 'SecurityGroup', 'sg-db'))!;
    await kube().patchMetadata({ apiVersion: group.apiVersion!, kind: group.kind!, namespace, name: group.metadata!.name! }, { labels: { 'marketplace.platform.dev/environment': name } });
    const rules = group.spec.ingressRules;
    // Someone edits the rules by hand (another field manager); the operator takes its fields back.
    const other = (await import('../../controllers/runtime/client-node-kube-client.js')).ClientNodeKubeClient.fromKubeConfig(kc, { fieldManager: 'someone-else' });
    await other.apply({ apiVersion: group.apiVersion, kind: group.kind, metadata: { name: group.metadata!.name, namespace }, spec: { ...group.spec, ingressRules: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: [{ cidrIP: '0.0.0.0/0' }] }] } } as never);
    await waitFor('rules restored', async () => JSON.stringify((await child(name, 'SecurityGroup', 'sg-db'))?.spec.ingressRules) === JSON.stringify(rules));
  });

  it('prunes the children of a component removed from the spec', async () => {
    const m = manifest(name);
    delete m.spec.cache;
    await kube().apply(m as never);
    await waitFor('cache pruned', async () => !(await children(name)).some((c) => c.kind === 'ReplicationGroup' || c.kind === 'CacheSubnetGroup'));
    expect(await child(name, 'SecurityGroup', 'sg-cache')).toBeUndefined();
  });

  it('applies the last of two racing updates (no lost update)', async () => {
    const first = manifest(name);
    delete first.spec.cache;
    first.spec.tags.owner = 'team-a';
    const second = JSON.parse(JSON.stringify(first));
    second.spec.tags.owner = 'team-b';
    await Promise.all([kube().apply(first as never), new Promise((r) => setTimeout(r, 20)).then(() => kube().apply(second as never))]);
    await waitFor('owner tag team-b on the VPC', async () => (await child(name, 'VPC', 'vpc'))?.spec.tags.some((t: { key: string; value: string }) => t.key === 'Owner' && t.value === 'team-b'));
    const env = await waitFor('observedGeneration caught up', async () => {
      const e = await getEnv(name);
      return e?.status?.observedGeneration === e?.metadata?.generation ? e : undefined;
    });
    expect(env.spec.tags.owner).toBe('team-b');
  });

  it('deletes children wave by wave in reverse dependency order, then releases the finalizer', async () => {
    // Hold every child with a finalizer, as ACK's own finalizer does while AWS deletes the resource.
    const hold = 'test.marketplace.platform.dev/hold';
    for (const c of await children(name)) {
      await kube().patchMetadata({ apiVersion: c.apiVersion!, kind: c.kind!, namespace, name: c.metadata!.name! }, { finalizers: [hold] });
    }
    await kube().delete({ apiVersion: API, kind: 'MarketplaceEnvironment', namespace, name });
    const order: string[][] = [];
    for (let wave = 0; wave < 20; wave++) {
      const live = await children(name);
      if (live.length === 0) break;
      const deleting = await waitFor('a wave being deleted', async () => {
        const d = (await children(name)).filter((c) => c.metadata?.deletionTimestamp);
        return d.length > 0 ? d : undefined;
      });
      order.push([...new Set(deleting.map((c) => c.kind!))].sort());
      for (const c of deleting) await kube().patchMetadata({ apiVersion: c.apiVersion!, kind: c.kind!, namespace, name: c.metadata!.name! }, { finalizers: [] });
    }
    expect(order.flat()).toEqual(expect.arrayContaining(['DBInstance', 'DBCluster', 'SecurityGroup', 'Subnet', 'VPC', 'Key']));
    const pos = (kind: string) => order.findIndex((w) => w.includes(kind));
    expect(pos('DBInstance')).toBeLessThan(pos('DBCluster'));
    expect(pos('DBCluster')).toBeLessThan(pos('SecurityGroup'));
    expect(pos('NATGateway')).toBeLessThan(pos('Subnet'));
    expect(pos('Subnet')).toBeLessThan(pos('RouteTable'));
    expect(pos('RouteTable')).toBeLessThan(pos('VPC'));
    expect(pos('VPC')).toBeLessThan(pos('Key'));
    await waitFor('environment gone (finalizer released)', async () => (await getEnv(name)) === undefined);
  });
});

describe('a spec that slipped past admission', () => {
  it('becomes a Degraded condition naming the field, and the controller keeps working', async () => {
    const m = manifest('too-small');
    m.spec.network.vpcCIDR = '10.20.0.0/22';
    m.spec.network.subnets.private = { countPerAZ: 2, prefixLength: 23 };
    await kube().apply(m as never);
    const env = await waitFor('InvalidSpec', async () => {
      const e = await getEnv('too-small');
      return condition(e, 'Degraded')?.reason === 'InvalidSpec' ? e : undefined;
    });
    expect(condition(env, 'Degraded')?.message).toContain('spec.network.subnets');
    expect(condition(env, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(await children('too-small')).toEqual([]);
    // Fixing the spec (smaller subnets; the VPC CIDR itself is immutable) lets it proceed.
    for (const tier of ['public', 'private', 'isolated']) m.spec.network.subnets[tier] = { countPerAZ: 1, prefixLength: 26 };
    await kube().apply(m as never);
    await waitFor('children after the fix', async () => (await children('too-small')).length > 0);
  });
});
