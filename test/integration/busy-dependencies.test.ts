import { ProvisionedThroughputExceededException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';
import { faultyClient } from '../support/faults.ts';

/**
 * SPEC §1 "a 500 is always a bug": when DynamoDB throttles (after the SDK's own retries) the API answers a 503
 * `temporarily_unavailable` with Retry-After, writes nothing, and the same request succeeds once DynamoDB has room
 * again, Idempotency-Key included. Over real HTTP on DynamoDB Local, whose throttles are injected (it has none).
 */

type Fault = { command: string; error: (command: string) => Error };
let fault: Fault | undefined;
let api: TestApi;

const throttled = () => new ProvisionedThroughputExceededException({ message: 'The level of configured provisioned throughput for the table was exceeded', $metadata: { httpStatusCode: 400 } });
const cancelledByThrottle = () =>
  new TransactionCanceledException({ message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ThrottlingError]', $metadata: { httpStatusCode: 400 }, CancellationReasons: [{ Code: 'None' }, { Code: 'ThrottlingError' }] });

beforeAll(async () => {
  const { db } = faultyClient(
    (command) => fault?.command === command,
    (command) => fault!.error(command),
  );
  api = await TestApi.start({ context: { db } });
});
afterAll(() => api?.stop());
beforeEach(() => {
  fault = undefined;
});

const contactsNamed = async (lastName: string) => (await api.get('/contacts?limit=100')).body.items.filter((item: { lastName: string }) => item.lastName === lastName);

describe('SPEC §1 a throttled DynamoDB is a 503 with Retry-After, never a 500', () => {
  it('SPEC §1 a throttled transaction: 503 temporarily_unavailable, nothing written, and the retry creates the contact once', async () => {
    fault = { command: 'TransactWriteItems', error: throttled };

    const refused = await api.post('/contacts', { firstName: 'Ada', lastName: 'Throttled' });
    fault = undefined;
    const written = await contactsNamed('Throttled');
    const retried = await api.post('/contacts', { firstName: 'Ada', lastName: 'Throttled' });

    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.body).toMatchObject({ status: 503, code: 'temporarily_unavailable' });
    expect(written).toEqual([]);
    expect(retried.status).toBe(201);
    expect(await contactsNamed('Throttled')).toHaveLength(1);
  });

  it('SPEC §1 a transaction DynamoDB cancels for a throttled item is a 503 as well', async () => {
    fault = { command: 'TransactWriteItems', error: cancelledByThrottle };

    const refused = await api.post('/contacts', { lastName: 'Cancelled' });

    expect([refused.status, refused.body.code, refused.headers.get('retry-after')]).toEqual([503, 'temporarily_unavailable', '1']);
    fault = undefined;
    expect(await contactsNamed('Cancelled')).toEqual([]);
  });

  it('SPEC §1 a throttled read is a 503, and the read answers once DynamoDB has room', async () => {
    fault = { command: 'Query', error: throttled };

    const refused = await api.get('/contacts?limit=5');
    fault = undefined;
    const answered = await api.get('/contacts?limit=5');

    expect([refused.status, refused.body.code]).toEqual([503, 'temporarily_unavailable']);
    expect(answered.status).toBe(200);
  });

  it('SPEC §1 Idempotency: a POST refused with a 503 frees its key, so the same key and body then run it once', async () => {
    const headers = { 'idempotency-key': 'busy-then-free' };
    fault = { command: 'TransactWriteItems', error: throttled };

    const refused = await api.post('/contacts', { lastName: 'Keyed' }, { headers });
    fault = undefined;
    const retried = await api.post('/contacts', { lastName: 'Keyed' }, { headers });
    const replayed = await api.post('/contacts', { lastName: 'Keyed' }, { headers });

    expect(refused.status).toBe(503);
    expect(retried.status).toBe(201);
    expect([replayed.status, replayed.headers.get('idempotent-replayed'), replayed.body.id]).toEqual([201, 'true', retried.body.id]);
    expect(await contactsNamed('Keyed')).toHaveLength(1);
  });
});
