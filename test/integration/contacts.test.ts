import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';
import { idsOf, newestFirst, pathsOf } from '../support/fixtures.ts';

let api: TestApi;
let repA: { id: string; token: string };
let repB: { id: string; token: string };
let manager: { id: string; token: string };

beforeAll(async () => {
  api = await TestApi.start();
  [repA, repB, manager] = await Promise.all([api.createUser('rep'), api.createUser('rep'), api.createUser('manager')]);
});
afterAll(() => api?.stop());

async function createContact(body: Record<string, unknown>, token = api.adminToken) {
  const created = await api.post('/contacts', body, { token });
  expect(created.status).toBe(201);
  return created.body as { id: string; [field: string]: unknown };
}

async function createCompany(body: Record<string, unknown>, token = api.adminToken) {
  const created = await api.post('/companies', body, { token });
  expect(created.status).toBe(201);
  return created.body as { id: string };
}

describe('R-CON-1 contacts CRUD', () => {
  it('R-CON-1 a rep creates a contact it owns: missing fields null, statuses none, tags normalised', async () => {
    const created = await api.post('/contacts', { firstName: 'Ada', tags: [' VIP', 'vip', 'Lead '] }, { token: repA.token });
    const read = await api.get(`/contacts/${created.body.id}`, { token: repA.token });

    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toEqual({
      id: expect.any(String),
      version: 1,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      firstName: 'Ada',
      lastName: null,
      email: null,
      phone: null,
      companyId: null,
      ownerId: repA.id,
      tags: ['VIP', 'Lead'],
      customFields: {},
      prospectStatus: 'none',
      customerStatus: 'none',
    });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
  });

  it('R-CON-1 a contact with a companyId is that company\'s employee', async () => {
    const company = await createCompany({ name: 'Analytical Engines' }, repA.token);

    const created = await api.post('/contacts', { lastName: 'Babbage', companyId: company.id }, { token: repA.token });
    const employees = await api.get(`/contacts?companyId=${company.id}`, { token: manager.token });

    expect(created.status).toBe(201);
    expect(created.body.companyId).toBe(company.id);
    expect(idsOf(employees)).toEqual([created.body.id]);
  });

  it('R-CON-1 PATCH changes the named fields only and bumps the version', async () => {
    const contact = await createContact({ firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com', tags: ['Navy'] }, repA.token);

    const patched = await api.patch(`/contacts/${contact.id}`, { email: null, phone: '+1 555 0100', tags: ['Admiral', 'admiral'] }, { token: repA.token });

    expect(patched.status).toBe(200);
    expect(patched.headers.get('etag')).toBe('"2"');
    expect(patched.body).toMatchObject({ firstName: 'Grace', lastName: 'Hopper', email: null, phone: '+1 555 0100', tags: ['Admiral'], version: 2 });
  });

  it('R-CON-1 PATCH may not leave a contact without any name', async () => {
    const contact = await createContact({ firstName: 'Only' }, repA.token);
    const before = await api.tableSnapshot();

    const answer = await api.patch(`/contacts/${contact.id}`, { firstName: null }, { token: repA.token });

    expect(answer.status).toBe(400);
    expect(pathsOf(answer)).toEqual(['lastName']);
    expect(await api.tableSnapshot()).toEqual(before);
  });

});

describe('R-CON-1 contacts bad input', () => {
  it('R-CON-1 an unknown field is a 400 naming it', async () => {
    const before = await api.tableSnapshot();

    const answer = await api.post('/contacts', { lastName: 'X', prospectStatus: 'current' }, { token: repA.token });

    expect(answer.status).toBe(400);
    expect(pathsOf(answer)).toEqual(['prospectStatus']);
    expect(await api.tableSnapshot()).toEqual(before);
  });

  it('R-CON-1 two invalid fields are both listed', async () => {
    const answer = await api.post('/contacts', { lastName: 'X', email: 'not-an-email', phone: 'call me' }, { token: repA.token });

    expect(answer.status).toBe(400);
    expect(pathsOf(answer)).toEqual(['email', 'phone']);
  });

  it('R-CON-1 an unknown company, or one the rep cannot see, is a 400 on companyId', async () => {
    const ofB = await createCompany({ name: 'B Corp' }, repB.token);
    const before = await api.tableSnapshot();

    const unknown = await api.post('/contacts', { lastName: 'X', companyId: ulid() }, { token: repA.token });
    const hidden = await api.post('/contacts', { lastName: 'X', companyId: ofB.id }, { token: repA.token });

    for (const answer of [unknown, hidden]) {
      expect(answer.status).toBe(400);
      expect(pathsOf(answer)).toEqual(['companyId']);
    }
    expect(await api.tableSnapshot()).toEqual(before);
  });

  it('R-CON-1 owner, company and custom field errors are answered together in one 400', async () => {
    const contact = await createContact({ lastName: 'Target' }, manager.token);
    const before = await api.tableSnapshot();

    const created = await api.post('/contacts', { lastName: 'X', ownerId: ulid(), companyId: ulid(), customFields: { nope: 1 } }, { token: manager.token });
    const patched = await api.patch(`/contacts/${contact.id}`, { ownerId: ulid(), companyId: ulid(), customFields: { nope: 1 } }, { token: manager.token });

    for (const answer of [created, patched]) {
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('validation_failed');
      expect(pathsOf(answer)).toEqual(['companyId', 'customFields.nope', 'ownerId']);
    }
    expect(await api.tableSnapshot()).toEqual(before);
  });

});

describe('R-CON-1 contact custom fields', () => {
  it('R-CON-1 custom fields are validated, merged by PATCH (null removes) and hidden once their definition is deleted', async () => {
    const size = await api.post('/custom-fields', { entity: 'contact', key: 'size', label: 'Size', type: 'number' });
    const region = await api.post('/custom-fields', { entity: 'contact', key: 'region', label: 'Region', type: 'select', options: ['North', 'South'] });
    expect([size.status, region.status]).toEqual([201, 201]);
    const contact = await createContact({ lastName: 'Custom', customFields: { size: 10 } }, repA.token);
    const beforeRefusal = await api.tableSnapshot();

    const refused = await api.patch(`/contacts/${contact.id}`, { customFields: { size: 'big', region: 'East' } }, { token: repA.token });
    const afterRefusal = await api.tableSnapshot();
    const merged = await api.patch(`/contacts/${contact.id}`, { customFields: { region: 'North' } }, { token: repA.token });
    const removed = await api.patch(`/contacts/${contact.id}`, { customFields: { size: null } }, { token: repA.token });
    await api.delete(`/custom-fields/${region.body.id}`);
    const read = await api.get(`/contacts/${contact.id}`, { token: repA.token });

    expect(contact.customFields).toEqual({ size: 10 });
    expect(refused.status).toBe(400);
    expect(pathsOf(refused)).toEqual(['customFields.region', 'customFields.size']);
    expect(afterRefusal).toEqual(beforeRefusal);
    expect(merged.body.customFields).toEqual({ size: 10, region: 'North' });
    expect(removed.body.customFields).toEqual({ region: 'North' });
    expect(read.body.customFields).toEqual({});
  });
});

describe('R-CON-4 contact filters', () => {
  let repC: { id: string; token: string };
  let repD: { id: string; token: string };
  let companyX: { id: string };
  let companyY: { id: string };
  const made: Record<string, string> = {};
  const marker = ulid().slice(-8).toLowerCase();

  beforeAll(async () => {
    [repC, repD] = await Promise.all([api.createUser('rep'), api.createUser('rep')]);
    [companyX, companyY] = await Promise.all([createCompany({ name: 'X Ltd' }), createCompany({ name: 'Y Ltd' })]);
    made.c1 = (await createContact({ firstName: 'Zed', lastName: `Alpha${marker}`, ownerId: repC.id, companyId: companyX.id, tags: ['Gold'] })).id;
    made.c2 = (await createContact({ lastName: 'Beta', email: `beta.${marker}@Example.com`, ownerId: repC.id, companyId: companyY.id, tags: ['silver'] })).id;
    made.c3 = (await createContact({ lastName: 'Gamma', ownerId: repD.id, companyId: companyX.id, tags: ['GOLD'] })).id;
    made.c4 = (await createContact({ lastName: 'Delta', ownerId: repD.id })).id;
  });

  const list = async (query: string, token = manager.token) => {
    const answer = await api.get(`/contacts?${query}`, { token });
    expect(answer.status).toBe(200);
    return idsOf(answer);
  };
  const expected = (...names: string[]) => newestFirst(names.map((name) => made[name]!));

  it('R-CON-4 ownerId and companyId filters, single and comma lists', async () => {
    expect(await list(`ownerId=${repC.id}`)).toEqual(expected('c1', 'c2'));
    expect(await list(`companyId=${companyX.id}`)).toEqual(expected('c1', 'c3'));
    expect(await list(`companyId=${companyX.id}&ownerId=${repD.id}`)).toEqual(expected('c3'));
    expect(await list(`ownerId=${repC.id},${repD.id}`)).toEqual(expected('c1', 'c2', 'c3', 'c4'));
    expect(await list(`ownerId=${repC.id},${repD.id}&companyId=${companyX.id},${companyY.id}`)).toEqual(expected('c1', 'c2', 'c3'));
  });

  it('R-CON-4 tags match case-insensitively; a tag list matches any of them', async () => {
    expect(await list(`ownerId=${repC.id},${repD.id}&tag=gold`)).toEqual(expected('c1', 'c3'));
    expect(await list(`ownerId=${repC.id},${repD.id}&tag=gOLD,SILVER`)).toEqual(expected('c1', 'c2', 'c3'));
  });

  it('R-CON-4 q searches names and email case-insensitively, by the start of a word (issue 14)', async () => {
    expect(await list(`q=ALPHA${marker}`)).toEqual(expected('c1'));
    // "Alpha<marker>" does not start with the marker; the email's part after "beta." does.
    expect(await list(`q=${marker.toUpperCase()}`)).toEqual(expected('c2'));
    expect(await list(`q=beta.${marker}@example`)).toEqual(expected('c2'));
  });

  it('R-CON-4 status filters: every new contact is none/none', async () => {
    expect(await list(`ownerId=${repC.id}&prospectStatus=none&customerStatus=none,past`)).toEqual(expected('c1', 'c2'));
    expect(await list(`ownerId=${repC.id}&prospectStatus=current,lost`)).toEqual([]);
  });

  it('R-SHR-1 a rep\'s filters apply within its own contacts; naming another owner gives an empty page', async () => {
    const ownTagged = await list('tag=GOLD', repC.token);
    const othersOwner = await api.get(`/contacts?ownerId=${repD.id}`, { token: repC.token });
    const ownCompany = await list(`companyId=${companyX.id}`, repC.token);

    expect(ownTagged).toEqual(expected('c1'));
    expect(othersOwner.status).toBe(200);
    expect(othersOwner.body).toEqual({ items: [], nextCursor: null });
    expect(ownCompany).toEqual(expected('c1'));
  });

  it('R-CON-4 a bad filter value is a 400 listing each offending parameter', async () => {
    const answer = await api.get('/contacts?prospectStatus=maybe&ownerId=nope', { token: manager.token });

    expect(answer.status).toBe(400);
    expect(pathsOf(answer)).toEqual(['query.ownerId.0', 'query.prospectStatus.0']);
  });

  it('R-CON-4 limit 2 pages through a filtered list without gaps or repeats', async () => {
    const owner = await api.createUser('rep');
    const hits: string[] = [];
    for (let index = 0; index < 8; index++) {
      const tagged = [0, 2, 5, 7].includes(index);
      const contact = await createContact({ lastName: `Page ${index}`, tags: tagged ? ['Hit'] : ['Miss'] }, owner.token);
      if (tagged) hits.push(contact.id);
    }

    for (const [query, token] of [
      [`tag=hit&limit=2`, owner.token],
      [`ownerId=${owner.id}&tag=HIT&limit=2`, manager.token],
    ] as const) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const answer: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await api.get(
          `/contacts?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          { token },
        );
        expect(answer.status).toBe(200);
        expect(answer.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...idsOf(answer));
        cursor = answer.body.nextCursor;
        pages++;
      } while (cursor && pages < 10);

      expect(seen).toEqual(newestFirst(hits));
      expect(pages).toBeGreaterThanOrEqual(2);
    }
  });
});
