/** `spec.api`: an API Gateway HTTP API (apigatewayv2) or REST API (apigateway) routing requests to the functions. */
import { Type, type Static } from '@sinclair/typebox';
import { LOG_RETENTION_DAYS } from './containers.js';
import { Obj, StringEnum } from './schema-kit.js';
import { SERVERLESS_NAME } from './tables.js';

/** HTTP (apigatewayv2: cheaper, CORS, auto-deployed $default stage) or REST (apigateway v1). */
export const API_TYPES = ['HTTP', 'REST'] as const;
/** Methods a route answers; ANY answers all of them. */
export const ROUTE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'ANY'] as const;
/** Methods a CORS configuration may allow (* for all). */
export const CORS_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', '*'] as const;

// Segments of literal characters or {parameter}; a greedy {parameter+} only as the last segment; '/' alone is the root.
const SEGMENT = '([A-Za-z0-9._-]+|\\{[A-Za-z0-9_]+\\})';
const ROUTE_PATH = `^(/|(/${SEGMENT})*(/\\{[A-Za-z0-9_]+\\+\\})?)$`;

const RouteSchema = Obj(
  {
    method: StringEnum(ROUTE_METHODS, { description: 'GET, POST, PUT, PATCH, DELETE or ANY.' }),
    path: Type.String({
      description: 'Path: / or segments of A-Z a-z 0-9 . _ - and path parameters {name}; the last segment may be a greedy {name+} (e.g. /trade, /users/{id}, /{proxy+}).',
      pattern: ROUTE_PATH,
      minLength: 1,
      maxLength: 512,
    }),
    function: Type.String({ ...SERVERLESS_NAME, description: 'The function of spec.functions handling the route (Lambda proxy integration).' }),
  },
  { description: 'A route: method and path to a function.' },
);

const HEADER_NAME = { pattern: '^[A-Za-z0-9!#$%&\'*+.^_`|~-]+$', maxLength: 128 };

const CorsSchema = Obj(
  {
    allowOrigins: Type.Array(Type.String({ description: 'An origin, e.g. https://shop.example.com, or * for any.', pattern: '^(\\*|https?://[^\\s/]+)$', maxLength: 256 }), {
      description: 'Origins browsers may call the API from (1 to 20).',
      minItems: 1,
      maxItems: 20,
      uniqueItems: true,
      'x-kubernetes-list-type': 'set',
    }),
    allowMethods: Type.Array(StringEnum(CORS_METHODS, { description: 'A method, or * for all.' }), {
      description: 'Methods allowed cross-origin.',
      default: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      maxItems: 8,
      uniqueItems: true,
      'x-kubernetes-list-type': 'set',
    }),
    allowHeaders: Type.Array(Type.String({ ...HEADER_NAME, description: 'A request header name, or * for all.' }), {
      description: 'Request headers allowed cross-origin.',
      default: ['Content-Type', 'Authorization'],
      maxItems: 50,
      uniqueItems: true,
      'x-kubernetes-list-type': 'set',
    }),
    maxAgeSeconds: Type.Integer({ description: 'Seconds browsers may cache a preflight answer (0 to 86400).', minimum: 0, maximum: 86400, default: 300 }),
  },
  { description: 'CORS answered by API Gateway itself (HTTP APIs only).' },
);

/** Schema of `spec.api`. */
export const ApiSchema = Obj(
  {
    type: StringEnum(API_TYPES, {
      description: 'HTTP (default): an apigatewayv2 HTTP API with an auto-deployed $default stage, CORS and access logs. REST: an apigateway REST API (resources, methods, a deployment and a stage).',
      default: 'HTTP',
    }),
    routes: Type.Array(RouteSchema, {
      description: 'Routes (1 to 50), each method and path at most once. API Gateway may invoke exactly the functions routes name.',
      minItems: 1,
      maxItems: 50,
    }),
    cors: Type.Optional(CorsSchema),
    stageName: Type.Optional(
      Type.String({ description: 'REST only: name of the stage (the last part of the invoke URL). Default: spec.environmentSuffix.', pattern: '^[A-Za-z0-9_-]{1,128}$', maxLength: 128 }),
    ),
    accessLogRetentionDays: Type.Integer({
      description: `HTTP only: days CloudWatch Logs keeps the stage's access log group /aws/apigateway/<project>-api-<environmentSuffix>: ${LOG_RETENTION_DAYS.join(', ')}.`,
      enum: [...LOG_RETENTION_DAYS],
      default: 30,
    }),
  },
  {
    description: 'An API in front of the functions; its invoke URL is in status.outputs.api.url. Omit for none.',
    'x-kubernetes-validations': [
      {
        rule: 'self.routes.all(r, self.routes.exists_one(s, s.method == r.method && s.path == r.path))',
        message: 'each method and path may have one route only',
        fieldPath: '.routes',
        reason: 'FieldValueDuplicate',
      },
      { rule: "!has(self.cors) || self.type == 'HTTP'", message: 'cors needs type HTTP (a REST API answers CORS from its integrations)', fieldPath: '.cors' },
      { rule: "!has(self.stageName) || self.type == 'REST'", message: 'stageName needs type REST (an HTTP API uses its auto-deployed $default stage)', fieldPath: '.stageName' },
    ],
  },
);

/** `spec.api`, defaulted. */
export type ApiSpec = Static<typeof ApiSchema>;
/** One route of the API. */
export type ApiRouteSpec = ApiSpec['routes'][number];
/** The CORS configuration of an HTTP API. */
export type CorsSpec = NonNullable<ApiSpec['cors']>;
