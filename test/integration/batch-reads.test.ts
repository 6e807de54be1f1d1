import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contracts } from '../../shared/contracts/index.ts';
import { TestApi } from '../support/api.ts';
import { as, type Caller, created, idsOf, newCompany, newContact, newOpportunity, pathsOf, usersOf } from '../support/fixtures.ts';

/**
 * SPEC §1 "Batch reads" (issue 16 item 2): `?id=a,b,…` (at most 100) on the lists of contacts, companies,
 * opportunities, leads and users answers the records the caller may see, in the order given; unknown and invisible
 * ids are simply absent. A batch read takes `expand` but no other filter nor a cursor (400 at `query.id`); its
 * `nextCursor` is null.
 */

let api: TestApi;
let rep: Caller;
let otherRep: Caller;
let manager: Caller;

beforeAll(async () => {
  api = await TestApi.start();
  [rep, otherRep, manager] = await usersOf(api, 'rep', 'rep', 'manager');
});
afterAll(() => api?.stop());

describe('SPEC §1 batch reads by id', () => {
  it('SPEC §1 contacts: the rep gets its own and the shared ones in the order given; invisible and unknown ids are absent', async () => {
    const [first, second, hidden] = [await newContact(api, rep), await newContact(api, rep), await newContact(api, otherRep)];
    const deal = await newOpportunity(api, otherRep);
    await created(api, `/opportunities/${deal.id}/shares`, { userId: rep.id }, otherRep);

    const answer = await api.call(contracts.listContacts, { query: { id: [second, hidden, ulid(), deal.contactId, first].join(',') }, ...as(rep) });
    const asManager = await api.call(contracts.listContacts, { query: { id: [hidden, first].join(',') }, ...as(manager) });

    expect(answer.status).toBe(200);
    expect(idsOf(answer)).toEqual([second, deal.contactId, first]);
    expect(answer.body.nextCursor).toBeNull();
    expect(idsOf(asManager)).toEqual([hidden, first]);
  });

  it('SPEC §1 companies: only those the rep may see, in the order given', async () => {
    const [mine, hidden] = [await newCompany(api, rep), await newCompany(api, otherRep)];

    const answer = await api.call(contracts.listCompanies, { query: { id: `${hidden},${mine},${ulid()}` }, ...as(rep) });

    expect(idsOf(answer)).toEqual([mine]);
  });

  it('SPEC §1 opportunities: any status, the rep’s own and shared ones, with expand', async () => {
    const [open, won, hidden, shared] = [await newOpportunity(api, rep), await newOpportunity(api, rep), await newOpportunity(api, otherRep), await newOpportunity(api, otherRep)];
    await api.post(`/opportunities/${won.id}/won`, {}, as(rep));
    await created(api, `/opportunities/${shared.id}/shares`, { userId: rep.id }, otherRep);

    const answer = await api.call(contracts.listOpportunities, { query: { id: [won.id, hidden.id, shared.id, open.id].join(','), expand: 'owner' }, ...as(rep) });

    expect(idsOf(answer)).toEqual([won.id, shared.id, open.id]);
    expect(answer.body.items.map((item) => item.owner?.id)).toEqual([rep.id, otherRep.id, rep.id]);
  });

  it('SPEC §1 leads: a rep reads only its own; users: everyone, in the order given, a repeated id once', async () => {
    const mine = await created(api, '/leads', { name: 'Mine' }, rep);
    const theirs = await created(api, '/leads', { name: 'Theirs' }, otherRep);

    const leads = await api.call(contracts.listLeads, { query: { id: `${theirs.id},${mine.id}` }, ...as(rep) });
    const users = await api.call(contracts.listUsers, { query: { id: `${manager.id},${otherRep.id},${manager.id},${ulid()}` }, ...as(rep) });

    expect(idsOf(leads)).toEqual([mine.id]);
    expect(idsOf(users)).toEqual([manager.id, otherRep.id]);
  });

  it('SPEC §1 more than 100 ids, a malformed one, or ids with a filter or a cursor are a 400 at query.id', async () => {
    const many = Array.from({ length: 101 }, () => ulid()).join(',');

    const answers = await Promise.all([
      api.call(contracts.listContacts, { query: { id: many }, ...as(rep) }),
      api.call(contracts.listOpportunities, { query: { id: `${ulid()},not-an-id` }, ...as(rep) }),
      api.call(contracts.listOpportunities, { query: { id: ulid(), status: 'won' }, ...as(rep) }),
      api.call(contracts.listUsers, { query: { id: ulid(), cursor: 'abc' }, ...as(rep) }),
      api.call(contracts.listLeads, { query: { id: ulid(), ownerId: rep.id }, ...as(rep) }),
    ]);

    expect(answers.map((answer) => answer.status)).toEqual([400, 400, 400, 400, 400]);
    expect(answers.map((answer) => pathsOf(answer as never))).toEqual([['query.id'], ['query.id'], ['query.id'], ['query.id'], ['query.id']]);
  });

  it('SPEC §1 exactly 100 ids are one read', async () => {
    const mine = await newContact(api, rep);
    const ids = [mine, ...Array.from({ length: 99 }, () => ulid())];

    const answer = await api.call(contracts.listContacts, { query: { id: ids.join(',') }, ...as(rep) });

    expect(answer.status).toBe(200);
    expect(idsOf(answer)).toEqual([mine]);
  });
});
