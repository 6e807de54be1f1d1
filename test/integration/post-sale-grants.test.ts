import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';
import { as, created, expectNothingWritten, newCompany, newContact, newOpportunity, usersOf, type Caller } from '../support/fixtures.ts';

/**
 * R-PS-6 / R-SHR-1 over HTTP: a process, or one of its tasks, assigned to a rep lets it see the process's
 * opportunity and that opportunity's contact and company (lists and direct reads), until the last assignment,
 * share or ownership that gives it sight goes.
 */

let api: TestApi;
let owner: Caller;
let assignee: Caller;
let other: Caller;
let manager: Caller;
beforeAll(async () => {
  api = await TestApi.start();
  [owner, assignee, other, manager] = await usersOf(api, 'rep', 'rep', 'rep', 'manager');
});
afterAll(() => api?.stop());

/** An opportunity of `owner` for a new contact of `owner` at a new company of `owner`. */
async function deal() {
  const companyId = await newCompany(api, owner);
  const contactId = await newContact(api, owner, { companyId });
  const opportunity = await newOpportunity(api, owner, { contactId, companyId });
  return { opportunityId: opportunity.id, contactId, companyId };
}

const listedIds = async (path: string, caller: Caller) => {
  const answer = await api.get(`${path}?limit=100`, as(caller));
  expect(answer.status).toBe(200);
  return (answer.body.items as { id: string }[]).map((item) => item.id);
};

/** What `caller` sees of the deal: the direct reads' statuses and whether each list holds it (how many times). */
async function sightOf(caller: Caller, records: { opportunityId: string; contactId: string; companyId: string }) {
  const [opportunity, contact, company] = await Promise.all([
    api.get(`/opportunities/${records.opportunityId}`, as(caller)),
    api.get(`/contacts/${records.contactId}`, as(caller)),
    api.get(`/companies/${records.companyId}`, as(caller)),
  ]);
  const [opportunities, contacts, companies] = await Promise.all([listedIds('/opportunities', caller), listedIds('/contacts', caller), listedIds('/companies', caller)]);
  return {
    reads: [opportunity.status, contact.status, company.status],
    listed: [
      opportunities.filter((id) => id === records.opportunityId).length,
      contacts.filter((id) => id === records.contactId).length,
      companies.filter((id) => id === records.companyId).length,
    ],
  };
}
const SEES = { reads: [200, 200, 200], listed: [1, 1, 1] };
const BLIND = { reads: [404, 404, 404], listed: [0, 0, 0] };

/** Processes are made and changed by a manager: an assigned process belongs to its assignee, not to the deal's owner. */
const processFor = (opportunityId: string, body: Record<string, unknown> = {}) => created(api, '/post-sale-processes', { opportunityId, ...body }, manager);

describe('R-PS-6 / R-SHR-1 post-sale grants', () => {
  it('R-PS-6 R-SHR-1 a rep assigned a process sees its opportunity, contact and company; unassigning takes that away', async () => {
    const records = await deal();
    expect(await sightOf(assignee, records)).toEqual(BLIND);

    const process = await processFor(records.opportunityId, { assigneeId: assignee.id });
    expect(await sightOf(assignee, records)).toEqual(SEES);
    expect(await sightOf(other, records)).toEqual(BLIND);

    expect((await api.patch(`/post-sale-processes/${process.id}`, { assigneeId: other.id }, as(manager))).status).toBe(200);
    expect(await sightOf(assignee, records)).toEqual(BLIND);
    expect(await sightOf(other, records)).toEqual(SEES);
  });

  it('R-PS-6 R-SHR-1 a rep assigned only a task sees them too, and keeps sight while another of its tasks remains', async () => {
    const records = await deal();
    const process = await processFor(records.opportunityId, { tasks: [{ title: 'Install', assigneeId: assignee.id }, { title: 'Train', assigneeId: assignee.id }] });
    expect(await sightOf(assignee, records)).toEqual(SEES);

    const [install, train] = process.tasks as { id: string }[];
    expect((await api.patch(`/post-sale-processes/${process.id}/tasks/${install!.id}`, { assigneeId: null }, as(manager))).status).toBe(200);
    expect(await sightOf(assignee, records)).toEqual(SEES);

    expect((await api.delete(`/post-sale-processes/${process.id}/tasks/${train!.id}`, as(manager))).status).toBe(204);
    expect(await sightOf(assignee, records)).toEqual(BLIND);
  });

  it('R-PS-6 R-SHR-1 deleting the process removes the sight it granted', async () => {
    const records = await deal();
    const process = await processFor(records.opportunityId, { assigneeId: assignee.id, tasks: [{ title: 'Install', assigneeId: other.id }] });
    expect(await sightOf(assignee, records)).toEqual(SEES);
    expect(await sightOf(other, records)).toEqual(SEES);

    expect((await api.delete(`/post-sale-processes/${process.id}`, as(manager))).status).toBe(204);
    expect(await sightOf(assignee, records)).toEqual(BLIND);
    expect(await sightOf(other, records)).toEqual(BLIND);
  });

  it('R-PS-6 R-SHR-1 a rep with a share and a grant appears once in listings and keeps sight when either goes', async () => {
    const records = await deal();
    expect((await api.post(`/opportunities/${records.opportunityId}/shares`, { userId: assignee.id }, as(owner))).status).toBe(201);
    const process = await processFor(records.opportunityId, { assigneeId: assignee.id });
    expect(await sightOf(assignee, records)).toEqual(SEES);

    // The share goes: the grant remains (and the unshare is neither blocked by it nor takes it).
    expect((await api.delete(`/opportunities/${records.opportunityId}/shares/${assignee.id}`, as(owner))).status).toBe(204);
    await api.post('/_local/settle');
    expect(await sightOf(assignee, records)).toEqual(SEES);

    // Shared again, then the grant goes: the share remains.
    expect((await api.post(`/opportunities/${records.opportunityId}/shares`, { userId: assignee.id }, as(owner))).status).toBe(201);
    expect((await api.patch(`/post-sale-processes/${process.id}`, { assigneeId: null }, as(manager))).status).toBe(200);
    await api.post('/_local/settle');
    const sight = await sightOf(assignee, records);
    expect(sight.reads[0]).toBe(200);
    expect(sight.listed[0]).toBe(1);
  });

  it('R-PS-6 R-SHR-1 a contact of two granted deals stays visible until the last grant goes; the owner keeps its own', async () => {
    const records = await deal();
    const second = await newOpportunity(api, manager, { title: 'Second', ownerId: owner.id, contactId: records.contactId, companyId: records.companyId, allowDuplicate: true });
    const first = await processFor(records.opportunityId, { assigneeId: assignee.id });
    const secondProcess = await processFor(second.id, { tasks: [{ title: 'Install', assigneeId: assignee.id }] });

    expect((await api.delete(`/post-sale-processes/${first.id}`, as(manager))).status).toBe(204);
    expect((await api.get(`/opportunities/${records.opportunityId}`, as(assignee))).status).toBe(404);
    expect((await api.get(`/contacts/${records.contactId}`, as(assignee))).status).toBe(200);
    expect((await api.get(`/companies/${records.companyId}`, as(assignee))).status).toBe(200);

    expect((await api.delete(`/post-sale-processes/${secondProcess.id}`, as(manager))).status).toBe(204);
    expect((await api.get(`/contacts/${records.contactId}`, as(assignee))).status).toBe(404);
    expect((await api.get(`/companies/${records.companyId}`, as(assignee))).status).toBe(404);
    expect(await sightOf(owner, records)).toEqual(SEES);
  });

  it('R-PS-6 an assignment gives read access only: the assignee may not change, close, note, merge or set statuses of the deal and its contact (403)', async () => {
    const records = await deal();
    await processFor(records.opportunityId, { tasks: [{ title: 'Install', assigneeId: assignee.id }] });
    const mine = await newOpportunity(api, assignee);

    await expectNothingWritten(api, async () => {
      const answers = [
        await api.patch(`/opportunities/${records.opportunityId}`, { title: 'Taken over' }, as(assignee)),
        await api.post(`/opportunities/${records.opportunityId}/won`, {}, as(assignee)),
        await api.post(`/opportunities/${records.opportunityId}/archive`, undefined, as(assignee)),
        await api.post(`/opportunities/${records.opportunityId}/notes`, { body: 'Mine now' }, as(assignee)),
        await api.post('/opportunities/merge', { ids: [mine.id, records.opportunityId], targetId: mine.id }, as(assignee)),
        await api.patch(`/contacts/${records.contactId}`, { firstName: 'Changed' }, as(assignee)),
        await api.post(`/contacts/${records.contactId}/status`, { customerStatus: 'past' }, as(assignee)),
        await api.patch(`/companies/${records.companyId}`, { name: 'Changed' }, as(assignee)),
      ];
      expect(answers.map((answer) => answer.status)).toEqual([403, 403, 403, 403, 403, 403, 403, 403]);
    });
    expect(await sightOf(assignee, records)).toEqual(SEES);
  });

  it('R-PS-6 R-SHR-3 a rep that sees a contact or company only through an assignment cannot name it on a new deal (403): it takes over neither it nor the owner\'s deals', async () => {
    const records = await deal();
    expect((await api.post(`/opportunities/${records.opportunityId}/won`, {}, as(owner))).status).toBe(200);
    await processFor(records.opportunityId, { tasks: [{ title: 'Install', assigneeId: assignee.id }] });
    await api.post('/_local/settle');

    await expectNothingWritten(api, async () => {
      const answers = [
        await api.post('/opportunities', { title: 'Upsell', contactId: records.contactId }, as(assignee)),
        await api.post('/opportunities', { title: 'Upsell', companyId: records.companyId }, as(assignee)),
        await api.post('/contacts', { lastName: 'Joins', companyId: records.companyId }, as(assignee)),
      ];
      expect(answers.map((answer) => answer.status)).toEqual([403, 403, 403]);
    });
    await api.post('/_local/settle');

    expect((await api.get(`/contacts/${records.contactId}`, as(owner))).body.ownerId).toBe(owner.id);
    expect((await api.get(`/opportunities/${records.opportunityId}`, as(owner))).body.ownerId).toBe(owner.id);
  });

  it('R-PS-6 R-SHR-1 an opportunity deleted or merged away takes its process and the sight it gave with it', async () => {
    const [deleted, mergedAway] = [await deal(), await deal()];
    const [ofDeleted, ofMerged] = [
      await processFor(deleted.opportunityId, { tasks: [{ title: 'Install', assigneeId: assignee.id }] }),
      await processFor(mergedAway.opportunityId, { tasks: [{ title: 'Train', assigneeId: assignee.id }] }),
    ];
    const survivor = await created(api, '/opportunities', { title: 'Survivor', contactId: mergedAway.contactId, ownerId: owner.id, allowDuplicate: true }, manager);
    expect((await sightOf(assignee, deleted)).reads).toEqual([200, 200, 200]);

    expect((await api.delete(`/opportunities/${deleted.opportunityId}`, as(manager))).status).toBe(204);
    expect((await api.post('/opportunities/merge', { ids: [survivor.id, mergedAway.opportunityId], targetId: survivor.id }, as(manager))).status).toBe(200);
    await api.post('/_local/settle');

    expect((await api.get(`/post-sale-processes/${ofDeleted.id}`, as(manager))).status).toBe(404);
    expect((await api.get(`/post-sale-processes/${ofMerged.id}`, as(manager))).status).toBe(404);
    expect((await api.get(`/contacts/${deleted.contactId}`, as(assignee))).status).toBe(404);
    expect((await api.get(`/companies/${mergedAway.companyId}`, as(assignee))).status).toBe(404);
  });

  it('R-PS-2 a process nobody is assigned follows its opportunity to a new owner', async () => {
    const records = await deal();
    const process = await created(api, '/post-sale-processes', { opportunityId: records.opportunityId }, owner);
    expect(process.ownerId).toBe(owner.id);

    expect((await api.patch(`/opportunities/${records.opportunityId}`, { ownerId: other.id }, as(manager))).status).toBe(200);
    await api.post('/_local/settle');

    const followed = await api.get(`/post-sale-processes/${process.id}`, as(other));
    expect(followed.status).toBe(200);
    expect(followed.body).toMatchObject({ ownerId: other.id, opportunityOwnerId: other.id });
    expect(await listedIds('/post-sale-processes', other)).toContain(process.id);
  });
});
