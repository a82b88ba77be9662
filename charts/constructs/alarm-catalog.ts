/**
 * The alarm catalog: which CloudWatch metrics describe what the environment contains, and which alarms watch them.
 * The metric alarms (metric-alarms.ts) and the dashboard (dashboard.ts) are both rendered from it, so a graph exists
 * for every alarm and a component brings its alarms and graphs with it. Pure data derived from the spec.
 *
 * Each metric is named by the dimensions AWS publishes it under, most of them names the charts render (the constructs'
 * static name helpers). What only AWS knows is a late value: CloudWatch names a load balancer `app/<name>/<id>`, the
 * part of its ARN after `loadbalancer/`, and a target group `targetgroup/<name>/<id>`, the part of its ARN from
 * `targetgroup/` on (late bindings with `after`, bindings.ts), and an HTTP API by its id. Deliberate choices:
 * - Aurora: one series per role (WRITER, READER), as AWS recommends: an instance's role changes on failover.
 * - ElastiCache publishes per node (CacheClusterId `<group>-<shard>-<node>` in cluster mode, `<group>-<node>`
 *   otherwise: the member names AWS gives the nodes of a replication group it creates). An alarm watches one shard,
 *   with metric math over its nodes (at most six, within the ten metrics an alarm may combine).
 * - DynamoDB's ThrottledRequests needs an Operation dimension; read and write throttle events are per table.
 * - The billing metric exists in us-east-1 only (BILLING_REGION).
 */
import type { AlarmKey, MonitoringSpec } from '../../api/monitoring.js';
import * as apigatewayv2 from '../../imports/apigatewayv2.services.k8s.aws.js';
import * as elbv2 from '../../imports/elbv2.services.k8s.aws.js';
import type { EnvironmentContext } from '../context.js';
import { Cache } from './cache.js';
import { ContainerService } from './container-service.js';
import { Containers } from './containers.js';
import { Database, isAurora } from './database.js';
import { Functions } from './functions.js';
import { HttpApi } from './http-api.js';
import type { LateValue } from './iam.js';
import { ARN } from './iam-grants.js';
import { Instances } from './instances.js';
import { LoadBalancer } from './load-balancer.js';
import { RestApi } from './rest-api.js';
import { Tables } from './tables.js';

/** The only region AWS publishes billing metrics in. */
export const BILLING_REGION = 'us-east-1';
/** Period of the billing alarm: AWS updates the estimated charges a few times a day. */
export const BILLING_PERIOD_SECONDS = 21600;

/** A dimension value only AWS knows: the part of a child's field after `after`, written behind `prefix`. */
export interface LateDimension extends LateValue {
  /** @default the whole field */
  readonly after?: string;
  /** @default none */
  readonly prefix?: string;
}

/** One dimension of a metric. */
export interface Dimension {
  readonly name: string;
  readonly value: string | LateDimension;
}

/** One time series: a metric of one resource. */
export interface MetricSeries {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: readonly Dimension[];
  /** Legend of the series on the dashboard (a function's short name, a shard, a role). */
  readonly label: string;
}

/** CloudWatch statistics the catalog uses. */
export type Statistic = 'Sum' | 'Average' | 'Maximum';

/** One alarm: on one series, or on several combined by `expression`. Always "value > threshold". */
export interface CatalogAlarm {
  /** The setting of spec.monitoring.alarms it follows, or the billing alarm. */
  readonly key: AlarmKey | 'billing';
  /** Name parts: `<project>-<id...>-<environmentSuffix>` in AWS, `<environment>-alarm-<id...>` in Kubernetes. */
  readonly id: readonly string[];
  /** What is compared with the threshold, for the alarm's description. */
  readonly subject: string;
  readonly series: readonly MetricSeries[];
  /** Metric math over every series (`MAX(METRICS())`); set exactly when there are several series. */
  readonly expression?: string;
  readonly statistic: Statistic;
  readonly threshold: number;
  readonly evaluationPeriods: number;
  /** @default evaluationPeriods (AWS's default when the field is absent) */
  readonly datapointsToAlarm?: number;
  readonly periodSeconds: number;
  /** notBreaching for counts (no data: nothing happened), missing for gauges (no data is worth seeing). */
  readonly treatMissingData: 'notBreaching' | 'missing';
  /** Region of the alarm. @default spec.region */
  readonly region?: string;
}

/** One graph of the dashboard: one metric of a component, a series per resource, and the alarms watching them. */
export interface CatalogEntry {
  readonly title: string;
  readonly statistic: Statistic;
  readonly series: readonly MetricSeries[];
  readonly alarms: readonly CatalogAlarm[];
  /** @default spec.region */
  readonly region?: string;
}

type Settings = MonitoringSpec['alarms'];
type AlarmShape = Pick<CatalogAlarm, 'id' | 'subject' | 'series' | 'expression'>;

const series = (namespace: string, metricName: string, label: string, dimensions: Record<string, Dimension['value']>): MetricSeries => ({
  namespace,
  metricName,
  label,
  dimensions: Object.entries(dimensions).map(([name, value]) => ({ name, value })),
});

/**
 * The alarms `key` renders, one per shape, with the spec's setting (none when the setting is disabled). Counts (sums,
 * and the number of unhealthy targets) treat missing data as not breaching.
 */
function alarms(settings: Settings, key: AlarmKey, statistic: Statistic, shapes: readonly AlarmShape[]): CatalogAlarm[] {
  const s = settings[key];
  if (!s.enabled) return [];
  const count = statistic === 'Sum' || key === 'unhealthyTargets';
  return shapes.map((shape) => ({
    key,
    ...shape,
    statistic,
    threshold: s.threshold,
    evaluationPeriods: s.evaluationPeriods,
    ...(s.datapointsToAlarm !== undefined ? { datapointsToAlarm: s.datapointsToAlarm } : {}),
    periodSeconds: s.periodSeconds,
    treatMissingData: count ? 'notBreaching' : 'missing',
  }));
}

/** A graph with one alarm per series (`key`), each named `id` plus the series' suffix. */
function perSeries(settings: Settings, title: string, statistic: Statistic, key: AlarmKey | undefined, list: readonly (MetricSeries & { id?: string[] })[], id: string[]): CatalogEntry {
  const shapes = list.map(({ id: suffix = [], ...s }) => ({ id: [...id, ...suffix], subject: `${statistic} of ${s.metricName} (${s.label})`, series: [s] }));
  return { title, statistic, series: list.map(({ id: _, ...s }) => s), alarms: key ? alarms(settings, key, statistic, shapes) : [] };
}

function loadBalancerEntries(ctx: EnvironmentContext, settings: Settings): CatalogEntry[] {
  if (!ctx.spec.loadBalancer) return [];
  const NS = 'AWS/ApplicationELB';
  const lb: LateDimension = { from: { ...elbv2.LoadBalancer.GVK, name: LoadBalancer.loadBalancerName(ctx) }, fieldPath: ARN, after: ':loadbalancer/' };
  const { blue, green } = LoadBalancer.targetGroupNames(ctx);
  const groups = green ? [{ name: blue, colour: 'blue' }, { name: green, colour: 'green' }] : [{ name: blue, colour: undefined }];
  const of = (metric: string, label = 'load balancer') => series(NS, metric, label, { LoadBalancer: lb });
  return [
    perSeries(settings, 'Load balancer: requests', 'Sum', undefined, [of('RequestCount')], []),
    {
      title: 'Load balancer: 5xx responses',
      statistic: 'Sum',
      series: [of('HTTPCode_ELB_5XX_Count'), of('HTTPCode_Target_5XX_Count', 'targets')],
      alarms: [
        ...alarms(settings, 'loadBalancer5xx', 'Sum', [{ id: ['alb', '5xx'], subject: 'Sum of HTTPCode_ELB_5XX_Count', series: [of('HTTPCode_ELB_5XX_Count')] }]),
        ...alarms(settings, 'target5xx', 'Sum', [{ id: ['alb', 'target', '5xx'], subject: 'Sum of HTTPCode_Target_5XX_Count', series: [of('HTTPCode_Target_5XX_Count', 'targets')] }]),
      ],
    },
    perSeries(settings, 'Load balancer: target response time (s)', 'Average', 'targetResponseTime', [of('TargetResponseTime')], ['alb', 'response-time']),
    perSeries(
      settings,
      'Load balancer: unhealthy targets',
      'Maximum',
      'unhealthyTargets',
      groups.map(({ name, colour }) => ({
        ...series(NS, 'UnHealthyHostCount', colour ?? 'targets', {
          TargetGroup: { from: { ...elbv2.TargetGroup.GVK, name }, fieldPath: ARN, after: ':targetgroup/', prefix: 'targetgroup/' },
          LoadBalancer: lb,
        }),
        id: colour ? [colour] : [],
      })),
      ['alb', 'unhealthy'],
    ),
  ];
}

function computeEntries(ctx: EnvironmentContext, settings: Settings): CatalogEntry[] {
  const { containers, instances } = ctx.spec.compute ?? {};
  if (instances) {
    const cpu = series('AWS/EC2', 'CPUUtilization', 'instances', { AutoScalingGroupName: Instances.groupAwsName(ctx) });
    return [perSeries(settings, 'Instances: CPU (%)', 'Average', 'instanceCpu', [cpu], ['asg', 'cpu'])];
  }
  if (!containers) return [];
  const colours = containers.blueGreen ? ['blue', 'green'] : [undefined];
  const of = (metric: string) =>
    colours.map((colour) => ({
      ...series('AWS/ECS', metric, colour ?? 'service', { ClusterName: Containers.clusterAwsName(ctx), ServiceName: ContainerService.awsName(ctx, colour) }),
      id: colour ? [colour] : [],
    }));
  return [
    perSeries(settings, 'Containers: CPU (%)', 'Average', 'containerCpu', of('CPUUtilization'), ['ecs', 'cpu']),
    perSeries(settings, 'Containers: memory (%)', 'Average', 'containerMemory', of('MemoryUtilization'), ['ecs', 'memory']),
  ];
}

function databaseEntries(ctx: EnvironmentContext, settings: Settings): CatalogEntry[] {
  const db = ctx.spec.database;
  if (!db) return [];
  const id = Database.identifier(ctx);
  const of = (metric: string) =>
    isAurora(db.engine)
      ? ['WRITER', ...(db.readers > 0 ? ['READER'] : [])].map((role) => ({ ...series('AWS/RDS', metric, role.toLowerCase(), { DBClusterIdentifier: id, Role: role }), id: [role.toLowerCase()] }))
      : [series('AWS/RDS', metric, 'database', { DBInstanceIdentifier: id })];
  return [
    perSeries(settings, 'Database: CPU (%)', 'Average', 'databaseCpu', of('CPUUtilization'), ['db', 'cpu']),
    perSeries(settings, 'Database: connections', 'Maximum', 'databaseConnections', of('DatabaseConnections'), ['db', 'connections']),
  ];
}

/** CacheClusterId of every node, shard by shard: the member names AWS gives the replication group's nodes. */
export function cacheNodeIds(groupId: string, shards: number, replicasPerShard: number): string[][] {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  const nodes = (prefix: string) => Array.from({ length: replicasPerShard + 1 }, (_, n) => `${prefix}-${pad(n + 1, 3)}`);
  // cache.ts enables cluster mode exactly when there is more than one shard.
  return shards > 1 ? Array.from({ length: shards }, (_, s) => nodes(`${groupId}-${pad(s + 1, 4)}`)) : [nodes(groupId)];
}

function cacheEntries(ctx: EnvironmentContext, settings: Settings): CatalogEntry[] {
  const cache = ctx.spec.cache;
  if (!cache) return [];
  const groupId = Cache.replicationGroupID(ctx);
  const shards = cacheNodeIds(groupId, cache.shards, cache.replicasPerShard);
  const of = (metric: string, nodes: readonly string[]) => nodes.map((node) => series('AWS/ElastiCache', metric, node.slice(groupId.length + 1), { CacheClusterId: node }));
  const entry = (title: string, key: AlarmKey, metric: string, statistic: Statistic, expression: string, name: string): CatalogEntry => ({
    title,
    statistic,
    series: of(metric, shards.flat()),
    alarms: alarms(
      settings,
      key,
      statistic,
      shards.map((nodes, s) => ({
        id: ['cache', name, ...(shards.length > 1 ? [String(s + 1).padStart(4, '0')] : [])],
        subject: `${expression} of ${metric} over the nodes of shard ${s + 1}`,
        series: of(metric, nodes),
        expression,
      })),
    ),
  });
  return [
    entry('Cache: engine CPU (%)', 'cacheCpu', 'EngineCPUUtilization', 'Maximum', 'MAX(METRICS())', 'cpu'),
    entry('Cache: evictions', 'cacheEvictions', 'Evictions', 'Sum', 'SUM(METRICS())', 'evictions'),
  ];
}

function functionEntries(ctx: EnvironmentContext, settings: Settings): CatalogEntry[] {
  const fns = ctx.spec.functions;
  if (fns.length === 0) return [];
  const of = (metric: string) => fns.map((fn) => ({ ...series('AWS/Lambda', metric, fn.name, { FunctionName: Functions.awsName(ctx, fn.name) }), id: [fn.name] }));
  const duration = perSeries(settings, 'Functions: duration (ms)', 'Average', 'functionDuration', of('Duration'), ['fn', 'duration']);
  const percent = settings.functionDuration.threshold;
  return [
    perSeries(settings, 'Functions: invocations', 'Sum', undefined, of('Invocations'), []),
    perSeries(settings, 'Functions: errors', 'Sum', 'functionErrors', of('Errors'), ['fn', 'errors']),
    // The setting is a share of each function's timeout: the threshold in milliseconds differs per function.
    { ...duration, alarms: duration.alarms.map((a, i) => ({ ...a, threshold: Math.round((fns[i]!.timeoutSeconds * 1000 * percent) / 100) })) },
  ];
}

function apiEntries(ctx: EnvironmentContext, settings: Settings): CatalogEntry[] {
  const api = ctx.spec.api;
  if (!api) return [];
  const http = api.type === 'HTTP';
  const dimensions: Record<string, Dimension['value']> = http
    ? { ApiId: { from: { ...apigatewayv2.Api.GVK, name: HttpApi.resourceName(ctx) }, fieldPath: 'status.apiID' } }
    : { ApiName: RestApi.awsName(ctx) };
  const of = (metric: string, label: string) => series('AWS/ApiGateway', metric, label, dimensions);
  const [m4xx, m5xx] = http ? ['4xx', '5xx'] : ['4XXError', '5XXError'];
  return [
    perSeries(settings, 'API: requests', 'Sum', undefined, [of('Count', 'API')], []),
    {
      title: 'API: errors',
      statistic: 'Sum',
      series: [of(m4xx!, '4xx'), of(m5xx!, '5xx')],
      alarms: alarms(settings, 'api5xx', 'Sum', [{ id: ['api', '5xx'], subject: `Sum of ${m5xx}`, series: [of(m5xx!, '5xx')] }]),
    },
    perSeries(settings, 'API: latency (ms)', 'Average', 'apiLatency', [of('Latency', 'API')], ['api', 'latency']),
  ];
}

function tableEntries(ctx: EnvironmentContext, settings: Settings): CatalogEntry[] {
  const tables = ctx.spec.tables;
  if (tables.length === 0) return [];
  const of = (metric: string, name: string, label = name) => series('AWS/DynamoDB', metric, label, { TableName: Tables.awsName(ctx, name) });
  const throttles = (name: string) => [of('ReadThrottleEvents', name, `${name} reads`), of('WriteThrottleEvents', name, `${name} writes`)];
  return [
    perSeries(settings, 'Tables: consumed read capacity', 'Sum', undefined, tables.map((t) => of('ConsumedReadCapacityUnits', t.name)), []),
    perSeries(settings, 'Tables: consumed write capacity', 'Sum', undefined, tables.map((t) => of('ConsumedWriteCapacityUnits', t.name)), []),
    {
      title: 'Tables: throttled requests',
      statistic: 'Sum',
      series: tables.flatMap((t) => throttles(t.name)),
      alarms: alarms(
        settings,
        'tableThrottles',
        'Sum',
        tables.map((t) => ({ id: ['table', 'throttles', t.name], subject: `SUM(METRICS()) of the read and write throttle events of ${t.name}`, series: throttles(t.name), expression: 'SUM(METRICS())' })),
      ),
    },
  ];
}

function billingEntries(monitoring: MonitoringSpec): CatalogEntry[] {
  const { billing } = monitoring;
  if (!billing) return [];
  const charges = series('AWS/Billing', 'EstimatedCharges', 'USD', { Currency: 'USD' });
  const alarm: CatalogAlarm = {
    key: 'billing',
    id: ['billing'],
    subject: 'Maximum of EstimatedCharges (USD, the whole account)',
    series: [charges],
    statistic: 'Maximum',
    threshold: billing.thresholdUSD,
    evaluationPeriods: 1,
    periodSeconds: BILLING_PERIOD_SECONDS,
    // No data means billing alerts are off for the account: worth seeing as INSUFFICIENT_DATA.
    treatMissingData: 'missing',
    region: BILLING_REGION,
  };
  return [{ title: 'Billing: estimated charges (USD)', statistic: 'Maximum', series: [charges], alarms: [alarm], region: BILLING_REGION }];
}

/**
 * Every graph and alarm of the environment, component by component in the order of the spec (traffic first, then
 * the data stores, the serverless tier and the bill), each list in spec order: deterministic.
 */
export function alarmCatalog(ctx: EnvironmentContext, monitoring: MonitoringSpec): CatalogEntry[] {
  const { alarms: settings } = monitoring;
  return [
    ...loadBalancerEntries(ctx, settings),
    ...computeEntries(ctx, settings),
    ...databaseEntries(ctx, settings),
    ...cacheEntries(ctx, settings),
    ...apiEntries(ctx, settings),
    ...functionEntries(ctx, settings),
    ...tableEntries(ctx, settings),
    ...billingEntries(monitoring),
  ];
}
