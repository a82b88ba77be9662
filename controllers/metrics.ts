/**
 * Prometheus metrics of the operator (prom-client), named like controller-runtime's so dashboards and alerts built for
 * Go operators read the same:
 * - `controller_runtime_reconcile_total{controller,result}` (result: success | error | requeue_after),
 *   `controller_runtime_reconcile_errors_total{controller}`, `controller_runtime_reconcile_time_seconds{controller}`;
 * - `workqueue_depth`, `workqueue_adds_total`, `workqueue_queue_duration_seconds`, `workqueue_work_duration_seconds`,
 *   `workqueue_retries_total`, all labelled `{name}` (the queue name), through {@link WorkQueueMetrics};
 * - `leader_election_master_status{name}` (client-go's name: 1 while this replica holds the Lease);
 * - `marketplace_api_writes_total{verb}` from the {@link ApiWriteCounter} every write goes through;
 * - the default Node.js process metrics (`process_*`, `nodejs_*`).
 *
 * One {@link OperatorMetrics} owns one private registry, so tests (and two managers in one process) never collide in
 * prom-client's global registry.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { WRITE_VERBS, type ApiWriteCounter } from './runtime/api-write-counter.js';
import { retryDecision } from './runtime/errors.js';
import type { HandlerResult, KeyHandler } from './runtime/work-queue.js';
import type { WorkQueueMetrics } from './runtime/work-queue-metrics.js';

/** Outcome label of `controller_runtime_reconcile_total` (controller-runtime's values; we never return `requeue`). */
export type ReconcileResult = 'success' | 'error' | 'requeue_after';

/** What the controller reports about each reconcile. */
export interface ReconcileMetrics {
  observeReconcile(controller: string, result: ReconcileResult, seconds: number): void;
}

/** controller-runtime's buckets of `controller_runtime_reconcile_time_seconds`. */
const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 1.75, 2,
  2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
/** client-go's workqueue buckets: 10 ns × 10^0..11, i.e. 1e-8 s to 1000 s. */
const WORKQUEUE_BUCKETS = Array.from({ length: 12 }, (_, i) => Number((1e-8 * 10 ** i).toPrecision(1)));

/** Options of {@link OperatorMetrics}. */
export interface OperatorMetricsOptions {
  /** Also export prom-client's default process metrics. @default true */
  readonly defaultMetrics?: boolean;
}

/** See the module comment. */
export class OperatorMetrics implements ReconcileMetrics {
  readonly registry = new Registry();
  private readonly reconcileTotal: Counter<'controller' | 'result'>;
  private readonly reconcileErrors: Counter<'controller'>;
  private readonly reconcileTime: Histogram<'controller'>;
  private readonly depth: Gauge<'name'>;
  private readonly adds: Counter<'name'>;
  private readonly queueDuration: Histogram<'name'>;
  private readonly workDuration: Histogram<'name'>;
  private readonly retries: Counter<'name'>;

  constructor(options: OperatorMetricsOptions = {}) {
    const registers = [this.registry];
    this.reconcileTotal = new Counter({ name: 'controller_runtime_reconcile_total', help: 'Total number of reconciliations per controller', labelNames: ['controller', 'result'], registers });
    this.reconcileErrors = new Counter({ name: 'controller_runtime_reconcile_errors_total', help: 'Total number of reconciliation errors per controller', labelNames: ['controller'], registers });
    this.reconcileTime = new Histogram({ name: 'controller_runtime_reconcile_time_seconds', help: 'Length of time per reconciliation per controller', labelNames: ['controller'], buckets: RECONCILE_BUCKETS, registers });
    this.depth = new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers });
    this.adds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'], registers });
    this.queueDuration = new Histogram({ name: 'workqueue_queue_duration_seconds', help: 'How long in seconds an item stays in workqueue before being requested', labelNames: ['name'], buckets: WORKQUEUE_BUCKETS, registers });
    this.workDuration = new Histogram({ name: 'workqueue_work_duration_seconds', help: 'How long in seconds processing an item from workqueue takes', labelNames: ['name'], buckets: WORKQUEUE_BUCKETS, registers });
    this.retries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'], registers });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** The {@link WorkQueueMetrics} of queue `name` (series appear at zero right away, as controller-runtime's do). */
  workQueue(name: string): WorkQueueMetrics {
    this.depth.set({ name }, 0);
    this.adds.inc({ name }, 0);
    this.retries.inc({ name }, 0);
    return {
      setDepth: (depth) => this.depth.set({ name }, depth),
      incAdds: () => this.adds.inc({ name }),
      observeQueueDuration: (seconds) => this.queueDuration.observe({ name }, seconds),
      observeWorkDuration: (seconds) => this.workDuration.observe({ name }, seconds),
      incRetries: () => this.retries.inc({ name }),
    };
  }

  observeReconcile(controller: string, result: ReconcileResult, seconds: number): void {
    this.reconcileTotal.inc({ controller, result });
    if (result === 'error') this.reconcileErrors.inc({ controller });
    this.reconcileTime.observe({ controller }, seconds);
  }

  /** Exports `marketplace_api_writes_total{verb}`, read from `writes` at each scrape. */
  trackWrites(writes: ApiWriteCounter): void {
    new Counter({
      name: 'marketplace_api_writes_total',
      help: 'API write requests sent by the operator, by verb (apply, patchStatus, patchMetadata, delete, create)',
      labelNames: ['verb'],
      registers: [this.registry],
      collect() {
        // The tally lives in the ApiWriteCounter (it only grows); mirror it.
        this.reset();
        for (const verb of WRITE_VERBS) this.inc({ verb }, writes.get(verb));
      },
    });
  }

  /** Exports `leader_election_master_status{name}`: 1 while `isLeader()` is true, read at each scrape. */
  trackLeader(name: string, isLeader: () => boolean): void {
    new Gauge({
      name: 'leader_election_master_status',
      help: 'Whether this replica is the leader (1) or a standby (0) of the named lease',
      labelNames: ['name'],
      registers: [this.registry],
      collect() {
        this.set({ name }, isLeader() ? 1 : 0);
      },
    });
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** `Content-Type` of {@link metrics}. */
  get contentType(): string {
    return this.registry.contentType;
  }
}

/**
 * Wraps a work-queue handler so every run is counted and timed under `controller`. A handler that asks for a later
 * run (a `requeueAfterMs` result, or a thrown error whose retry decision is a fixed delay: a 429 with `Retry-After`)
 * counts as `requeue_after`; any other throw is an error. Without `metrics` the handler is returned unchanged.
 */
export function instrumentHandler(controller: string, handler: KeyHandler, metrics: ReconcileMetrics | undefined, now: () => number = () => performance.now()): KeyHandler {
  if (!metrics) return handler;
  return async (key: string): Promise<HandlerResult> => {
    const started = now();
    const seconds = () => (now() - started) / 1000;
    let result: HandlerResult;
    try {
      result = await handler(key);
    } catch (err) {
      metrics.observeReconcile(controller, retryDecision(err).kind === 'after' ? 'requeue_after' : 'error', seconds());
      throw err;
    }
    metrics.observeReconcile(controller, (result?.requeueAfterMs ?? 0) > 0 ? 'requeue_after' : 'success', seconds());
    return result;
  };
}
