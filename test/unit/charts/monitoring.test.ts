import { validateEnvironment, type MarketplaceEnvironment } from '../../../api/index.js';
import type { MonitoringSpec } from '../../../api/monitoring.js';
import { BINDINGS_ANNOTATION, type Binding } from '../../../charts/bindings.js';
import { REGION_ANNOTATION } from '../../../charts/context.js';
import { alarmCatalog, BILLING_REGION, cacheNodeIds } from '../../../charts/constructs/alarm-catalog.js';
import { AlarmTopic } from '../../../charts/constructs/alarm-topic.js';
import { bodyBindings, Dashboard, dashboardBody } from '../../../charts/constructs/dashboard.js';
import { MetricAlarms } from '../../../charts/constructs/metric-alarms.js';
import { renderEnvironment, type RenderedObject } from '../../../charts/index.js';
import { OUTPUTS_ANNOTATION } from '../../../charts/outputs.js';
import { resolveBindings } from '../../../controllers/marketplace-environment/resolve-bindings.js';
import { validApplicationBase, type Manifest } from '../../fixtures/invalid-specs.js';
import { crdErrors, crdTest } from '../helpers/ack-schemas.js';
import { resolveWithFakes } from '../helpers/fake-bindings.js';
import { example, named, ofKind, only, renderWith, type LooseObject } from '../helpers/render-construct.js';

const EMAIL = { protocol: 'email', endpoint: 'ops@example.com' };

/** `raw` as spec.monitoring of `env`, validated and defaulted by validateEnvironment. */
function monitoring(env: MarketplaceEnvironment, raw: Manifest): MonitoringSpec {
  return validateEnvironment({ ...env, spec: { ...env.spec, monitoring: raw } }).spec.monitoring!;
}

/** The monitoring children of `env` with `raw` as spec.monitoring, wired as the environment chart wires them. */
function render(env: MarketplaceEnvironment, raw: Manifest = { subscriptions: [EMAIL] }): LooseObject[] {
  const spec = monitoring(env, raw);
  return renderWith<LooseObject>(env, (chart, ctx) => {
    const catalog = alarmCatalog(ctx, spec);
    const topics = new AlarmTopic(chart, 'alarm-topic', { ctx, spec });
    new MetricAlarms(chart, 'alarms', { ctx, catalog, topics });
    if (spec.dashboard.enabled) new Dashboard(chart, 'dashboard', { ctx, spec: spec.dashboard, catalog });
  });
}

const bindingsOf = (o: RenderedObject) => JSON.parse(o.metadata.annotations[BINDINGS_ANNOTATION] ?? '[]') as Binding[];
const outputsOf = (o: RenderedObject) => JSON.parse(o.metadata.annotations[OUTPUTS_ANNOTATION] ?? '[]') as unknown[];
const alarms = (objects: LooseObject[]) => ofKind(objects, 'MetricAlarm');
const alarm = (objects: LooseObject[], env: string, id: string) => named(objects, 'MetricAlarm', `${env}-alarm-${id}`);
const idsOf = (objects: LooseObject[], env: string) => alarms(objects).map((a) => a.metadata.name.slice(`${env}-alarm-`.length));
/** Dimensions of a single-metric alarm as name → value. */
const dims = (a: LooseObject) => Object.fromEntries((a.spec.dimensions as { name: string; value: string }[]).map((d) => [d.name, d.value]));
/** The spec field of the one child of `kind` in a full render. */
const field = (objects: readonly RenderedObject[], kind: string, path: string) => only(objects as LooseObject[], kind).spec[path] as string;

/** The dashboard body as the controller applies it (fake late values), parsed. */
function resolvedBody(objects: LooseObject[]): { widgets: { x: number; y: number; properties: { title: string; region: string; metrics: unknown[][]; annotations?: unknown } }[] } {
  const [dashboard] = resolveWithFakes([only(objects, 'Dashboard')]);
  return JSON.parse((dashboard!.spec as { dashboardBody: string }).dashboardBody);
}
const titles = (objects: LooseObject[]) => resolvedBody(objects).widgets.map((w) => w.properties.title);

describe('seed 000: ALB, instance fleet, Aurora and Redis', () => {
  const env = example('000');
  const E = env.metadata.name;
  const objects = render(env);
  const full = renderEnvironment(env);

  it('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  crdTest(objects)('is valid against every ACK CRD schema set (closed schemas), rendered and with its late values', () => {
    expect(crdErrors(objects)).toEqual([]);
    expect(crdErrors(resolveWithFakes(objects))).toEqual([]);
  });

  it('renders an alarm per load-balancer metric, the fleet\'s CPU, Aurora\'s writer and reader, and each Redis shard', () => {
    const shards = ['0001', '0002', '0003', '0004', '0005', '0006'];
    expect(idsOf(objects, E)).toEqual([
      'alb-5xx', 'alb-target-5xx', 'alb-response-time', 'alb-unhealthy', 'asg-cpu',
      'db-cpu-writer', 'db-cpu-reader', 'db-connections-writer', 'db-connections-reader',
      ...shards.map((s) => `cache-cpu-${s}`), ...shards.map((s) => `cache-evictions-${s}`),
    ]);
    for (const a of alarms(objects)) {
      expect(a.metadata.labels['app.kubernetes.io/component']).toBe('monitoring');
      expect(a.metadata.annotations[REGION_ANNOTATION]).toBe('us-east-1');
      expect(a.spec.name).toBe(`marketplace-${a.metadata.name.slice(`${E}-alarm-`.length)}-prod`);
      expect(a.spec).toMatchObject({ comparisonOperator: 'GreaterThanThreshold', actionsEnabled: true, alarmActions: ['{{value}}'] });
      expect(a.spec).not.toHaveProperty('datapointsToAlarm');
    }
  });

  it('names the resources by what the environment renders: the group, the cluster and its roles, the cache nodes', () => {
    expect(dims(alarm(objects, E, 'asg-cpu'))).toEqual({ AutoScalingGroupName: field(full, 'AutoScalingGroup', 'name') });
    expect(dims(alarm(objects, E, 'db-cpu-reader'))).toEqual({ DBClusterIdentifier: field(full, 'DBCluster', 'dbClusterIdentifier'), Role: 'READER' });
    const group = field(full, 'ReplicationGroup', 'replicationGroupID');
    const shard3 = alarm(objects, E, 'cache-cpu-0003').spec.metrics as { id: string; expression?: string; metricStat?: { metric: { dimensions: unknown[] }; stat: string } }[];
    expect(shard3.map((m) => m.metricStat?.metric.dimensions ?? m.expression)).toEqual([[{ name: 'CacheClusterId', value: `${group}-0003-001` }], [{ name: 'CacheClusterId', value: `${group}-0003-002` }], 'MAX(METRICS())']);
    expect(alarm(objects, E, 'cache-evictions-0003').spec.metrics).toContainEqual(expect.objectContaining({ id: 'e1', expression: 'SUM(METRICS())', returnData: true }));
  });

  it('names the load balancer and its target group by the parts of their ARNs CloudWatch uses', () => {
    const unhealthy = alarm(objects, E, 'alb-unhealthy');
    const sources = bindingsOf(unhealthy).filter((b) => b.path.startsWith('/spec/dimensions'));
    // The sources are the load balancer and target group the environment renders.
    expect(sources.map((b) => named(full as LooseObject[], b.from.kind, b.from.name).kind)).toEqual(['TargetGroup', 'LoadBalancer']);
    const arn = (kind: string) => (kind === 'LoadBalancer' ? 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/marketplace-lb-prod/50dc6c495c0c9188' : 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/marketplace-tg-prod/73e2d6bc24d8a067');
    const resolved = resolveBindings(unhealthy, (_v, kind) => ({ status: { ackResourceMetadata: { arn: kind === 'Topic' ? 'arn:aws:sns:us-east-1:123456789012:t' : arn(kind) } } }));
    expect(resolved.waitingFor).toEqual([]);
    expect(dims(resolved.object as LooseObject)).toEqual({ TargetGroup: 'targetgroup/marketplace-tg-prod/73e2d6bc24d8a067', LoadBalancer: 'app/marketplace-lb-prod/50dc6c495c0c9188' });
  });

  it('sends every alarm to the topic, waiting for its ARN (ACK has no reference for alarm actions)', () => {
    const topic = only(objects, 'Topic');
    for (const a of alarms(objects)) {
      expect(bindingsOf(a)).toContainEqual({ path: '/spec/alarmActions/0', from: { apiVersion: topic.apiVersion, kind: 'Topic', name: topic.metadata.name }, fieldPath: 'status.ackResourceMetadata.arn', required: true });
    }
    expect(outputsOf(topic)).toEqual([{ output: '/monitoring/topicARN', fieldPath: 'status.ackResourceMetadata.arn' }]);
  });

  it('graphs the same components on the dashboard <project>-<suffix>, which waits for the load balancer', () => {
    const dashboard = only(objects, 'Dashboard');
    expect(dashboard.spec.dashboardName).toBe('marketplace-prod');
    expect(outputsOf(dashboard)).toEqual([{ output: '/monitoring/dashboardName', value: 'marketplace-prod' }]);
    expect(new Set(bindingsOf(dashboard).map((b) => `${b.from.kind} ${b.after} ${b.join === ''} ${b.required}`))).toEqual(new Set(['LoadBalancer :loadbalancer/ true true', 'TargetGroup :targetgroup/ true true']));
    expect(titles(objects)).toEqual([
      'Load balancer: requests', 'Load balancer: 5xx responses', 'Load balancer: target response time (s)', 'Load balancer: unhealthy targets',
      'Instances: CPU (%)', 'Database: CPU (%)', 'Database: connections', 'Cache: engine CPU (%)', 'Cache: evictions',
    ]);
    // A series per node in the cache graphs: 6 shards × (1 primary + 1 replica).
    expect(resolvedBody(objects).widgets[7]!.properties.metrics).toHaveLength(12);
  });
});

describe('seed 001: functions, tables and the HTTP API', () => {
  const env = example('001');
  const E = env.metadata.name;
  const objects = render(env);
  const full = renderEnvironment(env);
  const functionNames = ofKind(full as LooseObject[], 'Function').map((f) => f.spec.name as string);

  it('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  crdTest(objects)('is valid against every ACK CRD schema set (closed schemas), rendered and with its late values', () => {
    expect(crdErrors(objects)).toEqual([]);
    expect(crdErrors(resolveWithFakes(objects))).toEqual([]);
  });

  it('renders the SNS topic with its e-mail subscription, referenced by topicRef', () => {
    const topic = only(objects, 'Topic');
    expect(topic.spec).toMatchObject({ name: 'marketplace-alarms-dev', displayName: 'marketplace-dev alarms' });
    expect(topic.spec).not.toHaveProperty('kmsMasterKeyRef');
    expect(only(objects, 'Subscription').spec).toEqual({ topicRef: { from: { name: topic.metadata.name } }, protocol: 'email', endpoint: 'ops@example.com' });
  });

  it('alarms when a function\'s errors exceed 10 over 2 evaluation periods, for every function', () => {
    const errors = alarms(objects).filter((a) => a.metadata.name.includes('-alarm-fn-errors-'));
    expect(errors.map((a) => dims(a).FunctionName)).toEqual(functionNames);
    for (const a of errors) expect(a.spec).toMatchObject({ namespace: 'AWS/Lambda', metricName: 'Errors', statistic: 'Sum', threshold: 10, evaluationPeriods: 2, period: 300, treatMissingData: 'notBreaching' });
  });

  it('alarms when the function\'s average duration passes 80 % of its timeout (30 s: 24000 ms)', () => {
    expect(alarm(objects, E, 'fn-duration-users').spec).toMatchObject({ metricName: 'Duration', statistic: 'Average', threshold: 24000 });
  });

  it('alarms when the API\'s latency exceeds 5 s, naming the HTTP API by the id AWS gives it', () => {
    const latency = alarm(objects, E, 'api-latency');
    expect(latency.spec).toMatchObject({ namespace: 'AWS/ApiGateway', metricName: 'Latency', statistic: 'Average', threshold: 5000, dimensions: [{ name: 'ApiId', value: '{{value}}' }] });
    const api = only(full as LooseObject[], 'API');
    expect(bindingsOf(latency)).toContainEqual({ path: '/spec/dimensions/0/value', from: { apiVersion: api.apiVersion, kind: 'API', name: api.metadata.name }, fieldPath: 'status.apiID', required: true });
    expect(alarm(objects, E, 'api-5xx').spec.metricName).toBe('5xx');
  });

  it('alarms on each table\'s read and write throttles together', () => {
    const tableNames = ofKind(full as LooseObject[], 'Table').map((t) => t.spec.tableName as string);
    const throttles = alarms(objects).filter((a) => a.metadata.name.includes('-alarm-table-throttles-'));
    expect(throttles.map((a) => (a.spec.metrics as { metricStat?: { metric: { dimensions: { value: string }[] } } }[])[0]!.metricStat!.metric.dimensions[0]!.value)).toEqual(tableNames);
    for (const a of throttles) {
      expect((a.spec.metrics as { metricStat?: { metric: { metricName: string } }; expression?: string }[]).map((m) => m.metricStat?.metric.metricName ?? m.expression)).toEqual(['ReadThrottleEvents', 'WriteThrottleEvents', 'SUM(METRICS())']);
    }
  });

  it('shows Lambda errors and duration, DynamoDB consumed capacity, API requests and errors on the dashboard marketplace-dev', () => {
    expect(only(objects, 'Dashboard').spec.dashboardName).toBe('marketplace-dev');
    expect(titles(objects)).toEqual(expect.arrayContaining(['Functions: errors', 'Functions: duration (ms)', 'Tables: consumed read capacity', 'Tables: consumed write capacity', 'API: requests', 'API: errors']));
    const body = resolvedBody(objects);
    const graph = (title: string) => body.widgets.find((w) => w.properties.title === title)!.properties;
    expect(graph('Functions: errors').metrics.map((m) => m[3])).toEqual(functionNames);
    expect(graph('API: errors').metrics.map((m) => m[1])).toEqual(['4xx', '5xx']);
    expect(graph('Functions: errors').annotations).toEqual({ horizontal: [{ label: 'alarm', value: 10 }] });
    // Every function has a 30 s timeout, so one duration threshold: one line. A graph without alarms has none.
    expect(graph('Functions: duration (ms)').annotations).toEqual({ horizontal: [{ label: 'alarm', value: 24000 }] });
    expect(graph('Tables: consumed read capacity').annotations).toBeUndefined();
  });
});

describe('seed 004: containers, MySQL, and a billing alarm in us-east-1', () => {
  const env = example('004');
  const E = env.metadata.name;
  const objects = render(env, { subscriptions: [EMAIL, { protocol: 'sms', endpoint: '+14155550123' }], billing: { thresholdUSD: 100 } });
  const full = renderEnvironment(env);

  it('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  crdTest(objects)('is valid against every ACK CRD schema set (closed schemas), rendered and with its late values', () => {
    expect(crdErrors(objects)).toEqual([]);
    expect(crdErrors(resolveWithFakes(objects))).toEqual([]);
  });

  it('alarms on the service\'s CPU and memory, on 5xx responses and on the database, in us-east-2', () => {
    expect(idsOf(objects, E)).toEqual(['alb-5xx', 'alb-target-5xx', 'alb-response-time', 'alb-unhealthy', 'ecs-cpu', 'ecs-memory', 'db-cpu', 'db-connections', 'billing']);
    const service = { ClusterName: field(full, 'Cluster', 'name'), ServiceName: field(full, 'Service', 'name') };
    expect(alarm(objects, E, 'ecs-cpu').spec).toMatchObject({ namespace: 'AWS/ECS', metricName: 'CPUUtilization', threshold: 80 });
    expect(dims(alarm(objects, E, 'ecs-memory'))).toEqual(service);
    expect(dims(alarm(objects, E, 'db-cpu'))).toEqual({ DBInstanceIdentifier: field(full, 'DBInstance', 'dbInstanceIdentifier') });
    for (const a of alarms(objects).filter((x) => !x.metadata.name.endsWith('-billing'))) expect(a.metadata.annotations[REGION_ANNOTATION]).toBe('us-east-2');
  });

  it('puts the billing alarm, and a topic with the same subscriptions, in us-east-1: the only region with billing metrics', () => {
    const billing = alarm(objects, E, 'billing');
    expect(billing.metadata.annotations[REGION_ANNOTATION]).toBe(BILLING_REGION);
    expect(billing.spec).toMatchObject({ namespace: 'AWS/Billing', metricName: 'EstimatedCharges', dimensions: [{ name: 'Currency', value: 'USD' }], statistic: 'Maximum', period: 21600, evaluationPeriods: 1, threshold: 100 });
    const topics = ofKind(objects, 'Topic');
    expect(topics.map((t) => [t.metadata.name, t.metadata.annotations[REGION_ANNOTATION], outputsOf(t)])).toEqual([
      [`${E}-alarms`, 'us-east-2', [{ output: '/monitoring/topicARN', fieldPath: 'status.ackResourceMetadata.arn' }]],
      [`${E}-alarms-us-east-1`, 'us-east-1', [{ output: '/monitoring/billingTopicARN', fieldPath: 'status.ackResourceMetadata.arn' }]],
    ]);
    expect(bindingsOf(billing).find((b) => b.path === '/spec/alarmActions/0')!.from.name).toBe(`${E}-alarms-us-east-1`);
    expect(bindingsOf(alarm(objects, E, 'db-cpu')).find((b) => b.path === '/spec/alarmActions/0')!.from.name).toBe(`${E}-alarms`);
    const subscriptions = ofKind(objects, 'Subscription').map((s) => [(s.spec.topicRef as { from: { name: string } }).from.name, s.metadata.annotations[REGION_ANNOTATION], s.spec.protocol]);
    expect(subscriptions).toEqual([[`${E}-alarms`, 'us-east-2', 'email'], [`${E}-alarms`, 'us-east-2', 'sms'], [`${E}-alarms-us-east-1`, 'us-east-1', 'email'], [`${E}-alarms-us-east-1`, 'us-east-1', 'sms']]);
    expect(resolvedBody(objects).widgets.find((w) => w.properties.title.startsWith('Billing'))!.properties.region).toBe('us-east-1');
  });

  it('needs no second topic in us-east-1 itself', () => {
    const east1 = render(example('000'), { billing: { thresholdUSD: 100 } });
    expect(ofKind(east1, 'Topic')).toHaveLength(1);
    expect(bindingsOf(named(east1, 'MetricAlarm', 'marketplace-three-tier-alarm-billing')).find((b) => b.path === '/spec/alarmActions/0')!.from.name).toBe('marketplace-three-tier-alarms');
  });
});

describe('settings of spec.monitoring', () => {
  const env = example('004');
  const E = env.metadata.name;

  it('takes thresholds, periods and "M out of N" from the spec, and renders datapointsToAlarm only when set', () => {
    const objects = render(env, { alarms: { containerCpu: { threshold: 90, evaluationPeriods: 5, datapointsToAlarm: 3, periodSeconds: 60 } } });
    expect(alarm(objects, E, 'ecs-cpu').spec).toMatchObject({ threshold: 90, evaluationPeriods: 5, datapointsToAlarm: 3, period: 60 });
    expect(alarm(objects, E, 'ecs-cpu').spec.alarmDescription).toBe('corebiz-dev: Average of CPUUtilization (service) > 90 in 3 of 5 periods of 60 s');
    expect(alarm(objects, E, 'ecs-memory').spec).not.toHaveProperty('datapointsToAlarm');
  });

  it('drops a disabled alarm and keeps its graph', () => {
    const objects = render(env, { alarms: { containerMemory: { enabled: false } } });
    expect(idsOf(objects, E)).not.toContain('ecs-memory');
    expect(titles(objects)).toContain('Containers: memory (%)');
  });

  it('names the dashboard as the spec says', () => {
    expect(only(render(env, { dashboard: { name: 'core_business' } }), 'Dashboard').spec.dashboardName).toBe('core_business');
  });

  it('refuses an alarm in a region without a topic', () => {
    const [topic] = renderWith(env, (chart, ctx) => {
      const t = new AlarmTopic(chart, 't', { ctx, spec: monitoring(env, {}) });
      expect(() => t.topicNameIn('us-east-1')).toThrow(/no alarm topic in us-east-1/);
    });
    expect(topic?.kind).toBe('Topic');
  });
});

describe('blue/green containers and a REST API', () => {
  const env = validateEnvironment({ ...validApplicationBase('shop'), metadata: { name: 'shop', namespace: 'shop' } });

  it('alarms per colour, on each target group named by its ARN', () => {
    const objects = render(env);
    expect(idsOf(objects, 'shop').filter((id) => /ecs|unhealthy/.test(id))).toEqual(['alb-unhealthy-blue', 'alb-unhealthy-green', 'ecs-cpu-blue', 'ecs-cpu-green', 'ecs-memory-blue', 'ecs-memory-green']);
    expect(bindingsOf(alarm(objects, 'shop', 'alb-unhealthy-green')).find((b) => b.path === '/spec/dimensions/0/value')).toMatchObject({ from: { kind: 'TargetGroup', name: 'shop-tg-green' }, after: ':targetgroup/', template: 'targetgroup/{{value}}' });
    expect(dims(alarm(objects, 'shop', 'ecs-cpu-green')).ServiceName).toBe('shop-app-green-test');
  });

  it('names a REST API by its name, with its own metric names, without waiting for it', () => {
    const rest = example('001', { patch: (raw) => { raw.spec.api.type = 'REST'; delete raw.spec.api.cors; } });
    const objects = render(rest);
    const latency = alarm(objects, rest.metadata.name, 'api-latency');
    expect(dims(latency)).toEqual({ ApiName: 'marketplace-api-dev' });
    expect(bindingsOf(latency).map((b) => b.path)).toEqual(['/spec/alarmActions/0']);
    expect(alarm(objects, rest.metadata.name, 'api-5xx').spec.metricName).toBe('5XXError');
  });
});

describe('the cache nodes and the dashboard body', () => {
  it('names the nodes as AWS names a replication group\'s members, with and without cluster mode', () => {
    expect(cacheNodeIds('g', 1, 1)).toEqual([['g-001', 'g-002']]);
    expect(cacheNodeIds('g', 2, 0)).toEqual([['g-0001-001'], ['g-0002-001']]);
  });

  it('is the same JSON every time, two graphs per row in catalog order', () => {
    const once = render(example('001'));
    expect(render(example('001'))).toEqual(once);
    const widgets = resolvedBody(once).widgets;
    expect(widgets.map((w) => [w.x, w.y])).toEqual(widgets.map((_, i) => [(i % 2) * 12, Math.floor(i / 2) * 6]));
  });

  it('declares no binding when every value is known, and joins back to the body with the values in place', () => {
    const env = example('004');
    renderWith(env, (_chart, ctx) => {
      const catalog = alarmCatalog(ctx, monitoring(env, {}));
      const known = bodyBindings(dashboardBody(catalog.filter((e) => e.title.startsWith('Database')), 'us-east-2'));
      expect(known.bindings).toEqual([]);
      expect(JSON.parse(known.rendered).widgets).toHaveLength(2);
      const late = bodyBindings(dashboardBody(catalog, 'us-east-2'));
      expect(late.rendered.split('{{value}}')).toHaveLength(late.bindings.length + 1);
      expect(late.bindings.map((b) => b.template!.replace('{{value}}', 'V')).join('')).toBe(late.rendered.split('{{value}}').join('V'));
    });
  });
});
