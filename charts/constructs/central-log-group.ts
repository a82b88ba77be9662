/**
 * The environment's central CloudWatch Logs group (spec.logGroup, e.g. `/aws/marketplace/dev`): one place where every
 * function may write (its role may create streams and put events there, function-grants.ts), next to its own
 * `/aws/lambda/<name>` group.
 *
 * Encrypted with the environment key under spec.encryption.logs, and not data-bearing, like app-log-group.ts.
 */
import { Construct } from 'constructs';
import type { LogGroupSpec } from '../../api/index.js';
import * as cloudwatchlogs from '../../imports/cloudwatchlogs.services.k8s.aws.js';
import type { EnvironmentContext } from '../context.js';
import { logGroupEncryption } from './kms-key.js';

/** Props of {@link CentralLogGroup}. */
export interface CentralLogGroupProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** `spec.logGroup`, defaulted. */
  readonly spec: LogGroupSpec;
}

/** The central log group of one environment. */
export class CentralLogGroup extends Construct {
  /** Kubernetes name of the LogGroup. */
  static resourceName(ctx: EnvironmentContext): string {
    return ctx.names.k8s('log-group');
  }

  constructor(scope: Construct, id: string, props: CentralLogGroupProps) {
    super(scope, id);
    const { ctx, spec } = props;
    new cloudwatchlogs.LogGroup(this, 'log-group', {
      metadata: ctx.metadata('functions', CentralLogGroup.resourceName(ctx), { outputs: [{ output: '/logGroupName', value: spec.name }] }),
      spec: {
        name: spec.name,
        retentionDays: spec.retentionDays,
        ...logGroupEncryption(ctx),
        // The LogGroup CRD takes tags as a map.
        tags: Object.fromEntries(ctx.names.tags(spec.name).map(({ key, value }) => [key, value])),
      },
    });
  }
}
