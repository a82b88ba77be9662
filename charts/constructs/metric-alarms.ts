/**
 * The metric alarms of the catalog (alarm-catalog.ts): one MetricAlarm each, "value > threshold" over the spec's
 * periods, notifying the alarm topic of its region (alarm-topic.ts).
 *
 * ACK has no reference from an alarm to its actions, so the topic's ARN is a late binding and the alarm waits for the
 * topic. Dimension values only AWS knows (a load balancer's `app/<name>/<id>`) are late bindings too. Rendered as
 * CloudWatch reports an alarm, so the controller finds nothing to change: `actionsEnabled` and `treatMissingData`
 * always, `datapointsToAlarm` only when the spec sets it. An alarm on several series uses metric math: the series as
 * metrics that return no data of their own, and the expression as the one that does.
 */
import { Construct } from 'constructs';
import * as cloudwatch from '../../imports/cloudwatch.services.k8s.aws.js';
import * as sns from '../../imports/sns.services.k8s.aws.js';
import { VALUE_PLACEHOLDER, type Binding } from '../bindings.js';
import type { EnvironmentContext } from '../context.js';
import type { CatalogAlarm, CatalogEntry, Dimension, MetricSeries } from './alarm-catalog.js';
import type { AlarmTopics } from './alarm-topic.js';
import { ARN } from './iam-grants.js';

/** Props of {@link MetricAlarms}. */
export interface MetricAlarmsProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** The environment's alarm catalog (alarmCatalog). */
  readonly catalog: readonly CatalogEntry[];
  /** The topics the alarms notify (AlarmTopic). */
  readonly topics: AlarmTopics;
}

/** Id of the `i`th series in an alarm's metric math. */
const metricId = (i: number) => `m${i + 1}`;

/**
 * The dimensions of `s` for the CRD, with late values left as the placeholder, and their bindings (`path(j)` is the
 * JSON pointer of the j-th dimension's value).
 */
function dimensionsOf(s: MetricSeries, path: (j: number) => string): { dimensions: { name: string; value: string }[]; bindings: Binding[] } {
  const bindings: Binding[] = [];
  const dimensions = s.dimensions.map((d: Dimension, j) => {
    if (typeof d.value === 'string') return { name: d.name, value: d.value };
    const { from, fieldPath, after, prefix } = d.value;
    bindings.push({ path: path(j), from, fieldPath, ...(after ? { after } : {}), ...(prefix ? { template: `${prefix}${VALUE_PLACEHOLDER}` } : {}), required: true });
    return { name: d.name, value: VALUE_PLACEHOLDER };
  });
  return { dimensions, bindings };
}

/** The alarms of one environment. */
export class MetricAlarms extends Construct {
  /** Kubernetes name of the alarm with name parts `id`. */
  static resourceName(ctx: EnvironmentContext, id: readonly string[]): string {
    return ctx.names.k8s('alarm', ...id);
  }

  /** CloudWatch name of the alarm: `<project>-<id...>-<environmentSuffix>`. */
  static awsName(ctx: EnvironmentContext, id: readonly string[]): string {
    return ctx.names.aws(...id);
  }

  constructor(scope: Construct, id: string, props: MetricAlarmsProps) {
    super(scope, id);
    for (const alarm of props.catalog.flatMap((e) => e.alarms)) this.renderAlarm(props, alarm);
  }

  private renderAlarm(props: MetricAlarmsProps, alarm: CatalogAlarm): void {
    const { ctx } = props;
    const { names } = ctx;
    const region = alarm.region ?? ctx.spec.region;
    const name = MetricAlarms.resourceName(ctx, alarm.id);
    const awsName = MetricAlarms.awsName(ctx, alarm.id);
    const { metric, bindings } = this.metric(alarm);
    const topic: Binding = { path: '/spec/alarmActions/0', from: { ...sns.Topic.GVK, name: props.topics.topicNameIn(region) }, fieldPath: ARN, required: true };
    const periods = alarm.datapointsToAlarm ?? alarm.evaluationPeriods;
    new cloudwatch.MetricAlarm(this, name, {
      metadata: ctx.metadata('monitoring', name, { region, bindings: [topic, ...bindings] }),
      spec: {
        name: awsName,
        alarmDescription: `${names.aws()}: ${alarm.subject} > ${alarm.threshold} in ${periods} of ${alarm.evaluationPeriods} periods of ${alarm.periodSeconds} s`,
        actionsEnabled: true,
        alarmActions: [VALUE_PLACEHOLDER],
        comparisonOperator: 'GreaterThanThreshold',
        threshold: alarm.threshold,
        evaluationPeriods: alarm.evaluationPeriods,
        ...(alarm.datapointsToAlarm !== undefined ? { datapointsToAlarm: alarm.datapointsToAlarm } : {}),
        treatMissingData: alarm.treatMissingData,
        ...metric,
        tags: names.tags(awsName),
      },
    });
  }

  /** The metric fields of `alarm`: one metric with its statistic and period, or metric math over its series. */
  private metric(alarm: CatalogAlarm): { metric: Partial<cloudwatch.MetricAlarmSpec>; bindings: Binding[] } {
    const [only, ...more] = alarm.series;
    if (!only) throw new Error(`alarm ${alarm.id.join('-')} watches no series`);
    if (more.length === 0 && !alarm.expression) {
      const { dimensions, bindings } = dimensionsOf(only, (j) => `/spec/dimensions/${j}/value`);
      return { metric: { namespace: only.namespace, metricName: only.metricName, dimensions, statistic: alarm.statistic, period: alarm.periodSeconds }, bindings };
    }
    if (!alarm.expression) throw new Error(`alarm ${alarm.id.join('-')} watches several series without an expression`);
    const bindings: Binding[] = [];
    const metrics: cloudwatch.MetricAlarmSpecMetrics[] = alarm.series.map((s, i) => {
      const d = dimensionsOf(s, (j) => `/spec/metrics/${i}/metricStat/metric/dimensions/${j}/value`);
      bindings.push(...d.bindings);
      return {
        id: metricId(i),
        metricStat: { metric: { namespace: s.namespace, metricName: s.metricName, dimensions: d.dimensions }, period: alarm.periodSeconds, stat: alarm.statistic },
        returnData: false,
      };
    });
    metrics.push({ id: 'e1', expression: alarm.expression, label: alarm.subject, returnData: true });
    return { metric: { metrics }, bindings };
  }
}
