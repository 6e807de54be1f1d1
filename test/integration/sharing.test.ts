import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Opportunity } from '../../shared/schemas/opportunities.ts';
import { TestApi } from '../support/api.ts';
import { setSharingSwitches } from '../support/fixtures.ts';

interface Caller {
  id: string;
  token: string;
}

let api: TestApi;
let owner: Caller;
let sharedRep: Caller;
let otherRep: Caller;
let manager: Caller;

beforeAll(async () => {
  api = await TestApi.start();
  [owner, sharedRep, otherRep, manager] = await Promise.all([api.createUser('rep'), api.createUser('rep'), api.createUser('rep'), api.createUser('manager')]);
});
afterAll(() => api?.stop());

const as = (caller: Caller) => ({ token: caller.token });

async function newContact(contactOwner: Caller): Promise<string> {
  const answer = await api.post('/contacts', { lastName: 'Rossi' }, as(contactOwner));
  if (answer.status !== 201) throw new Error(`contact: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.id;
}

/** An opportunity of its own new contact (one open opportunity per contact, R-OPP-2). */
async function newOpportunity(oppOwner: Caller, fields: Record<string, unknown> = {}): Promise<Opportunity> {
  const contactId = (fields.contactId as string | undefined) ?? (await newContact(oppOwner));
  const answer = await api.post('/opportunities', { title: 'Deal', contactId, ...fields }, as(oppOwner));
  if (answer.status !== 201) throw new Error(`opportunity: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

async function share(opportunityId: string, userId: string, by: Caller = owner) {
  return api.post(`/opportunities/${opportunityId}/shares`, { userId }, as(by));
}

const listedIds = async (caller: Caller, query = '') => (await api.get(`/opportunities${query}`, as(caller))).body.items.map((item: { id: string }) => item.id);

describe('R-OPP-9 sharing an opportunity', () => {
  it('R-OPP-9 the owner shares with an active user: 201 with the share, a second time 200 with the same share', async () => {
    const opportunity = await newOpportunity(owner);

    const first = await share(opportunity.id, sharedRep.id);
    const again = await share(opportunity.id, sharedRep.id);

    expect(first.status).toBe(201);
    expect(first.body).toEqual({ opportunityId: opportunity.id, userId: sharedRep.id, sharedAt: expect.any(String), sharedBy: owner.id });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const listed = await api.get(`/opportunities/${opportunity.id}/shares`, as(owner));
    expect(listed.body.items).toEqual([first.body]);
  });

  it('R-OPP-9 sharing with an unknown user or with the owner is a 400 on userId and writes nothing', async () => {
    const opportunity = await newOpportunity(owner);
    const before = await api.tableSnapshot();

    const unknown = await share(opportunity.id, '01ARZ3NDEKTSV4RRFFQ69G5FAV');
    const withOwner = await share(opportunity.id, owner.id, manager);

    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ path: 'userId' })]);
    expect(withOwner.status).toBe(400);
    expect(withOwner.body.errors).toEqual([expect.objectContaining({ path: 'userId' })]);
    expect(await api.tableSnapshot()).toEqual(before);
  });

  it('R-OPP-9 a rep that only sees it through a share may not share or unshare it (403); another rep gets 404', async () => {
    const opportunity = await newOpportunity(owner);
    await share(opportunity.id, sharedRep.id);

    const byShared = await share(opportunity.id, otherRep.id, sharedRep);
    const unshareByShared = await api.delete(`/opportunities/${opportunity.id}/shares/${sharedRep.id}`, as(sharedRep));
    const byOther = await share(opportunity.id, otherRep.id, otherRep);

    expect(byShared.status).toBe(403);
    expect(unshareByShared.status).toBe(403);
    expect(byOther.status).toBe(404);
  });

  it('R-OPP-9 a manager shares and unshares; unsharing what is not shared is a 404', async () => {
    const opportunity = await newOpportunity(owner);

    expect((await share(opportunity.id, otherRep.id, manager)).status).toBe(201);
    expect((await api.delete(`/opportunities/${opportunity.id}/shares/${otherRep.id}`, as(manager))).status).toBe(204);
    expect((await api.delete(`/opportunities/${opportunity.id}/shares/${otherRep.id}`, as(manager))).status).toBe(404);
  });
});

describe('R-SHR-1 who sees a shared opportunity', () => {
  let opportunity: Opportunity;
  beforeAll(async () => {
    opportunity = await newOpportunity(owner);
    await share(opportunity.id, sharedRep.id);
  });

  it.each([
    ['the owning rep', () => owner, true],
    ['a rep it is shared with', () => sharedRep, true],
    ['another rep', () => otherRep, false],
    ['a manager', () => manager, true],
  ])('R-SHR-1 %s: list, get and patch follow visibility', async (_who, caller, sees) => {
    const listed = await listedIds(caller());
    const read = await api.get(`/opportunities/${opportunity.id}`, as(caller()));
    const patched = await api.patch(`/opportunities/${opportunity.id}`, { title: `Deal by ${caller().id}` }, as(caller()));

    expect(listed.includes(opportunity.id)).toBe(sees);
    expect(read.status).toBe(sees ? 200 : 404);
    expect(patched.status).toBe(sees ? 200 : 404);
  });

  it('R-OPP-9 a rep it is shared with may not reassign it (403)', async () => {
    const answer = await api.patch(`/opportunities/${opportunity.id}`, { ownerId: sharedRep.id }, as(sharedRep));

    expect(answer.status).toBe(403);
  });

  it('R-OPP-9 a rep it is shared with may not delete it (403); another rep gets 404; it stays', async () => {
    const bySharedRep = await api.delete(`/opportunities/${opportunity.id}`, as(sharedRep));
    const byOtherRep = await api.delete(`/opportunities/${opportunity.id}`, as(otherRep));
    const read = await api.get(`/opportunities/${opportunity.id}`, as(owner));

    expect(bySharedRep.status).toBe(403);
    expect(byOtherRep.status).toBe(404);
    expect(read.status).toBe(200);
  });

  it('R-SHR-1 a rep it is shared with can act on it (a note)', async () => {
    const note = await api.post(`/opportunities/${opportunity.id}/notes`, { body: 'Called' }, as(sharedRep));

    expect(note.status).toBe(201);
  });

  it('R-SHR-1 once unshared, the rep no longer sees it (404, gone from its list)', async () => {
    const unshared = await newOpportunity(owner);
    await share(unshared.id, otherRep.id);
    expect((await api.get(`/opportunities/${unshared.id}`, as(otherRep))).status).toBe(200);

    const answer = await api.delete(`/opportunities/${unshared.id}/shares/${otherRep.id}`, as(owner));

    expect(answer.status).toBe(204);
    expect((await api.get(`/opportunities/${unshared.id}`, as(otherRep))).status).toBe(404);
    expect(await listedIds(otherRep)).not.toContain(unshared.id);
  });

  it('R-SHR-1 a rep pages through its own and shared opportunities newest first, without gaps or repeats', async () => {
    const [reader, sharer] = await Promise.all([api.createUser('rep'), api.createUser('rep')]);
    const expected: string[] = [];
    for (let i = 0; i < 3; i++) {
      expected.push((await newOpportunity(reader)).id);
      const shared = await newOpportunity(sharer);
      await share(shared.id, reader.id, sharer);
      expected.push(shared.id);
    }
    await newOpportunity(sharer); // not shared: never listed

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
      const page = await api.get(`/opportunities${query}`, as(reader));
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((item: { id: string }) => item.id));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);

    expect(seen).toEqual([...expected].reverse());
  });

  it('R-SHR-1 the filters apply to shared opportunities too', async () => {
    const reader = await api.createUser('rep');
    const shared = await newOpportunity(owner, { tags: ['Hot'] });
    await share(shared.id, reader.id);
    const other = await newOpportunity(owner);
    await share(other.id, reader.id);

    expect(await listedIds(reader, '?tag=hot')).toEqual([shared.id]);
    expect(await listedIds(reader, '?status=won')).toEqual([]);
  });

  it('R-SHR-1 several statuses: a rep lists its own and shared opportunities of each, newest first', async () => {
    const reader = await api.createUser('rep');
    const ownOpen = await newOpportunity(reader);
    const sharedLost = await newOpportunity(owner);
    const ownLost = await newOpportunity(reader);
    const sharedOpen = await newOpportunity(owner);
    await Promise.all([share(sharedLost.id, reader.id), share(sharedOpen.id, reader.id)]);
    await api.post(`/opportunities/${ownLost.id}/lost`, {}, as(reader));
    await api.post(`/opportunities/${sharedLost.id}/lost`, {}, as(owner));

    expect(await listedIds(reader, '?status=open,lost')).toEqual([sharedOpen.id, ownLost.id, sharedLost.id, ownOpen.id]);
    expect(await listedIds(reader, '?status=lost,won')).toEqual([ownLost.id, sharedLost.id]);
  });
});

describe('R-SHR-2 the contact follows its shared opportunity', () => {
  it('R-SHR-2 with shareContactWhenShared the contact is shared too; without it, not', async () => {
    const [withSwitch, withoutSwitch] = await Promise.all([api.createUser('rep'), api.createUser('rep')]);
    const first = await newOpportunity(owner);
    await share(first.id, withSwitch.id);
    await setSharingSwitches(api, { shareContactWhenShared: false });
    const second = await newOpportunity(owner);
    await share(second.id, withoutSwitch.id);
    await setSharingSwitches(api, { shareContactWhenShared: true });

    expect((await api.get(`/contacts/${first.contactId}`, as(withSwitch))).status).toBe(200);
    expect((await api.get(`/contacts/${second.contactId}`, as(withoutSwitch))).status).toBe(404);
  });

  it('R-SHR-2 a shared contact is in the rep’s contact list, newest first with its own, and filtered alike', async () => {
    const reader = await api.createUser('rep');
    const ownBefore = await newContact(reader);
    const shared = await newOpportunity(owner);
    await share(shared.id, reader.id);
    const ownAfter = await newContact(reader);
    const contactIds = async (query: string) => (await api.get(`/contacts${query}`, as(reader))).body.items.map((item: { id: string }) => item.id);

    expect(await contactIds('')).toEqual([ownAfter, shared.contactId, ownBefore]);
    expect(await contactIds(`?ownerId=${owner.id}`)).toEqual([shared.contactId]);
    expect(await contactIds('?q=nobody')).toEqual([]);
  });

  it('R-SHR-2 unsharing removes the contact share once the user sees no other opportunity of that contact', async () => {
    const reader = await api.createUser('rep');
    const contactId = await newContact(owner);
    const first = await newOpportunity(owner, { contactId });
    const secondAnswer = await api.post('/opportunities', { title: 'Second', contactId, ownerId: owner.id, allowDuplicate: true }, as(manager));
    expect(secondAnswer.status).toBe(201);
    await share(first.id, reader.id);
    await share(secondAnswer.body.id, reader.id);
    const readContact = () => api.get(`/contacts/${contactId}`, as(reader));

    await api.delete(`/opportunities/${first.id}/shares/${reader.id}`, as(owner));
    const whileOneShared = await readContact();
    await api.delete(`/opportunities/${secondAnswer.body.id}/shares/${reader.id}`, as(owner));
    const afterBoth = await readContact();

    expect(whileOneShared.status).toBe(200);
    expect(afterBoth.status).toBe(404);
  });
});

describe('R-SHR-2 / R-SHR-3 the contact follows its assigned opportunity', () => {
  const settle = () => api.post('/_local/settle');

  it('R-SHR-3 with syncContactOwner, creating an opportunity for another rep makes it the contact’s owner', async () => {
    const [contactOwner, assignee] = await Promise.all([api.createUser('rep'), api.createUser('rep')]);
    const contactId = await newContact(contactOwner);

    const created = await api.post('/opportunities', { title: 'Assigned', contactId, ownerId: assignee.id }, as(manager));
    await settle();

    expect(created.status).toBe(201);
    expect((await api.get(`/contacts/${contactId}`)).body.ownerId).toBe(assignee.id);
    expect((await api.get(`/contacts/${contactId}`, as(assignee))).status).toBe(200);
  });

  it('R-SHR-2 without syncContactOwner, assigning shares the contact; reassigning moves the share', async () => {
    const [contactOwner, first, second] = await Promise.all([api.createUser('rep'), api.createUser('rep'), api.createUser('rep')]);
    const contactId = await newContact(contactOwner);
    await setSharingSwitches(api, { syncContactOwner: false });
    try {
      const created = await api.post('/opportunities', { title: 'Assigned', contactId, ownerId: first.id }, as(manager));
      await settle();
      const firstSees = await api.get(`/contacts/${contactId}`, as(first));

      await api.patch(`/opportunities/${created.body.id}`, { ownerId: second.id }, as(manager));
      await settle();

      expect(firstSees.status).toBe(200);
      expect((await api.get(`/contacts/${contactId}`)).body.ownerId).toBe(contactOwner.id);
      expect((await api.get(`/contacts/${contactId}`, as(second))).status).toBe(200);
      expect((await api.get(`/contacts/${contactId}`, as(first))).status).toBe(404);
    } finally {
      await setSharingSwitches(api, { syncContactOwner: true });
    }
  });
});

describe('R-SHR-1 / R-SHR-2 companies are shared like contacts', () => {
  const settle = () => api.post('/_local/settle');

  async function newCompany(companyOwner: Caller): Promise<string> {
    const answer = await api.post('/companies', { name: 'Acme' }, as(companyOwner));
    if (answer.status !== 201) throw new Error(`company: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body.id;
  }

  it('R-SHR-2 sharing an opportunity for a company shares the company: the rep reads it and finds it in its list; unsharing takes it back', async () => {
    const reader = await api.createUser('rep');
    const companyId = await newCompany(owner);
    const opportunity = await newOpportunity(owner, { contactId: undefined, companyId });

    await share(opportunity.id, reader.id);
    const read = await api.get(`/companies/${companyId}`, as(reader));
    const listed = (await api.get('/companies', as(reader))).body.items.map((item: { id: string }) => item.id);
    await api.delete(`/opportunities/${opportunity.id}/shares/${reader.id}`, as(owner));

    expect(read.status).toBe(200);
    expect(listed).toEqual([companyId]);
    expect((await api.get(`/companies/${companyId}`, as(reader))).status).toBe(404);
  });

  it('R-SHR-2 an opportunity for a contact at a company shares both with the rep it is shared with', async () => {
    const reader = await api.createUser('rep');
    const companyId = await newCompany(owner);
    const contact = await api.post('/contacts', { lastName: 'Verdi', companyId }, as(owner));
    const opportunity = await newOpportunity(owner, { contactId: contact.body.id });

    await share(opportunity.id, reader.id);

    expect((await api.get(`/contacts/${contact.body.id}`, as(reader))).status).toBe(200);
    expect((await api.get(`/companies/${companyId}`, as(reader))).status).toBe(200);
  });

  it('R-SHR-3 with syncContactOwner, an opportunity created for a company alone makes its rep the company’s owner', async () => {
    const assignee = await api.createUser('rep');
    const companyId = await newCompany(owner);

    await api.post('/opportunities', { title: 'For Acme', companyId, ownerId: assignee.id }, as(manager));
    await settle();

    expect((await api.get(`/companies/${companyId}`)).body.ownerId).toBe(assignee.id);
  });

  it('R-SHR-1 a rep names a company shared with it as a contact’s employer; one it does not see is a 400 on companyId', async () => {
    const [reader, stranger] = await Promise.all([api.createUser('rep'), api.createUser('rep')]);
    const companyId = await newCompany(owner);
    await share((await newOpportunity(owner, { contactId: undefined, companyId })).id, reader.id);

    const byReader = await api.post('/contacts', { lastName: 'Neri', companyId }, as(reader));
    const byStranger = await api.post('/contacts', { lastName: 'Neri', companyId }, as(stranger));

    expect(byReader.status).toBe(201);
    expect(byStranger.status).toBe(400);
    expect(byStranger.body.errors).toEqual([{ path: 'companyId', message: 'No such company' }]);
  });
});

describe('R-SHR-1 what a rep may do with a contact or company shared with it', () => {
  let contactId: string;
  let companyId: string;
  let reader: Caller;
  beforeAll(async () => {
    reader = await api.createUser('rep');
    companyId = (await api.post('/companies', { name: 'Shared Ltd' }, as(owner))).body.id;
    contactId = (await api.post('/contacts', { lastName: 'Bruno', companyId }, as(owner))).body.id;
    await share((await newOpportunity(owner, { contactId })).id, reader.id);
  });

  it.each([
    ['contact', () => `/contacts/${contactId}`, { lastName: 'Bruni' }],
    ['company', () => `/companies/${companyId}`, { name: 'Shared Group' }],
  ])('R-SHR-1 a shared %s: the rep changes it (200) but may not reassign (403) or delete it (403); another rep gets 404', async (_kind, path, change) => {
    const patched = await api.patch(path(), change, as(reader));
    const reassigned = await api.patch(path(), { ownerId: reader.id }, as(reader));
    const deleted = await api.delete(path(), as(reader));
    const byStranger = await api.patch(path(), change, as(otherRep));

    expect(patched.status).toBe(200);
    expect(reassigned.status).toBe(403);
    expect(deleted.status).toBe(403);
    expect(byStranger.status).toBe(404);
    expect((await api.get(path())).body.ownerId).toBe(owner.id);
  });

  it('R-CON-3 a rep sets the status of a contact shared with it by hand', async () => {
    const answer = await api.post(`/contacts/${contactId}/status`, { customerStatus: 'past' }, as(reader));

    expect(answer.status).toBe(200);
    expect(answer.body.customerStatus).toBe('past');
  });
});

describe('R-SHR-2 a contact or company handed over by hand', () => {
  it('R-SHR-2 its previous owner keeps it shared while it owns one of its opportunities, and loses it otherwise', async () => {
    const [previous, next] = await Promise.all([api.createUser('rep'), api.createUser('rep')]);
    const withDeal = await newOpportunity(previous);
    const withoutDeal = await newContact(previous);
    const company = (await api.post('/companies', { name: 'Handed Ltd' }, as(previous))).body.id;
    await newOpportunity(previous, { contactId: undefined, companyId: company });

    const handed = await Promise.all([
      api.patch(`/contacts/${withDeal.contactId}`, { ownerId: next.id }, as(previous)),
      api.patch(`/contacts/${withoutDeal}`, { ownerId: next.id }, as(manager)),
      api.patch(`/companies/${company}`, { ownerId: next.id }, as(manager)),
    ]);

    expect(handed.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect((await api.get(`/contacts/${withDeal.contactId}`, as(previous))).status).toBe(200);
    expect((await api.get(`/companies/${company}`, as(previous))).status).toBe(200);
    expect((await api.get(`/contacts/${withoutDeal}`, as(previous))).status).toBe(404);
  });
});

describe('R-SHR-3 syncOwnerOfClosedLeads', () => {
  const settle = () => api.post('/_local/settle');

  /** A contact of `previous` with one lost opportunity of `previous`; then a manager creates a new one for `next`. */
  async function handOver(previous: Caller, next: Caller) {
    const contactId = await newContact(previous);
    const closed = await newOpportunity(previous, { contactId });
    await api.post(`/opportunities/${closed.id}/lost`, {}, as(previous));
    const created = await api.post('/opportunities', { title: 'Comeback', contactId, ownerId: next.id }, as(manager));
    await settle();
    return { contactId, closedId: closed.id, createdId: created.body.id as string };
  }

  it('R-SHR-3 with syncContactOwner and syncOwnerOfClosedLeads, the contact’s closed opportunities move to the new rep, with history', async () => {
    const [previous, next] = await Promise.all([api.createUser('rep'), api.createUser('rep')]);

    const { contactId, closedId } = await handOver(previous, next);

    const closed = await api.get(`/opportunities/${closedId}`);
    const history = await api.get(`/opportunities/${closedId}/history`);
    expect((await api.get(`/contacts/${contactId}`)).body.ownerId).toBe(next.id);
    expect(closed.body).toMatchObject({ ownerId: next.id, status: 'lost' });
    const changes = history.body.items.flatMap((entry: { changes: unknown[] }) => entry.changes);
    expect(changes).toContainEqual({ field: 'ownerId', from: previous.id, to: next.id });
    expect((await api.get(`/opportunities/${closedId}`, as(previous))).status).toBe(404);
    expect((await api.get(`/contacts/${contactId}`, as(previous))).status).toBe(404);
  });

  it('R-SHR-3 without syncOwnerOfClosedLeads, the contact moves but its closed opportunities stay with their rep', async () => {
    const [previous, next] = await Promise.all([api.createUser('rep'), api.createUser('rep')]);
    await setSharingSwitches(api, { syncOwnerOfClosedLeads: false });
    try {
      const { contactId, closedId } = await handOver(previous, next);

      expect((await api.get(`/contacts/${contactId}`)).body.ownerId).toBe(next.id);
      expect((await api.get(`/opportunities/${closedId}`)).body.ownerId).toBe(previous.id);
      // R-SHR-2: the previous owner still works an opportunity of that contact, so it keeps the contact shared.
      expect((await api.get(`/contacts/${contactId}`, as(previous))).status).toBe(200);
    } finally {
      await setSharingSwitches(api, { syncOwnerOfClosedLeads: true });
    }
  });
});

describe('R-SHR-2 when an opportunity is deleted or merged away (R-EVT-3)', () => {
  const settle = () => api.post('/_local/settle');
  const shareItemsOf = async (recordPk: string) => (await api.tableSnapshot()).filter((item) => item.PK === recordPk && String(item.SK).startsWith('SHARE#'));

  it('R-SHR-2 deleting a shared opportunity removes its shares and the contact’s share of a rep that sees no other opportunity of it', async () => {
    const reader = await api.createUser('rep');
    const opportunity = await newOpportunity(owner);
    await share(opportunity.id, reader.id);

    await api.delete(`/opportunities/${opportunity.id}`, as(owner));
    await settle();

    expect((await api.get(`/contacts/${opportunity.contactId}`, as(reader))).status).toBe(404);
    expect(await shareItemsOf(`OPP#${opportunity.id}`)).toEqual([]);
    expect(await shareItemsOf(`CONTACT#${opportunity.contactId}`)).toEqual([]);
  });

  it('R-OPP-8 whoever saw a merged-away opportunity sees the survivor; the merged-away one’s shares are gone', async () => {
    const [otherOwner, reader] = await Promise.all([api.createUser('rep'), api.createUser('rep')]);
    const survivor = await newOpportunity(owner);
    const mergedAway = await newOpportunity(otherOwner);
    await share(mergedAway.id, reader.id, otherOwner);

    const merged = await api.post('/opportunities/merge', { ids: [survivor.id, mergedAway.id], targetId: survivor.id }, as(manager));
    await settle();

    expect(merged.status).toBe(200);
    expect((await api.get(`/opportunities/${survivor.id}`, as(reader))).status).toBe(200);
    expect((await api.get(`/opportunities/${survivor.id}`, as(otherOwner))).status).toBe(200);
    expect((await api.get(`/contacts/${survivor.contactId}`, as(reader))).status).toBe(200);
    expect(await shareItemsOf(`OPP#${mergedAway.id}`)).toEqual([]);
  });

  it('R-SHR-2 moving a shared opportunity to another contact shares the new contact and unshares the old one', async () => {
    const reader = await api.createUser('rep');
    const opportunity = await newOpportunity(owner);
    const newContactId = await newContact(owner);
    await share(opportunity.id, reader.id);

    const moved = await api.patch(`/opportunities/${opportunity.id}`, { contactId: newContactId }, as(owner));
    await settle();

    expect(moved.status).toBe(200);
    expect((await api.get(`/contacts/${newContactId}`, as(reader))).status).toBe(200);
    expect((await api.get(`/contacts/${opportunity.contactId}`, as(reader))).status).toBe(404);
  });

  it('R-SHR-1 deleting a contact removes the shares of it', async () => {
    const reader = await api.createUser('rep');
    const opportunity = await newOpportunity(owner);
    await share(opportunity.id, reader.id);
    await setSharingSwitches(api, { unshareContactWhenUnshared: false, unshareContactWhenUnassigned: false });
    try {
      await api.delete(`/opportunities/${opportunity.id}`, as(owner));
      await settle();
      expect(await shareItemsOf(`CONTACT#${opportunity.contactId}`)).toHaveLength(1);

      const deleted = await api.delete(`/contacts/${opportunity.contactId}`, as(owner));

      expect(deleted.status).toBe(204);
      expect(await shareItemsOf(`CONTACT#${opportunity.contactId}`)).toEqual([]);
    } finally {
      await setSharingSwitches(api, { unshareContactWhenUnshared: true, unshareContactWhenUnassigned: true });
    }
  });
});
