/**
 * The serverless tier of the MarketplaceEnvironment spec: DynamoDB tables (tables.ts), Lambda layers and functions
 * (functions.ts), the API (api-gateway.ts) and the environment's central log group (here).
 */
import { Type, type Static } from '@sinclair/typebox';
import { LOG_RETENTION_DAYS } from './containers.js';
import { Obj } from './schema-kit.js';

export * from './tables.js';
export * from './functions.js';
export * from './api-gateway.js';

/** Schema of `spec.logGroup`. */
export const LogGroupSchema = Obj(
  {
    name: Type.String({
      description: 'Log group name, e.g. /aws/marketplace/dev (a / and up to 511 of A-Z a-z 0-9 _ . / -). Every function may write to it.',
      pattern: '^/[A-Za-z0-9_./-]{1,510}$',
      maxLength: 512,
    }),
    retentionDays: Type.Integer({ description: `Days CloudWatch Logs keeps its events: ${LOG_RETENTION_DAYS.join(', ')}.`, enum: [...LOG_RETENTION_DAYS], default: 7 }),
  },
  {
    description: 'The environment\'s central CloudWatch Logs group, for the applications\' own log streams; every function\'s role may create streams and put events in it. Omit for none.',
  },
);

/** `spec.logGroup`, defaulted. */
export type LogGroupSpec = Static<typeof LogGroupSchema>;
