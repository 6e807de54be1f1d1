import { InternalServerError, ProvisionedThroughputExceededException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { isBusyDependency, RETRY_AFTER_BUSY_SECONDS, toProblem } from '../../shared/http/problem.ts';

/**
 * SPEC §1 "a 500 is always a bug": DynamoDB (or another AWS service) out of capacity or out of reach, after the SDK's
 * own retries, is not a bug of the API but a moment to retry: a 503 `temporarily_unavailable` with Retry-After.
 */

const metadata = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({ message: 'Transaction cancelled', ...metadata(400), CancellationReasons: codes.map((Code) => ({ Code })) });
const connectionRefused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' });

describe('SPEC §1 a busy or unreachable AWS service is a 503, not a 500', () => {
  it.each([
    ['a throttled read or write', new ProvisionedThroughputExceededException({ message: 'Throughput exceeds the current capacity', ...metadata(400) })],
    ['a throttle named by the service', Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', ...metadata(400) })],
    ['a 500 of DynamoDB', new InternalServerError({ message: 'Internal server error', ...metadata(500) })],
    ['a refused connection', connectionRefused()],
    ['a transaction cancelled because an item was throttled', cancelled('None', 'ThrottlingError')],
    ['a transaction cancelled for provisioned throughput', cancelled('ProvisionedThroughputExceeded', 'None')],
  ])('SPEC §1 %s is temporarily_unavailable with Retry-After', (_case, error) => {
    const problem = toProblem(error);

    expect(isBusyDependency(error)).toBe(true);
    expect([problem.status, problem.code]).toEqual([503, 'temporarily_unavailable']);
    expect(problem.headers).toEqual({ 'retry-after': String(RETRY_AFTER_BUSY_SECONDS) });
    expect(problem.detail).not.toContain('127.0.0.1');
  });

  it.each([
    ['a request DynamoDB rejects (our bug)', Object.assign(new Error('One or more parameter values were invalid'), { name: 'ValidationException', ...metadata(400) })],
    ['a transaction cancelled by a condition', cancelled('ConditionalCheckFailed', 'None')],
    ['a transaction cancelled for an invalid item', cancelled('ValidationError')],
    ['an error of the code', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['something that is not an Error', 'boom'],
  ])('SPEC §1 %s stays a 500 without a Retry-After', (_case, error) => {
    const problem = toProblem(error);

    expect(isBusyDependency(error)).toBe(false);
    expect([problem.status, problem.code]).toEqual([500, 'internal_error']);
    expect(problem.headers).toEqual({});
  });
});
