/**
 * The REST API (apigateway) in front of the functions: the regional RestApi, one Resource per distinct path prefix
 * (`/users/{id}` needs `/users` and `/users/{id}`), a Method and a Lambda proxy Integration per route, a Deployment
 * and the Stage serving it.
 *
 * Wiring: `restAPIRef` everywhere; a nested Resource names its parent with `parentRef`, a Method and an Integration
 * their Resource with `resourceRef`. The root resource is not an object of ours, so what hangs on it (top-level
 * resources, methods and integrations on `/`) gets its id by late binding from the RestApi's `status.rootResourceID`.
 * An Integration's URI embeds the ARN of the function's alias `live` (late binding), which holds the permission that
 * lets API Gateway invoke it.
 *
 * Ordering ACK does not give (apigateway-controller marks BadRequestException and NotFoundException terminal for
 * Integration and BadRequestException for Deployment, so a call made too early is never retried):
 * - an Integration is held back until its Method exists (PutIntegration on a missing method is NotFound);
 * - the Deployment is held back until every Integration exists (CreateDeployment refuses methods without one).
 * Both wait on `status.ackResourceMetadata.ownerAccountID`, which ACK sets once it has tried to create the resource:
 * the binding's template is the field's own rendered value, so it only waits.
 *
 * Redeploying: a deployment is a snapshot of the methods taken when it is created, and ACK never re-creates one.
 * The Deployment's name carries a hash of the routes, so a route change renders a new Deployment; the Stage's
 * `deploymentRef` moves to it and the old one is pruned. The old one is retained in AWS: AWS refuses to delete a
 * deployment a stage still points at, which ACK treats as terminal, and deleting the RestApi deletes its deployments.
 * What this cannot order: after a route is removed, ACK may create the new deployment before it has deleted the
 * route's method (the prune and the apply happen in the same pass), and the snapshot then still serves the route
 * until the next route change.
 */
import { Construct } from 'constructs';
import type { ApiRouteSpec, ApiSpec } from '../../api/index.js';
import * as apigateway from '../../imports/apigateway.services.k8s.aws.js';
import { VALUE_PLACEHOLDER, type Binding } from '../bindings.js';
import { DELETION_POLICY_ANNOTATION, type EnvironmentContext } from '../context.js';
import { aliasArnBinding, routeKey } from './api-routes.js';
import { partition } from './iam.js';
import { ACCOUNT } from './iam-grants.js';
import { namePart, shortHash } from './name-part.js';

/** Props of {@link RestApi}. */
export interface RestApiProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** The API (spec.api, type REST). */
  readonly spec: ApiSpec;
}

/** The path prefixes of `path` that are resources, shortest first: `/users/{id}` → `/users`, `/users/{id}`. */
export function pathPrefixes(path: string): string[] {
  const segments = path.split('/').filter((s) => s !== '');
  return segments.map((_, i) => `/${segments.slice(0, i + 1).join('/')}`);
}

/** The DNS suffix of API Gateway's invoke URLs in `region` (China has its own). */
function dnsSuffix(region: string): string {
  return partition(region) === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
}

/** Hash of every route (method, path, function), in any order: what a deployment snapshots of the spec. */
function routesHash(routes: readonly ApiRouteSpec[]): string {
  return shortHash(routes.map((r) => `${routeKey(r)} ${r.function}`).sort().join('\n'));
}

/** The REST API of one environment. */
export class RestApi extends Construct {
  /** Kubernetes name of the RestApi (the functions' aliases bind their permission's source ARN to its `status.id`). */
  static resourceName(ctx: EnvironmentContext): string {
    return ctx.names.k8s('api');
  }

  /** API Gateway name: `<project>-api-<environmentSuffix>`. */
  static awsName(ctx: EnvironmentContext): string {
    return ctx.names.aws('api');
  }

  /** Kubernetes name of the Resource of `path` (a path prefix of some route, not `/`). */
  static pathResourceName(ctx: EnvironmentContext, path: string): string {
    // Without the leading `/`, a one-segment literal path such as /trade is its own name part.
    return ctx.names.k8s('api', 'resource', namePart(path.slice(1)));
  }

  /** Kubernetes name of the Method of `route`. */
  static methodName(ctx: EnvironmentContext, route: ApiRouteSpec): string {
    return ctx.names.k8s('api', 'method', namePart(routeKey(route)));
  }

  /** Kubernetes name of the Integration of `route`. */
  static integrationName(ctx: EnvironmentContext, route: ApiRouteSpec): string {
    return ctx.names.k8s('api', 'integration', namePart(routeKey(route)));
  }

  /**
   * Kubernetes name of the Deployment of `routes`: a hash of every route (method, path, function), in any order, so
   * that exactly a change of the routes renders a new Deployment.
   */
  static deploymentName(ctx: EnvironmentContext, routes: readonly ApiRouteSpec[]): string {
    return ctx.names.k8s('api', 'deployment', routesHash(routes));
  }

  /** The stage name: spec.api.stageName, by default spec.environmentSuffix (the last part of the invoke URL). */
  static stage(ctx: EnvironmentContext, spec: ApiSpec): string {
    return spec.stageName ?? ctx.spec.environmentSuffix;
  }

  /** Kubernetes name of the Stage named `stage` (a new name renders a new Stage: AWS cannot rename one). */
  static stageResourceName(ctx: EnvironmentContext, stage: string): string {
    return ctx.names.k8s('api', 'stage', namePart(stage));
  }

  private readonly ctx: EnvironmentContext;

  constructor(scope: Construct, id: string, props: RestApiProps) {
    super(scope, id);
    const { ctx, spec } = props;
    this.ctx = ctx;
    const { names, spec: env } = ctx;
    const apiName = RestApi.resourceName(ctx);
    const awsName = RestApi.awsName(ctx);
    const tags = Object.fromEntries(names.tags(awsName).map(({ key, value }) => [key, value]));
    const stage = RestApi.stage(ctx, spec);

    new apigateway.RestApi(this, 'api', {
      metadata: ctx.metadata('api', apiName, {
        outputs: [
          { output: '/api/id', fieldPath: 'status.id' },
          { output: '/api/url', fieldPath: 'status.id', template: `https://${VALUE_PLACEHOLDER}.execute-api.${env.region}.${dnsSuffix(env.region)}/${stage}` },
        ],
      }),
      spec: {
        name: awsName,
        description: `${names.aws()}: REST API of the functions`,
        endpointConfiguration: { types: ['REGIONAL'] },
        tags,
      },
    });

    const paths = [...new Set(spec.routes.flatMap((r) => pathPrefixes(r.path)))];
    for (const path of paths) this.renderResource(path);
    for (const route of spec.routes) this.renderRoute(route);

    const deploymentName = RestApi.deploymentName(ctx, spec.routes);
    const description = `${awsName}: ${spec.routes.length} route(s), hash ${routesHash(spec.routes)}`;
    new apigateway.Deployment(this, 'deployment', {
      metadata: ctx.metadata('api', deploymentName, {
        annotations: { [DELETION_POLICY_ANNOTATION]: 'retain' },
        bindings: spec.routes.map(
          (route): Binding => ({
            path: '/spec/description',
            from: { ...apigateway.Integration.GVK, name: RestApi.integrationName(ctx, route) },
            fieldPath: ACCOUNT,
            template: description,
            required: true,
          }),
        ),
      }),
      spec: { restApiRef: this.apiRef, description },
    });

    new apigateway.Stage(this, 'stage', {
      metadata: ctx.metadata('api', RestApi.stageResourceName(ctx, stage)),
      spec: {
        restApiRef: this.apiRef,
        stageName: stage,
        description: `${awsName}: stage ${stage}`,
        deploymentRef: ctx.ref(deploymentName),
        tags,
      },
    });
  }

  private get apiRef() {
    return this.ctx.ref(RestApi.resourceName(this.ctx));
  }

  /** A required binding of `path` to the id of the API's root resource (`/`). */
  private rootBinding(path: string): Binding {
    return { path, from: { ...apigateway.RestApi.GVK, name: RestApi.resourceName(this.ctx) }, fieldPath: 'status.rootResourceID', required: true };
  }

  private renderResource(path: string): void {
    const { ctx } = this;
    const parent = path.slice(0, path.lastIndexOf('/'));
    const name = RestApi.pathResourceName(ctx, path);
    new apigateway.Resource(this, name, {
      metadata: ctx.metadata('api', name, parent === '' ? { bindings: [this.rootBinding('/spec/parentID')] } : {}),
      spec: {
        restApiRef: this.apiRef,
        ...(parent === '' ? {} : { parentRef: ctx.ref(RestApi.pathResourceName(ctx, parent)) }),
        pathPart: path.slice(path.lastIndexOf('/') + 1),
      },
    });
  }

  private renderRoute(route: ApiRouteSpec): void {
    const { ctx } = this;
    const { region } = ctx.spec;
    const onRoot = route.path === '/';
    const resource = onRoot ? {} : { resourceRef: ctx.ref(RestApi.pathResourceName(ctx, route.path)) };
    const rootBindings = onRoot ? [this.rootBinding('/spec/resourceID')] : [];
    const methodName = RestApi.methodName(ctx, route);
    new apigateway.Method(this, methodName, {
      metadata: ctx.metadata('api', methodName, { bindings: rootBindings }),
      spec: { restApiRef: this.apiRef, ...resource, httpMethod: route.method, authorizationType: 'NONE' },
    });
    const integrationName = RestApi.integrationName(ctx, route);
    const invocations = `arn:${partition(region)}:apigateway:${region}:lambda:path/2015-03-31/functions/${VALUE_PLACEHOLDER}/invocations`;
    new apigateway.Integration(this, integrationName, {
      metadata: ctx.metadata('api', integrationName, {
        bindings: [
          ...rootBindings,
          // Only waits for the method (see the module comment).
          { path: '/spec/httpMethod', from: { ...apigateway.Method.GVK, name: methodName }, fieldPath: ACCOUNT, template: route.method, required: true },
          aliasArnBinding(ctx, '/spec/uri', route.function, invocations),
        ],
      }),
      spec: {
        restApiRef: this.apiRef,
        ...resource,
        httpMethod: route.method,
        type: 'AWS_PROXY',
        // Lambda is always invoked with POST, whatever the request's method.
        integrationHttpMethod: 'POST',
      },
    });
  }
}
