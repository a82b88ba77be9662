/**
 * The application tier on a real API server, with the EnvironmentController running: no ACK controller runs here, so
 * the tests play ACK's part for every kind (helpers/ack-simulator.ts), and AWS's part for the web ACL association the
 * operator makes itself (an in-memory WAFv2 injected through the controller's `awsGaps` option). One environment from
 * the shared valid application spec goes through its life: children held back until their sources report, Ready
 * with the application's outputs, a terminal ECS service and its recovery, a blue/green weight change, and deletion
 * in waves with the association undone first.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { validateEnvironment, type MarketplaceEnvironmentStatus } from '../../api/index.js';
import { renderEnvironment } from '../../charts/index.js';
import { AwsGapActions } from '../../controllers/aws-gaps/actions.js';
import { EnvironmentController } from '../../controllers/environment-controller.js';
import { silentLogger } from '../../controllers/runtime/logger.js';
import { AckCrdSources } from '../../localcluster/ack-crd-sources.js';
import { validApplicationBase, type Manifest } from '../fixtures/invalid-specs.js';
import { testRequiring } from '../helpers/requirements.js';
import { FakeWafv2 } from '../unit/aws-gaps/fake-aws.js';
import { markSynced, markTerminal } from './helpers/ack-simulator.js';
import { loadTestKubeConfig, uniqueName } from './helpers/kube.js';
import { waitFor } from './helpers/wait.js';

type Obj = KubernetesObject & { spec?: any; status?: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
type Env = KubernetesObject & { spec?: any; status?: MarketplaceEnvironmentStatus }; // eslint-disable-line @typescript-eslint/no-explicit-any

const kc = loadTestKubeConfig();
const namespace = uniqueName('app-tier');
const API = 'marketplace.platform.dev/v1alpha1';
const name = 'shop';
const aws = new FakeWafv2();
let controller: EnvironmentController | undefined;

/** The shared valid application spec (load balancer with HTTPS and a requested certificate, blue/green containers, registry). */
function manifest(mutate?: (m: Manifest) => void): Manifest {
  const m = validApplicationBase(name);
  m.metadata.namespace = namespace;
  mutate?.(m);
  return m;
}

const rendered = renderEnvironment(validateEnvironment(manifest()));
const kinds = [...new Map(rendered.map((o) => [`${o.apiVersion}|${o.kind}`, { apiVersion: o.apiVersion, kind: o.kind }])).values()];
/** Every kind rendered must be served (the app tier's CRDs come from the proxy or ACK_CRDS_DIR); else skipped with why. */
const appTest = testRequiring(new AckCrdSources().unavailable(kinds));

const kube = () => controller!.kube;
const getEnv = () => kube().get({ apiVersion: API, kind: 'MarketplaceEnvironment', namespace, name }) as Promise<Env | undefined>;
const children = async (): Promise<Obj[]> =>
  (await Promise.all(kinds.map((k) => kube().list({ ...k, namespace, labelSelector: `marketplace.platform.dev/environment=${name}` })))).flat() as Obj[];
const child = async (kind: string, suffix: string) => (await children()).find((c) => c.kind === kind && c.metadata?.name === `${name}-${suffix}`);
const refOf = (c: Obj) => ({ apiVersion: c.apiVersion!, kind: c.kind!, namespace, name: c.metadata!.name! });
const condition = (env: Env | undefined, type: string) => env?.status?.conditions?.find((c) => c.type === type);
const componentOf = (env: Env | undefined, kind: string, componentName: string) => env?.status?.components?.find((c) => c.kind === kind && c.name === componentName);
const arn = (c: Obj | undefined): string => c?.status?.ackResourceMetadata?.arn;

/**
 * Plays ACK until `probe` answers: marks every child that has no conditions yet synced, except those of the kinds in
 * `except` (held children appear as their sources sync, and are marked in turn).
 */
async function playUntil<T>(what: string, probe: (env: Env | undefined) => T | undefined | false, except: readonly string[] = []): Promise<T> {
  return waitFor(what, async () => {
    for (const c of await children()) if (!except.includes(c.kind!) && !c.status?.conditions?.length) await markSynced(kube(), c);
    return probe(await getEnv());
  }, 60_000, 300);
}

beforeAll(async () => {
  controller = new EnvironmentController({
    kubeConfig: kc,
    logger: silentLogger(),
    namespaces: [namespace],
    resyncPeriodMs: 1_000,
    progressRequeueMs: 1_000,
    concurrency: 2,
    awsGaps: new AwsGapActions({ clients: aws, logger: silentLogger() }),
  });
  await controller.kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } } as never);
  await controller.start();
}, 60_000);

afterAll(async () => {
  await controller?.stop();
  await controller?.kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
});

describe('an application environment through its life', () => {
  appTest('creates the children; the web ACL association is a Waiting component until the load balancer and the web ACL sync', async () => {
    await kube().apply(manifest() as never);
    const env = await waitFor('the association component', async () => {
      const e = await getEnv();
      return componentOf(e, 'WebACLAssociation', `${name}-alb-waf`) ? e : undefined;
    });
    expect(componentOf(env, 'WebACLAssociation', `${name}-alb-waf`)).toMatchObject({ component: 'loadBalancer', state: 'Waiting', reason: 'WaitingForDependency', message: expect.stringContaining(`LoadBalancer/${name}-alb status.ackResourceMetadata.arn`) });
    expect(aws.calls).toEqual([]);
    const live = await waitFor('the load balancer and its target groups', async () => {
      const found = await children();
      return ['LoadBalancer', 'TargetGroup', 'Cluster', 'Service', 'Repository', 'Certificate'].every((k) => found.some((c) => c.kind === k)) ? found : undefined;
    });
    expect(live.find((c) => c.kind === 'Service' && c.metadata?.name === `${name}-service-blue`)?.spec.taskDefinitionRef).toEqual({ from: { name: `${name}-task-blue` } });
  });

  appTest('holds the HTTPS listener back until the certificate reports its ARN, the task definitions until the repository reports its URI', async () => {
    const listenerWaits = `waiting for Certificate/${name}-certificate status.ackResourceMetadata.arn`;
    const taskWaits = `waiting for Repository/${name}-registry status.repositoryURI`;
    // Everything else synced: only the certificate and the repository are awaited.
    await playUntil('only the certificate and the repository awaited', (e) =>
      componentOf(e, 'Listener', `${name}-listener-https`)?.message === listenerWaits && componentOf(e, 'TaskDefinition', `${name}-task-blue`)?.message === taskWaits && componentOf(e, 'TaskDefinition', `${name}-task-green`)?.message === taskWaits, ['Certificate', 'Repository']);
    expect(await child('Listener', 'listener-https')).toBeUndefined();
    expect(await child('TaskDefinition', 'task-blue')).toBeUndefined();
    expect(await child('TaskDefinition', 'task-green')).toBeUndefined();

    const certificate = (await child('Certificate', 'certificate'))!;
    await markSynced(kube(), certificate);
    const listener = await waitFor('the HTTPS listener', () => child('Listener', 'listener-https'));
    const [blue, green] = [arn(await child('TargetGroup', 'tg')), arn(await child('TargetGroup', 'tg-green'))];
    expect(listener.spec.certificates).toEqual([{ certificateARN: arn(await child('Certificate', 'certificate')) }]);
    expect(listener.spec.defaultActions[0].forwardConfig.targetGroups).toEqual([{ targetGroupARN: blue, weight: 90 }, { targetGroupARN: green, weight: 10 }]);
    expect(await child('TaskDefinition', 'task-blue')).toBeUndefined();

    const repository = (await child('Repository', 'registry'))!;
    await markSynced(kube(), repository);
    const uri = (await child('Repository', 'registry'))!.status.repositoryURI as string;
    const task = await waitFor('the blue task definition', () => child('TaskDefinition', 'task-blue'));
    const container = task.spec.containerDefinitions[0];
    expect(container.image).toBe(`${uri}:v1`);
    const variables = Object.fromEntries(container.environment.map((v: { name: string; value: string }) => [v.name, v.value]));
    expect(variables).toMatchObject({ DB_HOST: `${name}-db.cluster.example`, DB_READER_HOST: `${name}-db.cluster-ro.example`, CACHE_HOST: `${name}-cache.cache.example`, PUBLIC_HOST: (await child('LoadBalancer', 'alb'))!.status.dnsName });
    const db = (await child('DBCluster', 'db'))!;
    expect(Object.fromEntries(container.secrets.map((v: { name: string; valueFrom: string }) => [v.name, v.valueFrom]))).toEqual({
      JWT_SECRET: arn(await child('Secret', 'secret-jwt')),
      DB_PASSWORD: `${db.status.masterUserSecret.secretARN}:password::`,
    });
    expect(task.spec.executionRoleARN).toBe(arn(await child('Role', 'role-task-exec')));
    expect((await waitFor('the green task definition', () => child('TaskDefinition', 'task-green'))).spec.containerDefinitions[0].image).toBe(`${uri}:v2`);
  });

  appTest('goes Ready once every child reports synced, with the application\'s outputs', async () => {
    const env = await playUntil('Ready', (e) => e?.status?.phase === 'Ready' && e);
    expect(condition(env, 'Ready')).toMatchObject({ status: 'True', reason: 'AllComponentsReady', observedGeneration: env.metadata?.generation });
    // Every child, and the association.
    expect(env.status?.summary).toBe(`${rendered.length + 1}/${rendered.length + 1}`);
    const outputs = env.status!.outputs!;
    const lb = (await child('LoadBalancer', 'alb'))!;
    expect(outputs.loadBalancer).toEqual({
      dnsName: lb.status.dnsName,
      canonicalHostedZoneID: lb.status.canonicalHostedZoneID,
      arn: arn(lb),
      certificateARN: arn(await child('Certificate', 'certificate')),
      targetGroupARN: arn(await child('TargetGroup', 'tg')),
      greenTargetGroupARN: arn(await child('TargetGroup', 'tg-green')),
    });
    expect(outputs.registry?.repositoryURI).toBe((await child('Repository', 'registry'))!.status.repositoryURI);
    expect(outputs.compute).toEqual({ clusterName: 'shop-cluster-test', serviceNames: ['shop-app-blue-test', 'shop-app-green-test'], logGroupName: '/shop/test/app' });
  });

  appTest('the web ACL association is Ready after one AssociateWebACL with the ARNs ACK reported', async () => {
    const [lb, acl] = [arn(await child('LoadBalancer', 'alb')), arn(await child('WebACL', 'waf'))];
    const env = await getEnv();
    expect(componentOf(env, 'WebACLAssociation', `${name}-alb-waf`)).toEqual({ component: 'loadBalancer', kind: 'WebACLAssociation', name: `${name}-alb-waf`, state: 'Ready', message: `associated with web ACL ${acl}` });
    expect(aws.associations).toEqual(new Map([[lb, acl]]));
    expect(aws.calls.filter((c) => c.operation === 'AssociateWebACL').map((c) => [c.region, ...c.args])).toEqual([['us-east-1', acl, lb]]);
  });

  appTest('makes no API write and no AWS call while nothing changes (several resyncs)', async () => {
    const [writes, calls] = [controller!.writes.total(), aws.calls.length + aws.scaling.calls.length];
    await new Promise((r) => setTimeout(r, 4_000));
    expect(controller!.writes.total() - writes).toBe(0);
    expect(aws.calls.length + aws.scaling.calls.length - calls).toBe(0);
  });

  appTest('reports a terminal ECS service as Degraded, naming it and ACK\'s message, and recovers', async () => {
    const service = (await child('Service', 'service-blue'))!;
    const message = 'InvalidParameterException: The container app does not exist in the task definition.';
    await markTerminal(kube(), service, message);
    const degraded = await waitFor('Degraded', async () => {
      const e = await getEnv();
      return condition(e, 'Degraded')?.status === 'True' ? e : undefined;
    });
    expect(degraded.status?.phase).toBe('Degraded');
    expect(condition(degraded, 'Degraded')).toMatchObject({ reason: 'ComponentFailed', message: expect.stringContaining(`Service/${name}-service-blue`) });
    expect(condition(degraded, 'Degraded')?.message).toContain(message);
    expect(componentOf(degraded, 'Service', `${name}-service-blue`)).toMatchObject({ state: 'Failed', message });
    await markSynced(kube(), service);
    await waitFor('Ready again', async () => (await getEnv())?.status?.phase === 'Ready');
  });

  appTest('blue/green: a weight change in the spec changes the listener\'s forward weights, and nothing else', async () => {
    const before = (await child('Listener', 'listener-https'))!;
    const generations = new Map((await children()).map((c) => [`${c.kind}/${c.metadata!.name}`, c.metadata!.generation]));
    await kube().apply(manifest((m) => Object.assign(m.spec.compute.containers.blueGreen, { blueWeight: 50, greenWeight: 50 })) as never);
    const after = await waitFor('weights 50/50 on the listener', async () => {
      const l = await child('Listener', 'listener-https');
      return l?.spec.defaultActions[0].forwardConfig.targetGroups.every((g: { weight: number }) => g.weight === 50) ? l : undefined;
    });
    const withoutWeights = (spec: any) => JSON.parse(JSON.stringify(spec), (key, value) => (key === 'weight' ? undefined : value)); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(withoutWeights(after.spec)).toEqual(withoutWeights(before.spec));
    expect(after.spec.defaultActions[0].forwardConfig.targetGroups.map((g: { targetGroupARN: string }) => g.targetGroupARN)).toEqual(before.spec.defaultActions[0].forwardConfig.targetGroups.map((g: { targetGroupARN: string }) => g.targetGroupARN));
    const env = await waitFor('the new generation observed', async () => {
      const e = await getEnv();
      return e?.status?.observedGeneration === e?.metadata?.generation && e?.status?.phase === 'Ready' ? e : undefined;
    });
    expect(env.status?.phase).toBe('Ready');
    // The listener is the only child whose spec changed.
    const changed = (await children()).filter((c) => generations.get(`${c.kind}/${c.metadata!.name}`) !== c.metadata!.generation).map((c) => `${c.kind}/${c.metadata!.name}`);
    expect(changed).toEqual([`Listener/${name}-listener-https`]);
  });

  appTest('deletes in waves: scaling policies and services before listeners and target groups, those before the load balancer; the association undone first', async () => {
    // Hold every child with a finalizer, as ACK's own finalizer does while AWS deletes the resource.
    const hold = 'test.marketplace.platform.dev/hold';
    for (const c of await children()) await kube().patchMetadata(refOf(c), { finalizers: [hold] });
    const lb = arn(await child('LoadBalancer', 'alb'));
    await kube().delete({ apiVersion: API, kind: 'MarketplaceEnvironment', namespace, name });
    const order: string[][] = [];
    let associatedAtFirstWave: boolean | undefined;
    for (let wave = 0; wave < 25 && (await children()).length > 0; wave++) {
      const deleting = await waitFor('a wave being deleted', async () => {
        const d = (await children()).filter((c) => c.metadata?.deletionTimestamp);
        return d.length > 0 ? d : undefined;
      });
      associatedAtFirstWave ??= aws.associations.has(lb);
      order.push([...new Set(deleting.map((c) => c.kind!))].sort());
      for (const c of deleting) await kube().patchMetadata(refOf(c), { finalizers: [] });
    }
    expect(associatedAtFirstWave).toBe(false);
    expect(aws.calls.filter((c) => c.operation === 'DisassociateWebACL').map((c) => c.args)).toEqual([[lb]]);
    const pos = (kind: string) => {
      const i = order.findIndex((w) => w.includes(kind));
      if (i < 0) throw new Error(`${kind} was never seen being deleted: ${JSON.stringify(order)}`);
      return i;
    };
    expect(order[0]).toEqual(['ScalingPolicy']);
    for (const [first, then] of [
      ['ScalingPolicy', 'ScalableTarget'],
      ['ScalableTarget', 'Service'],
      ['Service', 'Listener'],
      ['Service', 'TargetGroup'],
      ['Listener', 'TargetGroup'],
      ['Listener', 'LoadBalancer'],
      ['TargetGroup', 'LoadBalancer'],
      ['LoadBalancer', 'SecurityGroup'],
      ['Role', 'Policy'],
    ] as const) {
      expect([first, then, pos(first) < pos(then)]).toEqual([first, then, true]);
    }
    await waitFor('environment gone (finalizer released)', async () => (await getEnv()) === undefined);
  });
});
