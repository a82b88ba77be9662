/**
 * Errors that carry their own retry decision, and status-code helpers for client-node errors.
 *
 * A work-queue handler asks for a later run through its result (`{ requeueAfterMs }`); an error it throws is retried
 * with per-key backoff unless the error decides otherwise ({@link retryDecision}): a {@link TerminalError} anywhere in
 * its `cause` chain stops the retries, a 429 with `Retry-After` is retried when the server asked. The work queue is
 * the only place that turns an error into that decision. Modelled on controller-runtime's `reconcile.TerminalError`.
 */

/** Options accepted by the error constructors (mirrors the standard `ErrorOptions`). */
export interface RuntimeErrorOptions {
  /** The underlying error; kept so logs show the whole chain. */
  readonly cause?: unknown;
}

/**
 * A failure that retrying cannot fix (invalid spec, immutable field changed, ...). The key is not
 * requeued; the next watch event on the object (a spec edit) or the periodic resync brings it back.
 */
export class TerminalError extends Error {
  constructor(message: string, options?: RuntimeErrorOptions) {
    super(message, options);
    this.name = 'TerminalError';
  }
}

/** What the work queue should do after a failed reconcile. */
export type RetryDecision =
  | { readonly kind: 'backoff' }
  | { readonly kind: 'after'; readonly ms: number }
  | { readonly kind: 'none' };

/**
 * HTTP status of a Kubernetes API error, or `undefined` if `err` is not one.
 *
 * Duck-typed rather than `instanceof ApiException` because three shapes reach us:
 * - `ApiException` from the generated clients and `KubernetesObjectApi` (`.code`);
 * - the plain `Error` that `Watch` builds for a non-200 watch response (`.statusCode`);
 * - a `Status` object delivered as a watch `ERROR` event (`{ kind: 'Status', code: 410 }`).
 * Node system errors also have a `.code`, but a string (`'ECONNRESET'`), so the numeric check
 * keeps them out.
 */
export function statusCodeOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) {
    return undefined;
  }
  const candidate = err as { code?: unknown; statusCode?: unknown };
  if (isHttpStatus(candidate.code)) {
    return candidate.code;
  }
  return isHttpStatus(candidate.statusCode) ? candidate.statusCode : undefined;
}

function isHttpStatus(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599;
}

/** True for 404 Not Found. Only the error itself is inspected, not its `cause` chain. */
export function isNotFound(err: unknown): boolean {
  return statusCodeOf(err) === 404;
}

/** True for 409 Conflict: a stale resourceVersion, or a create of an object that already exists. */
export function isConflict(err: unknown): boolean {
  return statusCodeOf(err) === 409;
}

/**
 * True when the server rejected the request body itself, so resending it cannot succeed: 400 Bad
 * Request, 422 Invalid (e.g. `strict decoding error: unknown field` under fieldValidation=Strict),
 * and the 500 that server-side apply answers for a field missing from the schema ("failed to create
 * typed patch object ... field not declared in schema"; in every fieldValidation mode, for CRs and
 * built-in kinds alike, checked on kube-apiserver v1.35). Not part of {@link retryDecision}: the
 * caller knows whether the body came from a chart (wrap it in a {@link TerminalError}) or not.
 */
export function isInvalid(err: unknown): boolean {
  const code = statusCodeOf(err);
  if (code === 400 || code === 422) {
    return true;
  }
  return code === 500 && /failed to create typed patch object/.test(statusMessageOf(err));
}

/** The `Status.message` of an API error (`.body` may be the parsed Status or its raw text). */
function statusMessageOf(err: unknown): string {
  const body = (err as { body?: unknown }).body;
  if (typeof body === 'string') {
    return body;
  }
  const message = (body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : String((err as { message?: unknown }).message ?? '');
}

/**
 * Maps any error to a retry decision.
 *
 * The `cause` chain is walked from the outside in, so wrapping
 * (`new Error('apply failed', { cause: terminal })`) keeps the decision of the typed error inside;
 * if several errors in the chain are typed, the outermost one wins.
 * A 429 with a `Retry-After` header is retried when the server asked. Everything else, including
 * every other API status, is retried with per-key exponential backoff, as controller-runtime does:
 * a reconciler that knows an error is permanent must say so with {@link TerminalError}.
 */
export function retryDecision(err: unknown): RetryDecision {
  const seen = new Set<unknown>();
  for (let current = err; current !== undefined && !seen.has(current); current = causeOf(current)) {
    seen.add(current);
    const decision = typedDecision(current);
    if (decision !== undefined) {
      return decision;
    }
  }
  return { kind: 'backoff' };
}

function typedDecision(err: unknown): RetryDecision | undefined {
  if (err instanceof TerminalError) {
    return { kind: 'none' };
  }
  const retryAfterMs = statusCodeOf(err) === 429 ? retryAfterOf(err) : undefined;
  return retryAfterMs === undefined ? undefined : { kind: 'after', ms: retryAfterMs };
}

function causeOf(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { cause?: unknown }).cause : undefined;
}

/** `Retry-After` in seconds (the only form the API server sends), converted to milliseconds. */
function retryAfterOf(err: unknown): number | undefined {
  const headers = (err as { headers?: unknown }).headers;
  if (typeof headers !== 'object' || headers === null) {
    return undefined;
  }
  const entry = Object.entries(headers).find(([name]) => name.toLowerCase() === 'retry-after');
  const seconds = entry === undefined ? NaN : Number(entry[1]);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}
