import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { sharingRules } from '../../functions/events/sharing-rules.ts';
import type { AppContext } from '../../shared/app-context.ts';
import { shareIndexKeys, shareKey } from '../../shared/db/keys.ts';
import { opportunitySharedWith } from '../../shared/db/shares.ts';
import type { EventData, EventType } from '../../shared/events/catalogue.ts';
import { consumeBusEvent } from '../../shared/events/consumer.ts';
import { newEvent } from '../../shared/events/outbox.ts';
import { TestApi } from '../support/api.ts';
import { as, type Caller, created, setSharingSwitches } from '../support/fixtures.ts';
import { faultyContext, writesOf } from '../support/faults.ts';

/**
 * R-EVT-2 for the sharing-rules consumer: the changes are made over HTTP (their own events are consumed as usual),
 * then events are delivered again, as new deliveries the receipts do not stop (a redelivery after a failure
 * part-way, or a late one), in whatever order: the shares and owners end as they were.
 */

let api: TestApi;
let ctx: AppContext;
let manager: Caller;
beforeAll(async () => {
  api = await TestApi.start();
  ctx = api.runtime.ctx;
  manager = await api.createUser('manager');
});
afterAll(() => api?.stop());

/** Every event gets a new id, so the consumer's receipt does not stop it: the handler runs again. */
const redeliver = <T extends EventType>(type: T, data: EventData<T>) => {
  const event = newEvent(ctx, type, manager.id, data);
  return consumeBusEvent(ctx, sharingRules, { 'detail-type': event.type, detail: JSON.parse(JSON.stringify(event.detail)) });
};

/** The sharing state: every share item, and the owners of contacts and opportunities. */
async function sharingState() {
  const items = await api.tableSnapshot();
  return items
    .filter((item) => String(item.SK).startsWith('SHARE#') || ['Contact', 'Company', 'Opportunity'].includes(String(item.recordType)))
    .map((item) => ({ PK: item.PK, SK: item.SK, ownerId: item.ownerId }));
}

describe('R-EVT-2 the sharing rules are safe to run again and in any order', () => {
  it('R-EVT-2 reassignments delivered again in reverse order leave the contact shared as the last owner left it', async () => {
    const [contactOwner, first, second, third] = await Promise.all([api.createUser('rep'), api.createUser('rep'), api.createUser('rep'), api.createUser('rep')]);
    const contact = await created(api, '/contacts', { lastName: 'Rossi' }, contactOwner);
    const opportunity = await created(api, '/opportunities', { title: 'Deal', contactId: contact.id, ownerId: first.id }, manager);
    await api.post('/_local/settle');
    await api.patch(`/opportunities/${opportunity.id}`, { ownerId: second.id });
    await api.patch(`/opportunities/${opportunity.id}`, { ownerId: third.id });
    await api.post('/_local/settle');
    const settled = await sharingState();
    const parties = { opportunityId: opportunity.id!, contactId: contact.id!, companyId: null };

    await redeliver('opportunity.reassigned', { ...parties, ownerId: third.id, fromOwnerId: second.id });
    await redeliver('opportunity.reassigned', { ...parties, ownerId: second.id, fromOwnerId: first.id });
    await redeliver('opportunity.created', { ...parties, ownerId: first.id, stageId: opportunity.stageId! });

    expect(await sharingState()).toEqual(settled);
    expect((await api.get(`/contacts/${contact.id}`, as(third))).status).toBe(200);
  });

  it('R-EVT-2 a deletion and a merge delivered 3 times more change nothing further', async () => {
    const [owner, reader] = await Promise.all([api.createUser('rep'), api.createUser('rep')]);
    const contact = await created(api, '/contacts', { lastName: 'Bianchi' }, owner);
    const kept = await created(api, '/opportunities', { title: 'Kept', contactId: contact.id }, owner);
    const mergedAway = await created(api, '/opportunities', { title: 'Merged', contactId: contact.id, ownerId: owner.id, allowDuplicate: true }, manager);
    const deleted = await created(api, '/contacts', { lastName: 'Verdi' }, owner).then((other) => created(api, '/opportunities', { title: 'Gone', contactId: other.id }, owner));
    await created(api, `/opportunities/${mergedAway.id}/shares`, { userId: reader.id }, owner);
    await created(api, `/opportunities/${deleted.id}/shares`, { userId: reader.id }, owner);
    await api.post('/opportunities/merge', { ids: [kept.id, mergedAway.id], targetId: kept.id });
    await api.delete(`/opportunities/${deleted.id}`, as(owner));
    await api.post('/_local/settle');
    const settled = await sharingState();
    const owned = { ownerId: owner.id, companyId: null };

    for (let delivery = 0; delivery < 3; delivery++) {
      await redeliver('opportunity.deleted', { opportunityId: deleted.id!, contactId: deleted.contactId!, ...owned });
      await redeliver('opportunity.merged', {
        opportunityId: kept.id!,
        contactId: contact.id!,
        ...owned,
        mergedIds: [mergedAway.id!],
        mergedParties: [{ contactId: contact.id!, ...owned }],
      });
    }

    expect(await sharingState()).toEqual(settled);
    expect((await api.get(`/opportunities/${kept.id}`, as(reader))).status).toBe(200);
    expect((await api.get(`/contacts/${deleted.contactId}`, as(reader))).status).toBe(404);
  });

  it('R-EVT-2 a deletion with more shares than one page is cleaned up without signed cursors (consumers hold no cursor key)', async () => {
    const owner = await api.createUser('rep');
    const contact = await created(api, '/contacts', { lastName: 'Neri' }, owner);
    const opportunity = await created(api, '/opportunities', { title: 'Popular', contactId: contact.id }, owner);
    const sharees = Array.from({ length: 120 }, () => ulid());
    for (const userId of sharees) {
      const share = { opportunityId: opportunity.id, userId, sharedAt: '2026-11-01T00:00:00.000Z', sharedBy: owner.id };
      await ctx.db.send(new PutCommand({ TableName: ctx.tableName, Item: { ...shareKey('opportunities', opportunity.id!, userId), ...shareIndexKeys('opportunities', opportunity.id!, userId), ...share } }));
    }
    const noCursorKey = () => Promise.reject(new Error('consumers have no cursor key'));
    const consumerCtx: AppContext = { ...ctx, cursors: { encode: noCursorKey, decode: noCursorKey } };
    const event = newEvent(ctx, 'opportunity.deleted', owner.id, { opportunityId: opportunity.id!, contactId: contact.id!, companyId: null, ownerId: owner.id });

    await sharingRules.handle(event, consumerCtx);

    expect(await opportunitySharedWith(ctx, opportunity.id!)).toEqual([]);
  });
});

describe('Issue 13 item 7: a contact handed to a new rep and its previous owner\'s share commit together', () => {
  it('item 7 the keep-share write fails once: the delivery fails whole, and the redelivery hands the contact over with the previous owner still seeing it (R-SHR-2, R-SHR-3)', async () => {
    const [previous, next] = await Promise.all([api.createUser('rep'), api.createUser('rep')]);
    await setSharingSwitches(api, { syncContactOwner: false });
    const contact = await created(api, '/contacts', { lastName: 'Keeps' }, previous);
    await created(api, '/opportunities', { title: 'Own deal', contactId: contact.id }, previous);
    const handed = await created(api, '/opportunities', { title: 'New deal', contactId: contact.id, ownerId: next.id, allowDuplicate: true }, manager);
    await api.post('/_local/settle');
    await setSharingSwitches(api, { syncContactOwner: true });
    const event = newEvent(ctx, 'opportunity.created', manager.id, { opportunityId: handed.id, ownerId: next.id, contactId: contact.id, companyId: null, stageId: handed.stageId });
    const delivery = { 'detail-type': event.type, detail: JSON.parse(JSON.stringify(event.detail)) };
    const faulty = faultyContext(ctx, writesOf(shareKey('contacts', contact.id, previous.id)));

    const first = await consumeBusEvent(faulty.ctx, sharingRules, delivery).then(() => 'handled', (error: Error) => error.name);
    const redelivered = await consumeBusEvent(ctx, sharingRules, delivery);

    expect([first, faulty.failures(), redelivered]).toEqual(['InjectedFault', 1, 'handled']);
    expect((await api.get(`/contacts/${contact.id}`)).body.ownerId).toBe(next.id);
    expect((await api.get(`/contacts/${contact.id}`, as(previous))).status).toBe(200);
    await setSharingSwitches(api, { syncContactOwner: true });
  });
});
