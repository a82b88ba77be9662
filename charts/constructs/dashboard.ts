/**
 * The CloudWatch dashboard of the environment: one graph per entry of the alarm catalog (alarm-catalog.ts), two per
 * row in catalog order, each with a series per resource and its alarm's threshold drawn as a line when the alarms of
 * the graph share one. The body is JSON built from plain objects in a fixed order, so the same spec always renders
 * the same string, and ACK compares strings.
 *
 * Dimension values only AWS knows (a load balancer's `app/<name>/<id>`, an HTTP API's id) sit inside the body, one
 * string field. The body is rendered with `{{value}}` at each of those places and declared as joined late bindings
 * (bindings.ts): binding i carries the text before the i-th value (the last also the text after it), and the
 * controller joins them without a separator once every value is known. Until then the dashboard waits.
 */
import { Construct } from 'constructs';
import type { MonitoringSpec } from '../../api/monitoring.js';
import * as cloudwatch from '../../imports/cloudwatch.services.k8s.aws.js';
import { VALUE_PLACEHOLDER, type Binding } from '../bindings.js';
import type { EnvironmentContext } from '../context.js';
import type { CatalogEntry, LateDimension } from './alarm-catalog.js';

/** Graph size in dashboard grid units (the grid is 24 wide): two graphs per row. */
const WIDTH = 12;
const HEIGHT = 6;
/** Period of a graph without alarms. */
const DEFAULT_PERIOD_SECONDS = 300;

/** Props of {@link Dashboard}. */
export interface DashboardProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** `spec.monitoring.dashboard`, defaulted. */
  readonly spec: MonitoringSpec['dashboard'];
  /** The environment's alarm catalog (alarmCatalog). */
  readonly catalog: readonly CatalogEntry[];
}

/** A dashboard body with markers where late values go, and the values in marker order. */
interface Body {
  readonly text: string;
  readonly late: readonly LateDimension[];
}

// Stands for the i-th late value while the body is built; JSON.stringify leaves it untouched.
const marker = (i: number) => `{{late:${i}}}`;
const MARKER = /\{\{late:(\d+)\}\}/;

/** The dashboard body of `catalog` in `region`. */
export function dashboardBody(catalog: readonly CatalogEntry[], region: string): Body {
  const late: LateDimension[] = [];
  const widgets = catalog.map((entry, i) => {
    const metrics = entry.series.map((s) => [
      s.namespace,
      s.metricName,
      ...s.dimensions.flatMap((d) => [d.name, typeof d.value === 'string' ? d.value : `${d.value.prefix ?? ''}${marker(late.push(d.value) - 1)}`]),
      { label: s.label },
    ]);
    const thresholds = [...new Set(entry.alarms.map((a) => a.threshold))];
    return {
      type: 'metric',
      x: (i % 2) * WIDTH,
      y: Math.floor(i / 2) * HEIGHT,
      width: WIDTH,
      height: HEIGHT,
      properties: {
        title: entry.title,
        region: entry.region ?? region,
        view: 'timeSeries',
        stacked: false,
        stat: entry.statistic,
        period: entry.alarms[0]?.periodSeconds ?? DEFAULT_PERIOD_SECONDS,
        metrics,
        ...(thresholds.length === 1 ? { annotations: { horizontal: [{ label: 'alarm', value: thresholds[0] }] } } : {}),
      },
    };
  });
  return { text: JSON.stringify({ widgets }), late };
}

/**
 * The body as rendered (`{{value}}` at each late value) and its joined bindings; none when every value is known.
 */
export function bodyBindings(body: Body): { rendered: string; bindings: Binding[] } {
  // split() with a capturing group alternates text and the captured index: text, i, text, i, ..., text.
  const parts = body.text.split(MARKER);
  const texts = parts.filter((_, k) => k % 2 === 0);
  const order = parts.filter((_, k) => k % 2 === 1).map(Number);
  const bindings = order.map((i, k): Binding => {
    const { from, fieldPath, after } = body.late[i]!;
    const tail = k === order.length - 1 ? texts[k + 1]! : '';
    return { path: '/spec/dashboardBody', from, fieldPath, ...(after ? { after } : {}), template: `${texts[k]}${VALUE_PLACEHOLDER}${tail}`, required: true, join: '' };
  });
  return { rendered: texts.join(VALUE_PLACEHOLDER), bindings };
}

/** The dashboard of one environment. */
export class Dashboard extends Construct {
  /** Kubernetes name of the Dashboard. */
  static resourceName(ctx: EnvironmentContext): string {
    return ctx.names.k8s('dashboard');
  }

  /** CloudWatch name: spec.monitoring.dashboard.name, by default `<project>-<environmentSuffix>`. */
  static awsName(ctx: EnvironmentContext, spec: MonitoringSpec['dashboard']): string {
    return spec.name ?? ctx.names.aws();
  }

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const { ctx, spec, catalog } = props;
    const name = Dashboard.resourceName(ctx);
    const dashboardName = Dashboard.awsName(ctx, spec);
    const { rendered, bindings } = bodyBindings(dashboardBody(catalog, ctx.spec.region));
    new cloudwatch.Dashboard(this, 'dashboard', {
      metadata: ctx.metadata('monitoring', name, { bindings, outputs: [{ output: '/monitoring/dashboardName', value: dashboardName }] }),
      spec: { dashboardName, dashboardBody: rendered },
    });
  }
}
