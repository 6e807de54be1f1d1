import { ulid } from 'ulid';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';
import { expectNothingWritten, idsOf, pathsOf } from '../support/fixtures.ts';

/** The runtime's clock: each test sets it, so the overdue rules can be checked day by day. */
let clock = new Date('2026-03-02T10:00:00.000Z');
const setClock = (iso: string) => {
  clock = new Date(iso);
};

let api: TestApi;
let repA: { id: string; token: string };
let repB: { id: string; token: string };
let manager: { id: string; token: string };
let statuses: Record<string, { id: string; type: string }>;

beforeAll(async () => {
  api = await TestApi.start({ context: { now: () => clock } });
  [repA, repB, manager] = await Promise.all([api.createUser('rep'), api.createUser('rep'), api.createUser('manager')]);
  const list = await api.get('/lead-statuses?limit=100');
  statuses = Object.fromEntries(list.body.items.map((status: { name: string; id: string; type: string }) => [status.name, status]));
});
afterAll(() => api?.stop());
beforeEach(() => setClock('2026-03-02T10:00:00.000Z'));

interface Lead {
  id: string;
  version: number;
  statusId: string;
  statusEnteredAt: string;
  ownerId: string;
  concludedAt: string | null;
  lost: boolean;
  [field: string]: unknown;
}

async function createLead(body: Record<string, unknown>, token = api.adminToken): Promise<Lead> {
  const created = await api.post('/leads', body, { token });
  expect(created.status).toBe(201);
  return created.body;
}

async function createStatus(body: Record<string, unknown>): Promise<{ id: string }> {
  const created = await api.post('/lead-statuses', body);
  expect(created.status).toBe(201);
  return created.body;
}

async function historyOf(leadId: string, token = api.adminToken) {
  const answer = await api.get(`/leads/${leadId}/history`, { token });
  expect(answer.status).toBe(200);
  return answer.body.items as { id: string; at: string; actorId: string; kind: string; changes: { field: string; from: unknown; to: unknown }[] }[];
}

describe('R-LEAD-2 leads CRUD', () => {
  it('R-LEAD-2 a rep creates a lead it owns, in the default status entered now; missing fields null, tags normalised', async () => {
    const created = await api.post('/leads', { name: 'Mario Rossi', email: 'mario@example.com', tags: [' Fiera', 'fiera', 'Web '] }, { token: repA.token });
    const read = await api.get(`/leads/${created.body.id}`, { token: repA.token });

    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toEqual({
      id: expect.any(String),
      version: 1,
      createdAt: clock.toISOString(),
      updatedAt: clock.toISOString(),
      name: 'Mario Rossi',
      email: 'mario@example.com',
      phone: null,
      companyName: null,
      source: null,
      ownerId: repA.id,
      statusId: statuses.Open!.id,
      statusEnteredAt: clock.toISOString(),
      tags: ['Fiera', 'Web'],
      customFields: {},
      concludedAt: null,
      lost: false,
      lostReasonId: null,
      closingNote: null,
      lostAt: null,
      convertedTo: null,
    });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
  });

  it('R-LEAD-2 a manager creates a lead for a rep in a named active status; its history starts with the creation', async () => {
    const lead = await createLead({ name: 'Anna Bianchi', ownerId: repA.id, statusId: statuses['Not engaged']!.id, companyName: 'Bianchi Spa', source: 'fair' }, manager.token);

    expect(lead).toMatchObject({ ownerId: repA.id, statusId: statuses['Not engaged']!.id, companyName: 'Bianchi Spa', source: 'fair' });
    expect(await historyOf(lead.id)).toEqual([
      {
        id: expect.any(String),
        at: clock.toISOString(),
        actorId: manager.id,
        kind: 'created',
        changes: [
          { field: 'statusId', from: null, to: statuses['Not engaged']!.id },
          { field: 'ownerId', from: null, to: repA.id },
        ],
      },
    ]);
  });

  it('R-LEAD-2 a rep creates leads only for itself (403), nothing written', async () => {
    await expectNothingWritten(api, async () => {
      const answer = await api.post('/leads', { name: 'Not mine', ownerId: repB.id }, { token: repA.token });

      expect(answer.status).toBe(403);
    });
  });

  it('R-LEAD-2 only active statuses where work happens can be chosen: inactive, unknown or concluding ones are a 400', async () => {
    const inactive = await createStatus({ name: 'Dormant', active: false });

    await expectNothingWritten(api, async () => {
      for (const statusId of [inactive.id, ulid(), statuses.Qualified!.id, statuses.Junk!.id]) {
        const answer = await api.post('/leads', { name: 'Somebody', statusId });
        expect(answer.status).toBe(400);
        expect(pathsOf(answer)).toEqual(['statusId']);
      }
    });
  });

  it('R-LEAD-2 bad input is a 400 listing every field, nothing written', async () => {
    await expectNothingWritten(api, async () => {
      const answer = await api.post('/leads', { name: '', email: 'not-an-email', phone: 'call me', tags: 'VIP', ownerId: 'nobody', lost: true });
      const unknownOwner = await api.post('/leads', { name: 'Someone', ownerId: ulid() });

      expect(answer.status).toBe(400);
      expect(pathsOf(answer)).toEqual(['email', 'lost', 'name', 'ownerId', 'phone', 'tags']);
      expect(unknownOwner.status).toBe(400);
      expect(pathsOf(unknownOwner)).toEqual(['ownerId']);
    });
  });

  it('R-CFG-4 leads carry custom fields of entity lead, checked by type; a contact field is unknown', async () => {
    const key = `budget_${ulid().slice(-6).toLowerCase()}`;
    expect((await api.post('/custom-fields', { entity: 'lead', key, label: 'Budget', type: 'number' })).status).toBe(201);
    expect((await api.post('/custom-fields', { entity: 'contact', key: `${key}_c`, label: 'Contact only', type: 'text' })).status).toBe(201);

    const lead = await createLead({ name: 'With budget', customFields: { [key]: 5000 } });
    await expectNothingWritten(api, async () => {
      const answer = await api.post('/leads', { name: 'Bad fields', customFields: { [key]: 'lots', [`${key}_c`]: 'x' } });

      expect(answer.status).toBe(400);
      expect(pathsOf(answer)).toEqual([`customFields.${key}`, `customFields.${key}_c`].sort());
    });
    expect(lead.customFields).toEqual({ [key]: 5000 });
  });

  it('R-LEAD-2 PATCH changes the named fields only and bumps the version; the status is not PATCHed (400)', async () => {
    const lead = await createLead({ name: 'Giulia Verdi', email: 'giulia@example.com', tags: ['Web'] }, repA.token);

    const patched = await api.patch(`/leads/${lead.id}`, { email: null, phone: '+39 02 555', tags: ['Hot', 'hot'] }, { token: repA.token });
    await expectNothingWritten(api, async () => {
      const withStatus = await api.patch(`/leads/${lead.id}`, { statusId: statuses.Working!.id, statusEnteredAt: clock.toISOString() }, { token: repA.token });

      expect(withStatus.status).toBe(400);
      expect(pathsOf(withStatus)).toEqual(['statusEnteredAt', 'statusId']);
    });

    expect(patched.status).toBe(200);
    expect(patched.headers.get('etag')).toBe('"2"');
    expect(patched.body).toMatchObject({ name: 'Giulia Verdi', email: null, phone: '+39 02 555', tags: ['Hot'], version: 2, statusId: statuses.Open!.id });
  });

  it('R-LEAD-2 a PATCH with a stale If-Match is a 412 and changes nothing', async () => {
    const lead = await createLead({ name: 'Versioned' });

    await expectNothingWritten(api, async () => {
      const answer = await api.patch(`/leads/${lead.id}`, { name: 'Changed' }, { headers: { 'if-match': '"5"' } });

      expect(answer.status).toBe(412);
    });
  });

  it('R-LEAD-2 reassigning a lead (PATCH ownerId) is recorded in its history; a data change is not', async () => {
    const lead = await createLead({ name: 'Handover' }, repA.token);

    await api.patch(`/leads/${lead.id}`, { source: 'phone' }, { token: repA.token });
    const handed = await api.patch(`/leads/${lead.id}`, { ownerId: repB.id }, { token: repA.token });
    const history = await historyOf(lead.id);

    expect(handed.status).toBe(200);
    expect(history.map((entry) => entry.kind)).toEqual(['created', 'reassigned']);
    expect(history[1]).toMatchObject({ actorId: repA.id, changes: [{ field: 'ownerId', from: repA.id, to: repB.id }] });
  });

  it('R-LEAD-2 DELETE answers 204; the lead and its history are gone', async () => {
    const lead = await createLead({ name: 'Temporary' }, repA.token);
    await api.post(`/leads/${lead.id}/status`, { statusId: statuses.Working!.id }, { token: repA.token });

    const deleted = await api.delete(`/leads/${lead.id}`, { token: repA.token });
    const read = await api.get(`/leads/${lead.id}`, { token: repA.token });
    const leftovers = (await api.tableSnapshot()).filter((item) => item.PK === `LEAD#${lead.id}`);

    expect(deleted.status).toBe(204);
    expect(read.status).toBe(404);
    expect(leftovers).toEqual([]);
  });

  it('R-LEAD-2 list filters: status, tag and text (case-insensitive)', async () => {
    const tag = `T${ulid().slice(-8)}`;
    const match = await createLead({ name: 'Carla Neri', companyName: 'Neri Costruzioni', tags: [tag] });
    await createLead({ name: 'Other tag', tags: [`${tag}x`] });
    const working = await createLead({ name: 'Moved', tags: [tag] });
    await api.post(`/leads/${working.id}/status`, { statusId: statuses.Working!.id });

    const byTag = await api.get(`/leads?tag=${tag.toLowerCase()}`);
    const byText = await api.get(`/leads?tag=${tag}&q=COSTRUZIONI`);
    const byStatus = await api.get(`/leads?tag=${tag}&statusId=${statuses.Working!.id}`);
    const byStatusOnly = await api.get(`/leads?statusId=${statuses.Working!.id}`, { token: manager.token });

    expect(idsOf(byTag)).toEqual([working.id, match.id]);
    expect(idsOf(byText)).toEqual([match.id]);
    expect(idsOf(byStatus)).toEqual([working.id]);
    expect(idsOf(byStatusOnly)).toContain(working.id);
    expect(idsOf(byStatusOnly)).not.toContain(match.id);
  });
});

describe('R-SHR-1 leads visibility (owner case)', () => {
  it("R-SHR-1 a rep cannot list, read, change, move or delete another rep's lead (404); a manager sees both", async () => {
    const ofA = await createLead({ name: 'Of A' }, repA.token);
    const ofB = await createLead({ name: 'Of B' }, repB.token);

    await expectNothingWritten(api, async () => {
      const listA = await api.get('/leads?limit=100', { token: repA.token });
      const onlyB = await api.get(`/leads?ownerId=${repB.id}`, { token: repA.token });
      expect(idsOf(listA)).toContain(ofA.id);
      expect(idsOf(listA)).not.toContain(ofB.id);
      expect(idsOf(onlyB)).toEqual([]);

      const answers = [
        await api.get(`/leads/${ofB.id}`, { token: repA.token }),
        await api.patch(`/leads/${ofB.id}`, { name: 'Mine now' }, { token: repA.token }),
        await api.delete(`/leads/${ofB.id}`, { token: repA.token }),
        await api.post(`/leads/${ofB.id}/status`, { statusId: statuses.Working!.id }, { token: repA.token }),
        await api.get(`/leads/${ofB.id}/history`, { token: repA.token }),
      ];
      expect(answers.map((answer) => answer.status)).toEqual([404, 404, 404, 404, 404]);
    });

    const managerList = await api.get('/leads?limit=100', { token: manager.token });
    const managerPatch = await api.patch(`/leads/${ofB.id}`, { source: 'manager' }, { token: manager.token });
    const managerDelete = await api.delete(`/leads/${ofA.id}`, { token: manager.token });
    expect(idsOf(managerList)).toEqual(expect.arrayContaining([ofA.id, ofB.id]));
    expect(managerPatch.status).toBe(200);
    expect(managerDelete.status).toBe(204);
  });
});

describe('R-LEAD-2 status moves and history', () => {
  it('R-LEAD-2 a move records when the lead entered the new status and a history entry, oldest first', async () => {
    const lead = await createLead({ name: 'Mover' }, repA.token);
    setClock('2026-03-04T08:30:00.000Z');

    const moved = await api.post(`/leads/${lead.id}/status`, { statusId: statuses['Attempting contact']!.id }, { token: repA.token });
    const history = await historyOf(lead.id, repA.token);

    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ statusId: statuses['Attempting contact']!.id, statusEnteredAt: '2026-03-04T08:30:00.000Z', version: 2 });
    expect(history.map((entry) => [entry.kind, entry.at])).toEqual([
      ['created', '2026-03-02T10:00:00.000Z'],
      ['moved', '2026-03-04T08:30:00.000Z'],
    ]);
    expect(history[1]).toMatchObject({
      actorId: repA.id,
      changes: [{ field: 'statusId', from: statuses.Open!.id, to: statuses['Attempting contact']!.id }],
    });
  });

  it('R-LEAD-2 moving a lead to the status it is in answers it unchanged: same version, clock kept, no history', async () => {
    const lead = await createLead({ name: 'Stayer' }, repA.token);
    setClock('2026-03-05T08:30:00.000Z');

    await expectNothingWritten(api, async () => {
      const answer = await api.post(`/leads/${lead.id}/status`, { statusId: statuses.Open!.id }, { token: repA.token });

      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ version: 1, statusEnteredAt: lead.statusEnteredAt });
    });
  });

  it('R-LEAD-2 choosing an inactive, unknown or concluding status is a 400, nothing written', async () => {
    const lead = await createLead({ name: 'Picky' }, repA.token);
    const inactive = await createStatus({ name: 'Shelved', active: false });

    await expectNothingWritten(api, async () => {
      for (const statusId of [inactive.id, ulid(), statuses.Qualified!.id]) {
        const answer = await api.post(`/leads/${lead.id}/status`, { statusId }, { token: repA.token });
        expect(answer.status).toBe(400);
        expect(pathsOf(answer)).toEqual(['statusId']);
      }
      const noStatus = await api.post(`/leads/${lead.id}/status`, {}, { token: repA.token });
      expect(pathsOf(noStatus)).toEqual(['statusId']);
    });
  });
});

describe('R-LEAD-4 concluding leads', () => {
  it('R-LEAD-4 concluding as qualified sets status, concludedAt and history; the status no longer moves (409)', async () => {
    const lead = await createLead({ name: 'Promising' }, repA.token);
    setClock('2026-03-03T11:00:00.000Z');

    const concluded = await api.post(`/leads/${lead.id}/conclude`, { statusId: statuses.Qualified!.id }, { token: repA.token });
    await expectNothingWritten(api, async () => {
      const moved = await api.post(`/leads/${lead.id}/status`, { statusId: statuses.Working!.id }, { token: repA.token });

      expect(moved.status).toBe(409);
      expect(moved.body.code).toBe('lead_concluded');
    });

    expect(concluded.status).toBe(200);
    expect(concluded.body).toMatchObject({ statusId: statuses.Qualified!.id, statusEnteredAt: '2026-03-03T11:00:00.000Z', concludedAt: '2026-03-03T11:00:00.000Z' });
    expect((await historyOf(lead.id)).at(-1)).toMatchObject({ kind: 'concluded', actorId: repA.id });
  });

  it('R-LEAD-4 a not-interested status concludes too; concluding again with it changes nothing, with another is a 409', async () => {
    const lead = await createLead({ name: 'Uninterested' });
    const concluded = await api.post(`/leads/${lead.id}/conclude`, { statusId: statuses.Junk!.id });

    await expectNothingWritten(api, async () => {
      const again = await api.post(`/leads/${lead.id}/conclude`, { statusId: statuses.Junk!.id });
      const other = await api.post(`/leads/${lead.id}/conclude`, { statusId: statuses.Qualified!.id });

      expect(again.status).toBe(200);
      expect(again.body.version).toBe(concluded.body.version);
      expect(other.status).toBe(409);
      expect(other.body.code).toBe('lead_concluded');
    });
    expect(concluded.status).toBe(200);
  });

  it('R-LEAD-4 concluding with an open, frozen or abandoned status is a 400, nothing written', async () => {
    const lead = await createLead({ name: 'Not yet' });

    await expectNothingWritten(api, async () => {
      for (const name of ['Working', 'Not engaged', 'Ignored']) {
        const answer = await api.post(`/leads/${lead.id}/conclude`, { statusId: statuses[name]!.id });
        expect(answer.status).toBe(400);
        expect(pathsOf(answer)).toEqual(['statusId']);
      }
    });
  });
});

describe('R-LEAD-3 overdue leads (calendar days in the recap time zone)', () => {
  /** A status of its own per test keeps other tests' leads out of the listing. */
  const overdueIn = async (statusId: string, token = api.adminToken, extra = '') => {
    const answer = await api.get(`/leads?overdue=true&statusId=${statusId}${extra}`, { token });
    expect(answer.status).toBe(200);
    return answer.body.items as (Lead & { overdue: { dueDate: string; daysOverdue: number } })[];
  };

  it('R-LEAD-3 a lead is overdue from the calendar day expiryDays after the day it entered its status', async () => {
    const status = await createStatus({ name: 'Call within 3 days', type: 'open', expiryDays: 3 });
    const lead = await createLead({ name: 'Waiting', statusId: status.id });

    setClock('2026-03-04T23:59:59.000Z');
    const dayBefore = await overdueIn(status.id);
    setClock('2026-03-05T00:00:00.000Z');
    const dueDay = await overdueIn(status.id);
    setClock('2026-03-07T15:00:00.000Z');
    const twoDaysLater = await overdueIn(status.id);

    expect(dayBefore).toEqual([]);
    expect(dueDay.map((item) => [item.id, item.overdue])).toEqual([[lead.id, { dueDate: '2026-03-05', daysOverdue: 0 }]]);
    expect(twoDaysLater[0]!.overdue).toEqual({ dueDate: '2026-03-05', daysOverdue: 2 });
    expect(twoDaysLater[0]).toMatchObject({ id: lead.id, name: 'Waiting', statusId: status.id });
  });

  it('R-LEAD-3 the listing is in status order, then longest overdue first; a status move restarts the clock', async () => {
    const status = await createStatus({ name: 'Follow up', type: 'open', expiryDays: 1 });
    const older = await createLead({ name: 'Older', statusId: status.id });
    setClock('2026-03-03T10:00:00.000Z');
    const newer = await createLead({ name: 'Newer', statusId: status.id });
    const moved = await createLead({ name: 'Moved away and back', statusId: status.id });
    setClock('2026-03-06T10:00:00.000Z');
    await api.post(`/leads/${moved.id}/status`, { statusId: statuses.Working!.id });
    await api.post(`/leads/${moved.id}/status`, { statusId: status.id });

    const listed = await overdueIn(status.id);

    expect(listed.map((item) => [item.id, item.overdue.daysOverdue])).toEqual([
      [older.id, 3],
      [newer.id, 2],
    ]);
  });

  it('R-LEAD-3 frozen statuses and expiryDays 0 are never overdue', async () => {
    const frozen = await createStatus({ name: 'Parked', type: 'frozen', expiryDays: 1 });
    const never = await createStatus({ name: 'No expiry', type: 'open', expiryDays: 0 });
    await createLead({ name: 'Parked lead', statusId: frozen.id });
    await createLead({ name: 'Unhurried lead', statusId: never.id });

    setClock('2027-03-02T10:00:00.000Z');

    expect(await overdueIn(frozen.id)).toEqual([]);
    expect(await overdueIn(never.id)).toEqual([]);
  });

  it('R-LEAD-3 a rep sees only its own overdue leads; a manager filters by owner', async () => {
    const status = await createStatus({ name: 'Team queue', type: 'open', expiryDays: 2 });
    const ofA = await createLead({ name: 'A overdue', statusId: status.id }, repA.token);
    const ofB = await createLead({ name: 'B overdue', statusId: status.id }, repB.token);
    setClock('2026-03-10T09:00:00.000Z');

    expect((await overdueIn(status.id, repA.token)).map((item) => item.id)).toEqual([ofA.id]);
    expect((await overdueIn(status.id, repA.token, `&ownerId=${repB.id}`)).map((item) => item.id)).toEqual([]);
    expect((await overdueIn(status.id, manager.token, `&ownerId=${repB.id}`)).map((item) => item.id)).toEqual([ofB.id]);
    expect((await overdueIn(status.id, manager.token)).map((item) => item.id).sort()).toEqual([ofA.id, ofB.id].sort());
  });

  it('R-LEAD-3 concluded and lost leads are never overdue', async () => {
    const status = await createStatus({ name: 'Short fuse', type: 'open', expiryDays: 1 });
    const concluded = await createLead({ name: 'Concluded', statusId: status.id });
    const lost = await createLead({ name: 'Lost', statusId: status.id });
    const pending = await createLead({ name: 'Pending', statusId: status.id });
    await api.post(`/leads/${concluded.id}/conclude`, { statusId: statuses.Junk!.id });
    expect((await api.post(`/leads/${lost.id}/lost`, {})).status).toBe(200);
    setClock('2026-03-09T09:00:00.000Z');

    const all = await api.get('/leads?overdue=true&limit=100');

    expect((await overdueIn(status.id)).map((item) => item.id)).toEqual([pending.id]);
    expect(idsOf(all)).toContain(pending.id);
    expect(idsOf(all)).not.toContain(concluded.id);
    expect(idsOf(all)).not.toContain(lost.id);
  });

  it('R-LEAD-3 the overdue listing pages with a cursor, across statuses', async () => {
    const first = await createStatus({ name: 'Paged one', type: 'open', expiryDays: 1, order: 9000 });
    const second = await createStatus({ name: 'Paged two', type: 'open', expiryDays: 1, order: 9001 });
    const leads = [
      await createLead({ name: 'P1', statusId: first.id }),
      await createLead({ name: 'P2', statusId: first.id }),
      await createLead({ name: 'P3', statusId: second.id }),
    ];
    setClock('2026-03-05T09:00:00.000Z');

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const answer: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await api.get(
        `/leads?overdue=true&statusId=${first.id},${second.id}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(answer.status).toBe(200);
      seen.push(...idsOf(answer));
      cursor = answer.body.nextCursor;
      pages++;
    } while (cursor && pages < 5);

    expect(seen).toEqual(leads.map((lead) => lead.id));
    const forged = await api.get(`/leads?overdue=true&statusId=${first.id}&cursor=abc.def`);
    expect(forged.status).toBe(400);
  });

  it('R-LEAD-3 calendar days are counted in the recap time zone of the pipeline settings', async () => {
    const status = await createStatus({ name: 'Rome desk', type: 'open', expiryDays: 2 });
    // 23:30 UTC on 2 March is already 3 March in Rome: due on the 4th in UTC, on the 5th in Rome.
    setClock('2026-03-02T23:30:00.000Z');
    const lead = await createLead({ name: 'Late entry', statusId: status.id });
    setClock('2026-03-04T12:00:00.000Z');
    const settings = await api.get('/settings/pipeline');
    const { version: _version, createdAt: _createdAt, updatedAt: _updatedAt, ...document } = settings.body;
    const inZone = async (timezone: string) => {
      expect((await api.put('/settings/pipeline', { ...document, recap: { ...document.recap, timezone } })).status).toBe(200);
      return overdueIn(status.id);
    };

    const inUtc = await inZone('UTC');
    const inRome = await inZone('Europe/Rome');
    expect((await api.put('/settings/pipeline', document)).status).toBe(200);

    expect(inUtc.map((item) => [item.id, item.overdue.dueDate])).toEqual([[lead.id, '2026-03-04']]);
    expect(inRome).toEqual([]);
  });

  it('R-LEAD-3 overdue accepts only true (400 otherwise)', async () => {
    const answer = await api.get('/leads?overdue=false');

    expect(answer.status).toBe(400);
    expect(pathsOf(answer)).toEqual(['query.overdue']);
  });
});

describe('R-LEAD-5 converting qualified leads', () => {
  const qualifiedLead = async (body: Record<string, unknown>, token = api.adminToken) => {
    const lead = await createLead(body, token);
    const concluded = await api.post(`/leads/${lead.id}/conclude`, { statusId: statuses.Qualified!.id }, { token });
    expect(concluded.status).toBe(200);
    return concluded.body as Lead;
  };

  it('R-LEAD-5 into a contact: split name, email, phone, tags, owner and shared custom fields; the lead links it', async () => {
    const key = `origin_${ulid().slice(-6).toLowerCase()}`;
    for (const entity of ['lead', 'contact']) expect((await api.post('/custom-fields', { entity, key, label: 'Origin', type: 'text' })).status).toBe(201);
    const lead = await qualifiedLead(
      { name: 'Maria De Luca', email: 'maria@example.com', phone: '+39 06 1234', companyName: 'De Luca Srl', tags: ['Fiera'], customFields: { [key]: 'expo' } },
      repA.token,
    );
    setClock('2026-03-03T09:00:00.000Z');

    const converted = await api.post(`/leads/${lead.id}/convert`, { into: 'contact' }, { token: repA.token });
    const contact = await api.get(`/contacts/${converted.body.contact?.id}`, { token: repA.token });

    expect(converted.status).toBe(201);
    expect(converted.body.contact).toMatchObject({
      firstName: 'Maria',
      lastName: 'De Luca',
      email: 'maria@example.com',
      phone: '+39 06 1234',
      companyId: null,
      ownerId: repA.id,
      tags: ['Fiera'],
      customFields: { [key]: 'expo' },
    });
    expect(converted.body.company).toBeNull();
    expect(converted.body.opportunity).toBeNull();
    expect(converted.body.lead).toMatchObject({ convertedTo: { contactId: contact.body.id, companyId: null, opportunityId: null }, concludedAt: lead.concludedAt, version: lead.version + 1 });
    expect(contact.status).toBe(200);
    expect((await historyOf(lead.id)).at(-1)).toMatchObject({
      kind: 'converted',
      at: '2026-03-03T09:00:00.000Z',
      actorId: repA.id,
      changes: [{ field: 'convertedTo.contactId', from: null, to: contact.body.id }],
    });
  });

  it('R-LEAD-5 converting twice answers the same records (200) and writes nothing; a second body asking for what the lead did not become is a 409 already_converted', async () => {
    const lead = await qualifiedLead({ name: 'Twice Converted' });
    const first = await api.post(`/leads/${lead.id}/convert`, { into: 'contact' });

    await expectNothingWritten(api, async () => {
      const again = await api.post(`/leads/${lead.id}/convert`, { into: 'contact' });
      const otherKind = await api.post(`/leads/${lead.id}/convert`, { into: 'company' });
      const withOpportunity = await api.post(`/leads/${lead.id}/convert`, { into: 'contact', createOpportunity: { title: 'More' } });

      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      expect([otherKind.status, withOpportunity.status]).toEqual([409, 409]);
      expect(otherKind.body).toMatchObject({ code: 'already_converted', convertedTo: first.body.lead.convertedTo });
      expect(withOpportunity.body).toMatchObject({ code: 'already_converted', detail: expect.stringMatching(/without an opportunity/) });
    });
    expect(first.status).toBe(201);
  });

  it('R-LEAD-5 two concurrent conversions make one contact: one answer creates it (201), the other returns it (200)', async () => {
    const name = `Racer ${ulid().slice(-6)}`;
    const lead = await qualifiedLead({ name });

    const answers = await Promise.all([api.post(`/leads/${lead.id}/convert`, { into: 'contact' }), api.post(`/leads/${lead.id}/convert`, { into: 'contact' })]);
    const contacts = (await api.tableSnapshot()).filter((item) => item.recordType === 'Contact' && item.lastName === name.split(' ')[1]);

    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 201]);
    expect(answers[0]!.body.contact.id).toBe(answers[1]!.body.contact.id);
    expect(contacts).toHaveLength(1);
  });

  it('R-LEAD-5 into a company named after the company name, with an opportunity in the default stage', async () => {
    const lead = await qualifiedLead({ name: 'Paolo Gialli', companyName: 'Gialli Trasporti', tags: ['Logistics'] }, repA.token);
    const stages = await api.get('/stages');
    const newStage = stages.body.items.find((stage: { name: string }) => stage.name === 'New');

    const converted = await api.post(`/leads/${lead.id}/convert`, { into: 'company', createOpportunity: { title: 'Fleet deal' } }, { token: repA.token });
    const opportunity = await api.get(`/opportunities/${converted.body.opportunity?.id}`, { token: repA.token });
    const replay = await api.post(`/leads/${lead.id}/convert`, { into: 'company', createOpportunity: { title: 'Fleet deal' } }, { token: repA.token });

    expect(converted.status).toBe(201);
    expect(converted.body.company).toMatchObject({ name: 'Gialli Trasporti', ownerId: repA.id, tags: ['Logistics'] });
    expect(converted.body.contact).toBeNull();
    expect(opportunity.status).toBe(200);
    expect(opportunity.body).toMatchObject({ title: 'Fleet deal', companyId: converted.body.company.id, contactId: null, ownerId: repA.id, stageId: newStage.id, status: 'open' });
    expect(converted.body.lead.convertedTo).toEqual({ contactId: null, companyId: converted.body.company.id, opportunityId: opportunity.body.id });
    expect(replay.status).toBe(200);
    expect(replay.body.opportunity).toEqual(opportunity.body);
  });

  it('R-LEAD-5 into a contact with an opportunity in a named stage; a one-word name is a last name', async () => {
    const stages = await api.get('/stages');
    const proposition = stages.body.items.find((stage: { name: string }) => stage.name === 'Proposition');
    const lead = await qualifiedLead({ name: 'Solo', companyName: null });

    const converted = await api.post(`/leads/${lead.id}/convert`, { into: 'contact', createOpportunity: { title: 'First order', stageId: proposition.id } });

    expect(converted.status).toBe(201);
    expect(converted.body.contact).toMatchObject({ firstName: null, lastName: 'Solo' });
    expect(converted.body.opportunity).toMatchObject({ title: 'First order', contactId: converted.body.contact.id, stageId: proposition.id, probability: 50 });
  });

  it('R-LEAD-5 a lead that is not qualified, or is lost, cannot be converted (409), nothing written', async () => {
    const open = await createLead({ name: 'Still open' });
    const junk = await createLead({ name: 'Not interested' });
    await api.post(`/leads/${junk.id}/conclude`, { statusId: statuses.Junk!.id });
    const lost = await qualifiedLead({ name: 'Qualified then lost' });
    expect((await api.post(`/leads/${lost.id}/lost`, {})).status).toBe(200);

    await expectNothingWritten(api, async () => {
      const answers = await Promise.all([open, junk, lost].map((lead) => api.post(`/leads/${lead.id}/convert`, { into: 'contact' })));

      expect(answers.map((answer) => [answer.status, answer.body.code])).toEqual([
        [409, 'lead_not_qualified'],
        [409, 'lead_not_qualified'],
        [409, 'lead_lost'],
      ]);
    });
  });

  it('R-LEAD-5 bad input is a 400 (target, title, unknown stage, the win stage), nothing written; another rep gets a 404', async () => {
    const lead = await qualifiedLead({ name: 'Careful' }, repA.token);
    const { winStageId } = (await api.get('/settings/pipeline')).body;

    await expectNothingWritten(api, async () => {
      const winStage = await api.post(`/leads/${lead.id}/convert`, { into: 'contact', createOpportunity: { title: 'Deal', stageId: winStageId } });
      expect([winStage.status, pathsOf(winStage)]).toEqual([400, ['createOpportunity.stageId']]);
      const badTarget = await api.post(`/leads/${lead.id}/convert`, { into: 'deal', createOpportunity: { stageId: 'x' } });
      const unknownStage = await api.post(`/leads/${lead.id}/convert`, { into: 'contact', createOpportunity: { title: 'Deal', stageId: ulid() } });
      const otherRep = await api.post(`/leads/${lead.id}/convert`, { into: 'contact' }, { token: repB.token });

      expect(badTarget.status).toBe(400);
      expect(pathsOf(badTarget)).toEqual(['createOpportunity.stageId', 'createOpportunity.title', 'into']);
      expect(unknownStage.status).toBe(400);
      expect(pathsOf(unknownStage)).toEqual(['createOpportunity.stageId']);
      expect(otherRep.status).toBe(404);
    });
  });

  it('R-LEAD-5 the opportunity obeys the rules of POST /opportunities: an owner outside the assign-to group is a 400', async () => {
    const lead = await qualifiedLead({ name: 'Grouped' }, repA.token);
    const group = await api.post('/groups', { name: `Sellers ${ulid().slice(-4)}`, memberIds: [repB.id] });
    const settings = await api.get('/settings/pipeline');
    const { version: _version, createdAt: _createdAt, updatedAt: _updatedAt, ...document } = settings.body;
    expect((await api.put('/settings/pipeline', { ...document, assignToGroupId: group.body.id })).status).toBe(200);

    await expectNothingWritten(api, async () => {
      const answer = await api.post(`/leads/${lead.id}/convert`, { into: 'contact', createOpportunity: { title: 'Blocked' } }, { token: repA.token });

      expect(answer.status).toBe(400);
      expect(pathsOf(answer)).toEqual(['createOpportunity.ownerId']);
    });
    expect((await api.put('/settings/pipeline', document)).status).toBe(200);
  });
});

describe('R-LEAD-6 lost and restored leads', () => {
  const lossReason = async (description: string) => {
    const created = await api.post('/reasons', { kind: 'loss', description });
    expect(created.status).toBe(201);
    return created.body as { id: string };
  };

  it('R-LEAD-6 a lead lost with a reason and a note leaves the default listing and shows under lost=true and its reason', async () => {
    const reason = await lossReason(`Too expensive ${ulid().slice(-6)}`);
    const lead = await createLead({ name: 'Price sensitive' }, repA.token);
    setClock('2026-03-04T16:00:00.000Z');

    const lost = await api.post(`/leads/${lead.id}/lost`, { lostReasonId: reason.id, closingNote: 'Chose a competitor' }, { token: repA.token });
    const open = await api.get('/leads?limit=100', { token: repA.token });
    const lostList = await api.get('/leads?lost=true', { token: repA.token });
    const byReason = await api.get(`/leads?lostReasonId=${reason.id}`, { token: manager.token });

    expect(lost.status).toBe(200);
    expect(lost.body).toMatchObject({ lost: true, lostReasonId: reason.id, closingNote: 'Chose a competitor', lostAt: '2026-03-04T16:00:00.000Z', version: 2 });
    expect(idsOf(open)).not.toContain(lead.id);
    expect(idsOf(lostList)).toContain(lead.id);
    expect(idsOf(byReason)).toEqual([lead.id]);
    expect((await historyOf(lead.id)).at(-1)).toMatchObject({
      kind: 'lost',
      actorId: repA.id,
      changes: [
        { field: 'lost', from: false, to: true },
        { field: 'lostReasonId', from: null, to: reason.id },
        { field: 'closingNote', from: null, to: 'Chose a competitor' },
      ],
    });
  });

  it('R-LEAD-6 a typed-in reason is created once and reused by description, like for opportunities', async () => {
    const text = `No budget ${ulid().slice(-6)}`;
    const first = await createLead({ name: 'First lost' });
    const second = await createLead({ name: 'Second lost' });

    const lostFirst = await api.post(`/leads/${first.id}/lost`, { lostReason: text });
    const lostSecond = await api.post(`/leads/${second.id}/lost`, { lostReason: text.toUpperCase() });
    const reasons = await api.get('/reasons?kind=loss&limit=100');

    expect(lostFirst.status).toBe(200);
    expect(lostSecond.body.lostReasonId).toBe(lostFirst.body.lostReasonId);
    expect(reasons.body.items.filter((reason: { description: string }) => reason.description.toLowerCase() === text.toLowerCase())).toHaveLength(1);
  });

  it('R-LEAD-6 a win reason, both reason fields, or an already lost lead are refused, nothing written', async () => {
    const win = await api.post('/reasons', { kind: 'win', description: `Good fit ${ulid().slice(-6)}` });
    const lead = await createLead({ name: 'Refusals' });
    const alreadyLost = await createLead({ name: 'Already lost' });
    await api.post(`/leads/${alreadyLost.id}/lost`, {});

    await expectNothingWritten(api, async () => {
      const wrongKind = await api.post(`/leads/${lead.id}/lost`, { lostReasonId: win.body.id });
      const both = await api.post(`/leads/${lead.id}/lost`, { lostReasonId: win.body.id, lostReason: 'Text' });
      const again = await api.post(`/leads/${alreadyLost.id}/lost`, { lostReason: 'Brand new reason text' });

      expect(wrongKind.status).toBe(400);
      expect(pathsOf(wrongKind)).toEqual(['lostReasonId']);
      expect(both.status).toBe(400);
      expect(pathsOf(both)).toEqual(['lostReason']);
      expect([again.status, again.body.code]).toEqual([409, 'already_lost']);
    });
  });

  it('R-LEAD-6 with requireLossReason a lead lost without a reason is a 400', async () => {
    const lead = await createLead({ name: 'Needs a reason' });
    const settings = await api.get('/settings/pipeline');
    const { version: _version, createdAt: _createdAt, updatedAt: _updatedAt, ...document } = settings.body;
    expect((await api.put('/settings/pipeline', { ...document, requireLossReason: true })).status).toBe(200);

    await expectNothingWritten(api, async () => {
      const answer = await api.post(`/leads/${lead.id}/lost`, { closingNote: 'No reason given' });

      expect(answer.status).toBe(400);
      expect(pathsOf(answer)).toEqual(['lostReasonId']);
    });
    expect((await api.put('/settings/pipeline', document)).status).toBe(200);
  });

  it('R-LEAD-6 restore clears reason and note (kept in history) and restarts the overdue clock', async () => {
    const reason = await lossReason(`Timing ${ulid().slice(-6)}`);
    const lead = await createLead({ name: 'Comeback' }, repA.token);
    await api.post(`/leads/${lead.id}/lost`, { lostReasonId: reason.id, closingNote: 'Next quarter' }, { token: repA.token });
    setClock('2026-04-01T08:00:00.000Z');

    const restored = await api.post(`/leads/${lead.id}/restore`, undefined, { token: repA.token });
    const history = await historyOf(lead.id);

    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ lost: false, lostReasonId: null, closingNote: null, lostAt: null, statusEnteredAt: '2026-04-01T08:00:00.000Z', statusId: statuses.Open!.id });
    expect(history.at(-1)).toMatchObject({
      kind: 'restored',
      changes: [
        { field: 'lost', from: true, to: false },
        { field: 'lostReasonId', from: reason.id, to: null },
        { field: 'closingNote', from: 'Next quarter', to: null },
        { field: 'statusEnteredAt', from: '2026-03-02T10:00:00.000Z', to: '2026-04-01T08:00:00.000Z' },
      ],
    });
    await expectNothingWritten(api, async () => {
      const again = await api.post(`/leads/${lead.id}/restore`, undefined, { token: repA.token });
      expect([again.status, again.body.code]).toEqual([409, 'lead_not_lost']);
    });
  });

  it('R-LEAD-6 bulk restore reports each id: restored, not lost (409), unknown or invisible (404)', async () => {
    const lostA = await createLead({ name: 'Bulk A' }, repA.token);
    const lostB = await createLead({ name: 'Bulk B' }, repA.token);
    const notLost = await createLead({ name: 'Bulk open' }, repA.token);
    const ofRepB = await createLead({ name: 'Bulk of B' }, repB.token);
    for (const lead of [lostA, lostB]) await api.post(`/leads/${lead.id}/lost`, {}, { token: repA.token });
    await api.post(`/leads/${ofRepB.id}/lost`, {}, { token: repB.token });
    const unknown = ulid();

    const answer = await api.post('/leads/restore', { ids: [lostA.id, notLost.id, unknown, ofRepB.id, lostB.id] }, { token: repA.token });

    expect(answer.status).toBe(200);
    expect(answer.body.results.map((item: { id: string; ok: boolean; error?: { status: number; code: string } }) => [item.id, item.ok, item.error?.status, item.error?.code])).toEqual([
      [lostA.id, true, undefined, undefined],
      [notLost.id, false, 409, 'lead_not_lost'],
      [unknown, false, 404, 'not_found'],
      [ofRepB.id, false, 404, 'not_found'],
      [lostB.id, true, undefined, undefined],
    ]);
    expect((await api.get(`/leads/${lostA.id}`)).body.lost).toBe(false);
    expect((await api.get(`/leads/${ofRepB.id}`)).body.lost).toBe(true);
  });

  it('R-LEAD-6 bulk restore takes 1 to 100 string ids (400 otherwise), nothing written', async () => {
    await expectNothingWritten(api, async () => {
      const none = await api.post('/leads/restore', { ids: [] });
      const tooMany = await api.post('/leads/restore', { ids: Array.from({ length: 101 }, () => ulid()) });
      const notString = await api.post('/leads/restore', { ids: [5] });

      expect([none.status, tooMany.status, notString.status]).toEqual([400, 400, 400]);
    });
  });
});
