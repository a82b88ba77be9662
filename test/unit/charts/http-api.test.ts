import { validateEnvironment, type MarketplaceEnvironment } from '../../../api/index.js';
import { BINDINGS_ANNOTATION, type Binding } from '../../../charts/bindings.js';
import { ApiLogGroup } from '../../../charts/constructs/api-log-group.js';
import { Functions } from '../../../charts/constructs/functions.js';
import { ACCESS_LOG_FORMAT, HttpApi } from '../../../charts/constructs/http-api.js';
import { EnvironmentContext } from '../../../charts/context.js';
import { OUTPUTS_ANNOTATION } from '../../../charts/outputs.js';
import type { RenderedObject } from '../../../charts/render.js';
import { validServerlessBase, type Manifest } from '../../fixtures/invalid-specs.js';
import { crdErrors, crdTest } from '../helpers/ack-schemas.js';
import { FAKE_ACCOUNT, resolveWithFakes } from '../helpers/fake-bindings.js';
import { named, ofKind, only, renderWith, type LooseObject } from '../helpers/render-construct.js';

/** The serverless base (GET /users/{id} → users, POST /orders → orders, ANY /{proxy+} → users, CORS), edited by `patch`, in namespace `shop`. */
function env(patch: (m: Manifest) => void = () => undefined): MarketplaceEnvironment {
  const m = validServerlessBase('shop');
  m.metadata.namespace = 'shop';
  patch(m);
  return validateEnvironment(m);
}

/** Renders only the HttpApi of `e`. */
function render(e: MarketplaceEnvironment): LooseObject[] {
  return renderWith<LooseObject>(e, (chart, ctx) => {
    new HttpApi(chart, 'api', { ctx, spec: e.spec.api! });
  });
}

const bindingsOf = (o: RenderedObject): Binding[] => JSON.parse(o.metadata.annotations[BINDINGS_ANNOTATION] ?? '[]') as Binding[];
const counts = (objects: readonly RenderedObject[]) => Object.fromEntries([...new Set(objects.map((o) => o.kind))].sort().map((k) => [k, ofKind(objects, k).length]));
const refName = (ref: unknown) => (ref as { from: { name: string } }).from.name;

describe('HttpApi (serverless base: three routes to two functions, CORS)', () => {
  const e = env();
  const ctx = new EnvironmentContext(e);
  const objects = render(e);
  const resolved = resolveWithFakes(objects) as LooseObject[];
  const api = only(objects, 'API');
  const routes = ofKind(objects, 'Route');
  const integrations = ofKind(objects, 'Integration');
  const stage = only(objects, 'Stage');

  it('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  crdTest(objects)('is valid against every ACK CRD schema set (closed schemas), before and after its bindings are filled', () => {
    expect(crdErrors(objects)).toEqual([]);
    expect(crdErrors(resolved)).toEqual([]);
  });

  it('renders the API, one integration per function, one route per route, the $default stage and its access log group', () => {
    expect(counts(objects)).toEqual({ API: 1, Integration: 2, LogGroup: 1, Route: 3, Stage: 1 });
    for (const o of objects) expect([o.metadata.name, o.metadata.labels['app.kubernetes.io/component']]).toEqual([o.metadata.name, 'api']);
  });

  it('names the API <project>-api-<suffix>, protocol HTTP, under the name the functions bind their permission to', () => {
    expect(api.metadata.name).toBe(HttpApi.resourceName(ctx));
    expect(api.spec).toMatchObject({ name: 'shop-api-test', protocolType: 'HTTP' });
    expect(api.spec.tags).toMatchObject({ Name: 'shop-api-test', Project: 'shop', Environment: 'test' });
  });

  it('answers CORS with the spec origins and the defaulted methods, headers and max age', () => {
    expect(api.spec.corsConfiguration).toEqual({
      allowOrigins: ['https://shop.example.com'],
      allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      allowHeaders: ['Content-Type', 'Authorization'],
      maxAge: 300,
    });
  });

  it('declares the API id and its endpoint (the $default stage URL) as outputs', () => {
    expect(JSON.parse(api.metadata.annotations[OUTPUTS_ANNOTATION]!)).toEqual([
      { output: '/api/id', fieldPath: 'status.apiID' },
      { output: '/api/url', fieldPath: 'status.apiEndpoint' },
    ]);
  });

  it('has one route per spec route with the route key <METHOD> <path>, ANY kept as ANY', () => {
    expect(routes.map((r) => r.spec.routeKey)).toEqual(['GET /users/{id}', 'POST /orders', 'ANY /{proxy+}']);
    for (const r of routes) expect(r.spec.authorizationType).toBe('NONE');
  });

  it('targets each route at the integration of its function through targetRef', () => {
    expect(Object.fromEntries(routes.map((r) => [r.spec.routeKey, refName(r.spec.targetRef)]))).toEqual({
      'GET /users/{id}': 'shop-api-integration-users',
      'POST /orders': 'shop-api-integration-orders',
      'ANY /{proxy+}': 'shop-api-integration-users',
    });
    for (const r of routes) expect(r.spec.target).toBeUndefined();
  });

  it('has exactly one Lambda proxy integration per targeted function, invoking its alias live (payload 2.0)', () => {
    expect(integrations.map((i) => i.metadata.name)).toEqual(['shop-api-integration-users', 'shop-api-integration-orders']);
    for (const fn of ['users', 'orders']) {
      const integration = named(objects, 'Integration', HttpApi.integrationName(ctx, fn));
      expect(integration.spec).toMatchObject({ integrationType: 'AWS_PROXY', integrationMethod: 'POST', payloadFormatVersion: '2.0' });
      expect(bindingsOf(integration)).toEqual([
        { path: '/spec/integrationURI', from: { apiVersion: 'lambda.services.k8s.aws/v1alpha1', kind: 'Alias', name: `shop-function-${fn}-live` }, fieldPath: 'status.ackResourceMetadata.arn', required: true },
      ]);
      expect(named(resolved, 'Integration', integration.metadata.name).spec.integrationURI).toBe(`arn:aws:fake:us-east-1:${FAKE_ACCOUNT}:alias/shop-function-${fn}-live`);
    }
  });

  it('binds the integrations to the alias the functions construct names', () => {
    for (const fn of ['users', 'orders']) expect(bindingsOf(named(objects, 'Integration', HttpApi.integrationName(ctx, fn)))[0]!.from.name).toBe(Functions.aliasResourceName(ctx, fn));
  });

  it('names the API in every child through apiRef', () => {
    for (const o of [...routes, ...integrations, stage]) expect(refName(o.spec.apiRef)).toBe('shop-api');
  });

  it('deploys automatically to the $default stage, logging JSON lines to the access log group', () => {
    expect(stage.spec).toMatchObject({ stageName: '$default', autoDeploy: true });
    const settings = only(resolved, 'Stage').spec.accessLogSettings as { destinationARN: string; format: string };
    expect(settings.destinationARN).toBe(`arn:aws:logs:us-east-1:${FAKE_ACCOUNT}:log-group:/aws/apigateway/shop-api-test`);
    expect(settings.format).toBe(ACCESS_LOG_FORMAT);
    // API Gateway takes 1 to 1024 characters, with $context.requestId in it.
    expect(ACCESS_LOG_FORMAT.length).toBeLessThanOrEqual(1024);
    expect(Object.keys(JSON.parse(ACCESS_LOG_FORMAT) as object)).toEqual(expect.arrayContaining(['requestId', 'routeKey', 'status', 'integrationError']));
  });

  it('holds the stage back until the log group exists, so it is created with its access log settings', () => {
    expect(bindingsOf(stage)).toEqual([
      {
        path: '/spec/accessLogSettings/destinationARN',
        from: { apiVersion: 'cloudwatchlogs.services.k8s.aws/v1alpha1', kind: 'LogGroup', name: 'shop-api-logs' },
        fieldPath: 'status.ackResourceMetadata.ownerAccountID',
        template: 'arn:aws:logs:us-east-1:{{value}}:log-group:/aws/apigateway/shop-api-test',
        required: true,
      },
    ]);
  });

  it('keeps the access log group /aws/apigateway/<project>-api-<suffix> for the default 30 days', () => {
    const group = only(objects, 'LogGroup');
    expect(group.metadata.name).toBe('shop-api-logs');
    expect(group.spec).toMatchObject({ name: '/aws/apigateway/shop-api-test', retentionDays: 30 });
    expect(group.spec.name).toBe(ApiLogGroup.awsName(ctx));
  });

  it('gives every child a DNS-1123 name of at most 253 characters, all distinct', () => {
    const names = objects.map((o) => o.metadata.name);
    for (const n of names) expect([n, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(n) && n.length <= 253]).toEqual([n, true]);
    expect(new Set(names.map((n, i) => `${objects[i]!.kind}/${n}`)).size).toBe(names.length);
  });
});

describe('HttpApi variations', () => {
  const withoutCors = render(
    env((m) => {
      delete m.spec.api.cors;
      m.spec.api.accessLogRetentionDays = 7;
    }),
  );

  it('renders no CORS configuration without spec.api.cors, and keeps access logs as long as asked', () => {
    expect(only(withoutCors, 'API').spec.corsConfiguration).toBeUndefined();
    expect(only(withoutCors, 'LogGroup').spec.retentionDays).toBe(7);
  });

  crdTest(withoutCors)('without CORS, still valid against every ACK CRD schema set', () => {
    expect(crdErrors(withoutCors)).toEqual([]);
  });

  it('names a route after its method and path only: adding a route or retargeting one keeps the other names', () => {
    const before = ofKind(render(env()), 'Route').map((r) => r.metadata.name);
    const after = ofKind(
      render(
        env((m) => {
          m.spec.api.routes.unshift({ method: 'DELETE', path: '/users/{id}', function: 'users' });
          m.spec.api.routes[1].function = 'orders';
        }),
      ),
      'Route',
    );
    expect(after.map((r) => r.metadata.name).slice(1)).toEqual(before);
    expect(refName(after[1]!.spec.targetRef)).toBe('shop-api-integration-orders');
  });

  it('keeps routes apart whose slugs collide (/a-b and /a/b, {id} and id, GET / and ANY /)', () => {
    const objects = render(
      env((m) => {
        m.spec.api.routes = [
          { method: 'GET', path: '/a-b', function: 'users' },
          { method: 'GET', path: '/a/b', function: 'users' },
          { method: 'GET', path: '/users/{id}', function: 'users' },
          { method: 'GET', path: '/users/id', function: 'users' },
          { method: 'GET', path: '/', function: 'orders' },
          { method: 'ANY', path: '/', function: 'orders' },
        ];
      }),
    );
    const names = ofKind(objects, 'Route').map((r) => r.metadata.name);
    expect(new Set(names).size).toBe(6);
    expect(ofKind(objects, 'Route').map((r) => r.spec.routeKey)).toEqual(['GET /a-b', 'GET /a/b', 'GET /users/{id}', 'GET /users/id', 'GET /', 'ANY /']);
    expect(ofKind(objects, 'Integration')).toHaveLength(2);
  });

  it('keeps the longest route within the Kubernetes name limit', () => {
    const long = `/${Array.from({ length: 40 }, (_, i) => `segment${i}`).join('/')}`.slice(0, 512);
    const objects = render(env((m) => (m.spec.api.routes = [{ method: 'PATCH', path: long.replace(/\/$/, ''), function: 'users' }])));
    const name = only(objects, 'Route').metadata.name;
    expect(name.length).toBeLessThanOrEqual(253);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  it('builds the access log ARN in the partition of the region', () => {
    const objects = render(
      env((m) => {
        m.spec.region = 'cn-north-1';
        m.spec.network.availabilityZones = ['cn-north-1a', 'cn-north-1b'];
      }),
    );
    expect(bindingsOf(only(objects, 'Stage'))[0]!.template).toBe('arn:aws-cn:logs:cn-north-1:{{value}}:log-group:/aws/apigateway/shop-api-test');
  });
});
