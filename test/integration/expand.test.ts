import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contracts } from '../../shared/contracts/index.ts';
import { expandRecords } from '../../shared/db/expand.ts';
import { TestApi } from '../support/api.ts';
import { as, type Caller, created, newOpportunity, pathsOf, setSharingSwitches, settle, usersOf } from '../support/fixtures.ts';
import { countingContext } from '../support/recorded-access.ts';

/**
 * SPEC §1 "Related records" (issue 16 item 1): `?expand=` on opportunities (contact, company, owner, stage), contacts
 * (company, owner) and leads (owner, status), with the visibility of R-SHR-1: what a rep could not read by id is null.
 */

let api: TestApi;
let rep: Caller;
let otherRep: Caller;
let manager: Caller;
let stages: { id: string; name: string; probability: number }[];

beforeAll(async () => {
  api = await TestApi.start();
  [rep, otherRep, manager] = await usersOf(api, 'rep', 'rep', 'manager');
  // The contact of a rep's opportunity stays its own owner's, and a share does not carry it along.
  await setSharingSwitches(api, { syncContactOwner: false, shareContactWhenShared: false, shareContactWhenAssigned: false });
  stages = (await api.get('/stages')).body.items;
});
afterAll(() => api?.stop());

const stageNamed = (name: string) => stages.find((stage) => stage.name === name)!;
const userName = async (caller: Caller) => (await api.get(`/users/${caller.id}`)).body.name as string;

/** An opportunity of `owner` (made by the manager) for another rep's contact and company, which `owner` cannot see. */
async function dealOnForeignParties(owner: Caller) {
  const company = await created(api, '/companies', { name: 'Acme' }, otherRep);
  const contact = await created(api, '/contacts', { firstName: 'Ada', lastName: 'Byron', email: 'ada@acme.example', companyId: company.id }, otherRep);
  const opportunity = await created(api, '/opportunities', { title: '100 seats', contactId: contact.id, companyId: company.id, ownerId: owner.id, stageId: stageNamed('Qualified').id }, manager);
  await settle(api);
  return { company, contact, opportunity };
}

describe('SPEC §1 related records on opportunities', () => {
  it('SPEC §1 expand=contact,company,owner,stage embeds each summary for a manager, in lists and reads', async () => {
    const { company, contact, opportunity } = await dealOnForeignParties(rep);
    const expected = {
      contact: { id: contact.id, name: 'Ada Byron', email: 'ada@acme.example' },
      company: { id: company.id, name: 'Acme' },
      owner: { id: rep.id, name: await userName(rep) },
      stage: { id: stageNamed('Qualified').id, name: 'Qualified', probability: 30 },
    };

    const listed = await api.call(contracts.listOpportunities, { query: { id: opportunity.id, expand: 'contact,company,owner,stage' }, ...as(manager) });
    const read = await api.call(contracts.getOpportunity, { params: { id: opportunity.id }, query: { expand: 'contact,company,owner,stage' }, ...as(manager) });

    expect(listed.status).toBe(200);
    expect(listed.body.items[0]).toMatchObject({ id: opportunity.id, ...expected });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject(expected);
  });

  it('SPEC §1 / R-SHR-1 a rep gets null for the contact and company it may not read by id, and still its owner and stage', async () => {
    const { company, contact, opportunity } = await dealOnForeignParties(rep);

    const read = await api.call(contracts.getOpportunity, { params: { id: opportunity.id }, query: { expand: 'contact,company,owner,stage' }, ...as(rep) });
    const listed = await api.call(contracts.listOpportunities, { query: { expand: 'contact,company,owner,stage' }, ...as(rep) });
    const contactById = await api.get(`/contacts/${contact.id}`, as(rep));
    const companyById = await api.get(`/companies/${company.id}`, as(rep));

    expect(contactById.status).toBe(404);
    expect(companyById.status).toBe(404);
    expect(read.body).toMatchObject({ contact: null, company: null, owner: { id: rep.id }, stage: { id: opportunity.stageId } });
    expect(listed.body.items.find((item) => item.id === opportunity.id)).toMatchObject({ contact: null, company: null, owner: { id: rep.id } });
  });

  it('SPEC §1 / R-SHR-1 a contact shared with the rep is embedded; one without a company has company null', async () => {
    const contact = await created(api, '/contacts', { lastName: 'Lovelace' }, otherRep);
    const opportunity = await created(api, '/opportunities', { title: 'Deal', contactId: contact.id, ownerId: rep.id }, manager);
    await setSharingSwitches(api, { shareContactWhenShared: true });
    const other = await created(api, '/opportunities', { title: 'Shared', contactId: contact.id, ownerId: otherRep.id, allowDuplicate: true }, manager);
    await created(api, `/opportunities/${other.id}/shares`, { userId: rep.id }, otherRep);
    await setSharingSwitches(api, { shareContactWhenShared: false });
    await settle(api);

    const read = await api.call(contracts.getOpportunity, { params: { id: opportunity.id }, query: { expand: 'contact,company' }, ...as(rep) });

    expect((await api.get(`/contacts/${contact.id}`, as(rep))).status).toBe(200);
    expect(read.body).toMatchObject({ contact: { id: contact.id, name: 'Lovelace', email: null }, company: null });
  });

  it('SPEC §1 without expand no relation is added; an unknown relation is a 400 naming query.expand', async () => {
    const opportunity = await newOpportunity(api, rep);

    const plain = await api.call(contracts.getOpportunity, { params: { id: opportunity.id }, ...as(rep) });
    const unknownInList = await api.call(contracts.listOpportunities, { query: { expand: 'contact,notes' }, ...as(rep) });
    const unknownInRead = await api.call(contracts.getOpportunity, { params: { id: opportunity.id }, query: { expand: 'status' }, ...as(rep) });

    expect(Object.keys(plain.body)).not.toContain('contact');
    expect(unknownInList.status).toBe(400);
    expect(pathsOf(unknownInList as never)).toEqual(['query.expand']);
    expect(unknownInList.problem?.errors?.[0]?.message).toContain('notes');
    expect(unknownInRead.status).toBe(400);
    expect(pathsOf(unknownInRead as never)).toEqual(['query.expand']);
  });

  it('SPEC §1 a page costs one batched read for every relation, whatever its size (ids deduplicated)', async () => {
    const contact = await created(api, '/contacts', { lastName: 'Many' }, manager);
    const records: Record<string, unknown>[] = [];
    // One after the other: they join one contact's duplicate guard.
    for (let at = 0; at < 30; at++) records.push(await created(api, '/opportunities', { title: `Deal ${at}`, contactId: contact.id, ownerId: at % 2 ? rep.id : otherRep.id, allowDuplicate: true }, manager));
    const counting = countingContext(api.runtime.ctx);

    const expanded = await expandRecords(counting.ctx, { userId: manager.id, role: 'manager' }, records, ['contact', 'company', 'owner', 'stage']);

    expect(counting.counts).toEqual(new Map([['BatchGetItem', 1]]));
    expect(expanded.every((record) => (record as { contact: { id: string } }).contact.id === contact.id)).toBe(true);
  });
});

describe('SPEC §1 related records on contacts and leads', () => {
  it('SPEC §1 contacts expand=company,owner: the employer a rep may not see is null, a manager sees it', async () => {
    const company = await created(api, '/companies', { name: 'Hidden Ltd' }, otherRep);
    const contact = await created(api, '/contacts', { lastName: 'Rossi', companyId: company.id }, manager);
    await api.patch(`/contacts/${contact.id}`, { ownerId: rep.id }, as(manager));

    const asRep = await api.call(contracts.getContact, { params: { id: contact.id }, query: { expand: 'company,owner' }, ...as(rep) });
    const asManager = await api.call(contracts.listContacts, { query: { id: contact.id, expand: 'company,owner' }, ...as(manager) });
    const unknown = await api.call(contracts.listContacts, { query: { expand: 'stage' }, ...as(rep) });

    expect(asRep.body).toMatchObject({ company: null, owner: { id: rep.id, name: await userName(rep) } });
    expect(asManager.body.items[0]).toMatchObject({ company: { id: company.id, name: 'Hidden Ltd' }, owner: { id: rep.id } });
    expect(unknown.status).toBe(400);
    expect(pathsOf(unknown as never)).toEqual(['query.expand']);
  });

  it('SPEC §1 leads expand=owner,status in lists and reads; an unknown relation is a 400', async () => {
    const lead = await created(api, '/leads', { name: 'Bob' }, rep);
    const statuses = (await api.get('/lead-statuses')).body.items as { id: string; name: string }[];
    const status = statuses.find((candidate) => candidate.id === lead.statusId)!;

    const listed = await api.call(contracts.listLeads, { query: { expand: 'owner,status' }, ...as(rep) });
    const read = await api.call(contracts.getLead, { params: { id: lead.id }, query: { expand: 'status' }, ...as(rep) });
    const unknown = await api.call(contracts.getLead, { params: { id: lead.id }, query: { expand: 'company' }, ...as(rep) });

    expect(listed.body.items.find((item) => item.id === lead.id)).toMatchObject({ owner: { id: rep.id, name: await userName(rep) }, status: { id: status.id, name: status.name } });
    expect(read.body).toMatchObject({ status: { id: status.id, name: status.name } });
    expect(Object.keys(read.body)).not.toContain('owner');
    expect(unknown.status).toBe(400);
    expect(pathsOf(unknown as never)).toEqual(['query.expand']);
  });
});
