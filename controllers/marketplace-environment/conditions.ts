/**
 * Condition bookkeeping by the Kubernetes API conventions, and the failures conditions report: an error that stops a
 * reconcile is recorded in the status under one of our reasons (api/status.ts REASONS) before it goes back to the
 * work queue, as Progressing when a retry may fix it and as Degraded when not (its retry decision says which).
 */
import { REASONS, type Condition, type ConditionReason } from '../../api/index.js';
import { retryDecision, statusCodeOf } from '../runtime/errors.js';

/** A condition without the bookkeeping fields. */
export type ConditionInput = Pick<Condition, 'type' | 'status' | 'reason' | 'message'>;

/**
 * The new condition list: each input stamped with `observedGeneration`, keeping `lastTransitionTime` of the previous
 * condition of that type when its status did not change (cluster-api `conditions.Set`).
 */
export function mergeConditions(
  previous: readonly Condition[] | undefined,
  next: readonly ConditionInput[],
  generation: number,
  now: string,
): Condition[] {
  return next.map((c) => {
    const old = previous?.find((p) => p.type === c.type);
    const lastTransitionTime = old && old.status === c.status ? old.lastTransitionTime : now;
    return { ...c, lastTransitionTime, observedGeneration: generation };
  });
}

/** The error that stopped a reconcile, as the status reports it. */
export interface Failure {
  readonly reason: ConditionReason;
  /** One line, at most 1 kB. */
  readonly message: string;
  /** Retrying cannot fix it (its retry decision is "none"): Degraded, not Progressing. */
  readonly terminal: boolean;
}

/**
 * An error of one reconcile step, with the reason the status reports it under. Wraps the step's error as `cause`, so
 * the retry decision (retryDecision walks the cause chain) stays the original's.
 */
export class StepError extends Error {
  constructor(
    readonly reason: ConditionReason,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StepError';
  }
}

/** Runs one reconcile step; what it throws is rethrown as a {@link StepError} with `reason`, prefixed with `what`. */
export async function during<T>(reason: ConditionReason, what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    throw new StepError(reason, `${what}: ${describeError(err)}`, { cause: err });
  }
}

/**
 * One line about `err`: for an API error the server's own `Status.message` with the HTTP code (client-node's message
 * also dumps the response headers), otherwise the error's message.
 */
export function describeError(err: unknown): string {
  const code = statusCodeOf(err);
  const body = typeof err === 'object' && err !== null ? (err as { body?: unknown }).body : undefined;
  const serverMessage = typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : undefined;
  if (code !== undefined && typeof serverMessage === 'string') return `HTTP ${code}: ${serverMessage}`;
  return err instanceof Error ? err.message : String(err);
}

/** How the status reports `err`: a {@link StepError}'s reason, else ReconcileFailed. */
export function failureOf(err: unknown): Failure {
  const message = err instanceof StepError ? err.message : describeError(err);
  return {
    reason: err instanceof StepError ? err.reason : REASONS.ReconcileFailed,
    message: message.length > 1024 ? `${message.slice(0, 1021)}...` : message,
    terminal: retryDecision(err).kind === 'none',
  };
}
