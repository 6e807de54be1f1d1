import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';
import { expectNothingWritten, pathsOf } from '../support/fixtures.ts';

let api: TestApi;
let rep: { id: string; token: string };

beforeAll(async () => {
  api = await TestApi.start();
  rep = await api.createUser('rep');
});
afterAll(() => api?.stop());

interface Status {
  id: string;
  name: string;
  type: string;
  isDefault: boolean;
  active: boolean;
  order: number;
  expiryDays: number;
  version: number;
}

async function allStatuses(): Promise<Status[]> {
  const answer = await api.get('/lead-statuses?limit=100');
  expect(answer.status).toBe(200);
  return answer.body.items;
}

async function createStatus(body: Record<string, unknown>): Promise<Status> {
  const created = await api.post('/lead-statuses', body);
  expect(created.status).toBe(201);
  return created.body;
}

const defaultStatus = async () => (await allStatuses()).find((status) => status.isDefault)!;
describe('R-LEAD-1 the default lead statuses', () => {
  it('R-LEAD-1 a new stack has the seven default statuses in order, with their types; Open is the default', async () => {
    const statuses = await allStatuses();

    expect(statuses.slice(0, 7).map(({ name, type, isDefault, active }) => ({ name, type, isDefault, active }))).toEqual([
      { name: 'Not engaged', type: 'frozen', isDefault: false, active: true },
      { name: 'Open', type: 'open', isDefault: true, active: true },
      { name: 'Attempting contact', type: 'open', isDefault: false, active: true },
      { name: 'Working', type: 'open', isDefault: false, active: true },
      { name: 'Qualified', type: 'qualified', isDefault: false, active: true },
      { name: 'Junk', type: 'not_interested', isDefault: false, active: true },
      { name: 'Ignored', type: 'abandoned', isDefault: false, active: true },
    ]);
  });

  it('R-LEAD-1 everyone reads the statuses (a rep too), one by id with its ETag', async () => {
    const [first] = await allStatuses();

    const list = await api.get('/lead-statuses', { token: rep.token });
    const one = await api.get(`/lead-statuses/${first!.id}`, { token: rep.token });

    expect(list.status).toBe(200);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(first);
    expect(one.headers.get('etag')).toBe(`"${first!.version}"`);
  });
});

describe('R-LEAD-1 lead status CRUD', () => {
  it('R-LEAD-1 only the name is required: active, open, never notified, not the default, after the last one', async () => {
    const last = (await allStatuses()).at(-1)!;

    const created = await createStatus({ name: 'Call back' });

    expect(created).toMatchObject({ name: 'Call back', active: true, type: 'open', expiryDays: 0, isDefault: false, order: last.order + 10, version: 1 });
    expect((await allStatuses()).at(-1)!.id).toBe(created.id);
  });

  it('R-LEAD-1 statuses list in their order; active=true leaves the inactive ones out', async () => {
    const early = await createStatus({ name: 'Very first', order: 1 });
    const inactive = await createStatus({ name: 'Retired', order: 2, active: false });

    const all = await allStatuses();
    const active = await api.get('/lead-statuses?active=true&limit=100');

    expect(all.slice(0, 2).map((status) => status.id)).toEqual([early.id, inactive.id]);
    expect(all.map((status) => status.order)).toEqual([...all.map((status) => status.order)].sort((a, b) => a - b));
    expect(active.body.items.map((status: Status) => status.id)).not.toContain(inactive.id);
    expect(active.body.items.map((status: Status) => status.id)).toContain(early.id);
  });

  it('R-LEAD-1 PATCH changes the named fields only and bumps the version', async () => {
    const status = await createStatus({ name: 'Nurturing', expiryDays: 5 });

    const patched = await api.patch(`/lead-statuses/${status.id}`, { name: 'Nurture', expiryDays: 10 });

    expect(patched.status).toBe(200);
    expect(patched.headers.get('etag')).toBe('"2"');
    expect(patched.body).toMatchObject({ name: 'Nurture', expiryDays: 10, type: 'open', active: true, version: 2 });
  });

  it('R-LEAD-1 a status no lead is in can be deleted', async () => {
    const status = await createStatus({ name: 'Temporary' });

    const deleted = await api.delete(`/lead-statuses/${status.id}`);
    const read = await api.get(`/lead-statuses/${status.id}`);

    expect(deleted.status).toBe(204);
    expect(read.status).toBe(404);
  });

  it('R-LEAD-1 a status a lead is in cannot be deleted (409 lead_status_in_use), even when the lead is lost', async () => {
    const status = await createStatus({ name: 'Busy' });
    const lead = await api.post('/leads', { name: 'In use', statusId: status.id });
    expect(lead.status).toBe(201);
    expect((await api.post(`/leads/${lead.body.id}/lost`, {})).status).toBe(200);

    await expectNothingWritten(api, async () => {
      const answer = await api.delete(`/lead-statuses/${status.id}`);

      expect(answer.status).toBe(409);
      expect(answer.body.code).toBe('lead_status_in_use');
    });
  });

  it('R-LEAD-1 admins only change statuses: a rep and a manager get 403', async () => {
    const manager = await api.createUser('manager');
    const status = (await allStatuses())[0]!;

    await expectNothingWritten(api, async () => {
      for (const token of [rep.token, manager.token]) {
        expect((await api.post('/lead-statuses', { name: 'Nope' }, { token })).status).toBe(403);
        expect((await api.patch(`/lead-statuses/${status.id}`, { name: 'Nope' }, { token })).status).toBe(403);
        expect((await api.delete(`/lead-statuses/${status.id}`, { token })).status).toBe(403);
      }
    });
  });

  it('R-LEAD-1 bad input is a 400 listing every field and writes nothing', async () => {
    const status = (await allStatuses())[0]!;

    await expectNothingWritten(api, async () => {
      const created = await api.post('/lead-statuses', { name: ' ', expiryDays: 366, type: 'won', order: -1, isDefault: 'yes' });
      const patched = await api.patch(`/lead-statuses/${status.id}`, { expiryDays: -1, active: 'no', name: '' });
      const noName = await api.post('/lead-statuses', { type: 'open' });

      expect(created.status).toBe(400);
      expect(pathsOf(created)).toEqual(['expiryDays', 'isDefault', 'name', 'order', 'type']);
      expect(patched.status).toBe(400);
      expect(pathsOf(patched)).toEqual(['active', 'expiryDays', 'name']);
      expect(pathsOf(noName)).toEqual(['name']);
    });
  });

  it('R-LEAD-1 If-Match with a stale version is a 412', async () => {
    const status = await createStatus({ name: 'Versioned' });

    const answer = await api.patch(`/lead-statuses/${status.id}`, { name: 'Changed' }, { headers: { 'if-match': '"7"' } });

    expect(answer.status).toBe(412);
  });
});

describe('R-LEAD-1 exactly one default status', () => {
  it('R-LEAD-1 making a status the default takes the flag from the previous default in the same change', async () => {
    const previous = await defaultStatus();
    const next = await createStatus({ name: 'Inbox', type: 'frozen' });

    const patched = await api.patch(`/lead-statuses/${next.id}`, { isDefault: true });
    const statuses = await allStatuses();
    const formerDefault = await api.get(`/lead-statuses/${previous.id}`);

    expect(patched.status).toBe(200);
    expect(patched.body.isDefault).toBe(true);
    expect(statuses.filter((status) => status.isDefault).map((status) => status.id)).toEqual([next.id]);
    expect(formerDefault.body).toMatchObject({ isDefault: false, version: previous.version + 1 });

    const lead = await api.post('/leads', { name: 'Starts in the new default' });
    expect(lead.body.statusId).toBe(next.id);
  });

  it('R-LEAD-1 a status created as the default becomes the only default', async () => {
    const created = await createStatus({ name: 'Fresh default', isDefault: true });

    expect(created.isDefault).toBe(true);
    expect((await allStatuses()).filter((status) => status.isDefault).map((status) => status.id)).toEqual([created.id]);
  });

  it('R-LEAD-1 the default cannot be unset, deactivated, turned qualified or deleted (409 default_lead_status)', async () => {
    const current = await defaultStatus();

    await expectNothingWritten(api, async () => {
      for (const change of [{ isDefault: false }, { active: false }, { type: 'qualified' }]) {
        const answer = await api.patch(`/lead-statuses/${current.id}`, change);
        expect(answer.status).toBe(409);
        expect(answer.body.code).toBe('default_lead_status');
      }
      const deleted = await api.delete(`/lead-statuses/${current.id}`);
      expect(deleted.status).toBe(409);
      expect(deleted.body.code).toBe('default_lead_status');
    });
  });

  it('R-LEAD-1 only an active open or frozen status can become the default (400 isDefault), nothing written', async () => {
    const qualified = (await allStatuses()).find((status) => status.type === 'qualified')!;

    await expectNothingWritten(api, async () => {
      const inactive = await api.post('/lead-statuses', { name: 'Dormant default', isDefault: true, active: false });
      const wrongType = await api.patch(`/lead-statuses/${qualified.id}`, { isDefault: true });

      expect(inactive.status).toBe(400);
      expect(pathsOf(inactive)).toEqual(['isDefault']);
      expect(wrongType.status).toBe(400);
      expect(pathsOf(wrongType)).toEqual(['isDefault']);
    });
  });
});
