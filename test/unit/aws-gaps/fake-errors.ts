/** AWS errors as the SDK raises them, for the in-memory AWS of the aws-gaps suite. */

/** An AWS SDK-like error: the code in `name`, AWS's message in `message`. */
export function awsError(code: string, message: string): Error {
  return Object.assign(new Error(message), { name: code, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}
