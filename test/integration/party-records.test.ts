import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';
import { as, created, expectNothingWritten, idsOf, pathsOf, usersOf, type Caller } from '../support/fixtures.ts';

/**
 * What contacts and companies share (R-CON-1, R-SHR-1, SPEC §1): the same CRUD rules, checked once for each.
 * What only one of them has (employees, names, domains, filters) stays in contacts.test.ts and companies.test.ts.
 */

interface PartyKind {
  collection: 'contacts' | 'companies';
  /** The field an opportunity names it by. */
  opportunityField: 'contactId' | 'companyId';
  /** A valid creation body, named `label`. */
  body: (label: string) => Record<string, unknown>;
  /** A valid change of a data field, and that field. */
  change: (label: string) => Record<string, unknown>;
}

const KINDS: PartyKind[] = [
  { collection: 'contacts', opportunityField: 'contactId', body: (label) => ({ lastName: label }), change: (label) => ({ firstName: label }) },
  { collection: 'companies', opportunityField: 'companyId', body: (label) => ({ name: label }), change: (label) => ({ name: label }) },
];

let api: TestApi;
let repA: Caller;
let repB: Caller;
let manager: Caller;

beforeAll(async () => {
  api = await TestApi.start();
  [repA, repB, manager] = await usersOf(api, 'rep', 'rep', 'manager');
});
afterAll(() => api?.stop());

describe.each(KINDS)('R-CON-1 $collection', (kind) => {
  const path = `/${kind.collection}`;
  const createOne = (label: string, caller: Caller, fields: Record<string, unknown> = {}) => created(api, path, { ...kind.body(label), ...fields }, caller);

  it(`R-CON-1 DELETE answers 204 and the record is gone`, async () => {
    const record = await createOne('Temporary', repA);

    const deleted = await api.delete(`${path}/${record.id}`, as(repA));
    const read = await api.get(`${path}/${record.id}`, as(repA));

    expect(deleted.status).toBe(204);
    expect(read.status).toBe(404);
  });

  it('R-CON-1 one with opportunities cannot be deleted (409 has_opportunities) and stays', async () => {
    const record = await createOne('Customer', repA);
    await created(api, '/opportunities', { title: 'Deal', [kind.opportunityField]: record.id }, repA);

    await expectNothingWritten(api, async () => {
      const answer = await api.delete(`${path}/${record.id}`, as(repA));

      expect(answer.status).toBe(409);
      expect(answer.body.code).toBe('has_opportunities');
    });
  });

  it('SPEC §1 If-Match: a stale version on PATCH or DELETE is a 412 and changes nothing; the current one is accepted', async () => {
    const record = await createOne('Versioned', repA);
    await api.patch(`${path}/${record.id}`, kind.change('First'), as(repA));

    await expectNothingWritten(api, async () => {
      const stalePatch = await api.patch(`${path}/${record.id}`, kind.change('Second'), { ...as(repA), headers: { 'if-match': '"1"' } });
      const staleDelete = await api.delete(`${path}/${record.id}`, { ...as(repA), headers: { 'if-match': '"1"' } });

      expect(stalePatch.status).toBe(412);
      expect(staleDelete.status).toBe(412);
    });
    const freshPatch = await api.patch(`${path}/${record.id}`, kind.change('Third'), { ...as(repA), headers: { 'if-match': '"2"' } });
    expect(freshPatch.status).toBe(200);
    expect(freshPatch.body).toMatchObject({ ...kind.change('Third'), version: 3 });
  });

  it("R-SHR-1 a rep cannot list, read, change or delete another rep's record (404); a manager sees both", async () => {
    const ofA = await createOne('OfA', repA);
    const ofB = await createOne('OfB', repB);

    const listByA = await api.get(`${path}?limit=100`, as(repA));
    await expectNothingWritten(api, async () => {
      const refusals = [
        await api.get(`${path}/${ofB.id}`, as(repA)),
        await api.patch(`${path}/${ofB.id}`, kind.change('Stolen'), as(repA)),
        await api.delete(`${path}/${ofB.id}`, as(repA)),
      ];
      for (const answer of refusals) {
        expect(answer.status).toBe(404);
        expect(answer.body.code).toBe('not_found');
      }
    });
    const listByManager = await api.get(`${path}?limit=100`, as(manager));
    const readByManager = await api.get(`${path}/${ofB.id}`, as(manager));

    expect(idsOf(listByA)).toContain(ofA.id);
    expect(idsOf(listByA)).not.toContain(ofB.id);
    expect(listByA.body.items.every((item: { ownerId: string }) => item.ownerId === repA.id)).toBe(true);
    expect(idsOf(listByManager)).toEqual(expect.arrayContaining([ofA.id, ofB.id]));
    expect(readByManager.status).toBe(200);
  });

  it('R-SHR-1 a rep creating one for another owner is a 403 and writes nothing', async () => {
    await expectNothingWritten(api, async () => {
      const answer = await api.post(path, { ...kind.body('Gift'), ownerId: repB.id }, as(repA));

      expect(answer.status).toBe(403);
      expect(answer.body.code).toBe('forbidden');
    });
  });

  it('R-SHR-1 a manager creates one for a rep, who then sees it', async () => {
    const answer = await api.post(path, { ...kind.body('Assigned'), ownerId: repB.id }, as(manager));
    const readByB = await api.get(`${path}/${answer.body.id}`, as(repB));

    expect(answer.status).toBe(201);
    expect(answer.body.ownerId).toBe(repB.id);
    expect(readByB.status).toBe(200);
  });

  it('R-SHR-1 a rep hands its own record to another rep and then no longer sees it', async () => {
    const record = await createOne('Handover', repA);

    const handed = await api.patch(`${path}/${record.id}`, { ownerId: repB.id }, as(repA));
    const readByA = await api.get(`${path}/${record.id}`, as(repA));
    const readByB = await api.get(`${path}/${record.id}`, as(repB));

    expect(handed.status).toBe(200);
    expect(handed.body.ownerId).toBe(repB.id);
    expect(readByA.status).toBe(404);
    expect(readByB.status).toBe(200);
  });

  it('R-CON-1 the owner must be an active user, on create and on reassignment (400 on ownerId)', async () => {
    const inactive = await api.createUser('rep');
    await api.patch(`/users/${inactive.id}`, { active: false });
    const record = await createOne('Kept', manager);

    await expectNothingWritten(api, async () => {
      const answers = [
        await api.post(path, { ...kind.body('X'), ownerId: ulid() }, as(manager)),
        await api.post(path, { ...kind.body('X'), ownerId: inactive.id }, as(manager)),
        await api.patch(`${path}/${record.id}`, { ownerId: inactive.id }, as(manager)),
        await api.patch(`${path}/${record.id}`, { ownerId: ulid() }, as(manager)),
      ];
      for (const answer of answers) {
        expect(answer.status).toBe(400);
        expect(pathsOf(answer)).toEqual(['ownerId']);
      }
    });
  });
});
