/**
 * Failed AWS calls of the aws-gaps executor: the operation, AWS's error code and message, and whether retrying can
 * help. AWS SDK v3 errors carry the code in `name` (`AccessDeniedException`, `WAFNonexistentItemException`, ...);
 * errors raised before any response (network, timeout, credentials) carry their own names and are retried.
 */

/**
 * Codes retrying cannot fix until someone changes the operator's permissions or the declaration: the component is
 * Failed and the environment is not requeued for it (a spec edit, a child event or the periodic resync brings it
 * back). Everything else (throttling, 5xx, WAFUnavailableEntityException while a new web ACL propagates, EC2 Auto
 * Scaling's ResourceContentionFault and ServiceLinkedRoleFailure, RDS's InvalidDBProxyStateFault while a proxy is
 * being created, Cognito's TooManyRequestsException, network and credential errors) is retried with backoff. EC2 Auto
 * Scaling and RDS (query-protocol APIs) answer invalid input with `ValidationError` / `InvalidParameterValue`, and
 * Auto Scaling's `LimitExceeded` reaches us named after the SDK's exception class, `LimitExceededFault`.
 */
const TERMINAL_CODES: ReadonlySet<string> = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ValidationException',
  'WAFInvalidParameterException',
  'WAFInvalidOperationException',
  'WAFLimitsExceededException',
  'WAFFeatureNotIncludedInPricingPlanException',
  'ValidationError',
  'LimitExceededFault',
  // RDS
  'InvalidParameterValue',
  'InvalidParameterCombination',
  // Cognito user pools
  'InvalidParameterException',
  'InvalidOAuthFlowException',
  'ScopeDoesNotExistException',
  'NotAuthorizedException',
  'LimitExceededException',
  'FeatureUnavailableInTierException',
]);

/** An AWS API call that failed; `message` is `<operation>: <code>: <AWS's message>`. */
export class AwsCallError extends Error {
  /** AWS's error code, or the error's name when AWS never answered. */
  readonly code: string;
  /** False when retrying cannot help (see TERMINAL_CODES). */
  readonly retryable: boolean;

  constructor(
    /** The AWS API operation, e.g. `AssociateWebACL`. */
    readonly operation: string,
    cause: unknown,
  ) {
    const name = (cause as { name?: unknown } | undefined)?.name;
    const code = typeof name === 'string' && name !== '' ? name : 'Error';
    super(`${operation}: ${code}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'AwsCallError';
    this.code = code;
    this.retryable = !TERMINAL_CODES.has(code);
  }
}

/** Runs one AWS call, turning its failure into an {@link AwsCallError} naming `operation`. */
export async function awsCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw new AwsCallError(operation, err);
  }
}
