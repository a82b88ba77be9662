/**
 * The one structured-logging setup of the operator: pino, JSON lines on stdout by default.
 *
 * The entrypoint creates a single logger with {@link createLogger} and injects it into the controller
 * and its runtime components; nothing imports a logger singleton, so tests pass their own
 * (or a silent one) instead of mocking a module. Conventions: `info` for state transitions, `debug`
 * for steps, `error` exactly once where an error is handled (the work queue), errors under `err`.
 */
import { pino, type DestinationStream, type Level, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Options of {@link createLogger}. */
export interface CreateLoggerOptions {
  /**
   * Minimum level written; `'silent'` disables output (useful in tests).
   * @default 'info'
   */
  readonly level?: Level | 'silent';
  /**
   * Where JSON lines go. Tests pass a stream that collects lines.
   * @default process stdout (pino's default)
   */
  readonly destination?: DestinationStream;
  /**
   * Fields added to every line, e.g. `{ component: 'marketplace-operator' }`.
   * @default pid and hostname (pino's default)
   */
  readonly base?: Record<string, unknown>;
}

/**
 * Creates the root logger. Timestamps are ISO-8601 (`"time":"2025-..."`) rather than pino's epoch
 * milliseconds, because these logs are mostly read by people through `kubectl logs`.
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const config = {
    level: options.level ?? 'info',
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(options.base === undefined ? {} : { base: options.base }),
  };
  return options.destination === undefined ? pino(config) : pino(config, options.destination);
}

/** A logger that discards everything; the default of runtime components when none is injected. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** The parts of an object that identify a reconcile in logs. */
export interface ReconcileSubject {
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly generation?: number;
  };
}

/**
 * Child logger for one reconcile, bound to `{ kind, namespace, name, generation }` (kro's
 * `log.WithValues`, ACK's resource logger), so every line of a reconcile can be filtered by object
 * and by the generation being worked on.
 *
 * @param kind used when the object itself carries none (informer caches may strip `kind`).
 */
export function reconcileLogger(logger: Logger, subject: ReconcileSubject, kind?: string): Logger {
  return logger.child({
    kind: subject.kind ?? kind,
    namespace: subject.metadata?.namespace,
    name: subject.metadata?.name,
    generation: subject.metadata?.generation,
  });
}
