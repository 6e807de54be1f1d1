import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contracts } from '../../shared/contracts/index.ts';
import { TestApi } from '../support/api.ts';

const { createGroup, getGroup, listGroups, updateGroup } = contracts;

let api: TestApi;
let rep: { id: string; token: string };
let otherRep: { id: string; token: string };
let manager: { id: string; token: string };

beforeAll(async () => {
  api = await TestApi.start();
  rep = await api.createUser('rep');
  otherRep = await api.createUser('rep');
  manager = await api.createUser('manager');
});
afterAll(() => api?.stop());

const UNKNOWN_USER = '01J0000000000000000000000Z';
const OTHER_UNKNOWN_USER = '01J0000000000000000000000Y';

describe('R-CFG-5 groups', () => {
  it('R-CFG-5 an admin creates a group of existing users; a member listed twice is kept once', async () => {
    const created = await api.call(createGroup, { body: { name: 'Sales reps', memberIds: [rep.id, otherRep.id, rep.id] } });
    const read = await api.call(getGroup, { params: { id: created.body.id }, token: rep.token });
    const listed = await api.call(listGroups, { token: manager.token });

    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toMatchObject({ name: 'Sales reps', memberIds: [rep.id, otherRep.id], version: 1 });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
    expect(listed.body.items.map((group) => group.id)).toContain(created.body.id);
  });

  it('R-CFG-5 a group without members is allowed', async () => {
    const created = await api.call(createGroup, { body: { name: 'Empty for now' } });

    expect(created.status).toBe(201);
    expect(created.body.memberIds).toEqual([]);
  });

  it('R-CFG-5 unknown members are listed by position (400) and nothing is written', async () => {
    const before = await api.tableSnapshot();

    const answer = await api.call(createGroup, { body: { name: 'Ghosts', memberIds: [rep.id, UNKNOWN_USER, otherRep.id, OTHER_UNKNOWN_USER] } });

    expect(answer.status).toBe(400);
    expect(answer.problem?.errors).toEqual([
      { path: 'memberIds.1', message: 'Unknown user' },
      { path: 'memberIds.3', message: 'Unknown user' },
    ]);
    expect(await api.tableSnapshot()).toEqual(before);
  });

  it('R-CFG-5 an admin renames a group or replaces its members; an unknown member changes nothing', async () => {
    const created = await api.call(createGroup, { body: { name: 'Team A', memberIds: [rep.id] } });

    const renamed = await api.call(updateGroup, { params: { id: created.body.id }, body: { name: 'Team Alpha' } });
    const replaced = await api.call(updateGroup, { params: { id: created.body.id }, body: { memberIds: [otherRep.id, manager.id, otherRep.id] } });
    const refused = await api.call(updateGroup, { params: { id: created.body.id }, body: { memberIds: [UNKNOWN_USER] } });
    const current = await api.call(getGroup, { params: { id: created.body.id } });

    expect(renamed.body).toMatchObject({ name: 'Team Alpha', memberIds: [rep.id], version: 2 });
    expect(replaced.body).toMatchObject({ name: 'Team Alpha', memberIds: [otherRep.id, manager.id], version: 3 });
    expect(refused.status).toBe(400);
    expect(refused.problem?.errors).toEqual([{ path: 'memberIds.0', message: 'Unknown user' }]);
    expect(current.body).toMatchObject({ memberIds: [otherRep.id, manager.id], version: 3 });
  });

  it('SPEC §1 If-Match: a stale version is a 412 and changes nothing', async () => {
    const created = await api.call(createGroup, { body: { name: 'Versioned' } });
    await api.call(updateGroup, { params: { id: created.body.id }, body: { name: 'Versioned 2' } });

    const stale = await api.call(updateGroup, { params: { id: created.body.id }, body: { name: 'Versioned 3' }, headers: { 'if-match': '"1"' } });
    const current = await api.call(getGroup, { params: { id: created.body.id } });

    expect(stale.status).toBe(412);
    expect(current.body.name).toBe('Versioned 2');
  });

  it('R-CFG-5 reps and managers read groups but may not create or change them', async () => {
    const created = await api.call(createGroup, { body: { name: 'Locked' } });
    const before = await api.tableSnapshot();

    const refused = await Promise.all([
      api.call(createGroup, { body: { name: 'Mine' }, token: rep.token }),
      api.call(createGroup, { body: { name: 'Mine' }, token: manager.token }),
      api.call(updateGroup, { params: { id: created.body.id }, body: { name: 'Taken' }, token: manager.token }),
    ]);
    const readByRep = await api.call(getGroup, { params: { id: created.body.id }, token: rep.token });

    expect(refused.map((answer) => answer.status)).toEqual([403, 403, 403]);
    expect(await api.tableSnapshot()).toEqual(before);
    expect(readByRep.status).toBe(200);
  });

  it('R-CFG-5 an unknown group is a 404, even when the change itself is invalid', async () => {
    const read = await api.call(getGroup, { params: { id: '01J0000000000000000000000X' } });
    const patched = await api.call(updateGroup, { params: { id: '01J0000000000000000000000X' }, body: { memberIds: [UNKNOWN_USER] } });

    expect(read.status).toBe(404);
    expect(patched.status).toBe(404);
  });
});
