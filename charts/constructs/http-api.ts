/**
 * The HTTP API (apigatewayv2) in front of the functions: the API with its CORS configuration, one Lambda proxy
 * integration per function a route targets, one route per spec route, and the `$default` stage, deployed
 * automatically on every change and logging each request to its access log group (api-log-group.ts).
 *
 * Wiring: every child names the API with `apiRef`; a route names its integration with `targetRef` (ACK resolves the
 * integration id and writes `integrations/<id>`, the form a route target takes). What ACK cannot reference is bound
 * late: an integration's URI is the ARN of the function's alias `live` (the alias holds the permission that lets API
 * Gateway invoke it), and the stage's access log destination is the log group's ARN. The stage is held back until the
 * log group exists, so it is created with its access log settings and never updated for them.
 */
import { Construct } from 'constructs';
import type { ApiRouteSpec, ApiSpec } from '../../api/index.js';
import * as apigatewayv2 from '../../imports/apigatewayv2.services.k8s.aws.js';
import type { EnvironmentContext } from '../context.js';
import { ApiLogGroup } from './api-log-group.js';
import { aliasArnBinding, routeKey, targetFunctions } from './api-routes.js';
import { namePart } from './name-part.js';

/** Props of {@link HttpApi}. */
export interface HttpApiProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** The API (spec.api, type HTTP). */
  readonly spec: ApiSpec;
}

/**
 * The access log line: one JSON object per request, with what answers "who called what, and what did the function
 * do": the route matched, the status, the latencies and the integration's error, if any.
 */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  sourceIp: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  path: '$context.path',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
});

/** The HTTP API of one environment. */
export class HttpApi extends Construct {
  /** Kubernetes name of the API (the functions' aliases bind their permission's source ARN to its `status.apiID`). */
  static resourceName(ctx: EnvironmentContext): string {
    return ctx.names.k8s('api');
  }

  /** API Gateway name: `<project>-api-<environmentSuffix>`. */
  static awsName(ctx: EnvironmentContext): string {
    return ctx.names.aws('api');
  }

  /** Kubernetes name of the integration invoking function `name`. */
  static integrationName(ctx: EnvironmentContext, name: string): string {
    return ctx.names.k8s('api', 'integration', name);
  }

  /** Kubernetes name of the route of `route` (from its method and path only: retargeting it keeps the route). */
  static routeName(ctx: EnvironmentContext, route: ApiRouteSpec): string {
    return ctx.names.k8s('api', 'route', namePart(routeKey(route)));
  }

  /** Kubernetes name of the `$default` stage. */
  static stageName(ctx: EnvironmentContext): string {
    return ctx.names.k8s('api', 'stage');
  }

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    const { ctx, spec } = props;
    const { names } = ctx;
    const apiName = HttpApi.resourceName(ctx);
    const awsName = HttpApi.awsName(ctx);
    const tags = Object.fromEntries(names.tags(awsName).map(({ key, value }) => [key, value]));
    const apiRef = ctx.ref(apiName);

    new apigatewayv2.Api(this, 'api', {
      metadata: ctx.metadata('api', apiName, {
        outputs: [
          { output: '/api/id', fieldPath: 'status.apiID' },
          // The `$default` stage is served at the API's endpoint itself.
          { output: '/api/url', fieldPath: 'status.apiEndpoint' },
        ],
      }),
      spec: {
        name: awsName,
        protocolType: 'HTTP',
        description: `${names.aws()}: HTTP API of the functions`,
        ...(spec.cors
          ? {
              corsConfiguration: {
                allowOrigins: [...spec.cors.allowOrigins],
                allowMethods: [...spec.cors.allowMethods],
                allowHeaders: [...spec.cors.allowHeaders],
                maxAge: spec.cors.maxAgeSeconds,
              },
            }
          : {}),
        tags,
      },
    });

    for (const fn of targetFunctions(spec.routes)) {
      new apigatewayv2.Integration(this, `integration-${fn}`, {
        metadata: ctx.metadata('api', HttpApi.integrationName(ctx, fn), { bindings: [aliasArnBinding(ctx, '/spec/integrationURI', fn)] }),
        spec: {
          apiRef,
          description: `${awsName}: function ${fn}`,
          integrationType: 'AWS_PROXY',
          // Lambda is always invoked with POST, whatever the request's method.
          integrationMethod: 'POST',
          payloadFormatVersion: '2.0',
        },
      });
    }

    for (const route of spec.routes) {
      const name = HttpApi.routeName(ctx, route);
      new apigatewayv2.Route(this, name, {
        metadata: ctx.metadata('api', name),
        spec: {
          apiRef,
          routeKey: routeKey(route),
          // AWS's default, rendered so that ACK does not see a difference with what it reads back.
          authorizationType: 'NONE',
          targetRef: ctx.ref(HttpApi.integrationName(ctx, route.function)),
        },
      });
    }

    new ApiLogGroup(this, 'access-logs', { ctx, retentionDays: spec.accessLogRetentionDays });
    new apigatewayv2.Stage(this, 'stage', {
      metadata: ctx.metadata('api', HttpApi.stageName(ctx), { bindings: [ApiLogGroup.arnBinding(ctx, '/spec/accessLogSettings/destinationARN')] }),
      spec: {
        apiRef,
        stageName: '$default',
        autoDeploy: true,
        accessLogSettings: { format: ACCESS_LOG_FORMAT },
        tags,
      },
    });
  }
}
