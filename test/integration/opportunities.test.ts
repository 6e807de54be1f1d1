import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opportunityModel } from '../../shared/db/keys.ts';
import { updateRecord } from '../../shared/db/store.ts';
import type { Opportunity } from '../../shared/schemas/opportunities.ts';
import { TestApi } from '../support/api.ts';
import { as, type Caller, expectNothingWritten, newCompany, newContact, newOpportunity } from '../support/fixtures.ts';

let api: TestApi;
let rep: Caller;
let otherRep: Caller;
let manager: Caller;
let stages: Record<string, { id: string; probability: number }>;

beforeAll(async () => {
  api = await TestApi.start();
  [rep, otherRep, manager] = await Promise.all([api.createUser('rep'), api.createUser('rep'), api.createUser('manager')]);
  const listed = await api.get('/stages');
  stages = Object.fromEntries(listed.body.items.map((stage: { id: string; name: string; probability: number }) => [stage.name, stage]));
  const field = await api.post('/custom-fields', { entity: 'opportunity', key: 'size', label: 'Size', type: 'number' });
  if (field.status !== 201) throw new Error(`custom field: ${field.status} ${JSON.stringify(field.body)}`);
});
afterAll(() => api?.stop());

/** Puts an opportunity in a state no route of this issue reaches yet (won, lost, archived). */
const force = (id: string, change: Partial<Opportunity>) =>
  updateRecord(api.runtime.ctx, opportunityModel, id, (current) => ({ ...current, ...change }));

const ids = (page: { items: { id: string }[] }) => page.items.map((item) => item.id);

describe('R-OPP-1 creating opportunities', () => {
  it("R-OPP-1 a rep's new opportunity: open, active, default stage and probability, its owner, the contact's company, default currency", async () => {
    const company = await newCompany(api, rep);
    const contact = await newContact(api, rep, { companyId: company });

    const created = await api.post('/opportunities', { title: ' Big deal ', contactId: contact, value: { amount: 150000 }, tags: ['VIP', 'vip', 'Q3'] }, as(rep));
    const read = await api.get(`/opportunities/${created.body.id}`, as(rep));

    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toEqual({
      id: expect.any(String),
      version: 1,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      title: 'Big deal',
      contactId: contact,
      companyId: company,
      ownerId: rep.id,
      stageId: stages.New!.id,
      value: { amount: 150000, currency: 'EUR' },
      probability: 10,
      expectedCloseDate: null,
      tags: ['VIP', 'Q3'],
      customFields: {},
      status: 'open',
      active: true,
      closedAt: null,
      winReasonIds: [],
      lostReasonId: null,
      closingNote: null,
      lostFromStageId: null,
      closedFromStageId: null,
      mergedIds: [],
    });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
  });

  it('R-OPP-1 a given stage sets the probability; a given probability wins; a company alone is enough', async () => {
    const company = await newCompany(api, manager);

    const inStage = await newOpportunity(api, manager, { companyId: company, stageId: stages.Negotiation!.id });
    const withProbability = await newOpportunity(api, manager, { companyId: company, stageId: stages.Negotiation!.id, probability: 55, allowDuplicate: true });

    expect(inStage).toMatchObject({ stageId: stages.Negotiation!.id, probability: 70, contactId: null, companyId: company });
    expect(withProbability.probability).toBe(55);
  });

  it('R-OPP-1 staff create for another active user; custom fields are stored and shown', async () => {
    const contact = await newContact(api, rep);

    const created = await newOpportunity(api, manager, { contactId: contact, ownerId: rep.id, customFields: { size: 3 } });

    expect(created).toMatchObject({ ownerId: rep.id, customFields: { size: 3 } });
  });

  it('R-OPP-1 a rep creating for someone else, or sending allowDuplicate, is a 403 and writes nothing', async () => {
    const contact = await newContact(api, rep);

    await expectNothingWritten(api, async () => {
      const forOther = await api.post('/opportunities', { title: 'Deal', contactId: contact, ownerId: otherRep.id }, as(rep));
      const duplicate = await api.post('/opportunities', { title: 'Deal', contactId: contact, allowDuplicate: true }, as(rep));

      expect(forOther.status).toBe(403);
      expect(duplicate.status).toBe(403);
    });
  });

  it('R-OPP-2 staff may send allowDuplicate; the flag is not stored', async () => {
    const contact = await newContact(api, manager);

    const created = await newOpportunity(api, manager, { contactId: contact, allowDuplicate: true });

    expect(created).not.toHaveProperty('allowDuplicate');
    expect((await api.get(`/opportunities/${created.id}`)).body).not.toHaveProperty('allowDuplicate');
  });

  it('SPEC §1 every invalid reference and custom field is listed in one 400, and nothing is written', async () => {
    const inactive = await api.createUser('rep');
    await api.patch(`/users/${inactive.id}`, { active: false });

    await expectNothingWritten(api, async () => {
      const answer = await api.post('/opportunities', {
        title: 'Deal',
        contactId: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
        companyId: '01ARZ3NDEKTSV4RRFFQ69G5FAW',
        stageId: '01ARZ3NDEKTSV4RRFFQ69G5FAX',
        ownerId: inactive.id,
        customFields: { size: 'big', colour: 'red' },
      });

      expect(answer.status).toBe(400);
      expect(answer.body.errors.map((error: { path: string }) => error.path).sort()).toEqual([
        'companyId',
        'contactId',
        'customFields.colour',
        'customFields.size',
        'ownerId',
        'stageId',
      ]);
    });
  });

  it("R-SHR-1 a rep may not attach another rep's contact or company (400, as if unknown)", async () => {
    const contact = await newContact(api, otherRep);
    const company = await newCompany(api, otherRep);

    await expectNothingWritten(api, async () => {
      const answer = await api.post('/opportunities', { title: 'Deal', contactId: contact, companyId: company }, as(rep));

      expect(answer.status).toBe(400);
      expect(answer.body.errors).toEqual([
        { path: 'contactId', message: 'No such contact' },
        { path: 'companyId', message: 'No such company' },
      ]);
    });
  });

  it('SPEC §1 unknown fields and a missing contact and company are 400s that write nothing', async () => {
    await expectNothingWritten(api, async () => {
      const unknownField = await api.post('/opportunities', { title: 'Deal', companyId: '01ARZ3NDEKTSV4RRFFQ69G5FAY', status: 'won' });
      const noParty = await api.post('/opportunities', { title: 'Deal' });

      expect(unknownField.status).toBe(400);
      expect(unknownField.body.errors).toEqual([{ path: 'status', message: 'Unknown field' }]);
      expect(noParty.status).toBe(400);
      expect(noParty.body.errors.map((error: { path: string }) => error.path)).toEqual(['contactId']);
    });
  });
});

describe('R-OPP-1 changing opportunities', () => {
  it('R-OPP-1 a stage change without probability takes the stage probability; custom fields merge and null removes', async () => {
    const contact = await newContact(api, rep);
    const created = await newOpportunity(api, rep, { contactId: contact, customFields: { size: 3 } });

    const moved = await api.patch(`/opportunities/${created.id}`, { stageId: stages.Proposition!.id, tags: ['Hot'] }, as(rep));
    const cleared = await api.patch(`/opportunities/${created.id}`, { customFields: { size: null }, probability: 60, value: { amount: 10, currency: 'USD' } }, as(rep));

    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ stageId: stages.Proposition!.id, probability: 50, tags: ['Hot'], customFields: { size: 3 }, version: 2 });
    expect(cleared.body).toMatchObject({ stageId: stages.Proposition!.id, probability: 60, customFields: {}, value: { amount: 10, currency: 'USD' }, version: 3 });
  });

  it('R-OPP-1 a closed opportunity keeps its stage (409 opportunity_closed) but its title and value may change', async () => {
    const created = await newOpportunity(api, manager, { contactId: await newContact(api, manager) });
    await force(created.id, { status: 'won', probability: 100, closedAt: new Date().toISOString() });

    await expectNothingWritten(api, async () => {
      const move = await api.patch(`/opportunities/${created.id}`, { stageId: stages.Qualified!.id });

      expect(move.status).toBe(409);
      expect(move.body.code).toBe('opportunity_closed');
    });
    const renamed = await api.patch(`/opportunities/${created.id}`, { title: 'Renamed', value: { amount: 99 } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ title: 'Renamed', value: { amount: 99, currency: 'EUR' }, status: 'won', stageId: stages.New!.id });
  });

  it('R-OPP-1 a PATCH naming an unknown stage or contact, or leaving no contact and company, is a 400 that writes nothing', async () => {
    const created = await newOpportunity(api, rep, { contactId: await newContact(api, rep) });

    await expectNothingWritten(api, async () => {
      const unknown = await api.patch(`/opportunities/${created.id}`, { stageId: '01ARZ3NDEKTSV4RRFFQ69G5FAX', contactId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }, as(rep));
      const orphan = await api.patch(`/opportunities/${created.id}`, { contactId: null }, as(rep));

      expect(unknown.status).toBe(400);
      expect(unknown.body.errors.map((error: { path: string }) => error.path).sort()).toEqual(['contactId', 'stageId']);
      expect(orphan.status).toBe(400);
      expect(orphan.body.errors).toEqual([{ path: 'contactId', message: 'Give a contactId or a companyId' }]);
    });
  });

  it("R-OPP-1 a rep may resend its opportunity's current contact even when a manager linked a contact the rep does not own", async () => {
    const managersContact = await newContact(api, manager);
    const created = await newOpportunity(api, manager, { contactId: managersContact, ownerId: rep.id });

    const resent = await api.patch(`/opportunities/${created.id}`, { contactId: managersContact, title: 'Kept' }, as(rep));

    expect(resent.status).toBe(200);
    expect(resent.body).toMatchObject({ contactId: managersContact, title: 'Kept' });
  });

  it('SPEC §1 a stale If-Match is a 412 on PATCH and DELETE and changes nothing', async () => {
    const created = await newOpportunity(api, rep, { contactId: await newContact(api, rep) });
    await api.patch(`/opportunities/${created.id}`, { title: 'Second' }, as(rep));

    await expectNothingWritten(api, async () => {
      const patch = await api.patch(`/opportunities/${created.id}`, { title: 'Third' }, { ...as(rep), headers: { 'if-match': '"1"' } });
      const remove = await api.delete(`/opportunities/${created.id}`, { ...as(rep), headers: { 'if-match': '"1"' } });

      expect(patch.status).toBe(412);
      expect(remove.status).toBe(412);
    });
    const current = await api.patch(`/opportunities/${created.id}`, { title: 'Third' }, { ...as(rep), headers: { 'if-match': '"2"' } });
    expect(current.status).toBe(200);
  });

  it('R-OPP-9 a rep hands its own opportunity to another user and then no longer sees it', async () => {
    const created = await newOpportunity(api, rep, { contactId: await newContact(api, rep) });

    const handed = await api.patch(`/opportunities/${created.id}`, { ownerId: otherRep.id }, as(rep));
    const byFormerOwner = await api.get(`/opportunities/${created.id}`, as(rep));
    const byNewOwner = await api.get(`/opportunities/${created.id}`, as(otherRep));

    expect(handed.status).toBe(200);
    expect(handed.body.ownerId).toBe(otherRep.id);
    expect(byFormerOwner.status).toBe(404);
    expect(byNewOwner.status).toBe(200);
  });
});

describe('R-SHR-1 visibility of opportunities (owner case)', () => {
  it('R-SHR-1 an owner, a manager and an admin see, list and change a rep opportunity; another rep gets 404 everywhere', async () => {
    const created = await newOpportunity(api, rep, { contactId: await newContact(api, rep) });
    const admin = { id: '', token: api.adminToken };
    const path = `/opportunities/${created.id}`;

    const answers = async (caller: Caller) => ({
      listed: ids((await api.get(`/opportunities?ownerId=${rep.id}&limit=100`, as(caller))).body).includes(created.id),
      get: (await api.get(path, as(caller))).status,
      patch: (await api.patch(path, { title: 'Seen' }, as(caller))).status,
    });

    expect(await answers(rep)).toEqual({ listed: true, get: 200, patch: 200 });
    expect(await answers(manager)).toEqual({ listed: true, get: 200, patch: 200 });
    expect(await answers(admin)).toEqual({ listed: true, get: 200, patch: 200 });
    await expectNothingWritten(api, async () => {
      expect(await answers(otherRep)).toEqual({ listed: false, get: 404, patch: 404 });
      expect((await api.delete(path, as(otherRep))).status).toBe(404);
      expect(ids((await api.get('/opportunities?limit=100', as(otherRep))).body)).not.toContain(created.id);
    });
  });

  it('R-SHR-1 a rep deletes its own opportunity; a manager and an admin delete anyone’s (204, then 404)', async () => {
    const own = await newOpportunity(api, rep, { contactId: await newContact(api, rep) });
    const forManager = await newOpportunity(api, rep, { contactId: await newContact(api, rep) });
    const forAdmin = await newOpportunity(api, rep, { contactId: await newContact(api, rep) });

    const byOwner = await api.delete(`/opportunities/${own.id}`, as(rep));
    const byManager = await api.delete(`/opportunities/${forManager.id}`, as(manager));
    const byAdmin = await api.delete(`/opportunities/${forAdmin.id}`);

    expect([byOwner.status, byManager.status, byAdmin.status]).toEqual([204, 204, 204]);
    for (const id of [own.id, forManager.id, forAdmin.id]) expect((await api.get(`/opportunities/${id}`)).status).toBe(404);
  });
});

describe('R-OPP-1 assign-to group', () => {
  it('R-OPP-1 with assignToGroupId set, the owner must be a member on creation and on reassignment', async () => {
    const group = await api.post('/groups', { name: 'Field sales', memberIds: [rep.id] });
    const settings = await api.get('/settings/pipeline');
    const { version, createdAt, updatedAt, ...document } = settings.body;
    const set = await api.put('/settings/pipeline', { ...document, assignToGroupId: group.body.id });
    expect(set.status).toBe(200);
    try {
      const contact = await newContact(api, manager);

      await expectNothingWritten(api, async () => {
        const outsider = await api.post('/opportunities', { title: 'Deal', contactId: contact, ownerId: otherRep.id }, as(manager));

        expect(outsider.status).toBe(400);
        expect(outsider.body.errors).toEqual([{ path: 'ownerId', message: 'Must belong to the assign-to group' }]);
      });
      const member = await api.post('/opportunities', { title: 'Deal', contactId: contact, ownerId: rep.id }, as(manager));
      expect(member.status).toBe(201);
      await expectNothingWritten(api, async () => {
        const reassigned = await api.patch(`/opportunities/${member.body.id}`, { ownerId: otherRep.id }, as(manager));

        expect(reassigned.status).toBe(400);
        expect(reassigned.body.errors).toEqual([{ path: 'ownerId', message: 'Must belong to the assign-to group' }]);
      });
    } finally {
      const reset = await api.put('/settings/pipeline', { ...document, assignToGroupId: null });
      expect(reset.status).toBe(200);
    }
  });
});

describe('R-OPP-5 listing and filters', () => {
  let seller: Caller;
  let contactA: string;
  let contactB: string;
  const made: Record<string, string> = {};

  beforeAll(async () => {
    seller = await api.createUser('rep');
    [contactA, contactB] = await Promise.all([newContact(api, seller), newContact(api, seller)]);
    // Created one after the other so ids (ULIDs) give a known newest-first order.
    const plan: [string, Record<string, unknown>][] = [
      ['openA', { contactId: contactA, tags: ['VIP'] }],
      ['openB', { contactId: contactB, stageId: stages.Qualified!.id }],
      ['openTagged', { contactId: contactB, tags: ['vip', 'Renewal'] }],
      ['archived', { contactId: contactA, tags: ['Vip'] }],
      ['lost', { contactId: contactA, tags: ['VIP'] }],
      ['lostArchived', { contactId: contactB }],
      ['openLast', { contactId: contactA, stageId: stages.Qualified!.id, tags: ['VIP'] }],
    ];
    // Several open ones per contact: made by a manager for the seller, past duplicate prevention (R-OPP-2).
    for (const [name, body] of plan) made[name] = (await newOpportunity(api, manager, { ...body, ownerId: seller.id, allowDuplicate: true })).id;
    await force(made.archived!, { active: false });
    await force(made.lost!, { status: 'lost', probability: 0 });
    await force(made.lostArchived!, { status: 'lost', probability: 0, active: false });
  });

  const list = async (query: string, caller: Caller = seller) => {
    const answer = await api.get(`/opportunities?${query}`, as(caller));
    expect(answer.status).toBe(200);
    return ids(answer.body);
  };
  const named = (...names: string[]) => names.map((name) => made[name]);

  it('R-OPP-5 without status and active a rep lists its open active pipeline, newest first', async () => {
    expect(await list('')).toEqual(named('openLast', 'openTagged', 'openB', 'openA'));
  });

  it('R-OPP-5 status alone lists that status, archived ones included; active alone keeps open ones', async () => {
    expect(await list('status=lost')).toEqual(named('lostArchived', 'lost'));
    expect(await list('status=lost&active=true')).toEqual(named('lost'));
    expect(await list('active=false')).toEqual(named('archived'));
  });

  it('R-OPP-5 staff filter by owner, stage, contact and tag (case-insensitive, comma list = any)', async () => {
    expect(await list(`ownerId=${seller.id}`, manager)).toEqual(named('openLast', 'openTagged', 'openB', 'openA'));
    expect(await list(`ownerId=${seller.id}&stageId=${stages.Qualified!.id}`, manager)).toEqual(named('openLast', 'openB'));
    expect(await list(`stageId=${stages.Qualified!.id}&ownerId=${seller.id}`, manager)).toEqual(named('openLast', 'openB'));
    expect(await list(`contactId=${contactA}`, manager)).toEqual(named('openLast', 'openA'));
    expect(await list(`contactId=${contactA}&status=lost`, manager)).toEqual(named('lost'));
    expect(await list(`ownerId=${seller.id}&tag=vIp`, manager)).toEqual(named('openLast', 'openTagged', 'openA'));
    expect(await list(`ownerId=${seller.id}&tag=renewal,nothing`, manager)).toEqual(named('openTagged'));
    expect(await list(`contactId=${contactA},${contactB}&ownerId=${seller.id}&tag=vip`, manager)).toEqual(named('openLast', 'openTagged', 'openA'));
  });

  it("R-SHR-1 a rep filtering on another owner gets an empty list, never that owner's opportunities", async () => {
    const answer = await api.get(`/opportunities?ownerId=${seller.id}`, as(rep));

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ items: [], nextCursor: null });
  });

  it('SPEC §1 pagination across filtered pages returns every match once, newest first', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `tag=VIP&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const answer = await api.get(`/opportunities?${query}`, as(seller));
      expect(answer.status).toBe(200);
      seen.push(...ids(answer.body));
      cursor = answer.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);

    expect(seen).toEqual(named('openLast', 'openTagged', 'openA'));
  });

  it('R-OPP-5 several statuses are "is in": open and lost together, newest first, for the rep and for staff', async () => {
    expect(await list('status=open,lost')).toEqual(named('openLast', 'lostArchived', 'lost', 'archived', 'openTagged', 'openB', 'openA'));
    expect(await list('status=lost,open&active=true&tag=vip')).toEqual(named('openLast', 'lost', 'openTagged', 'openA'));
    expect(await list(`status=open,lost&ownerId=${seller.id}&stageId=${stages.Qualified!.id}`, manager)).toEqual(named('openLast', 'openB'));
    expect(await list(`status=open,lost&contactId=${contactB}`, manager)).toEqual(named('lostArchived', 'openTagged', 'openB'));
  });

  it('SPEC §1 paging through several statuses returns every match once, newest first, one page of 2 at a time', async () => {
    const pageThrough = async (query: string, caller: Caller) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 10; pages++) {
        const path: string = `/opportunities?${query}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const answer = await api.get(path, as(caller));
        expect(answer.status).toBe(200);
        expect(ids(answer.body).length).toBeLessThanOrEqual(2);
        seen.push(...ids(answer.body));
        cursor = answer.body.nextCursor;
        if (!cursor) break;
      }
      return seen;
    };

    const everyOne = named('openLast', 'lostArchived', 'lost', 'archived', 'openTagged', 'openB', 'openA');
    expect(await pageThrough('status=open,lost', seller)).toEqual(everyOne);
    expect(await pageThrough(`status=open,lost&ownerId=${seller.id}`, manager)).toEqual(everyOne);
  });

  it('R-OPP-5 a cursor of another filter is a 400', async () => {
    const first = await api.get('/opportunities?tag=VIP&limit=1', as(seller));
    const byStatuses = await api.get('/opportunities?status=open,lost&limit=1', as(manager));

    const foreignCursor = await api.get(`/opportunities?tag=renewal&limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`, as(seller));
    const otherStatuses = await api.get(`/opportunities?status=open,won&limit=1&cursor=${encodeURIComponent(byStatuses.body.nextCursor)}`, as(manager));

    expect(foreignCursor.status).toBe(400);
    expect(otherStatuses.status).toBe(400);
  });
});
