/**
 * The CloudWatch Logs group of the application tier: the containers' output (awslogs driver) or the instances'
 * (an agent the user installs through user data).
 *
 * Encrypted with the environment KMS key when spec.encryption.logs is set (kms-key.ts `logGroupEncryption`, which
 * explains the key policy this needs); otherwise CloudWatch Logs encrypts log data at rest with its own key. Not
 * data-bearing: spec.deletionPolicy keeps the stores it lists, and retentionDays already bounds the logs.
 */
import { Construct } from 'constructs';
import * as cloudwatchlogs from '../../imports/cloudwatchlogs.services.k8s.aws.js';
import type { EnvironmentContext } from '../context.js';
import { logGroupEncryption } from './kms-key.js';

/** Props of {@link AppLogGroup}. */
export interface AppLogGroupProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** Days CloudWatch Logs keeps the events (one of the periods AWS accepts). */
  readonly retentionDays: number;
}

/** The log group of the application tier. */
export class AppLogGroup extends Construct {
  /** Kubernetes name of the LogGroup (IAM policies read its account id). */
  static resourceName(ctx: EnvironmentContext): string {
    return ctx.names.k8s('logs');
  }

  /** CloudWatch Logs name: `/<project>/<environmentSuffix>/app`, like the secrets' `<project>/<environmentSuffix>/<name>`. */
  static awsName(ctx: EnvironmentContext): string {
    const { project, environmentSuffix } = ctx.spec;
    return `/${project}/${environmentSuffix}/app`;
  }

  constructor(scope: Construct, id: string, props: AppLogGroupProps) {
    super(scope, id);
    const { ctx } = props;
    const awsName = AppLogGroup.awsName(ctx);
    new cloudwatchlogs.LogGroup(this, 'log-group', {
      metadata: ctx.metadata('compute', AppLogGroup.resourceName(ctx), { outputs: [{ output: '/compute/logGroupName', value: awsName }] }),
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
