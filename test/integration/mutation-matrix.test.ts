import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contracts } from '../../shared/contracts/index.ts';
import { TestApi, type TestResponse } from '../support/api.ts';
import { as, created, setSharingSwitches, usersOf, type Caller } from '../support/fixtures.ts';

/**
 * Issue 13 item 2: every route that changes or removes an opportunity, contact, company or lead × the caller's
 * relation to a record owned by a rep (that owner rep, a rep it is shared with, another rep, a manager, an admin),
 * each cell asserting the SPEC's answer: R-SHR-1 (a rep works on what it owns or what is shared with it, anything
 * else is a 404), R-OPP-9 / R-OPP-8 (a share lets a rep work a record, not delete, merge away, reassign or share it:
 * 403), SPEC §1 roles (managers and admins edit everything). Leads cannot be shared: the "shared" rep is a stranger.
 * Bulk restores answer 200 with a result per id: the cell is the result's status.
 */

type Actor = 'owner' | 'shared' | 'other' | 'manager' | 'admin';
type Kind = 'opportunity' | 'contact' | 'company' | 'lead';
type Expected = Record<Actor, number>;

const works = (status: number): Expected => ({ owner: status, shared: status, other: 404, manager: status, admin: status });
const manages = (status: number): Expected => ({ owner: status, shared: 403, other: 404, manager: status, admin: status });
const ownedOnly = (status: number): Expected => ({ owner: status, shared: 404, other: 404, manager: status, admin: status });
/** Naming a record in a body: one the caller may not see is an unknown reference (400), never a 404 of the route. */
const names = (status: number): Expected => ({ owner: status, shared: status, other: 400, manager: status, admin: status });

let api: TestApi;
const actors = {} as Record<Actor, Caller>;
let heir: Caller;
let statusIds: { working: string; qualified: string };

/** A record of `kind` owned by the owner rep and, except for leads, shared with the "shared" rep. */
async function recordOf(kind: Kind): Promise<string> {
  const { owner, shared } = actors;
  if (kind === 'lead') return (await created(api, '/leads', { name: 'Lead' }, owner)).id;
  const companyId = (await created(api, '/companies', { name: 'Acme' }, owner)).id;
  const contactId = (await created(api, '/contacts', { lastName: 'Rossi', companyId }, owner)).id;
  const opportunityId = (await created(api, '/opportunities', { title: 'Deal', contactId }, owner)).id;
  await created(api, `/opportunities/${opportunityId}/shares`, { userId: shared.id }, owner);
  if (kind === 'opportunity') return opportunityId;
  // The contact and company keep their shares (unshare switches off) and lose the opportunity that forbids deleting them.
  await api.delete(`/opportunities/${opportunityId}`, as(owner));
  await api.post('/_local/settle');
  if (kind === 'contact') return contactId;
  await api.patch(`/contacts/${contactId}`, { companyId: null });
  return companyId;
}

/** The status of a bulk restore's only result. */
const bulkStatus = (answer: TestResponse): TestResponse => {
  const [result] = answer.body.results;
  return { ...answer, status: result.ok ? 200 : result.error.status };
};

/** A deal of the caller's own, on a contact of its own. */
const ownDeal = async (caller: Caller) =>
  (await created(api, '/opportunities', { title: 'Mine', contactId: (await created(api, '/contacts', { lastName: 'Own' }, caller)).id }, caller)).id;

interface RouteCase {
  route: string;
  kind: Kind;
  /** Done by the owner before the caller acts (e.g. losing the record a restore needs). */
  prepare?: (id: string) => Promise<unknown>;
  act: (id: string, caller: Caller) => Promise<TestResponse>;
  expected: Expected;
}

const byOwner = (call: (owner: Caller) => Promise<TestResponse>) => async () => {
  const answer = await call(actors.owner);
  if (answer.status >= 300) throw new Error(`prepare: ${answer.status} ${JSON.stringify(answer.body)}`);
};

const routes: RouteCase[] = [
  // Opportunities (R-OPP-1, 3, 4, 6, 7, 8, 9, 10)
  { route: 'PATCH /opportunities/{id}', kind: 'opportunity', act: (id, c) => api.call(contracts.updateOpportunity, { params: { id }, body: { title: 'Renamed' }, ...as(c) }), expected: works(200) },
  { route: 'PATCH /opportunities/{id} ownerId', kind: 'opportunity', act: (id, c) => api.call(contracts.updateOpportunity, { params: { id }, body: { ownerId: heir.id }, ...as(c) }), expected: manages(200) },
  { route: 'DELETE /opportunities/{id}', kind: 'opportunity', act: (id, c) => api.call(contracts.deleteOpportunity, { params: { id }, ...as(c) }), expected: manages(204) },
  { route: 'POST /opportunities/{id}/won', kind: 'opportunity', act: (id, c) => api.call(contracts.winOpportunity, { params: { id }, body: {}, ...as(c) }), expected: works(200) },
  { route: 'POST /opportunities/{id}/lost', kind: 'opportunity', act: (id, c) => api.call(contracts.loseOpportunity, { params: { id }, body: {}, ...as(c) }), expected: works(200) },
  {
    route: 'POST /opportunities/{id}/restore',
    kind: 'opportunity',
    prepare: (id) => byOwner((o) => api.call(contracts.loseOpportunity, { params: { id }, body: {}, ...as(o) }))(),
    act: (id, c) => api.call(contracts.restoreOpportunity, { params: { id }, ...as(c) }),
    expected: works(200),
  },
  {
    route: 'POST /opportunities/restore',
    kind: 'opportunity',
    prepare: (id) => byOwner((o) => api.call(contracts.loseOpportunity, { params: { id }, body: {}, ...as(o) }))(),
    act: async (id, c) => bulkStatus(await api.call(contracts.restoreOpportunities, { body: { ids: [id] }, ...as(c) })),
    expected: works(200),
  },
  { route: 'POST /opportunities/{id}/archive', kind: 'opportunity', act: (id, c) => api.call(contracts.archiveOpportunity, { params: { id }, ...as(c) }), expected: works(200) },
  {
    route: 'POST /opportunities/{id}/unarchive',
    kind: 'opportunity',
    prepare: (id) => byOwner((o) => api.call(contracts.archiveOpportunity, { params: { id }, ...as(o) }))(),
    act: (id, c) => api.call(contracts.unarchiveOpportunity, { params: { id }, ...as(c) }),
    expected: works(200),
  },
  {
    route: 'POST /opportunities/merge (merged away)',
    kind: 'opportunity',
    act: async (id, c) => {
      const mine = await ownDeal(c);
      return api.call(contracts.mergeOpportunities, { body: { ids: [mine, id], targetId: mine }, ...as(c) });
    },
    expected: manages(200),
  },
  {
    route: 'POST /opportunities/merge (survivor)',
    kind: 'opportunity',
    act: async (id, c) => {
      const mine = await ownDeal(c);
      return api.call(contracts.mergeOpportunities, { body: { ids: [id, mine], targetId: id }, ...as(c) });
    },
    expected: works(200),
  },
  { route: 'POST /opportunities/{id}/notes', kind: 'opportunity', act: (id, c) => api.call(contracts.addOpportunityNote, { params: { id }, body: { body: 'Called' }, ...as(c) }), expected: works(201) },
  { route: 'POST /opportunities/{id}/shares', kind: 'opportunity', act: (id, c) => api.call(contracts.shareOpportunity, { params: { id }, body: { userId: heir.id }, ...as(c) }), expected: manages(201) },
  {
    route: 'DELETE /opportunities/{id}/shares/{userId}',
    kind: 'opportunity',
    act: (id, c) => api.call(contracts.unshareOpportunity, { params: { id, userId: actors.shared.id }, ...as(c) }),
    expected: manages(204),
  },
  // Contacts and companies (R-CON-1, R-CON-3, R-SHR-1)
  { route: 'PATCH /contacts/{id}', kind: 'contact', act: (id, c) => api.call(contracts.updateContact, { params: { id }, body: { lastName: 'Renamed' }, ...as(c) }), expected: works(200) },
  { route: 'PATCH /contacts/{id} ownerId', kind: 'contact', act: (id, c) => api.call(contracts.updateContact, { params: { id }, body: { ownerId: heir.id }, ...as(c) }), expected: manages(200) },
  { route: 'POST /contacts/{id}/status', kind: 'contact', act: (id, c) => api.call(contracts.setContactStatus, { params: { id }, body: { customerStatus: 'past' }, ...as(c) }), expected: works(200) },
  { route: 'DELETE /contacts/{id}', kind: 'contact', act: (id, c) => api.call(contracts.deleteContact, { params: { id }, ...as(c) }), expected: manages(204) },
  { route: 'POST /opportunities naming the contact', kind: 'contact', act: (id, c) => api.call(contracts.createOpportunity, { body: { title: 'New', contactId: id }, ...as(c) }), expected: names(201) },
  { route: 'PATCH /companies/{id}', kind: 'company', act: (id, c) => api.call(contracts.updateCompany, { params: { id }, body: { name: 'Renamed' }, ...as(c) }), expected: works(200) },
  { route: 'PATCH /companies/{id} ownerId', kind: 'company', act: (id, c) => api.call(contracts.updateCompany, { params: { id }, body: { ownerId: heir.id }, ...as(c) }), expected: manages(200) },
  { route: 'POST /companies/{id}/status', kind: 'company', act: (id, c) => api.call(contracts.setCompanyStatus, { params: { id }, body: { customerStatus: 'past' }, ...as(c) }), expected: works(200) },
  { route: 'DELETE /companies/{id}', kind: 'company', act: (id, c) => api.call(contracts.deleteCompany, { params: { id }, ...as(c) }), expected: manages(204) },
  { route: 'POST /contacts naming the company', kind: 'company', act: (id, c) => api.call(contracts.createContact, { body: { lastName: 'New', companyId: id }, ...as(c) }), expected: names(201) },
  // Leads (R-LEAD-2, 4, 5, 6): owned, never shared
  { route: 'PATCH /leads/{id}', kind: 'lead', act: (id, c) => api.call(contracts.updateLead, { params: { id }, body: { name: 'Renamed' }, ...as(c) }), expected: ownedOnly(200) },
  { route: 'DELETE /leads/{id}', kind: 'lead', act: (id, c) => api.call(contracts.deleteLead, { params: { id }, ...as(c) }), expected: ownedOnly(204) },
  { route: 'POST /leads/{id}/status', kind: 'lead', act: (id, c) => api.call(contracts.moveLeadStatus, { params: { id }, body: { statusId: statusIds.working }, ...as(c) }), expected: ownedOnly(200) },
  { route: 'POST /leads/{id}/conclude', kind: 'lead', act: (id, c) => api.call(contracts.concludeLead, { params: { id }, body: { statusId: statusIds.qualified }, ...as(c) }), expected: ownedOnly(200) },
  { route: 'POST /leads/{id}/lost', kind: 'lead', act: (id, c) => api.call(contracts.markLeadLost, { params: { id }, body: {}, ...as(c) }), expected: ownedOnly(200) },
  {
    route: 'POST /leads/{id}/restore',
    kind: 'lead',
    prepare: (id) => byOwner((o) => api.call(contracts.markLeadLost, { params: { id }, body: {}, ...as(o) }))(),
    act: (id, c) => api.call(contracts.restoreLead, { params: { id }, ...as(c) }),
    expected: ownedOnly(200),
  },
  {
    route: 'POST /leads/restore',
    kind: 'lead',
    prepare: (id) => byOwner((o) => api.call(contracts.markLeadLost, { params: { id }, body: {}, ...as(o) }))(),
    act: async (id, c) => bulkStatus(await api.call(contracts.restoreLeads, { body: { ids: [id] }, ...as(c) })),
    expected: ownedOnly(200),
  },
  {
    route: 'POST /leads/{id}/convert',
    kind: 'lead',
    prepare: (id) => byOwner((o) => api.call(contracts.concludeLead, { params: { id }, body: { statusId: statusIds.qualified }, ...as(o) }))(),
    act: (id, c) => api.call(contracts.convertLead, { params: { id }, body: { into: 'contact' }, ...as(c) }),
    expected: ownedOnly(201),
  },
];

beforeAll(async () => {
  api = await TestApi.start();
  const [owner, shared, other, manager, admin, nextOwner] = await usersOf(api, 'rep', 'rep', 'rep', 'manager', 'admin', 'rep');
  Object.assign(actors, { owner, shared, other, manager, admin });
  heir = nextOwner;
  await setSharingSwitches(api, { unshareContactWhenUnshared: false, unshareContactWhenUnassigned: false });
  const statuses: { id: string; name: string; type: string }[] = (await api.get('/lead-statuses?limit=100')).body.items;
  statusIds = { working: statuses.find((s) => s.name === 'Working')!.id, qualified: statuses.find((s) => s.type === 'qualified')!.id };
});
afterAll(() => api?.stop());

const cells = routes.flatMap((route) => (['owner', 'shared', 'other', 'manager', 'admin'] as const).map((actor) => [route.route, actor, route] as const));

describe('Issue 13 item 2: mutation matrix (R-SHR-1, R-OPP-8, R-OPP-9)', () => {
  it.each(cells)('item 2 %s × %s', async (_route, actor, { kind, prepare, act, expected }) => {
    const id = await recordOf(kind);
    await prepare?.(id);

    const answer = await act(id, actors[actor]);

    expect({ status: answer.status, code: answer.status >= 400 ? answer.body?.code : undefined }).toMatchObject({ status: expected[actor] });
  });
});
