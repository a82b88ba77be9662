import { describe, expect, it } from '@jest/globals';
import { ApiException } from '@kubernetes/client-node';
import {
  isConflict,
  isInvalid,
  isNotFound,
  retryDecision,
  statusCodeOf,
  TerminalError,
  type RetryDecision,
} from '../../../controllers/runtime/errors.js';

function apiError(code: number, headers: Record<string, string> = {}): ApiException<unknown> {
  return new ApiException(code, 'Unsuccessful HTTP Request', { kind: 'Status', code }, headers);
}

/** The plain Error client-node's Watch builds for a non-200 watch response. */
function watchError(statusCode: number): Error {
  return Object.assign(new Error('Gone'), { statusCode });
}

describe('retryDecision', () => {
  const terminal = new TerminalError('immutable field');
  const tooMany = apiError(429, { 'retry-after': '30' });
  it.each<[string, unknown, RetryDecision]>([
    ['a plain Error', new Error('boom'), { kind: 'backoff' }],
    ['a non-Error value', 'boom', { kind: 'backoff' }],
    ['undefined', undefined, { kind: 'backoff' }],
    ['TerminalError', terminal, { kind: 'none' }],
    ['an Error wrapping a TerminalError', new Error('apply', { cause: terminal }), { kind: 'none' }],
    [
      'a two-level wrap of a 429 with Retry-After',
      new Error('a', { cause: new Error('b', { cause: tooMany }) }),
      { kind: 'after', ms: 30_000 },
    ],
    ['TerminalError wrapping a 429 with Retry-After (outermost wins)', new TerminalError('t', { cause: tooMany }), { kind: 'none' }],
    ['ApiException 404', apiError(404), { kind: 'backoff' }],
    ['ApiException 409', apiError(409), { kind: 'backoff' }],
    ['ApiException 500', apiError(500), { kind: 'backoff' }],
    ['ApiException 429 with Retry-After: 7', apiError(429, { 'retry-after': '7' }), { kind: 'after', ms: 7_000 }],
    ['ApiException 429 with Retry-After in another case', apiError(429, { 'Retry-After': '2' }), { kind: 'after', ms: 2_000 }],
    ['ApiException 429 without Retry-After', apiError(429), { kind: 'backoff' }],
    ['ApiException 429 with a garbage Retry-After', apiError(429, { 'retry-after': 'soon' }), { kind: 'backoff' }],
    ['ApiException 503 with Retry-After (only 429 honoured)', apiError(503, { 'retry-after': '1' }), { kind: 'backoff' }],
  ])('%s → %j', (_name, err, expected) => {
    expect(retryDecision(err)).toEqual(expected);
  });

  it('terminates on a cyclic cause chain', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(retryDecision(a)).toEqual({ kind: 'backoff' });
  });
});

describe('status helpers', () => {
  it.each<[string, unknown, number | undefined]>([
    ['ApiException', apiError(404), 404],
    ['watch error with statusCode', watchError(410), 410],
    ['watch ERROR Status object', { kind: 'Status', code: 410 }, 410],
    ['Node system error (string code)', Object.assign(new Error('reset'), { code: 'ECONNRESET' }), undefined],
    ['out-of-range numeric code', { code: 42 }, undefined],
    ['null', null, undefined],
    ['a string', '404', undefined],
  ])('statusCodeOf(%s) = %j', (_name, err, expected) => {
    expect(statusCodeOf(err)).toBe(expected);
  });

  it.each<[string, unknown, boolean, boolean]>([
    ['404', apiError(404), true, false],
    ['409', apiError(409), false, true],
    ['watch 410', watchError(410), false, false],
    ['500', apiError(500), false, false],
    ['wrapped 404 (cause is not inspected)', new Error('x', { cause: apiError(404) }), false, false],
  ])('%s → notFound=%s conflict=%s', (_name, err, notFound, conflict) => {
    expect([isNotFound(err), isConflict(err)]).toEqual([notFound, conflict]);
  });

  const ssaSchemaError = new ApiException(500, 'Unsuccessful HTTP Request', {
    kind: 'Status',
    code: 500,
    message: 'failed to create typed patch object (ns/a; /v1, Kind=ConfigMap): .bogus: field not declared in schema',
  }, {});
  it.each<[string, unknown, boolean]>([
    ['400', apiError(400), true],
    ['422 strict decoding error', apiError(422), true],
    ['500 from SSA for a field not in the schema', ssaSchemaError, true],
    ['500 with the Status as raw text', new ApiException(500, 'x', 'failed to create typed patch object: y', {}), true],
    ['any other 500', new ApiException(500, 'x', { kind: 'Status', message: 'etcdserver: request timed out' }, {}), false],
    ['404', apiError(404), false],
    ['a plain Error', new Error('failed to create typed patch object'), false],
  ])('isInvalid(%s) = %s', (_name, err, expected) => {
    expect(isInvalid(err)).toBe(expected);
  });

  it('keeps message, name and cause on TerminalError', () => {
    const cause = new Error('root');
    const err = new TerminalError('stop', { cause });
    expect(err).toBeInstanceOf(Error);
    expect([err.name, err.message, err.cause]).toEqual(['TerminalError', 'stop', cause]);
  });
});
