/**
 * The SNS topic every alarm notifies, with the spec's subscriptions (spec.monitoring.subscriptions). An alarm can only
 * notify a topic of its own region, so the billing alarm, which lives in us-east-1 (alarm-catalog.ts), gets a second
 * topic there, with the same subscriptions, when the environment is elsewhere.
 *
 * Not encrypted: an SNS topic encrypted with a KMS key only receives alarm notifications when the key's policy lets
 * cloudwatch.amazonaws.com use it. The AWS-managed key aws/sns never does (the notifications are silently dropped),
 * and the environment key's policy (kms-key.ts) names no service but CloudWatch Logs. The notifications carry
 * alarm names, thresholds and metric values, no application data; SNS delivers them over TLS where the protocol
 * allows. The default topic policy lets the account's CloudWatch alarms publish.
 *
 * Subscriptions name their topic with `topicRef`. Each is named after a hash of its protocol and endpoint, both
 * immutable in SNS: changing either renders a new subscription and prunes the old one. E-mail subscriptions stay
 * pending until the recipient confirms them from the message SNS sends.
 */
import { Construct } from 'constructs';
import type { MonitoringSpec, SubscriptionSpec } from '../../api/monitoring.js';
import * as sns from '../../imports/sns.services.k8s.aws.js';
import type { EnvironmentContext } from '../context.js';
import type { OutputDeclaration } from '../outputs.js';
import { BILLING_REGION } from './alarm-catalog.js';
import { ARN } from './iam-grants.js';
import { shortHash } from './name-part.js';

/** Props of {@link AlarmTopic}. */
export interface AlarmTopicProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** `spec.monitoring`, defaulted. */
  readonly spec: MonitoringSpec;
}

/** The topics alarms notify, by region (what metric-alarms.ts needs). */
export interface AlarmTopics {
  /** Kubernetes name of the Topic of `region`; throws when there is none there. */
  topicNameIn(region: string): string;
}

/** The alarm topic(s) of one environment and their subscriptions. */
export class AlarmTopic extends Construct implements AlarmTopics {
  /** Kubernetes name of the Topic in `region`: `<env>-alarms` in spec.region, `<env>-alarms-<region>` elsewhere. */
  static resourceName(ctx: EnvironmentContext, region: string = ctx.spec.region): string {
    return region === ctx.spec.region ? ctx.names.k8s('alarms') : ctx.names.k8s('alarms', region);
  }

  /** SNS name of the topic, the same in every region (topic names are regional): `<project>-alarms-<environmentSuffix>`. */
  static awsName(ctx: EnvironmentContext): string {
    return ctx.names.aws('alarms');
  }

  /** Regions with a topic: spec.region, and us-east-1 for the billing alarm. */
  readonly regions: readonly string[];

  private readonly ctx: EnvironmentContext;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const { ctx, spec } = props;
    this.ctx = ctx;
    const home = ctx.spec.region;
    this.regions = spec.billing && home !== BILLING_REGION ? [home, BILLING_REGION] : [home];
    for (const region of this.regions) {
      const output = region === home ? '/monitoring/topicARN' : '/monitoring/billingTopicARN';
      this.renderTopic(region, [{ output, fieldPath: ARN }], spec.subscriptions);
    }
  }

  topicNameIn(region: string): string {
    if (!this.regions.includes(region)) throw new Error(`no alarm topic in ${region} (topics: ${this.regions.join(', ')})`);
    return AlarmTopic.resourceName(this.ctx, region);
  }

  private renderTopic(region: string, outputs: readonly OutputDeclaration[], subscriptions: readonly SubscriptionSpec[]): void {
    const { ctx } = this;
    const { names } = ctx;
    const name = AlarmTopic.resourceName(ctx, region);
    const awsName = AlarmTopic.awsName(ctx);
    new sns.Topic(this, `topic-${region}`, {
      metadata: ctx.metadata('monitoring', name, { region, outputs }),
      spec: { name: awsName, displayName: `${names.aws()} alarms`, tags: names.tags(awsName) },
    });
    for (const s of subscriptions) {
      const subscription = `${name}-${shortHash(`${s.protocol} ${s.endpoint}`)}`;
      new sns.Subscription(this, subscription, {
        metadata: ctx.metadata('monitoring', subscription, { region }),
        spec: { topicRef: ctx.ref(name), protocol: s.protocol, endpoint: s.endpoint },
      });
    }
  }
}
