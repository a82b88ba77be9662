/**
 * Adoption instead of duplication (issue 16, item 2), on the e2e stack: real ACK controllers against moto, the operator
 * in-process. An environment with deletionPolicy Retain and a database (so its VPC, subnets, route tables and security
 * groups are retained with it), a bucket and its KMS key is applied, deleted, and applied again. moto's own API then
 * holds one VPC, one database, one bucket and the same key, with the same ids and ARNs as before, and ACK reports
 * every retained child adopted (`services.k8s.aws/adopted: "true"`): the name-keyed kinds found by the names the spec
 * holds, the id-keyed ones by the ids the operator recorded (charts/adoption.ts, identity-record.ts).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { validateEnvironment, type MarketplaceEnvironmentStatus } from '../../api/index.js';
import { ADOPTED_ANNOTATION, ADOPTION_FIELDS_ANNOTATION, declaredIdentity } from '../../charts/adoption.js';
import { CHILD_KINDS } from '../../charts/child-kinds.js';
import { DELETION_POLICY_ANNOTATION } from '../../charts/context.js';
import { EnvironmentNames } from '../../charts/naming.js';
import { renderEnvironment } from '../../charts/render.js';
import { AwsGapActions } from '../../controllers/aws-gaps/actions.js';
import { SdkAwsClients } from '../../controllers/aws-gaps/clients.js';
import { EnvironmentController } from '../../controllers/environment-controller.js';
import { ClientNodeKubeClient } from '../../controllers/runtime/client-node-kube-client.js';
import { createLogger } from '../../controllers/runtime/logger.js';
import { waitFor } from '../integration/helpers/wait.js';
import { e2eInfo, e2eNamespace } from './env.js';
import { awsIdOf, awsSnapshot, type AwsSnapshot } from './helpers/aws.js';
import { isSynced, listChildren, type Child } from './helpers/children.js';
import { removeEnvironmentAndNamespace } from './helpers/cleanup.js';

const API = 'marketplace.platform.dev/v1alpha1';
const KIND = 'MarketplaceEnvironment';
const REGION = 'us-east-1';
/** Unique among the suite's environments: the VPC is found in moto by it. */
const VPC_CIDR = '10.97.0.0/16';
const READY_TIMEOUT_MS = 360_000;
const DELETE_TIMEOUT_MS = 240_000;

const info = e2eInfo();
const kc = new KubeConfig();
kc.loadFromFile(info.kubeconfig);
const kube = ClientNodeKubeClient.fromKubeConfig(kc, { fieldManager: 'mpe-e2e-test' });
const namespace = e2eNamespace('adoption', info.namespaceSuffix);

/**
 * The smallest environment whose retained part has every adoption path: a MySQL instance (name-keyed, with its
 * name-keyed subnet group), the VPC, private subnets, route tables and security groups it keeps (id-keyed), a bucket
 * (name-keyed) and the environment's KMS key (id-keyed). No public subnets and no NAT, to keep it quick.
 */
const manifest = {
  apiVersion: API,
  kind: KIND,
  metadata: { name: 'adoption', namespace },
  spec: {
    region: REGION,
    project: 'adopt',
    environmentSuffix: 'e2e',
    tags: { environment: 'e2e', owner: 'platform' },
    deletionPolicy: 'Retain',
    network: {
      vpcCIDR: VPC_CIDR,
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      subnets: { public: { countPerAZ: 0 }, private: { countPerAZ: 1, prefixLength: 24 }, isolated: { countPerAZ: 0 } },
      natGateways: 'None',
    },
    securityGroups: { app: { port: 8000 } },
    database: {
      engine: 'mysql',
      engineVersion: '8.0',
      instanceClass: 'db.t3.micro',
      multiAZ: false,
      allocatedStorageGiB: 20,
      deletionProtection: false,
      credentials: 'AWSManaged',
      subnetTier: 'private',
    },
    storage: { buckets: [{ name: 'data', purpose: 'files' }] },
  },
};
const rendered = renderEnvironment(validateEnvironment(structuredClone(manifest) as never));
const kinds = CHILD_KINDS.filter((k) => rendered.some((o) => o.apiVersion === k.apiVersion && o.kind === k.kind));
const retainedKeys = new Set(rendered.filter((o) => o.metadata.annotations?.[DELETION_POLICY_ANNOTATION] === 'retain').map((o) => `${o.kind}/${o.metadata.name}`));
const label = (o: { kind?: string; metadata?: { name?: string } }) => `${o.kind}/${o.metadata?.name}`;

type Env = { metadata?: { generation?: number }; status?: MarketplaceEnvironmentStatus };
const getEnv = () => kube.get({ apiVersion: API, kind: KIND, namespace, name: manifest.metadata.name }) as Promise<Env | undefined>;

let controller: EnvironmentController | undefined;
const awsClients = new SdkAwsClients({ clientConfig: { endpoint: info.awsEndpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } } });
let operatorLog: WriteStream | undefined;

/** What the first environment left: its children as ACK reported them, and moto's view. */
let first: { children: Child[]; aws: AwsSnapshot } | undefined;

beforeAll(async () => {
  operatorLog = createWriteStream(join(info.logDir, 'operator-adoption.log'), { flags: 'a' });
  const logger = createLogger({ level: 'info', destination: operatorLog });
  controller = new EnvironmentController({ kubeConfig: kc, logger, namespaces: [namespace], progressRequeueMs: 5_000, awsGaps: new AwsGapActions({ clients: awsClients, logger }) });
  await controller.start();
  await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
}, 60_000);

afterAll(async () => {
  // Gone while the operator still runs: a finalizer left behind would keep the namespace Terminating (cleanup.ts).
  await removeEnvironmentAndNamespace(kube, namespace, manifest.metadata.name);
  await controller?.stop();
  awsClients.close();
  await new Promise((r) => operatorLog?.end(r));
}, 120_000);

/** Applies the environment and waits until it is Ready with every rendered child synced; returns the children. */
async function applyReady(): Promise<Child[]> {
  await kube.apply(structuredClone(manifest) as never);
  let last = '';
  return waitFor('the environment Ready, every child synced', async () => {
    const env = await getEnv();
    const children = await listChildren(kube, namespace, manifest.metadata.name, kinds);
    last = `phase ${env?.status?.phase}; not synced: ${children.filter((c) => !isSynced(c)).map((c) => `${label(c)} ${JSON.stringify(c.status?.conditions ?? [])}`).join('; ')}`;
    const ready = env?.status?.phase === 'Ready' && env.status.observedGeneration === env.metadata?.generation;
    return ready && children.length === rendered.length && children.every(isSynced) ? children : undefined;
  }, READY_TIMEOUT_MS, 2_000).catch((err: Error) => {
    throw new Error(`${err.message}\n${last}`);
  });
}

/** The AWS identity of a child: the id or name AWS knows it by (as the deletion checks read it), and its ARN where ACK reports one. */
function identityOf(c: Child): { id?: string; arn?: string } {
  return { id: awsIdOf(c)?.id, arn: c.status?.ackResourceMetadata?.arn };
}

const vpcsOf = (aws: AwsSnapshot) => aws.regions[REGION]!.vpcs.filter((v) => v.cidr === VPC_CIDR);

describe('a Retain environment deleted and applied again', () => {
  it('first apply: Ready; the retained id-keyed children\'s ids are recorded in a ConfigMap without an owner', async () => {
    const children = await applyReady();
    const aws = await awsSnapshot(info.awsEndpoint, [REGION]);
    first = { children, aws };
    expect(vpcsOf(aws)).toHaveLength(1);
    // The kinds the test means to cover are there and retained.
    const retained = children.filter((c) => retainedKeys.has(label(c)));
    expect([...new Set(retained.map((c) => c.kind))].sort()).toEqual(['Bucket', 'DBInstance', 'DBSubnetGroup', 'Key', 'RouteTable', 'SecurityGroup', 'Subnet', 'VPC']);
    const record = await kube.get<KubernetesObject & { data?: Record<string, string> }>({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: new EnvironmentNames(manifest as never).retainedIds() });
    expect(record?.metadata?.ownerReferences).toBeUndefined();
    const vpc = children.find((c) => c.kind === 'VPC')!;
    expect(record?.data?.[`VPC.${vpc.metadata!.name}`]).toBe(JSON.stringify({ vpcID: vpc.status!.vpcID }));
    const declaring = rendered.filter((o) => declaredIdentity(o)).map((o) => `${o.kind}.${o.metadata.name}`).sort();
    expect(Object.keys(record?.data ?? {}).sort()).toEqual(declaring);
  }, READY_TIMEOUT_MS + 60_000);

  it('deleted: the children go, and moto still holds the VPC, the database, the bucket and the key', async () => {
    expect(first).toBeDefined();
    await kube.delete({ apiVersion: API, kind: KIND, namespace, name: manifest.metadata.name });
    await waitFor('the environment and its children gone', async () => (await getEnv()) === undefined && (await listChildren(kube, namespace, manifest.metadata.name, kinds)).length === 0, DELETE_TIMEOUT_MS, 2_000);
    const aws = (await awsSnapshot(info.awsEndpoint, [REGION])).regions[REGION]!;
    const id = (kind: string) => identityOf(first!.children.find((c) => c.kind === kind)!).id;
    expect(aws.vpcs.map((v) => v.id)).toContain(id('VPC'));
    expect(aws.dbInstances.map((d) => d.id.toLowerCase())).toContain(String(id('DBInstance')).toLowerCase());
    expect(aws.keys.find((k) => k.id === id('Key'))?.state).toBe('Enabled');
    expect((await awsSnapshot(info.awsEndpoint, [REGION])).buckets.map((b) => b.name)).toContain(id('Bucket'));
  }, DELETE_TIMEOUT_MS + 60_000);

  it('applied again: Ready, moto holds one of each with the same ids and ARNs, and every retained child is adopted', async () => {
    expect(first).toBeDefined();
    const children = await applyReady();
    const aws = await awsSnapshot(info.awsEndpoint, [REGION]);
    const region = aws.regions[REGION]!;
    const before = first!.aws.regions[REGION]!;

    // One VPC with the environment's CIDR, the same one; its subnets, route tables and security groups the same.
    expect(vpcsOf(aws)).toEqual(vpcsOf(first!.aws));
    const vpcID = vpcsOf(aws)[0]!.id;
    const inVpc = (r: typeof region) => ({
      subnets: r.subnets.filter((s) => s.vpc === vpcID).map((s) => s.id).sort(),
      routeTables: r.routeTables.filter((t) => t.vpc === vpcID).map((t) => t.id).sort(),
      securityGroups: r.securityGroups.filter((g) => g.vpc === vpcID && g.name !== 'default').map((g) => g.id).sort(),
    });
    expect(inVpc(region)).toEqual(inVpc(before));
    // One database, one bucket, and no second key.
    const db = String(identityOf(children.find((c) => c.kind === 'DBInstance')!).id).toLowerCase();
    expect(region.dbInstances.filter((d) => d.id.toLowerCase() === db)).toHaveLength(1);
    const bucket = identityOf(children.find((c) => c.kind === 'Bucket')!).id;
    expect(aws.buckets.filter((b) => b.name === bucket)).toHaveLength(1);
    expect(region.keys.length).toBe(before.keys.length);

    // Every retained child: the same AWS id and ARN as the first environment's, adopted by ACK; the others recreated.
    const problems: string[] = [];
    for (const c of children) {
      const old = first!.children.find((o) => label(o) === label(c));
      const same = JSON.stringify(identityOf(c)) === JSON.stringify(old && identityOf(old));
      const adopted = c.metadata?.annotations?.[ADOPTED_ANNOTATION] === 'true';
      if (retainedKeys.has(label(c)) && !(same && adopted)) problems.push(`${label(c)}: ${JSON.stringify(identityOf(c))} (was ${JSON.stringify(old && identityOf(old))}), adopted ${adopted}`);
      if (!retainedKeys.has(label(c)) && adopted) problems.push(`${label(c)}: adopted, but not retained`);
    }
    expect(problems).toEqual([]);
    expect(children.filter((c) => retainedKeys.has(label(c))).length).toBeGreaterThan(8);
    // The id-keyed ones were found by the ids the operator recorded.
    const vpc = children.find((c) => c.kind === 'VPC')!;
    expect(vpc.metadata?.annotations?.[ADOPTION_FIELDS_ANNOTATION]).toBe(JSON.stringify({ vpcID }));
  }, READY_TIMEOUT_MS + 60_000);
});
