/**
 * The controller runtime: what controller-runtime gives Go operators, built on client-node 1.4.0.
 * Informer (restart, relist, resync) → work queue (dedupe, per-key serialization, backoff) →
 * handler using a narrow {@link KubeClient}; leader election on a Lease; one pino logger.
 */
export { ApiWriteCounter, WRITE_VERBS, type WriteCounts, type WriteVerb } from './api-write-counter.js';
export { backoffDelay, type BackoffOptions } from './backoff.js';
export {
  ClientNodeKubeClient,
  type ClientNodeKubeClientOptions,
  type FieldValidation,
} from './client-node-kube-client.js';
export { forEachLimited } from './for-each-limited.js';
export { formatMicroTime, systemClock, type Clock, type RandomSource, type TimerHandle } from './clock.js';
export { countingKubeClient } from './counting-kube-client.js';
export {
  isConflict,
  isGone,
  isInvalid,
  isNotFound,
  RequeueAfterError,
  retryDecision,
  statusCodeOf,
  TerminalError,
  type RetryDecision,
  type RuntimeErrorOptions,
} from './errors.js';
export {
  ResilientInformer,
  type InformerEvent,
  type InformerHandler,
  type ResilientInformerOptions,
  type Watcher,
} from './informer.js';
export {
  refOf,
  type EventInput,
  type KubeClient,
  type ListOptions,
  type MetadataPatch,
  type ObjectRef,
  type PatchOptions,
} from './kube-client.js';
export {
  LeaderElector,
  type LeaderElectorOptions,
  type StoppedLeadingReason,
} from './leader-election.js';
export { KubeLeaseLock, type LeaseLock, type LeaseRecord, type ObservedLease } from './lease-lock.js';
export {
  createLogger,
  reconcileLogger,
  silentLogger,
  type CreateLoggerOptions,
  type Logger,
  type ReconcileSubject,
} from './logger.js';
export { RawObjectApi, type HttpVerb, type RawRequest, type TargetAction } from './object-api.js';
export { reuseConnections, tlsOptionsKey } from './keep-alive.js';
export { WorkQueue, type HandlerResult, type KeyHandler, type WorkQueueOptions } from './work-queue.js';
export { noopWorkQueueMetrics, type WorkQueueMetrics } from './work-queue-metrics.js';
