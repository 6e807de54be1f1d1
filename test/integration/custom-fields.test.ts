import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';
import { created, expectNothingWritten, newContact } from '../support/fixtures.ts';

let api: TestApi;
let rep: { id: string; token: string };
let manager: { id: string; token: string };

beforeAll(async () => {
  api = await TestApi.start();
  rep = await api.createUser('rep');
  manager = await api.createUser('manager');
});
afterAll(() => api?.stop());

const UNKNOWN_ID = '01J0000000000000000000000Z';
const keysOf = (answer: { body: { items: { key: string }[] } }) => answer.body.items.map((item) => item.key);

describe('R-CFG-4 custom field definitions', () => {
  it('R-CFG-4 an admin defines fields; everyone lists them, all or per entity', async () => {
    const text = await api.post('/custom-fields', { entity: 'contact', key: 'linkedin', label: 'LinkedIn', type: 'text' });
    const select = await api.post('/custom-fields', { entity: 'opportunity', key: 'segment', label: 'Segment', type: 'select', options: ['SMB', 'Enterprise'] });

    const contactFields = await api.get('/custom-fields?entity=contact', { token: rep.token });
    const allFields = await api.get('/custom-fields?limit=100', { token: manager.token });

    expect(text.status).toBe(201);
    expect(text.headers.get('etag')).toBe('"1"');
    expect(text.body).toMatchObject({ entity: 'contact', key: 'linkedin', label: 'LinkedIn', type: 'text', version: 1 });
    expect(text.body).not.toHaveProperty('options');
    expect(select.body).toMatchObject({ type: 'select', options: ['SMB', 'Enterprise'] });
    expect(contactFields.status).toBe(200);
    expect(keysOf(contactFields)).toEqual(['linkedin']);
    expect(keysOf(allFields)).toEqual(expect.arrayContaining(['linkedin', 'segment']));
  });

  it('R-CFG-4 a second field with the same key on the same entity is a 409 and writes nothing; another entity may reuse it', async () => {
    await api.post('/custom-fields', { entity: 'company', key: 'industry', label: 'Industry', type: 'text' });
    const before = await api.tableSnapshot();

    const duplicate = await api.post('/custom-fields', { entity: 'company', key: 'industry', label: 'Sector', type: 'number' });
    const afterDuplicate = await api.tableSnapshot();
    const otherEntity = await api.post('/custom-fields', { entity: 'lead', key: 'industry', label: 'Industry', type: 'text' });

    expect(duplicate.status).toBe(409);
    expect(duplicate.body.code).toBe('duplicate_custom_field');
    expect(afterDuplicate).toEqual(before);
    expect(otherEntity.status).toBe(201);
  });

  it('R-CFG-4 a select field needs options and other types may not have any', async () => {
    const before = await api.tableSnapshot();

    const selectWithout = await api.post('/custom-fields', { entity: 'contact', key: 'tier', label: 'Tier', type: 'select' });
    const selectEmpty = await api.post('/custom-fields', { entity: 'contact', key: 'tier', label: 'Tier', type: 'select', options: [] });
    const numberWith = await api.post('/custom-fields', { entity: 'contact', key: 'score', label: 'Score', type: 'number', options: ['1'] });

    for (const answer of [selectWithout, selectEmpty, numberWith]) {
      expect(answer.status).toBe(400);
      expect(answer.body.errors.map((error: { path: string }) => error.path)).toEqual(['options']);
    }
    expect(await api.tableSnapshot()).toEqual(before);
  });

  it('R-CFG-4 a key must match ^[a-z][a-z0-9_]{0,39}$ and the type must be known (both listed)', async () => {
    const answer = await api.post('/custom-fields', { entity: 'contact', key: 'Bad-Key', label: 'Bad', type: 'money' });

    expect(answer.status).toBe(400);
    expect(answer.body.errors.map((error: { path: string }) => error.path).sort()).toEqual(['key', 'type']);
  });

  it('R-CFG-4 an admin changes the label and the options of a select field; key, type and entity stay', async () => {
    const created = await api.post('/custom-fields', { entity: 'contact', key: 'source_detail', label: 'Source', type: 'select', options: ['Fair'] });

    const changed = await api.patch(`/custom-fields/${created.body.id}`, { label: 'Source detail', options: ['Fair', 'Web'] });
    const emptied = await api.patch(`/custom-fields/${created.body.id}`, { options: [] });
    const retyped = await api.patch(`/custom-fields/${created.body.id}`, { type: 'text' });
    const stale = await api.patch(`/custom-fields/${created.body.id}`, { label: 'Old' }, { headers: { 'if-match': '"1"' } });

    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ key: 'source_detail', entity: 'contact', type: 'select', label: 'Source detail', options: ['Fair', 'Web'], version: 2 });
    expect(emptied.status).toBe(400);
    expect(retyped.status).toBe(400);
    expect(retyped.body.errors).toEqual([{ path: 'type', message: 'Unknown field' }]);
    expect(stale.status).toBe(412);
  });

  it('R-CFG-4 options cannot be given to a field that is not a select (400, nothing changed)', async () => {
    const created = await api.post('/custom-fields', { entity: 'company', key: 'employees', label: 'Employees', type: 'number' });
    const before = await api.tableSnapshot();

    const answer = await api.patch(`/custom-fields/${created.body.id}`, { label: 'Staff', options: ['10'] });

    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([{ path: 'options', message: 'Only a select field has options' }]);
    expect(await api.tableSnapshot()).toEqual(before);
  });

  it('R-CFG-4 deleting a definition removes it from the lists and frees its key', async () => {
    const created = await api.post('/custom-fields', { entity: 'opportunity', key: 'budget_code', label: 'Budget code', type: 'text' });

    const deleted = await api.delete(`/custom-fields/${created.body.id}`);
    const listed = await api.get('/custom-fields?entity=opportunity&limit=100');
    const again = await api.post('/custom-fields', { entity: 'opportunity', key: 'budget_code', label: 'Budget code', type: 'number' });
    const deletedTwice = await api.delete(`/custom-fields/${created.body.id}`);

    expect(deleted.status).toBe(204);
    expect(listed.body.items.map((item: { id: string }) => item.id)).not.toContain(created.body.id);
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ key: 'budget_code', type: 'number' });
    expect(deletedTwice.status).toBe(404);
  });

  it('R-CFG-4 reps and managers read definitions but may not change them', async () => {
    const created = await api.post('/custom-fields', { entity: 'lead', key: 'campaign', label: 'Campaign', type: 'text' });
    const before = await api.tableSnapshot();

    const refused = await Promise.all([
      api.post('/custom-fields', { entity: 'lead', key: 'other', label: 'Other', type: 'text' }, { token: manager.token }),
      api.patch(`/custom-fields/${created.body.id}`, { label: 'X' }, { token: rep.token }),
      api.delete(`/custom-fields/${created.body.id}`, { token: manager.token }),
    ]);
    const listByRep = await api.get('/custom-fields?entity=lead', { token: rep.token });

    expect(refused.map((answer) => answer.status)).toEqual([403, 403, 403]);
    expect(await api.tableSnapshot()).toEqual(before);
    expect(keysOf(listByRep)).toContain('campaign');
  });

  it('R-CFG-4 SPEC §1 anyone reads one definition with its ETag, the If-Match of its next change', async () => {
    const created = await api.post('/custom-fields', { entity: 'company', key: 'tier', label: 'Tier', type: 'text' });
    await api.patch(`/custom-fields/${created.body.id}`, { label: 'Account tier' });

    const read = await api.get(`/custom-fields/${created.body.id}`, { token: rep.token });
    const changed = await api.patch(`/custom-fields/${created.body.id}`, { label: 'Tier' }, { headers: { 'if-match': read.headers.get('etag')! } });

    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: created.body.id, key: 'tier', label: 'Account tier', version: 2 });
    expect(read.headers.get('etag')).toBe('"2"');
    expect(changed.body).toMatchObject({ label: 'Tier', version: 3 });
    expect((await api.get(`/custom-fields/${UNKNOWN_ID}`)).status).toBe(404);
  });

  it('R-CFG-4 SPEC §1 a comma list of entities is "is in": ?entity=contact,lead lists the fields of both, page after page', async () => {
    await api.post('/custom-fields', { entity: 'contact', key: 'in_list_contact', label: 'In list', type: 'text' });
    await api.post('/custom-fields', { entity: 'lead', key: 'in_list_lead', label: 'In list', type: 'text' });
    await api.post('/custom-fields', { entity: 'company', key: 'in_list_company', label: 'In list', type: 'text' });

    const seen: { entity: string; key: string }[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: { entity: string; key: string }[]; nextCursor: string | null } } = await api.get(`/custom-fields?entity=contact,lead&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);

    expect(new Set(seen.map((field) => field.entity))).toEqual(new Set(['contact', 'lead']));
    expect(seen.map((field) => field.key)).toEqual(expect.arrayContaining(['in_list_contact', 'in_list_lead']));
    expect(seen.map((field) => field.key)).not.toContain('in_list_company');
    expect(new Set(seen.map((field) => field.key)).size).toBe(seen.length);
  });

  it('R-CFG-4 SPEC §1 a custom field value that is an object or a list is a 400 saying in plain words what a value may be', async () => {
    const before = await api.tableSnapshot();

    const answer = await api.post('/contacts', { lastName: 'Nested', customFields: { linkedin: { url: 'x' }, tiers: [1] } });

    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([
      { path: 'customFields.linkedin', message: 'A text, a number, true or false, or null' },
      { path: 'customFields.tiers', message: 'A text, a number, true or false, or null' },
    ]);
    expect(await api.tableSnapshot()).toEqual(before);
  });

  it('R-CFG-4 an unknown entity filter is a 400 and an unknown id a 404', async () => {
    const badEntity = await api.get('/custom-fields?entity=invoice');
    const unknown = await api.patch(`/custom-fields/${UNKNOWN_ID}`, { label: 'X' });

    expect(badEntity.status).toBe(400);
    expect(unknown.status).toBe(404);
  });
});

/** The records with custom fields (R-CFG-4): how to make one, and a change of anything but its custom fields. */
const RECORD_FAMILIES = [
  { entity: 'contact', path: '/contacts', body: { lastName: 'Scored' }, unrelated: { lastName: 'Renamed' } },
  { entity: 'company', path: '/companies', body: { name: 'Scored Ltd' }, unrelated: { name: 'Renamed Ltd' } },
  { entity: 'opportunity', path: '/opportunities', body: { title: 'Scored deal' }, unrelated: { title: 'Renamed deal' } },
  { entity: 'lead', path: '/leads', body: { name: 'Scored lead' }, unrelated: { name: 'Renamed lead' } },
] as const;

async function recordBody(family: (typeof RECORD_FAMILIES)[number]): Promise<Record<string, unknown>> {
  return family.entity === 'opportunity' ? { ...family.body, contactId: await newContact(api) } : { ...family.body };
}

describe('R-CFG-4 a record shows a custom value only while the current definition of its key accepts it', () => {
  it.each(RECORD_FAMILIES)('R-CFG-4 $entity: a key deleted and defined again with another type does not bring back the old value, on reads and on later writes', async (family) => {
    const number = await api.post('/custom-fields', { entity: family.entity, key: 'points', label: 'Points', type: 'number' });
    const record = await created(api, family.path, { ...(await recordBody(family)), customFields: { points: 42 } });
    const url = `${family.path}/${record.id}`;

    const deleted = await api.delete(`/custom-fields/${number.body.id}`);
    const readAfterDelete = await api.get(url);
    const select = await api.post('/custom-fields', { entity: family.entity, key: 'points', label: 'P', type: 'select', options: ['low', 'high'] });
    const read = await api.get(url);
    const listed = await api.get(`${family.path}?id=${record.id}`);
    const unrelated = await api.patch(url, family.unrelated);
    const readAfterPatch = await api.get(url);
    const set = await api.patch(url, { customFields: { points: 'high' } });

    expect(record.customFields).toEqual({ points: 42 });
    expect([deleted.status, select.status]).toEqual([204, 201]);
    expect(readAfterDelete.body.customFields).toEqual({});
    expect(read.status).toBe(200);
    expect(read.body.customFields).toEqual({});
    expect(listed.body.items.map((item: { customFields: unknown }) => item.customFields)).toEqual([{}]);
    expect(unrelated.status).toBe(200);
    expect(unrelated.body).toMatchObject(family.unrelated);
    expect(unrelated.body.customFields).toEqual({});
    expect(readAfterPatch.body.customFields).toEqual({});
    expect(set.status).toBe(200);
    expect(set.body.customFields).toEqual({ points: 'high' });
    expect((await api.get(url)).body.customFields).toEqual({ points: 'high' });
  });

  it('R-CFG-4 a select value whose option was removed is hidden, and shown again once the option is back', async () => {
    const field = await api.post('/custom-fields', { entity: 'contact', key: 'grade', label: 'Grade', type: 'select', options: ['a', 'b'] });
    const contact = await created(api, '/contacts', { lastName: 'Graded', customFields: { grade: 'b' } });

    await api.patch(`/custom-fields/${field.body.id}`, { options: ['a'] });
    const withoutOption = await api.get(`/contacts/${contact.id}`);
    const patched = await api.patch(`/contacts/${contact.id}`, { firstName: 'Gina' });
    await api.patch(`/custom-fields/${field.body.id}`, { options: ['a', 'b'] });
    const withOption = await api.get(`/contacts/${contact.id}`);

    expect(contact.customFields).toEqual({ grade: 'b' });
    expect(withoutOption.body.customFields).toEqual({});
    expect(patched.body.customFields).toEqual({});
    expect(withOption.body.customFields).toEqual({ grade: 'b' });
  });
});

describe('R-CFG-4 SPEC §1 a tag cannot contain a comma (a comma in ?tag= means "is in")', () => {
  let targets: { path: string; id: string }[];

  beforeAll(async () => {
    targets = await Promise.all(RECORD_FAMILIES.map(async (family) => ({ path: family.path, id: (await created(api, family.path, await recordBody(family))).id })));
  });

  it.each(RECORD_FAMILIES.map((family) => family.path))('R-CFG-4 POST and PATCH %s with a tag holding a comma are a 400 at tags.1 and write nothing', async (path) => {
    const family = RECORD_FAMILIES.find((candidate) => candidate.path === path)!;
    const target = targets.find((candidate) => candidate.path === path)!;
    const body = await recordBody(family);
    const answers: { status: number; body: { errors: { path: string; message: string }[] } }[] = [];

    await expectNothingWritten(api, async () => {
      answers.push(await api.post(path, { ...body, tags: ['fine', 'a,b'] }));
      answers.push(await api.patch(`${path}/${target.id}`, { tags: ['fine', ' , '] }));
    });
    const withoutComma = await api.patch(`${path}/${target.id}`, { tags: ['a b', 'c;d'] });

    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toEqual([{ path: 'tags.1', message: 'A tag cannot contain a comma' }]);
    }
    expect(withoutComma.status).toBe(200);
    expect(withoutComma.body.tags).toEqual(['a b', 'c;d']);
  });
});
