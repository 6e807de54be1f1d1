import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commit } from '../../shared/db/aggregate-writer.ts';
import { idempotencyKey } from '../../shared/db/keys.ts';
import { claimIdempotencyKey, IDEMPOTENCY_LEASE_SECONDS } from '../../shared/http/idempotency.ts';
import { TestApi } from '../support/api.ts';
import { faultyClient, keysWritten } from '../support/faults.ts';

/**
 * Issue 13 item 3 / SPEC §1 Idempotency: a replay after a committed write answers the first result and never runs
 * the write again, whatever failed after the commit; a claim whose request died frees its key after a lease.
 */

let api: TestApi;
let adminId: string;
/** Keys whose answer may not be stored (every attempt fails), as if DynamoDB refused or the process died. */
const unstorable = new Set<string>();

beforeAll(async () => {
  const { db } = faultyClient((command, input) => command === 'UpdateItem' && keysWritten(command, input).some((key) => unstorable.has(`${key.PK}|${key.SK}`)));
  api = await TestApi.start({ context: { db } });
  adminId = (await api.get('/me')).body.id;
});
afterAll(() => api?.stop());

const contactsNamed = async (lastName: string) => (await api.get('/contacts?limit=100')).body.items.filter((item: { lastName: string }) => item.lastName === lastName);

describe('Issue 13 item 3: Idempotency-Key under faults', () => {
  it('item 3 storing the answer fails after the write committed: the replay answers the first result and nothing is written twice', async () => {
    const key = idempotencyKey(adminId, 'answer-lost') as { PK: string; SK: string };
    unstorable.add(`${key.PK}|${key.SK}`);
    const headers = { 'idempotency-key': 'answer-lost' };

    const first = await api.post('/contacts', { lastName: 'Once' }, { headers });
    const replay = await api.post('/contacts', { lastName: 'Once' }, { headers });

    expect(first.status).toBe(201);
    expect([replay.status, replay.headers.get('idempotent-replayed')]).toEqual([201, 'true']);
    expect(replay.body).toEqual(first.body);
    expect(await contactsNamed('Once')).toHaveLength(1);
  });

  it('item 3 an opportunity created whose answer is lost: the replay answers the same opportunity, and the duplicate guard sees one', async () => {
    const contact = (await api.post('/contacts', { lastName: 'Removed' })).body;
    const key = idempotencyKey(adminId, 'delete-lost') as { PK: string; SK: string };
    unstorable.add(`${key.PK}|${key.SK}`);
    const headers = { 'idempotency-key': 'delete-lost' };

    const won = await api.post('/opportunities', { title: 'Deal', contactId: contact.id }, { headers });
    const replay = await api.post('/opportunities', { title: 'Deal', contactId: contact.id }, { headers });

    expect([won.status, replay.status]).toEqual([201, 201]);
    expect(replay.body.id).toBe(won.body.id);
    expect((await api.get(`/opportunities?contactId=${contact.id}`)).body.items).toHaveLength(1);
  });

  it('item 3 a request that died after claiming: a retry within the lease is 409 in progress, after the lease it runs once', async () => {
    const { ctx } = api.runtime;
    const body = { lastName: 'Leased' };
    const request = { routeKey: 'POST /contacts', path: '/contacts', body: JSON.stringify(body) };
    const expiredAt = new Date(Date.now() - (IDEMPOTENCY_LEASE_SECONDS + 1) * 1000);
    await claimIdempotencyKey(ctx, adminId, 'died-just-now', request);
    await claimIdempotencyKey({ ...ctx, now: () => expiredAt }, adminId, 'died-long-ago', request);

    const held = await api.post('/contacts', body, { headers: { 'idempotency-key': 'died-just-now' } });
    const freed = await api.post('/contacts', body, { headers: { 'idempotency-key': 'died-long-ago' } });
    const replayed = await api.post('/contacts', body, { headers: { 'idempotency-key': 'died-long-ago' } });

    expect([held.status, held.body.code]).toEqual([409, 'idempotency_in_progress']);
    expect([freed.status, replayed.status, replayed.body.id]).toEqual([201, 201, freed.body.id]);
    expect(await contactsNamed('Leased')).toHaveLength(1);
  });

  it('item 3 a request whose lease ran out cannot commit after another took its key over', async () => {
    const { ctx } = api.runtime;
    const body = { lastName: 'Overtaken' };
    const request = { routeKey: 'POST /contacts', path: '/contacts', body: JSON.stringify(body) };
    const slow = await claimIdempotencyKey({ ...ctx, now: () => new Date(Date.now() - (IDEMPOTENCY_LEASE_SECONDS + 1) * 1000) }, adminId, 'overtaken', request);
    const taken = await api.post('/contacts', body, { headers: { 'idempotency-key': 'overtaken' } });
    if (slow.kind !== 'new') throw new Error('expected a new claim');

    const late = await slow.run(() => commit(ctx).then(() => 'committed', (error: { code?: string }) => error.code));

    expect(taken.status).toBe(201);
    expect(late).toBe('idempotency_in_progress');
    expect(await contactsNamed('Overtaken')).toHaveLength(1);
  });
});
