/**
 * The serverless tier on a real API server, with the EnvironmentController running and the pinned CRDs installed. No
 * ACK controller runs here, so the tests play ACK's part (helpers/ack-simulator.ts), status by status where the
 * readiness of a kind depends on its own fields (a DynamoDB table's `tableStatus`, a function's `state`).
 *
 * Example 001 (tables, a shared layer, functions in the VPC, an HTTP API) goes Ready only once its tables are ACTIVE and
 * its functions Active, with the tables, functions and API URL in its outputs; a function ACK gives up on makes it
 * Degraded, naming that function. Example 003 holds three environments, one per region, managed from one namespace:
 * every child of each carries its own environment's region, and the values AWS reports in that region reach that
 * environment only.
 *
 * Children are found through the constructs' own naming (Tables.resourceName, ...), never by rebuilding names.
 */
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { validateEnvironment, type MarketplaceEnvironment, type MarketplaceEnvironmentStatus } from '../../api/index.js';
import { REGION_ANNOTATION, EnvironmentContext } from '../../charts/context.js';
import { renderEnvironment } from '../../charts/index.js';
import { ENVIRONMENT_LABEL } from '../../charts/naming.js';
import { FunctionLayers } from '../../charts/constructs/function-layers.js';
import { Functions } from '../../charts/constructs/functions.js';
import { HttpApi } from '../../charts/constructs/http-api.js';
import { RestApi } from '../../charts/constructs/rest-api.js';
import { Tables } from '../../charts/constructs/tables.js';
import { EXAMPLES_DIR, readManifests, type Manifest } from '../../cli/examples.js';
import { EnvironmentController } from '../../controllers/environment-controller.js';
import { silentLogger } from '../../controllers/runtime/logger.js';
import * as apigateway from '../../imports/apigateway.services.k8s.aws.js';
import * as apigatewayv2 from '../../imports/apigatewayv2.services.k8s.aws.js';
import * as dynamodb from '../../imports/dynamodb.services.k8s.aws.js';
import * as lambda from '../../imports/lambda.services.k8s.aws.js';
import { AckCrdSources } from '../../localcluster/ack-crd-sources.js';
import { testRequiring } from '../helpers/requirements.js';
import { markSynced, markTerminal, syncedStatus } from './helpers/ack-simulator.js';
import { loadTestKubeConfig, uniqueName } from './helpers/kube.js';
import { waitFor } from './helpers/wait.js';

type Obj = KubernetesObject & { spec?: any; status?: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
type Env = KubernetesObject & { spec?: any; status?: MarketplaceEnvironmentStatus }; // eslint-disable-line @typescript-eslint/no-explicit-any
type Gvk = { readonly apiVersion: string; readonly kind: string };

const kc = loadTestKubeConfig();
const API = 'marketplace.platform.dev/v1alpha1';
const ACCOUNT = '123456789012';
let controller: EnvironmentController | undefined;

/** The environments of an example file, in `namespace`, validated (defaults applied) and rendered. */
function example(file: string, namespace: string) {
  return readManifests(join(EXAMPLES_DIR, file)).map((m: Manifest) => {
    const manifest = { ...m, metadata: { ...m.metadata, namespace } };
    const env: MarketplaceEnvironment = validateEnvironment(manifest);
    return { manifest, env, ctx: new EnvironmentContext(env), rendered: renderEnvironment(env) };
  });
}

const marketplaceNs = uniqueName('serverless');
const tradingNs = uniqueName('regions');
const [marketplace] = example('001-marketplace-platform.yaml', marketplaceNs);
const trading = example('003-trading-platform.yaml', tradingNs);
const all = [marketplace!, ...trading];
const gvks: Gvk[] = [...new Map(all.flatMap((e) => e.rendered).map((o) => [`${o.apiVersion}|${o.kind}`, { apiVersion: o.apiVersion, kind: o.kind }])).values()];
/** Every kind both examples render must be served (the serverless CRDs come from ACK_CRDS_DIR); else skipped with why. */
const serverlessTest = testRequiring(new AckCrdSources().unavailable(gvks));

const kube = () => controller!.kube;
const same = (o: Partial<Gvk>, gvk: Gvk) => o.apiVersion === gvk.apiVersion && o.kind === gvk.kind;
const getEnv = (namespace: string, name: string) => kube().get({ apiVersion: API, kind: 'MarketplaceEnvironment', namespace, name }) as Promise<Env | undefined>;
/** The live children of environment `name` in `namespace`, every rendered kind. */
const children = async (namespace: string, name: string): Promise<Obj[]> =>
  (await Promise.all(gvks.map((k) => kube().list({ ...k, namespace, labelSelector: `${ENVIRONMENT_LABEL}=${name}` })))).flat() as Obj[];
const child = async (namespace: string, gvk: Gvk, name: string) => (await kube().get({ ...gvk, namespace, name })) as Obj | undefined;
const condition = (env: Env | undefined, type: string) => env?.status?.conditions?.find((c) => c.type === type);
const componentOf = (env: Env | undefined, gvk: Gvk, name: string) => env?.status?.components?.find((c) => c.kind === gvk.kind && c.name === name);
const refOf = (c: Obj) => ({ apiVersion: c.apiVersion!, kind: c.kind!, namespace: c.metadata!.namespace, name: c.metadata!.name! });
const arn = (c: Obj | undefined): string => c?.status?.ackResourceMetadata?.arn;

/**
 * Plays ACK for environment `name` until `probe` answers: marks every child that has no conditions yet synced, except
 * those of the kinds in `except` (held-back children appear as their sources sync, and are marked in turn).
 */
async function playUntil<T>(namespace: string, name: string, what: string, probe: (env: Env | undefined) => T | undefined | false, except: readonly Gvk[] = []): Promise<T> {
  return waitFor(what, async () => {
    for (const c of await children(namespace, name)) if (!except.some((k) => same(c, k)) && !c.status?.conditions?.length) await markSynced(kube(), c);
    return probe(await getEnv(namespace, name));
  }, 90_000, 300);
}

beforeAll(async () => {
  controller = new EnvironmentController({
    kubeConfig: kc,
    logger: silentLogger(),
    namespaces: [marketplaceNs, tradingNs],
    resyncPeriodMs: 1_000,
    progressRequeueMs: 1_000,
    concurrency: 3,
  });
  for (const ns of [marketplaceNs, tradingNs]) await controller.kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } as never);
  await controller.start();
}, 60_000);

afterAll(async () => {
  // Delete the environments while the controller runs, so that it releases their finalizers (no ACK finalizer holds a
  // child here), then the namespaces.
  for (const e of all) await controller?.kube.delete({ apiVersion: API, kind: 'MarketplaceEnvironment', namespace: e.manifest.metadata.namespace, name: e.env.metadata.name });
  await waitFor('environments deleted', async () => (await Promise.all(all.map((e) => getEnv(e.manifest.metadata.namespace, e.env.metadata.name)))).every((e) => e === undefined), 60_000).catch(() => undefined);
  await controller?.stop();
  for (const ns of [marketplaceNs, tradingNs]) await controller?.kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
}, 90_000);

describe('example 001: tables, functions and an HTTP API through the controller', () => {
  const { manifest, env, ctx, rendered } = marketplace!;
  const ns = marketplaceNs;
  const name = env.metadata.name;
  const spec = env.spec;
  const tables = spec.tables ?? [];
  const functions = spec.functions ?? [];
  const tableNames = tables.map((t) => Tables.resourceName(ctx, t.name));
  const functionNames = functions.map((f) => Functions.resourceName(ctx, f.name));
  /** The functions an API route targets: each has a `live` alias carrying the API's invoke permission. */
  const invoked = [...new Set((spec.api?.routes ?? []).map((r) => r.function))];

  serverlessTest('renders what the seed asks for (guards the rest of this file against an example without serverless tier)', () => {
    expect(tables).toHaveLength(4);
    expect(functions).toHaveLength(3);
    expect(spec.api?.type).toBe('HTTP');
    expect(rendered.filter((o) => same(o, dynamodb.Table.GVK)).map((o) => o.metadata.name).sort()).toEqual([...tableNames].sort());
    expect(rendered.filter((o) => same(o, lambda.Function.GVK)).map((o) => o.metadata.name).sort()).toEqual([...functionNames].sort());
  });

  serverlessTest('is not Ready while its tables and functions are not: the rest syncs, they wait for ACK', async () => {
    await kube().apply(manifest as never);
    const ours = [...tableNames, ...functionNames];
    const isOurs = (c: { name: string }) => ours.includes(c.name);
    // A child waiting for a value of a table or a function (say, a table's ARN) waits, as it should.
    const waitsOnOurs = (c: { state: string; message?: string }) => c.state === 'Waiting' && ours.some((n) => c.message?.includes(`/${n} `));
    const env1 = await playUntil(ns, name, 'every other component Ready, tables and functions not reconciled', (e) => {
      const components = e?.status?.components ?? [];
      const waiting = components.filter(isOurs);
      return waiting.length === ours.length && waiting.every((c) => c.reason === 'NotReconciledByACK') && components.filter((c) => !isOurs(c)).every((c) => c.state === 'Ready' || waitsOnOurs(c)) && e;
    }, [dynamodb.Table.GVK, lambda.Function.GVK]);
    expect(env1.status?.phase).not.toBe('Ready');
    expect(condition(env1, 'Ready')?.status).toBe('False');
    // What the API needs of the functions does not wait for them: their aliases exist.
    for (const fn of invoked) expect(await child(ns, lambda.Alias.GVK, Functions.aliasResourceName(ctx, fn))).toBeDefined();
  });

  serverlessTest('tables: CREATING keeps them Progressing, ACTIVE makes them Ready', async () => {
    const live = await Promise.all(tableNames.map((t) => child(ns, dynamodb.Table.GVK, t)));
    for (const t of live) {
      await kube().patchStatus(refOf(t!), { ...syncedStatus(t!), tableStatus: 'CREATING', conditions: [{ type: 'ACK.ResourceSynced', status: 'False', reason: '', message: 'Table is CREATING' }] });
    }
    const creating = await waitFor('tables creating', async () => {
      const e = await getEnv(ns, name);
      return tableNames.every((t) => componentOf(e, dynamodb.Table.GVK, t)?.state === 'Progressing' && componentOf(e, dynamodb.Table.GVK, t)?.message === 'Table is CREATING') && e;
    });
    expect(creating.status?.phase).not.toBe('Ready');
    for (const t of live) await markSynced(kube(), t!);
    const active = await waitFor('tables Ready', async () => {
      const e = await getEnv(ns, name);
      return tableNames.every((t) => componentOf(e, dynamodb.Table.GVK, t)?.state === 'Ready') && e;
    });
    expect(active.status?.phase).not.toBe('Ready');
  });

  serverlessTest('functions: Pending keeps them Progressing, even once ACK reports them synced; Active makes the environment Ready', async () => {
    const live = await Promise.all(functionNames.map((f) => child(ns, lambda.Function.GVK, f)));
    // As ACK reports a function Lambda is still creating: not synced.
    for (const f of live) await kube().patchStatus(refOf(f!), { ...syncedStatus(f!), state: 'Pending', conditions: [{ type: 'ACK.ResourceSynced', status: 'False', reason: '', message: 'Resource not synced' }] });
    const creating = await waitFor('functions pending', async () => {
      const e = await getEnv(ns, name);
      return functionNames.every((f) => componentOf(e, lambda.Function.GVK, f)?.reason === 'NotSynced') && e;
    });
    expect(creating.status?.phase).not.toBe('Ready');
    // ACK reports synced (an older read), Lambda still says Pending: the function's own state holds it back.
    for (const f of live) await kube().patchStatus(refOf(f!), { ...syncedStatus(f!), state: 'Pending' });
    const pending = await waitFor('functions pending though synced', async () => {
      const e = await getEnv(ns, name);
      return functionNames.every((f) => componentOf(e, lambda.Function.GVK, f)?.message === 'state is Pending') && e;
    });
    for (const f of functionNames) expect(componentOf(pending, lambda.Function.GVK, f)).toMatchObject({ component: 'functions', state: 'Progressing', reason: 'AWSStatus' });
    expect(pending.status?.phase).not.toBe('Ready');

    for (const f of live) await markSynced(kube(), f!);
    const ready = await playUntil(ns, name, 'Ready', (e) => e?.status?.phase === 'Ready' && e);
    expect(condition(ready, 'Ready')).toMatchObject({ status: 'True', reason: 'AllComponentsReady' });
    expect(ready.status?.summary).toBe(`${rendered.length}/${rendered.length}`);
  });

  serverlessTest('reports the tables, the functions and the API\'s URL in its outputs, from what ACK reported', async () => {
    const outputs = (await getEnv(ns, name))!.status!.outputs!;
    expect(outputs.tables).toEqual(await Promise.all(tables.map(async (t) => ({ name: t.name, tableName: Tables.awsName(ctx, t.name), arn: arn(await child(ns, dynamodb.Table.GVK, Tables.resourceName(ctx, t.name))) }))));
    expect(outputs.tables!.map((t) => t.arn)).toEqual(tables.map((t) => `arn:aws:dynamodb:${spec.region}:${ACCOUNT}:table/${Tables.awsName(ctx, t.name)}`));
    expect(outputs.functions).toEqual(await Promise.all(functions.map(async (f) => ({ name: f.name, functionName: Functions.awsName(ctx, f.name), arn: arn(await child(ns, lambda.Function.GVK, Functions.resourceName(ctx, f.name))) }))));
    const api = (await child(ns, apigatewayv2.Api.GVK, HttpApi.resourceName(ctx)))!;
    expect(outputs.api).toEqual({ id: api.status.apiID, url: api.status.apiEndpoint });
    expect(outputs.api?.url).toMatch(new RegExp(`^https://[a-z0-9]+\\.execute-api\\.${spec.region}\\.amazonaws\\.com$`));
    if (spec.logGroup) expect(outputs.logGroupName).toBe(spec.logGroup.name);
  });

  serverlessTest('fills every late binding of the functions and the API from the statuses ACK reported', async () => {
    const api = (await child(ns, apigatewayv2.Api.GVK, HttpApi.resourceName(ctx)))!;
    for (const fn of functions) {
      const live = (await child(ns, lambda.Function.GVK, Functions.resourceName(ctx, fn.name)))!;
      // Layers by version ARN, in the spec's order.
      const layers = await Promise.all(fn.layers.map(async (l) => arn(await child(ns, lambda.LayerVersion.GVK, FunctionLayers.resourceName(ctx, l)))));
      expect(live.spec.layers ?? []).toEqual(layers);
      expect(layers.every((a) => /:layer:.+:\d+$/.test(a))).toBe(true);
      if (!invoked.includes(fn.name)) continue;
      // The alias's invoke permission names this API, in this region and account.
      const alias = (await child(ns, lambda.Alias.GVK, Functions.aliasResourceName(ctx, fn.name)))!;
      expect(alias.spec.permissions).toEqual([expect.objectContaining({ principal: 'apigateway.amazonaws.com', action: 'lambda:InvokeFunction', sourceARN: `arn:aws:execute-api:${spec.region}:${ACCOUNT}:${api.status.apiID}/*` })]);
      expect(arn(alias)).toBe(`${arn(live)}:live`);
    }
    // Each integration invokes its function's alias.
    const integrations = (await children(ns, name)).filter((c) => same(c, apigatewayv2.Integration.GVK));
    expect(integrations).toHaveLength(invoked.length);
    const aliasArns = await Promise.all(invoked.map(async (f) => arn(await child(ns, lambda.Alias.GVK, Functions.aliasResourceName(ctx, f)))));
    expect(aliasArns.every((a) => a !== undefined)).toBe(true);
    for (const i of integrations) expect(aliasArns).toContain(i.spec.integrationURI);
  });

  serverlessTest('a function ACK gives up on makes the environment Degraded, naming it and ACK\'s message; it recovers', async () => {
    const fn = functions[0]!;
    const target = (await child(ns, lambda.Function.GVK, Functions.resourceName(ctx, fn.name)))!;
    const message = 'InvalidParameterValueException: The provided execution role does not have permissions to call CreateNetworkInterface on EC2';
    await markTerminal(kube(), target, message);
    const degraded = await waitFor('Degraded', async () => {
      const e = await getEnv(ns, name);
      return condition(e, 'Degraded')?.status === 'True' && e;
    });
    expect(degraded.status?.phase).toBe('Degraded');
    expect(condition(degraded, 'Degraded')).toMatchObject({ reason: 'ComponentFailed', message: expect.stringContaining(`Function/${target.metadata!.name}`) });
    expect(condition(degraded, 'Degraded')?.message).toContain(message);
    // Only that function failed.
    expect(degraded.status?.components?.filter((c) => c.state === 'Failed')).toEqual([expect.objectContaining({ component: 'functions', kind: 'Function', name: target.metadata!.name, state: 'Failed', message })]);
    await markSynced(kube(), target);
    await waitFor('Ready again', async () => (await getEnv(ns, name))?.status?.phase === 'Ready');
  });

  serverlessTest('a function Lambda reports Failed (which ACK leaves unsynced, not terminal) is Degraded too, with Lambda\'s reason', async () => {
    const target = (await child(ns, lambda.Function.GVK, functionNames[functionNames.length - 1]!))!;
    await kube().patchStatus(refOf(target), {
      ...syncedStatus(target),
      state: 'Failed',
      stateReason: 'Lambda was unable to create a network interface in subnet-1',
      conditions: [{ type: 'ACK.ResourceSynced', status: 'False', reason: '', message: 'Resource not synced' }],
    });
    const degraded = await waitFor('Degraded', async () => {
      const e = await getEnv(ns, name);
      return condition(e, 'Degraded')?.status === 'True' && e;
    });
    expect(componentOf(degraded, lambda.Function.GVK, target.metadata!.name!)).toMatchObject({ state: 'Failed', reason: 'AWSStatusFailed', message: 'state is Failed: Lambda was unable to create a network interface in subnet-1' });
    expect(condition(degraded, 'Degraded')?.message).toContain(`Function/${target.metadata!.name}`);
    await markSynced(kube(), target);
    await waitFor('Ready again', async () => (await getEnv(ns, name))?.status?.phase === 'Ready');
  });
});

describe('example 003: one environment per region, managed from one namespace', () => {
  serverlessTest('holds three environments in three regions (guards the rest of this file)', () => {
    expect(trading.map((e) => e.env.spec.region).sort()).toEqual(['us-east-1', 'us-east-2', 'us-west-2']);
    for (const { env, rendered } of trading) {
      expect(rendered.filter((o) => same(o, lambda.Function.GVK)).map((o) => (o.spec as { memorySize?: number }).memorySize)).toEqual([512]);
      expect(rendered.filter((o) => same(o, apigateway.RestApi.GVK)).map((o) => o.metadata.name)).toEqual([RestApi.resourceName(new EnvironmentContext(env))]);
    }
  });

  serverlessTest('renders every child of each environment in that environment\'s region', () => {
    for (const { env, rendered } of trading) {
      const elsewhere = rendered.filter((o) => o.metadata.annotations?.[REGION_ANNOTATION] !== env.spec.region).map((o) => `${o.kind}/${o.metadata.name}`);
      expect([env.spec.region, elsewhere]).toEqual([env.spec.region, []]);
    }
    // One namespace holds all three: no two children share a kind and a name.
    const keys = trading.flatMap((e) => e.rendered.map((o) => `${o.apiVersion}/${o.kind}/${o.metadata.name}`));
    expect(keys.length).toBe(new Set(keys).size);
  });

  serverlessTest('applies them all; each goes Ready with its children in its region and its outputs from its region', async () => {
    for (const { manifest } of trading) await kube().apply(manifest as never);
    for (const { env, rendered } of trading) {
      const name = env.metadata.name;
      const ready = await playUntil(tradingNs, name, `${name} Ready`, (e) => e?.status?.phase === 'Ready' && e);
      expect(ready.status?.summary).toBe(`${rendered.length}/${rendered.length}`);
    }
    for (const { env, ctx, rendered } of trading) {
      const { region } = env.spec;
      const live = await children(tradingNs, env.metadata.name);
      // Exactly its own children, each annotated with its region (and ACK, played, reporting that region back).
      expect(live.map((c) => `${c.kind}/${c.metadata!.name}`).sort()).toEqual(rendered.map((o) => `${o.kind}/${o.metadata.name}`).sort());
      expect(live.filter((c) => c.metadata?.annotations?.[REGION_ANNOTATION] !== region).map((c) => `${c.kind}/${c.metadata!.name}`)).toEqual([]);
      expect(new Set(live.map((c) => c.status?.ackResourceMetadata?.region))).toEqual(new Set([region]));

      const outputs = (await getEnv(tradingNs, env.metadata.name))!.status!.outputs!;
      const restApi = (await child(tradingNs, apigateway.RestApi.GVK, RestApi.resourceName(ctx)))!;
      expect(outputs.api?.url).toBe(`https://${restApi.status.id}.execute-api.${region}.amazonaws.com/${RestApi.stage(ctx, env.spec.api!)}`);
      expect(outputs.functions?.map((f) => f.arn)).toEqual((env.spec.functions ?? []).map((f) => `arn:aws:lambda:${region}:${ACCOUNT}:function:${Functions.awsName(ctx, f.name)}`));
      if (env.spec.encryption?.alias) expect(outputs.kmsAliasName).toContain(region);
      // The invoke permission of each function behind the API names this region's API, never another region's.
      const invoked = [...new Set(env.spec.api!.routes.map((r) => r.function))];
      expect(invoked.length).toBeGreaterThan(0);
      for (const fn of invoked) {
        const alias = (await child(tradingNs, lambda.Alias.GVK, Functions.aliasResourceName(ctx, fn)))!;
        expect(alias.spec.permissions[0].sourceARN).toBe(`arn:aws:execute-api:${region}:${ACCOUNT}:${restApi.status.id}/*`);
      }
    }
  }, 240_000);
});
