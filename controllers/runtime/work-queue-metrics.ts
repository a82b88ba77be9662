/**
 * Metric hooks of the work queue, named after controller-runtime's (client-go's) workqueue metrics
 * so dashboards built for Go operators read the same. A Prometheus module implements this interface
 * with the `name` label bound to the queue's name; until then {@link noopWorkQueueMetrics} is used.
 */
export interface WorkQueueMetrics {
  /** Gauge `workqueue_depth`: keys waiting to be processed (not counting those being processed). */
  setDepth(depth: number): void;
  /** Counter `workqueue_adds_total`: adds that were not de-duplicated away. */
  incAdds(): void;
  /** Histogram `workqueue_queue_duration_seconds`: time from add to the start of processing. */
  observeQueueDuration(seconds: number): void;
  /** Histogram `workqueue_work_duration_seconds`: time spent in the handler. */
  observeWorkDuration(seconds: number): void;
  /** Counter `workqueue_retries_total`: delayed adds (backoff retries and requeue-after). */
  incRetries(): void;
}

/** Metrics sink that records nothing. */
export const noopWorkQueueMetrics: WorkQueueMetrics = {
  setDepth: () => undefined,
  incAdds: () => undefined,
  observeQueueDuration: () => undefined,
  observeWorkDuration: () => undefined,
  incRetries: () => undefined,
};
