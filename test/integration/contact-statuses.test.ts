import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactStatuses } from '../../functions/events/contact-statuses.ts';
import type { AppContext } from '../../shared/app-context.ts';
import { companyModel, consumerReceiptKey, contactModel, opportunityModel } from '../../shared/db/keys.ts';
import { createRecord, deleteRecord, getRecord, newRecord, updateRecord } from '../../shared/db/store.ts';
import { recomputeCompanyStatuses, recomputeContactStatuses } from '../../shared/db/statuses.ts';
import type { EventData, EventDetail, EventType, ParsedEventData } from '../../shared/events/catalogue.ts';
import { consumeBusEvent, defineConsumer } from '../../shared/events/consumer.ts';
import { newEvent } from '../../shared/events/outbox.ts';
import { newCompanyFields, newContactFields } from '../../shared/domain/parties.ts';
import type { Company, Contact } from '../../shared/schemas/contacts.ts';
import type { Opportunity } from '../../shared/schemas/opportunities.ts';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { TestApi } from '../support/api.ts';
import { interleavedContext } from '../support/faults.ts';

/**
 * The contact-statuses consumer against real records (R-CON-2, R-EVT-2): records are written straight to the
 * table (no outbox item, so nothing is delivered on its own) and events are handed to the consumer the way the
 * bus delivers them, as JSON, as many times and in whatever order a test wants.
 */

let api: TestApi;
let ctx: AppContext;
let ownerId: string;
beforeAll(async () => {
  api = await TestApi.start();
  ctx = api.runtime.ctx;
  ownerId = (await api.get('/me')).body.id;
});
afterAll(() => api.stop());

const storeCompany = () => createRecord(ctx, companyModel, newRecord(ctx, newCompanyFields({ name: 'Acme' }, ownerId, {})));
const storeContact = (companyId: string | null = null) =>
  createRecord(ctx, contactModel, newRecord(ctx, newContactFields({ lastName: 'Lovelace', ...(companyId ? { companyId } : {}) }, ownerId, {})));

async function storeOpportunity(party: { contactId?: string; companyId?: string }, status: Opportunity['status'] = 'open', closedAt = '2026-03-01T10:00:00.000Z') {
  return createRecord(
    ctx,
    opportunityModel,
    newRecord(ctx, {
      title: 'Deal',
      contactId: party.contactId ?? null,
      companyId: party.companyId ?? null,
      ownerId,
      stageId: ctx.newId(),
      value: null,
      probability: 10,
      expectedCloseDate: null,
      tags: [],
      customFields: {},
      status,
      active: true,
      closedAt: status === 'open' ? null : closedAt,
      winReasonIds: [],
      lostReasonId: null,
      closingNote: null,
      lostFromStageId: null,
      closedFromStageId: null,
      mergedIds: [],
    }),
  );
}

const close = (id: string, status: 'won' | 'lost', closedAt = '2026-03-01T10:00:00.000Z') =>
  updateRecord<Opportunity>(ctx, opportunityModel, id, (current) => ({ ...current, status, closedAt }));

const partiesOf = (opportunity: Opportunity) => ({
  opportunityId: opportunity.id,
  contactId: opportunity.contactId,
  companyId: opportunity.companyId,
  ownerId: opportunity.ownerId,
});

function eventOf<T extends EventType>(type: T, data: EventData<T>) {
  return newEvent(ctx, type, ownerId, data);
}

/** Delivers an event to the consumer as the bus does: its detail as JSON, parsed against the catalogue. */
const deliver = (event: ReturnType<typeof eventOf>) =>
  consumeBusEvent(ctx, contactStatuses, { 'detail-type': event.type, detail: JSON.parse(JSON.stringify(event.detail)) });

const statusesOf = async (model: typeof contactModel | typeof companyModel, id: string) => {
  const record = (await getRecord<Contact | Company>(ctx, model as never, id))!;
  return { prospectStatus: record.prospectStatus, customerStatus: record.customerStatus, version: record.version };
};

describe('R-CON-2 the contact-statuses consumer', () => {
  it('R-CON-2 a new open opportunity makes its contact and the contact\'s employer current prospects', async () => {
    const company = await storeCompany();
    const contact = await storeContact(company.id);
    const opportunity = await storeOpportunity({ contactId: contact.id });

    await deliver(eventOf('opportunity.created', { ...partiesOf(opportunity), stageId: opportunity.stageId }));

    expect(await statusesOf(contactModel, contact.id)).toMatchObject({ prospectStatus: 'current', customerStatus: 'none' });
    expect(await statusesOf(companyModel, company.id)).toMatchObject({ prospectStatus: 'current', customerStatus: 'none' });
  });

  it.each([
    // The query of the party's opportunities: a contact's (GSI3), a company's own (GSI4).
    { party: 'contact', model: contactModel, recompute: recomputeContactStatuses, index: 'GSI3' },
    { party: 'company', model: companyModel, recompute: recomputeCompanyStatuses, index: 'GSI4' },
  ] as const)('R-CON-2 a $party recomputation that read the opportunities before a concurrent loss does not leave the older statuses', async ({ party, model, recompute, index }) => {
    // Arrange: an open opportunity, its statuses derived; a second recomputation reads it open, then the deal is lost
    // and that loss's own delivery runs to its end before the second recomputation writes.
    const partyId = party === 'contact' ? (await storeContact()).id : (await storeCompany()).id;
    const opportunity = await storeOpportunity(party === 'contact' ? { contactId: partyId } : { companyId: partyId });
    await deliver(eventOf('opportunity.created', { ...partiesOf(opportunity), stageId: opportunity.stageId }));
    let afterLoss: Awaited<ReturnType<typeof statusesOf>> | undefined;
    const lostMeanwhile = interleavedContext(ctx, (command, input) => command === 'Query' && input.IndexName === index, async () => {
      await close(opportunity.id, 'lost');
      await deliver(eventOf('opportunity.lost', { ...partiesOf(opportunity), lostReasonId: null }));
      afterLoss = await statusesOf(model, partyId);
    });

    // Act
    await recompute(lostMeanwhile, partyId);

    // Assert: the stale round was written over by a round that read the loss.
    expect(afterLoss).toMatchObject({ prospectStatus: 'lost' });
    expect(await statusesOf(model, partyId)).toMatchObject({ prospectStatus: afterLoss!.prospectStatus, customerStatus: afterLoss!.customerStatus });
  });

  it('R-CON-2 a company\'s statuses cover its own opportunities and all its employees\'', async () => {
    const company = await storeCompany();
    const [ada, bob] = [await storeContact(company.id), await storeContact(company.id)];
    await storeOpportunity({ contactId: ada.id }, 'lost');
    await storeOpportunity({ companyId: company.id }, 'lost');
    const won = await storeOpportunity({ contactId: bob.id }, 'won');

    await deliver(eventOf('opportunity.won', { ...partiesOf(won), winReasonIds: [] }));

    expect(await statusesOf(companyModel, company.id)).toMatchObject({ prospectStatus: 'none', customerStatus: 'current' });
    expect(await statusesOf(contactModel, bob.id)).toMatchObject({ prospectStatus: 'none', customerStatus: 'current' });
    expect(await statusesOf(contactModel, ada.id)).toMatchObject({ prospectStatus: 'none', customerStatus: 'none' });
  });

  it('R-EVT-2 the same event delivered 3 times gives the state of one delivery, written once', async () => {
    const contact = await storeContact();
    const opportunity = await storeOpportunity({ contactId: contact.id }, 'won');
    const event = eventOf('opportunity.won', { ...partiesOf(opportunity), winReasonIds: [] });

    const outcomes = [await deliver(event), await deliver(event), await deliver(event)];

    expect(outcomes).toEqual(['handled', 'duplicate', 'duplicate']);
    expect(await statusesOf(contactModel, contact.id)).toEqual({ prospectStatus: 'none', customerStatus: 'current', version: contact.version + 1 });
    const receipt = await ctx.db.send(new GetCommand({ TableName: ctx.tableName, Key: consumerReceiptKey('contact-statuses', event.detail.id) }));
    expect(receipt.Item).toMatchObject({ eventType: 'opportunity.won', expiresAt: expect.any(Number) });
  });

  it('R-EVT-2 a replayed event (a new delivery of an old change) rewrites nothing: the statuses are recomputed, not incremented', async () => {
    const contact = await storeContact();
    const opportunity = await storeOpportunity({ contactId: contact.id });
    await deliver(eventOf('opportunity.created', { ...partiesOf(opportunity), stageId: opportunity.stageId }));
    const once = await statusesOf(contactModel, contact.id);

    await deliver(eventOf('opportunity.created', { ...partiesOf(opportunity), stageId: opportunity.stageId }));

    expect(await statusesOf(contactModel, contact.id)).toEqual(once);
  });

  it('R-EVT-2 two events out of order give the same state as in order', async () => {
    const [inOrder, outOfOrder] = [await storeContact(), await storeContact()];
    const results = [];
    for (const [contact, reversed] of [
      [inOrder, false],
      [outOfOrder, true],
    ] as const) {
      const opportunity = await storeOpportunity({ contactId: contact.id });
      const created = eventOf('opportunity.created', { ...partiesOf(opportunity), stageId: opportunity.stageId });
      const lost = eventOf('opportunity.lost', { ...partiesOf(opportunity), lostReasonId: null });
      await close(opportunity.id, 'lost');

      for (const event of reversed ? [lost, created] : [created, lost]) await deliver(event);
      results.push(await statusesOf(contactModel, contact.id));
    }

    expect(results[1]).toEqual(results[0]);
    expect(results[0]).toMatchObject({ prospectStatus: 'lost', customerStatus: 'none' });
  });

  it('R-CON-2 a manual past stays through recomputes until a later win', async () => {
    const contact = await storeContact();
    const first = await storeOpportunity({ contactId: contact.id }, 'won', '2026-01-10T00:00:00.000Z');
    await updateRecord<Contact & { customerPastSetAt?: string }>(ctx, contactModel, contact.id, (current) => ({
      ...current,
      customerStatus: 'past',
      customerPastSetAt: '2026-02-01T00:00:00.000Z',
    }));

    await deliver(eventOf('opportunity.won', { ...partiesOf(first), winReasonIds: [] }));
    const stillPast = await statusesOf(contactModel, contact.id);
    const second = await storeOpportunity({ contactId: contact.id }, 'won', '2026-02-02T00:00:00.000Z');
    await deliver(eventOf('opportunity.won', { ...partiesOf(second), winReasonIds: [] }));

    expect(stillPast).toMatchObject({ customerStatus: 'past' });
    expect(await statusesOf(contactModel, contact.id)).toMatchObject({ customerStatus: 'current' });
  });

  it('R-CON-2 a move to another contact recomputes the contact it left (reassigned with fromContactId)', async () => {
    const [left, joined] = [await storeContact(), await storeContact()];
    const opportunity = await storeOpportunity({ contactId: left.id });
    await deliver(eventOf('opportunity.created', { ...partiesOf(opportunity), stageId: opportunity.stageId }));
    const moved = await updateRecord<Opportunity>(ctx, opportunityModel, opportunity.id, (current) => ({ ...current, contactId: joined.id }));

    await deliver(eventOf('opportunity.reassigned', { ...partiesOf(moved), fromOwnerId: ownerId, fromContactId: left.id, fromCompanyId: null }));

    expect(await statusesOf(contactModel, left.id)).toMatchObject({ prospectStatus: 'none' });
    expect(await statusesOf(contactModel, joined.id)).toMatchObject({ prospectStatus: 'current' });
  });

  it('R-CON-2 a merge recomputes the parties of the opportunities merged away', async () => {
    const [survivorContact, mergedContact] = [await storeContact(), await storeContact()];
    const survivor = await storeOpportunity({ contactId: survivorContact.id });
    const merged = await storeOpportunity({ contactId: mergedContact.id });
    await deliver(eventOf('opportunity.created', { ...partiesOf(merged), stageId: merged.stageId }));
    await deleteRecord(ctx, opportunityModel, merged.id);

    await deliver(
      eventOf('opportunity.merged', {
        ...partiesOf(survivor),
        mergedIds: [merged.id],
        mergedParties: [{ contactId: mergedContact.id, companyId: null, ownerId }],
      }),
    );

    expect(await statusesOf(contactModel, mergedContact.id)).toMatchObject({ prospectStatus: 'none' });
    expect(await statusesOf(contactModel, survivorContact.id)).toMatchObject({ prospectStatus: 'current' });
  });

  it('R-CON-2 a deleted opportunity no longer counts for its contact', async () => {
    const contact = await storeContact();
    const opportunity = await storeOpportunity({ contactId: contact.id });
    await deliver(eventOf('opportunity.created', { ...partiesOf(opportunity), stageId: opportunity.stageId }));
    await deleteRecord(ctx, opportunityModel, opportunity.id);

    await deliver(eventOf('opportunity.deleted', partiesOf(opportunity)));

    expect(await statusesOf(contactModel, contact.id)).toMatchObject({ prospectStatus: 'none', customerStatus: 'none' });
  });

  it('R-EVT-2 an event about parties deleted since is consumed without error', async () => {
    const contact = await storeContact();
    const opportunity = await storeOpportunity({ contactId: contact.id });
    await deleteRecord(ctx, opportunityModel, opportunity.id);
    await deleteRecord(ctx, contactModel, contact.id);

    expect(await deliver(eventOf('opportunity.deleted', partiesOf(opportunity)))).toBe('handled');
  });

  it('R-CON-2 contact.moved recomputes the company left and the one joined, whatever order the moves arrive in', async () => {
    const [first, second, third] = [await storeCompany(), await storeCompany(), await storeCompany()];
    const contact = await storeContact(first.id);
    const opportunity = await storeOpportunity({ contactId: contact.id });
    await deliver(eventOf('opportunity.created', { ...partiesOf(opportunity), stageId: opportunity.stageId }));
    const firstBefore = await statusesOf(companyModel, first.id);
    await updateRecord<Contact>(ctx, contactModel, contact.id, (current) => ({ ...current, companyId: second.id }));
    const toSecond = eventOf('contact.moved', { contactId: contact.id, companyId: second.id, fromCompanyId: first.id, ownerId });
    await updateRecord<Contact>(ctx, contactModel, contact.id, (current) => ({ ...current, companyId: third.id }));
    const toThird = eventOf('contact.moved', { contactId: contact.id, companyId: third.id, fromCompanyId: second.id, ownerId });

    const outcomes = [await deliver(toThird), await deliver(toSecond), await deliver(toSecond)];

    expect(firstBefore).toMatchObject({ prospectStatus: 'current' });
    expect(outcomes).toEqual(['handled', 'handled', 'duplicate']);
    expect(await statusesOf(companyModel, first.id)).toMatchObject({ prospectStatus: 'none', customerStatus: 'none' });
    expect(await statusesOf(companyModel, second.id)).toMatchObject({ prospectStatus: 'none', customerStatus: 'none' });
    expect(await statusesOf(companyModel, third.id)).toMatchObject({ prospectStatus: 'current', customerStatus: 'none' });
  });
});

describe('R-CON-2 end to end over HTTP: opportunity routes → events → statuses', () => {
  const converted: string[] = [];
  const moves: EventDetail<ParsedEventData<'contact.moved'>>[] = [];
  let http: TestApi;
  beforeAll(async () => {
    http = await TestApi.start({
      events: {
        extraConsumers: [
          defineConsumer({
            name: 'test-conversions',
            description: 'test: records lead conversions',
            events: ['lead.converted'],
            access: { items: [], queryIndexes: [] },
            handle: async (event) => {
              converted.push(event.detail.data.leadId);
            },
          }),
          defineConsumer({
            name: 'test-moves',
            description: 'test: records contacts changing employer',
            events: ['contact.moved'],
            access: { items: [], queryIndexes: [] },
            handle: async (event) => {
              moves.push(event.detail);
            },
          }),
        ],
      },
    });
  });
  afterAll(() => http.stop());

  const created = async (path: string, body: Record<string, unknown>, token?: string) => {
    const answer = await http.post(path, body, token ? { token } : {});
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return answer.body as { id: string; version: number };
  };
  const ok = async (path: string, body: Record<string, unknown> = {}) => {
    const answer = await http.post(path, body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body;
  };
  const settle = async () => expect((await http.post('/_local/settle')).status).toBe(200);
  const statuses = async (path: string) => {
    const { body } = await http.get(path);
    return { prospectStatus: body.prospectStatus, customerStatus: body.customerStatus };
  };
  const patched = async (path: string, body: Record<string, unknown>) => {
    const answer = await http.patch(path, body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body;
  };
  const movesOf = (contactId: string) => moves.filter((move) => move.data.contactId === contactId);
  const currentProspect = { prospectStatus: 'current', customerStatus: 'none' };
  const noStatus = { prospectStatus: 'none', customerStatus: 'none' };

  // An opportunity created for an employee is also its company's own (companyId defaults to the employer), and
  // stays so when the contact leaves: these contacts join their first company after their opportunity is created.

  it('R-CON-2 a contact moved to another company by PATCH: the company it left falls back to none, the one it joined becomes current', async () => {
    const [left, joined] = [await created('/companies', { name: 'Initrode' }), await created('/companies', { name: 'Penetrode' })];
    const contact = await created('/contacts', { lastName: 'Porter' });
    await created('/opportunities', { title: 'Conclusions mat', contactId: contact.id });
    await patched(`/contacts/${contact.id}`, { companyId: left.id });
    await settle();
    const before = [await statuses(`/companies/${left.id}`), await statuses(`/companies/${joined.id}`)];

    await patched(`/contacts/${contact.id}`, { companyId: joined.id });
    await settle();

    expect(before).toEqual([currentProspect, noStatus]);
    expect(await statuses(`/companies/${left.id}`)).toEqual(noStatus);
    expect(await statuses(`/companies/${joined.id}`)).toEqual(currentProspect);
    expect(await statuses(`/contacts/${contact.id}`)).toEqual(currentProspect);
  });

  it('R-CON-2 a contact removed from its company by PATCH (companyId null): the company falls back to none', async () => {
    const company = await created('/companies', { name: 'Intertrode' });
    const contact = await created('/contacts', { lastName: 'Samir' });
    await created('/opportunities', { title: 'Fax machine', contactId: contact.id });
    await patched(`/contacts/${contact.id}`, { companyId: company.id });
    await settle();
    const before = await statuses(`/companies/${company.id}`);

    const removed = await patched(`/contacts/${contact.id}`, { companyId: null });
    await settle();

    expect(before).toEqual(currentProspect);
    expect(removed.companyId).toBeNull();
    expect(await statuses(`/companies/${company.id}`)).toEqual(noStatus);
  });

  it('R-EVT-1 only a change of companyId emits contact.moved: a rename or the same company emits none, a move one, with its actor', async () => {
    const [company, other] = [await created('/companies', { name: 'Globex' }), await created('/companies', { name: 'Hooli' })];
    const contact = await created('/contacts', { lastName: 'Nagheenanajar', companyId: company.id });
    const { body: me } = await http.get('/me');

    await patched(`/contacts/${contact.id}`, { firstName: 'Michael' });
    await patched(`/contacts/${contact.id}`, { companyId: company.id, tags: ['vip'] });
    await settle();
    const afterUnmoved = movesOf(contact.id);
    await patched(`/contacts/${contact.id}`, { companyId: other.id });
    await settle();

    expect(afterUnmoved).toEqual([]);
    expect(movesOf(contact.id)).toEqual([
      expect.objectContaining({ actorId: me.id, version: 1, data: { contactId: contact.id, companyId: other.id, fromCompanyId: company.id, ownerId: me.id } }),
    ]);
  });

  it('R-CON-2 create → current prospect (contact and its company); win → current customer; another lost one changes nothing', async () => {
    const company = await created('/companies', { name: 'Initech' });
    const contact = await created('/contacts', { lastName: 'Lumbergh', companyId: company.id });
    const opportunity = await created('/opportunities', { title: 'Printers', contactId: contact.id });
    await settle();
    const afterCreate = [await statuses(`/contacts/${contact.id}`), await statuses(`/companies/${company.id}`)];

    await ok(`/opportunities/${opportunity.id}/won`);
    const second = await created('/opportunities', { title: 'Toner', contactId: contact.id });
    await ok(`/opportunities/${second.id}/lost`);
    await settle();

    expect(afterCreate).toEqual([
      { prospectStatus: 'current', customerStatus: 'none' },
      { prospectStatus: 'current', customerStatus: 'none' },
    ]);
    expect(await statuses(`/contacts/${contact.id}`)).toEqual({ prospectStatus: 'none', customerStatus: 'current' });
    expect(await statuses(`/companies/${company.id}`)).toEqual({ prospectStatus: 'none', customerStatus: 'current' });
  });

  it('R-CON-2 lost → lost prospect; restore → current again; delete → none', async () => {
    const contact = await created('/contacts', { lastName: 'Bolton' });
    const opportunity = await created('/opportunities', { title: 'Stapler', contactId: contact.id });
    await ok(`/opportunities/${opportunity.id}/lost`);
    await settle();
    const lost = await statuses(`/contacts/${contact.id}`);
    await ok(`/opportunities/${opportunity.id}/restore`);
    await settle();
    const restored = await statuses(`/contacts/${contact.id}`);

    expect((await http.delete(`/opportunities/${opportunity.id}`)).status).toBe(204);
    await settle();

    expect(lost).toEqual({ prospectStatus: 'lost', customerStatus: 'none' });
    expect(restored).toEqual({ prospectStatus: 'current', customerStatus: 'none' });
    expect(await statuses(`/contacts/${contact.id}`)).toEqual({ prospectStatus: 'none', customerStatus: 'none' });
  });

  it('R-CON-2 moving an opportunity to another contact recomputes both contacts', async () => {
    const [from, to] = [await created('/contacts', { lastName: 'Waddams' }), await created('/contacts', { lastName: 'Smykowski' })];
    const opportunity = await created('/opportunities', { title: 'Basement', contactId: from.id });
    await settle();

    const moved = await http.patch(`/opportunities/${opportunity.id}`, { contactId: to.id });
    await settle();

    expect(moved.status).toBe(200);
    expect(await statuses(`/contacts/${from.id}`)).toEqual({ prospectStatus: 'none', customerStatus: 'none' });
    expect(await statuses(`/contacts/${to.id}`)).toEqual({ prospectStatus: 'current', customerStatus: 'none' });
  });

  it('R-CON-2 a merge frees the contact of the opportunity merged away', async () => {
    const [kept, away] = [await created('/contacts', { lastName: 'Kept' }), await created('/contacts', { lastName: 'Away' })];
    const survivor = await created('/opportunities', { title: 'Kept deal', contactId: kept.id });
    const merged = await created('/opportunities', { title: 'Merged deal', contactId: away.id });
    await settle();

    await ok('/opportunities/merge', { ids: [survivor.id, merged.id], targetId: survivor.id });
    await settle();

    expect(await statuses(`/contacts/${away.id}`)).toEqual({ prospectStatus: 'none', customerStatus: 'none' });
    expect(await statuses(`/contacts/${kept.id}`)).toEqual({ prospectStatus: 'current', customerStatus: 'none' });
  });

  it('R-CON-3 a current customer set to past by hand stays past through other changes, until a new win', async () => {
    const contact = await created('/contacts', { lastName: 'Past' });
    const first = await created('/opportunities', { title: 'First', contactId: contact.id });
    await ok(`/opportunities/${first.id}/won`);
    await settle();

    const setPast = await http.post(`/contacts/${contact.id}/status`, { customerStatus: 'past' });
    const second = await created('/opportunities', { title: 'Second', contactId: contact.id });
    await settle();
    const stillPast = await statuses(`/contacts/${contact.id}`);
    await ok(`/opportunities/${second.id}/won`);
    await settle();

    expect(setPast.status).toBe(200);
    expect(setPast.body).toMatchObject({ id: contact.id, customerStatus: 'past', prospectStatus: 'none' });
    expect(setPast.body).not.toHaveProperty('customerPastSetAt');
    expect(stillPast).toEqual({ prospectStatus: 'current', customerStatus: 'past' });
    expect(await statuses(`/contacts/${contact.id}`)).toEqual({ prospectStatus: 'none', customerStatus: 'current' });
  });

  it('R-CON-3 a contact with an open opportunity cannot be set to none or lost prospect; with a win, not lost (409, nothing written)', async () => {
    const open = await created('/contacts', { lastName: 'Open' });
    await created('/opportunities', { title: 'Open deal', contactId: open.id });
    const won = await created('/contacts', { lastName: 'Won' });
    const deal = await created('/opportunities', { title: 'Won deal', contactId: won.id });
    await ok(`/opportunities/${deal.id}/won`);
    await settle();
    const before = await http.tableSnapshot();

    const refused = [
      await http.post(`/contacts/${open.id}/status`, { prospectStatus: 'none' }),
      await http.post(`/contacts/${open.id}/status`, { prospectStatus: 'lost', customerStatus: 'past' }),
      await http.post(`/contacts/${won.id}/status`, { prospectStatus: 'lost' }),
    ];

    for (const answer of refused) {
      expect(answer.status).toBe(409);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(answer.body).toMatchObject({ code: 'status_not_allowed' });
    }
    expect(await http.tableSnapshot()).toEqual(before);
    expect((await http.post(`/contacts/${won.id}/status`, { prospectStatus: 'none' })).status).toBe(200);
  });

  it('R-CON-3 a company is judged over its employees\' opportunities too', async () => {
    const company = await created('/companies', { name: 'Chotchkies' });
    const employee = await created('/contacts', { lastName: 'Joanna', companyId: company.id });
    await created('/opportunities', { title: 'Flair', contactId: employee.id });
    await settle();

    const refused = await http.post(`/companies/${company.id}/status`, { prospectStatus: 'lost' });
    const allowed = await http.post(`/companies/${company.id}/status`, { customerStatus: 'past' });

    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('status_not_allowed');
    expect(allowed.status).toBe(200);
    expect(allowed.body).toMatchObject({ prospectStatus: 'current', customerStatus: 'past' });
  });

  it('SPEC §1 a status body must name a status, only known ones; a rep cannot reach another rep\'s contact', async () => {
    const contact = await created('/contacts', { lastName: 'Strict' });
    const rep = await http.createUser('rep');

    const empty = await http.post(`/contacts/${contact.id}/status`, {});
    const wrong = await http.post(`/contacts/${contact.id}/status`, { customerStatus: 'gold', ownerId: rep.id });
    const hidden = await http.post(`/contacts/${contact.id}/status`, { customerStatus: 'past' }, { token: rep.token });

    expect(empty.status).toBe(400);
    expect(empty.body.errors.map((error: { path: string }) => error.path)).toEqual(['prospectStatus']);
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors.map((error: { path: string }) => error.path).sort()).toEqual(['customerStatus', 'ownerId']);
    expect(hidden.status).toBe(404);
  });

  it('R-CON-4 listing by prospect and customer status, for staff (by index) and for a rep (its own)', async () => {
    const rep = await http.createUser('rep');
    const lostOne = await created('/contacts', { lastName: 'Lost one' }, rep.token);
    const customer = await created('/contacts', { lastName: 'Customer' }, rep.token);
    const lostDeal = await created('/opportunities', { title: 'Gone', contactId: lostOne.id }, rep.token);
    const wonDeal = await created('/opportunities', { title: 'Signed', contactId: customer.id }, rep.token);
    await ok(`/opportunities/${lostDeal.id}/lost`);
    await ok(`/opportunities/${wonDeal.id}/won`);
    await settle();
    const ids = async (query: string, token?: string) => ((await http.get(`/contacts?${query}&limit=100`, token ? { token } : {})).body.items as { id: string }[]).map((item) => item.id);

    const lostForStaff = await ids('prospectStatus=lost');
    const customersForStaff = await ids('customerStatus=current');
    const lostOrCustomerForRep = await ids('prospectStatus=lost&customerStatus=none', rep.token);
    const bothForRep = await ids('customerStatus=current,none', rep.token);

    expect(lostForStaff).toContain(lostOne.id);
    expect(lostForStaff).not.toContain(customer.id);
    expect(customersForStaff).toContain(customer.id);
    expect(customersForStaff).not.toContain(lostOne.id);
    expect(lostOrCustomerForRep).toEqual([lostOne.id]);
    expect(bothForRep).toEqual([customer.id, lostOne.id]);
  });

  it('R-EVT-1 converting a lead emits lead.converted, and the opportunity it creates makes its contact a current prospect', async () => {
    const { body: leadStatuses } = await http.get('/lead-statuses?limit=100');
    const qualified = leadStatuses.items.find((status: { type: string }) => status.type === 'qualified');
    const lead = await created('/leads', { name: 'Peter Gibbons' });
    await ok(`/leads/${lead.id}/conclude`, { statusId: qualified.id });

    const conversion = await http.post(`/leads/${lead.id}/convert`, { into: 'contact', createOpportunity: { title: 'Fishing trip' } });
    await settle();

    expect(conversion.status).toBe(201);
    expect(converted).toEqual([lead.id]);
    expect(await statuses(`/contacts/${conversion.body.contact.id}`)).toEqual({ prospectStatus: 'current', customerStatus: 'none' });
  });
});
