import { validateEnvironment, type ApiRouteSpec, type MarketplaceEnvironment } from '../../../api/index.js';
import { BINDINGS_ANNOTATION, type Binding } from '../../../charts/bindings.js';
import { Functions } from '../../../charts/constructs/functions.js';
import { pathPrefixes, RestApi } from '../../../charts/constructs/rest-api.js';
import { EnvironmentContext } from '../../../charts/context.js';
import { OUTPUTS_ANNOTATION } from '../../../charts/outputs.js';
import type { RenderedObject } from '../../../charts/render.js';
import { computeOutputs } from '../../../controllers/marketplace-environment/outputs.js';
import { validServerlessBase, type Manifest } from '../../fixtures/invalid-specs.js';
import { crdErrors, crdTest } from '../helpers/ack-schemas.js';
import { FAKE_ACCOUNT, resolveWithFakes } from '../helpers/fake-bindings.js';
import { named, ofKind, only, renderWith, type LooseObject } from '../helpers/render-construct.js';

/** Routes with a nested path, a root method, a greedy path and seed 003's POST /trade. */
const ROUTES: ApiRouteSpec[] = [
  { method: 'GET', path: '/users/{id}', function: 'users' },
  { method: 'GET', path: '/users', function: 'users' },
  { method: 'POST', path: '/trade', function: 'orders' },
  { method: 'GET', path: '/', function: 'users' },
  { method: 'ANY', path: '/{proxy+}', function: 'users' },
];

/** The serverless base with a REST API of ROUTES, edited by `patch`, in namespace `shop`. */
function env(patch: (m: Manifest) => void = () => undefined): MarketplaceEnvironment {
  const m = validServerlessBase('shop');
  m.metadata.namespace = 'shop';
  m.spec.api = { type: 'REST', routes: ROUTES.map((r) => ({ ...r })) };
  patch(m);
  return validateEnvironment(m);
}

/** Renders only the RestApi of `e`. */
function render(e: MarketplaceEnvironment): LooseObject[] {
  return renderWith<LooseObject>(e, (chart, ctx) => {
    new RestApi(chart, 'api', { ctx, spec: e.spec.api! });
  });
}

const bindingsOf = (o: RenderedObject): Binding[] => JSON.parse(o.metadata.annotations[BINDINGS_ANNOTATION] ?? '[]') as Binding[];
const counts = (objects: readonly RenderedObject[]) => Object.fromEntries([...new Set(objects.map((o) => o.kind))].sort().map((k) => [k, ofKind(objects, k).length]));
const refName = (ref: unknown) => (ref as { from: { name: string } } | undefined)?.from.name;
const deploymentName = (objects: readonly RenderedObject[]) => only(objects, 'Deployment').metadata.name;

describe('RestApi (nested paths, a root method, a greedy path and POST /trade)', () => {
  const e = env();
  const ctx = new EnvironmentContext(e);
  const objects = render(e);
  const resolved = resolveWithFakes(objects) as LooseObject[];
  const restApi = only(objects, 'RestAPI');
  const resources = ofKind(objects, 'Resource');
  const resourceOf = (path: string) => named(objects, 'Resource', RestApi.pathResourceName(ctx, path));

  it('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  crdTest(objects)('is valid against every ACK CRD schema set (closed schemas), before and after its bindings are filled', () => {
    expect(crdErrors(objects)).toEqual([]);
    expect(crdErrors(resolved)).toEqual([]);
  });

  it('renders the API, a resource per distinct path prefix, a method and an integration per route, a deployment and a stage', () => {
    expect(counts(objects)).toEqual({ Deployment: 1, Integration: 5, Method: 5, Resource: 4, RestAPI: 1, Stage: 1 });
    for (const o of objects) expect([o.metadata.name, o.metadata.labels['app.kubernetes.io/component']]).toEqual([o.metadata.name, 'api']);
  });

  it('is a regional REST API named <project>-api-<suffix>, under the name the functions bind their permission to', () => {
    expect(restApi.metadata.name).toBe(RestApi.resourceName(ctx));
    expect(restApi.metadata.name).toBe('shop-api');
    expect(restApi.spec).toMatchObject({ name: 'shop-api-test', endpointConfiguration: { types: ['REGIONAL'] } });
  });

  it('builds the resource tree: /users and /{proxy+} and /trade under the root, /users/{id} under /users', () => {
    expect(pathPrefixes('/users/{id}')).toEqual(['/users', '/users/{id}']);
    expect(pathPrefixes('/')).toEqual([]);
    expect(resources.map((r) => r.spec.pathPart).sort()).toEqual(['trade', 'users', '{id}', '{proxy+}']);
    expect(refName(resourceOf('/users/{id}').spec.parentRef)).toBe(resourceOf('/users').metadata.name);
    expect(bindingsOf(resourceOf('/users/{id}'))).toEqual([]);
    for (const top of ['/users', '/trade', '/{proxy+}']) {
      const r = resourceOf(top);
      expect(r.spec.parentRef).toBeUndefined();
      expect(bindingsOf(r)).toEqual([{ path: '/spec/parentID', from: { apiVersion: 'apigateway.services.k8s.aws/v1alpha1', kind: 'RestAPI', name: 'shop-api' }, fieldPath: 'status.rootResourceID', required: true }]);
      expect(named(resolved, 'Resource', r.metadata.name).spec.parentID).toBe('shop-api.rootResourceID.example');
    }
    for (const r of resources) expect(refName(r.spec.restAPIRef)).toBe('shop-api');
  });

  it('gives one-segment literal paths their own name and hashes the others', () => {
    expect(resourceOf('/trade').metadata.name).toBe('shop-api-resource-trade');
    expect(resourceOf('/users/{id}').metadata.name).toMatch(/^shop-api-resource-users-id-[0-9a-f]{8}$/);
  });

  it('puts a method per route on the resource of its path (authorization NONE), the root method on the root resource id', () => {
    for (const r of ROUTES.filter((x) => x.path !== '/')) {
      const method = named(objects, 'Method', RestApi.methodName(ctx, r));
      expect(method.spec).toMatchObject({ httpMethod: r.method, authorizationType: 'NONE' });
      expect(refName(method.spec.resourceRef)).toBe(resourceOf(r.path).metadata.name);
      expect(bindingsOf(method)).toEqual([]);
    }
    const root = named(objects, 'Method', RestApi.methodName(ctx, ROUTES[3]!));
    expect(root.spec.resourceRef).toBeUndefined();
    expect(bindingsOf(root)).toEqual([{ path: '/spec/resourceID', from: { apiVersion: 'apigateway.services.k8s.aws/v1alpha1', kind: 'RestAPI', name: 'shop-api' }, fieldPath: 'status.rootResourceID', required: true }]);
  });

  it('proxies each route to the alias live of its function, once its method exists', () => {
    for (const r of ROUTES) {
      const integration = named(objects, 'Integration', RestApi.integrationName(ctx, r));
      expect(integration.spec).toMatchObject({ type: 'AWS_PROXY', httpMethod: r.method, integrationHTTPMethod: 'POST' });
      const bindings = bindingsOf(integration);
      expect(bindings).toContainEqual({
        path: '/spec/httpMethod',
        from: { apiVersion: 'apigateway.services.k8s.aws/v1alpha1', kind: 'Method', name: RestApi.methodName(ctx, r) },
        fieldPath: 'status.ackResourceMetadata.ownerAccountID',
        template: r.method,
        required: true,
      });
      const alias = Functions.aliasResourceName(ctx, r.function);
      expect(bindings.find((b) => b.path === '/spec/uri')?.from).toEqual({ apiVersion: 'lambda.services.k8s.aws/v1alpha1', kind: 'Alias', name: alias });
      const filled = named(resolved, 'Integration', integration.metadata.name).spec;
      expect(filled.uri).toBe(`arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:fake:us-east-1:${FAKE_ACCOUNT}:alias/${alias}/invocations`);
      // Waiting changes nothing: the method is the one rendered.
      expect(filled.httpMethod).toBe(r.method);
    }
    const seed003 = named(objects, 'Integration', RestApi.integrationName(ctx, { method: 'POST', path: '/trade', function: 'orders' }));
    expect(refName(seed003.spec.resourceRef)).toBe('shop-api-resource-trade');
  });

  it('deploys once every integration exists, and retains replaced deployments in AWS', () => {
    const deployment = only(objects, 'Deployment');
    expect(refName(deployment.spec.restAPIRef)).toBe('shop-api');
    const bindings = bindingsOf(deployment);
    expect(bindings.map((b) => b.from.name).sort()).toEqual(ofKind(objects, 'Integration').map((i) => i.metadata.name).sort());
    for (const b of bindings) expect(b).toMatchObject({ path: '/spec/description', fieldPath: 'status.ackResourceMetadata.ownerAccountID', template: deployment.spec.description, required: true });
    expect(deployment.metadata.annotations['services.k8s.aws/deletion-policy']).toBe('retain');
  });

  it('serves the deployment on the stage named after the environment suffix', () => {
    const stage = only(objects, 'Stage');
    expect(stage.metadata.name).toBe('shop-api-stage-test');
    expect(stage.spec).toMatchObject({ stageName: 'test' });
    expect(refName(stage.spec.deploymentRef)).toBe(deploymentName(objects));
    expect(refName(stage.spec.restAPIRef)).toBe('shop-api');
  });

  it('declares the API id and the stage invoke URL as outputs, the URL filled in by the controller', () => {
    expect(JSON.parse(restApi.metadata.annotations[OUTPUTS_ANNOTATION]!)).toEqual([
      { output: '/api/id', fieldPath: 'status.id' },
      { output: '/api/url', fieldPath: 'status.id', template: 'https://{{value}}.execute-api.us-east-1.amazonaws.com/test' },
    ]);
    const live = new Map([[`${restApi.apiVersion}/${restApi.kind}/${restApi.metadata.name}`, { ...restApi, status: { id: 'a1b2c3d4e5' } }]]);
    expect(computeOutputs(objects, live)).toEqual({ api: { id: 'a1b2c3d4e5', url: 'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/test' } });
  });

  it('gives every child a DNS-1123 name of at most 253 characters, all distinct', () => {
    const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    for (const o of objects) expect([o.metadata.name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(o.metadata.name) && o.metadata.name.length <= 253]).toEqual([o.metadata.name, true]);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('RestApi deployments follow the routes', () => {
  const base = deploymentName(render(env()));

  it('renders the same deployment for the same routes in any order', () => {
    expect(deploymentName(render(env((m) => m.spec.api.routes.reverse())))).toBe(base);
  });

  it.each([
    ['a route is added', (m: Manifest) => m.spec.api.routes.push({ method: 'DELETE', path: '/users/{id}', function: 'users' })],
    ['a route is removed', (m: Manifest) => m.spec.api.routes.pop()],
    ['a route changes its method', (m: Manifest) => (m.spec.api.routes[2].method = 'PUT')],
    ['a route changes its path', (m: Manifest) => (m.spec.api.routes[2].path = '/trades')],
    ['a route changes its function', (m: Manifest) => (m.spec.api.routes[2].function = 'users')],
  ])('renders a new deployment when %s, and points the stage at it', (_, patch) => {
    const objects = render(env(patch));
    expect(deploymentName(objects)).not.toBe(base);
    expect(deploymentName(objects)).toMatch(/^shop-api-deployment-[0-9a-f]{8}$/);
    expect(refName(only(objects, 'Stage').spec.deploymentRef)).toBe(deploymentName(objects));
  });

  const renamed = render(env((m) => (m.spec.api.stageName = 'Live_V1')));

  it('keeps the deployment when only the stage name changes, and renders a new stage (a stage cannot be renamed)', () => {
    expect(deploymentName(renamed)).toBe(base);
    const stage = only(renamed, 'Stage');
    expect(stage.spec.stageName).toBe('Live_V1');
    expect(stage.metadata.name).toMatch(/^shop-api-stage-live-v1-[0-9a-f]{8}$/);
  });

  crdTest(renamed)('the renamed stage is valid against every ACK CRD schema set', () => {
    expect(crdErrors(renamed)).toEqual([]);
  });
});

describe('RestApi in other partitions (seed 003: a REST proxy per region)', () => {
  it('invokes through the regional Lambda path and serves the URL of the partition', () => {
    const objects = render(
      env((m) => {
        m.spec.region = 'cn-north-1';
        m.spec.network.availabilityZones = ['cn-north-1a', 'cn-north-1b'];
        m.spec.api.routes = [{ method: 'POST', path: '/trade', function: 'orders' }];
      }),
    );
    expect(counts(objects)).toEqual({ Deployment: 1, Integration: 1, Method: 1, Resource: 1, RestAPI: 1, Stage: 1 });
    expect(bindingsOf(only(objects, 'Integration')).find((b) => b.path === '/spec/uri')?.template).toBe('arn:aws-cn:apigateway:cn-north-1:lambda:path/2015-03-31/functions/{{value}}/invocations');
    const outputs = JSON.parse(only(objects, 'RestAPI').metadata.annotations[OUTPUTS_ANNOTATION]!) as { template?: string }[];
    expect(outputs[1]!.template).toBe('https://{{value}}.execute-api.cn-north-1.amazonaws.com.cn/test');
    for (const o of objects) expect(o.metadata.annotations['services.k8s.aws/region']).toBe('cn-north-1');
  });
});
