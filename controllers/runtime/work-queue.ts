/**
 * A controller-runtime style work queue of string keys ("namespace/name").
 *
 * Guarantees (the same as client-go's workqueue, which controller-runtime builds on):
 * - de-duplication: a key added many times before a worker picks it up is processed once;
 * - per-key serialization: a key is never processed by two workers at once; a key added while it is
 *   being processed is processed again once the current run finishes (level-triggered: the handler
 *   always reads fresh state, so collapsing events loses nothing);
 * - up to `concurrency` different keys are processed in parallel;
 * - failures are retried with per-key exponential backoff and jitter, reset on success.
 *
 * Unlike client-go, the queue drives the handler itself (no Get/Done API): misuse such as a missing
 * Done, which would wedge a key forever, is impossible.
 */
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { retryDecision, type RetryDecision } from './errors.js';
import { silentLogger, type Logger } from './logger.js';
import { noopWorkQueueMetrics, type WorkQueueMetrics } from './work-queue-metrics.js';

/** What a successful handler run may ask for: poll again later without counting as a failure. */
export type HandlerResult = void | { readonly requeueAfterMs?: number };

/** Processes one key. Throwing schedules a retry according to {@link retryDecision}. */
export type KeyHandler = (key: string) => Promise<HandlerResult>;

/** Options of {@link WorkQueue}. */
export interface WorkQueueOptions {
  /** Queue name: used in logs and as the `name` label of the metrics. */
  readonly name: string;
  /** Called for each key; see {@link KeyHandler}. */
  readonly handler: KeyHandler;
  /**
   * Maximum number of keys processed in parallel (controller-runtime `MaxConcurrentReconciles`).
   * @default 1
   */
  readonly concurrency?: number;
  /**
   * Per-key failure backoff. controller-runtime uses 5 ms to 1000 s without jitter; we start higher
   * and cap at 5 minutes because every retry here costs API calls against AWS-backed resources.
   * @default { baseMs: 100, maxMs: 300_000, factor: 2, jitter: 0.2 }
   */
  readonly backoff?: Partial<BackoffOptions>;
  /** @default systemClock */
  readonly clock?: Clock;
  /** @default noopWorkQueueMetrics */
  readonly metrics?: WorkQueueMetrics;
  /** Receives one line per failed run (error level) or requeue request (debug). @default silent */
  readonly logger?: Logger;
}

const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 100, maxMs: 300_000, factor: 2, jitter: 0.2 };

/** See the module comment. Created stopped: keys accumulate (de-duplicated) until {@link start}. */
export class WorkQueue {
  private readonly options: WorkQueueOptions;
  private readonly clock: Clock;
  private readonly metrics: WorkQueueMetrics;
  private readonly logger: Logger;
  private readonly backoff: BackoffOptions;
  private readonly concurrency: number;
  /** Keys ready to be processed, in FIFO order (a Set keeps insertion order and O(1) removal). */
  private readonly ready = new Set<string>();
  /** Keys that need processing (ready or re-added while processing) → time of their first add. */
  private readonly dirty = new Map<string, number>();
  private readonly processing = new Set<string>();
  private readonly waiting = new Map<string, { readonly readyAt: number; readonly timer: TimerHandle }>();
  private readonly failures = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private started = false;
  private shuttingDown = false;

  constructor(options: WorkQueueOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.metrics = options.metrics ?? noopWorkQueueMetrics;
    this.logger = (options.logger ?? silentLogger()).child({ queue: options.name });
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.concurrency = Math.max(1, options.concurrency ?? 1);
  }

  /** Starts the workers. Until then adds are only recorded, so a standby replica can warm its queue. */
  start(): void {
    this.started = true;
    this.dispatch();
  }

  /** Marks `key` for processing. A no-op if it is already pending or the queue is shutting down. */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) {
      return;
    }
    this.dirty.set(key, this.clock.now());
    this.metrics.incAdds();
    // A key being processed is re-queued by finish(), never handed to a second worker.
    if (!this.processing.has(key)) {
      this.ready.add(key);
      this.metrics.setDepth(this.ready.size);
      this.dispatch();
    }
  }

  /**
   * Adds `key` after `ms`. If the key is already waiting, the earlier of the two times wins (as in
   * client-go), so a short requeue is never postponed by a longer one.
   */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) {
      return;
    }
    this.metrics.incRetries();
    this.schedule(key, ms);
  }

  /**
   * Adds `key` within `ms`: the first call schedules it, later calls before then change nothing, so a burst of
   * events about one key (the ADDED events of an environment's new children) costs one reconcile, not one each.
   * Unlike {@link addAfter} this is not a retry and is not counted as one.
   */
  addBatched(key: string, ms: number): void {
    if (this.shuttingDown || this.dirty.has(key)) {
      return;
    }
    this.schedule(key, ms);
  }

  private schedule(key: string, ms: number): void {
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const readyAt = this.clock.now() + ms;
    const existing = this.waiting.get(key);
    if (existing !== undefined && existing.readyAt <= readyAt) {
      return;
    }
    if (existing !== undefined) {
      this.clock.clearTimeout(existing.timer);
    }
    const timer = this.clock.setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, ms);
    this.waiting.set(key, { readyAt, timer });
  }

  /** Adds `key` after its next backoff delay, and counts one more failure for it. */
  addRateLimited(key: string): void {
    const attempt = this.failures.get(key) ?? 0;
    this.failures.set(key, attempt + 1);
    this.addAfter(key, backoffDelay(attempt, this.backoff));
  }

  /** Resets the failure count of `key`, so its next failure backs off from the base delay again. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Number of consecutive failures recorded for `key`. */
  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Number of keys ready and waiting for a worker (the `workqueue_depth` gauge). */
  len(): number {
    return this.ready.size;
  }

  /**
   * Stops accepting keys, drops ready and delayed keys, and resolves once the runs in flight have
   * finished. Handlers are not interrupted: a half-done reconcile could leave children half-applied.
   */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    for (const { timer } of this.waiting.values()) {
      this.clock.clearTimeout(timer);
    }
    this.waiting.clear();
    this.ready.clear();
    this.metrics.setDepth(0);
    while (this.inFlight.size > 0) {
      await Promise.all([...this.inFlight]);
    }
  }

  private dispatch(): void {
    while (this.started && !this.shuttingDown && this.processing.size < this.concurrency) {
      const key = this.ready.values().next();
      if (key.done === true) {
        return;
      }
      this.begin(key.value);
    }
  }

  private begin(key: string): void {
    this.ready.delete(key);
    const addedAt = this.dirty.get(key) ?? this.clock.now();
    this.dirty.delete(key);
    this.processing.add(key);
    this.metrics.setDepth(this.ready.size);
    this.metrics.observeQueueDuration((this.clock.now() - addedAt) / 1000);
    const run: Promise<void> = this.run(key).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }

  private async run(key: string): Promise<void> {
    const startedAt = this.clock.now();
    try {
      const result = await this.options.handler(key);
      this.succeeded(key, result);
    } catch (err) {
      this.failed(key, err);
    } finally {
      this.metrics.observeWorkDuration((this.clock.now() - startedAt) / 1000);
      this.finish(key);
    }
  }

  private succeeded(key: string, result: HandlerResult): void {
    this.forget(key);
    const after = result?.requeueAfterMs ?? 0;
    if (after > 0) {
      this.addAfter(key, after);
    }
  }

  private failed(key: string, err: unknown): void {
    const decision = retryDecision(err);
    this.logFailure(key, err, decision);
    if (decision.kind === 'backoff') {
      this.addRateLimited(key);
      return;
    }
    // A requested delay or a terminal error both mean "not a transient failure": start over from
    // the base delay next time something really fails.
    this.forget(key);
    if (decision.kind === 'after') {
      this.addAfter(key, decision.ms);
    }
  }

  private logFailure(key: string, err: unknown, decision: RetryDecision): void {
    if (decision.kind === 'after') {
      this.logger.debug({ key, err, requeueAfterMs: decision.ms }, 'requeue requested');
      return;
    }
    const retries = this.numRequeues(key);
    this.logger.error({ key, err, retry: decision.kind, retries }, 'reconcile failed');
  }

  private finish(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.shuttingDown) {
      this.ready.add(key);
      this.metrics.setDepth(this.ready.size);
    }
    this.dispatch();
  }
}
