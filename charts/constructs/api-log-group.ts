/**
 * The CloudWatch Logs group receiving the access log of the HTTP API's `$default` stage (http-api.ts).
 *
 * HTTP APIs write access logs through API Gateway's service-linked role, so no account-level CloudWatch role is
 * needed. Encrypted with the environment key under spec.encryption.logs, like app-log-group.ts. Not data-bearing:
 * the retention bounds the logs and they go with the API.
 */
import { Construct } from 'constructs';
import * as cloudwatchlogs from '../../imports/cloudwatchlogs.services.k8s.aws.js';
import { VALUE_PLACEHOLDER, type Binding } from '../bindings.js';
import type { EnvironmentContext } from '../context.js';
import { partition } from './iam.js';
import { ACCOUNT } from './iam-grants.js';
import { logGroupEncryption } from './kms-key.js';

/** Props of {@link ApiLogGroup}. */
export interface ApiLogGroupProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** Days CloudWatch Logs keeps the access log (one of the periods AWS accepts; spec.api.accessLogRetentionDays). */
  readonly retentionDays: number;
}

/** The access log group of the HTTP API. */
export class ApiLogGroup extends Construct {
  /** Kubernetes name of the LogGroup. */
  static resourceName(ctx: EnvironmentContext): string {
    return ctx.names.k8s('api', 'logs');
  }

  /** CloudWatch Logs name: `/aws/apigateway/<project>-api-<environmentSuffix>`, after the API it logs. */
  static awsName(ctx: EnvironmentContext): string {
    return `/aws/apigateway/${ctx.names.aws('api')}`;
  }

  /**
   * A required binding of `path` to the log group's ARN. Built from the account id rather than read from
   * `status.ackResourceMetadata.arn`: ACK reports AWS's `arn` there (ending in `:*`) when AWS reports no
   * `logGroupArn`, and a stage's access log destination is the ARN without it.
   */
  static arnBinding(ctx: EnvironmentContext, path: string): Binding {
    const { region } = ctx.spec;
    return {
      path,
      from: { ...cloudwatchlogs.LogGroup.GVK, name: ApiLogGroup.resourceName(ctx) },
      fieldPath: ACCOUNT,
      template: `arn:${partition(region)}:logs:${region}:${VALUE_PLACEHOLDER}:log-group:${ApiLogGroup.awsName(ctx)}`,
      required: true,
    };
  }

  constructor(scope: Construct, id: string, props: ApiLogGroupProps) {
    super(scope, id);
    const { ctx } = props;
    const awsName = ApiLogGroup.awsName(ctx);
    new cloudwatchlogs.LogGroup(this, 'log-group', {
      metadata: ctx.metadata('api', ApiLogGroup.resourceName(ctx)),
      spec: {
        name: awsName,
        retentionDays: props.retentionDays,
        ...logGroupEncryption(ctx),
        // The LogGroup CRD takes tags as a map.
        tags: Object.fromEntries(ctx.names.tags(awsName).map(({ key, value }) => [key, value])),
      },
    });
  }
}
