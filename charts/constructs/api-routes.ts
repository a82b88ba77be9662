/**
 * What the HTTP API (http-api.ts) and the REST API (rest-api.ts) share: route keys, the functions the routes target
 * and the late value that makes API Gateway invoke a function: the ARN of its alias `live`, which carries the invoke
 * permission (lambda-function.ts).
 */
import type { ApiRouteSpec } from '../../api/index.js';
import * as lambda from '../../imports/lambda.services.k8s.aws.js';
import type { Binding } from '../bindings.js';
import type { EnvironmentContext } from '../context.js';
import { Functions } from './functions.js';
import { ARN } from './iam-grants.js';

/** `<METHOD> <path>`: API Gateway's route key (ANY stays ANY), also the text route names derive from. */
export function routeKey(route: ApiRouteSpec): string {
  return `${route.method} ${route.path}`;
}

/** The functions the routes target, once each, in the order of their first route. */
export function targetFunctions(routes: readonly ApiRouteSpec[]): string[] {
  return [...new Set(routes.map((r) => r.function))];
}

/** A required binding of `path` to the ARN of function `name`'s alias `live`, written into `template`. */
export function aliasArnBinding(ctx: EnvironmentContext, path: string, name: string, template?: string): Binding {
  return {
    path,
    from: { ...lambda.Alias.GVK, name: Functions.aliasResourceName(ctx, name) },
    fieldPath: ARN,
    ...(template ? { template } : {}),
    required: true,
  };
}
