import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumers } from '../../functions/events/consumer-table.ts';
import type { AppContext } from '../../shared/app-context.ts';
import { boardContributionKey, shareKey } from '../../shared/db/keys.ts';
import type { EventData, EventType } from '../../shared/events/catalogue.ts';
import { consume, RECEIPT_ACTIONS, type Consumer } from '../../shared/events/consumer.ts';
import { newEvent } from '../../shared/events/outbox.ts';
import { TestApi } from '../support/api.ts';
import { grantedCalls, recordingContext } from '../support/recorded-access.ts';

/**
 * SPEC §11 least privilege, checked from the other side: every call a consumer makes (DynamoDB, each item of a
 * transaction counted as the action IAM checks for it; the cursor secret, mail, the user directory) is one the
 * stack grants it (`access`, plus its receipts).
 * The changes are made over HTTP; then every kind of event is delivered again to each consumer through a client
 * that records its calls.
 */

interface Caller {
  id: string;
  token: string;
}

let api: TestApi;
let ctx: AppContext;
beforeAll(async () => {
  api = await TestApi.start();
  ctx = api.runtime.ctx;
});
afterAll(() => api?.stop());

async function created(path: string, body: Record<string, unknown>, by?: Caller): Promise<Record<string, string>> {
  const answer = await api.post(path, body, by ? { token: by.token } : {});
  if (answer.status !== 201) throw new Error(`${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

describe('SPEC §11 each consumer is granted what it calls', () => {
  const deliveries: { type: EventType; data: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    const [first, second, reader] = await Promise.all([api.createUser('rep'), api.createUser('rep'), api.createUser('rep')]);
    const company = await created('/companies', { name: 'Acme' }, first);
    const contact = await created('/contacts', { lastName: 'Rossi', companyId: company.id }, first);
    const closed = await created('/opportunities', { title: 'Old deal', contactId: contact.id, ownerId: second.id });
    await api.post(`/opportunities/${closed.id}/lost`, {});
    const kept = await created('/opportunities', { title: 'Deal', contactId: contact.id, ownerId: first.id });
    const mergedAway = await created('/opportunities', { title: 'Same deal', contactId: contact.id, ownerId: second.id, allowDuplicate: true });
    await created(`/opportunities/${mergedAway.id}/shares`, { userId: reader.id }, second);
    await api.post('/opportunities/merge', { ids: [kept.id, mergedAway.id], targetId: kept.id });
    const other = await api.post('/companies', { name: 'Other' });
    await api.patch(`/contacts/${contact.id}`, { companyId: other.body.id });
    await api.post('/_local/settle');
    // Left for the deliveries below to act on: a closed opportunity to hand over again, a share to carry over again.
    await api.patch(`/opportunities/${closed.id}`, { ownerId: second.id });
    const lateReader = await api.createUser('rep');
    await ctx.db.send(new PutCommand({ TableName: ctx.tableName, Item: { ...shareKey('opportunities', mergedAway.id!, lateReader.id), userId: lateReader.id } }));
    // A board contribution to write again (and counters to move).
    await ctx.db.send(new DeleteCommand({ TableName: ctx.tableName, Key: boardContributionKey(kept.id!) }));
    await api.post('/_local/settle');
    const parties = { opportunityId: kept.id, contactId: contact.id, companyId: company.id, ownerId: first.id };
    deliveries.push(
      { type: 'opportunity.created', data: { ...parties, stageId: kept.stageId } },
      { type: 'opportunity.reassigned', data: { ...parties, fromOwnerId: second.id, fromContactId: null, fromCompanyId: null } },
      { type: 'opportunity.won', data: { ...parties, winReasonIds: [] } },
      { type: 'opportunity.lost', data: { ...parties, lostReasonId: null } },
      { type: 'opportunity.restored', data: { ...parties, restoredFrom: 'lost' } },
      { type: 'opportunity.merged', data: { ...parties, mergedIds: [mergedAway.id], mergedParties: [{ contactId: contact.id, companyId: company.id, ownerId: second.id }] } },
      { type: 'opportunity.deleted', data: { ...parties, mergedIds: [mergedAway.id] } },
      { type: 'opportunity.updated', data: { ...parties, stageId: kept.stageId } },
      { type: 'contact.moved', data: { contactId: contact.id, companyId: other.body.id, fromCompanyId: company.id, ownerId: first.id } },
    );
  });

  it.each(consumers.map((consumer) => [consumer.name, consumer] as [string, Consumer]))('SPEC §11 %s: every call is granted', async (_name, consumer) => {
    const recording = recordingContext(ctx);

    for (const { type, data } of deliveries) await consume(recording.ctx, consumer, newEvent(ctx, type, null, data as EventData<typeof type>));

    const granted = new Set([...grantedCalls(consumer.access), ...RECEIPT_ACTIONS]);
    expect([...recording.calls].filter((call) => !granted.has(call))).toEqual([]);
    expect([...recording.calls]).toEqual(expect.arrayContaining([...RECEIPT_ACTIONS]));
    if (consumer.name === 'board-totals') expect([...recording.calls]).toEqual(expect.arrayContaining(['GetItem', 'PutItem', 'UpdateItem']));
    if (consumer.name === 'sharing-rules') expect([...recording.calls]).toEqual(expect.arrayContaining(['ConditionCheckItem', 'Query GSI3', 'Query GSI4']));
  });
});
