import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userModel } from '../../shared/db/keys.ts';
import type { DirectoryUser } from '../../shared/auth/user-directory.ts';
import { TestApi } from '../support/api.ts';
import { as, usersOf } from '../support/fixtures.ts';

/**
 * Issue 13 item 1 / SPEC §1: the stored user is the authority. A token issued before a deactivation or a demotion
 * no longer carries the powers it names (locally at once: the change is made in the same process; in AWS within the
 * authority's 30 s cache, test/unit/caller-authority.test.ts). And PATCH /users leaves no lasting disagreement
 * between the table and the sign-in directory when the directory fails.
 */

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(() => api?.stop());

describe('Issue 13 item 1: revocation applies to existing tokens', () => {
  it('item 1 a deactivated admin keeps its token but is refused (401): it cannot create an admin', async () => {
    const [admin] = await usersOf(api, 'admin');
    const before = await api.get('/me', as(admin));

    const deactivated = await api.patch(`/users/${admin.id}`, { active: false });
    const created = await api.post('/users', { email: 'new.admin@example.com', name: 'New admin', role: 'admin' }, as(admin));
    const read = await api.get('/me', as(admin));

    expect([before.status, deactivated.status]).toEqual([200, 200]);
    expect([created.status, created.body.code]).toEqual([401, 'unauthorized']);
    expect(read.status).toBe(401);
  });

  it('item 1 a demoted admin acts with its stored role (403 on admin routes), and a promotion applies the same way', async () => {
    const [admin, rep] = await usersOf(api, 'admin', 'rep');

    await api.patch(`/users/${admin.id}`, { role: 'rep' });
    await api.patch(`/users/${rep.id}`, { role: 'manager' });
    const demoted = await api.post('/users', { email: 'by.demoted@example.com', name: 'Nope', role: 'admin' }, as(admin));
    const demotedSees = await api.get('/me', as(admin));
    const promotedLists = await api.get(`/opportunities?ownerId=${admin.id}`, as(rep));

    expect([demoted.status, demoted.body.code]).toEqual([403, 'forbidden']);
    expect(demotedSees.body.role).toBe('rep');
    expect(promotedLists.status).toBe(200);
  });

  it('item 1 a reactivated user works again with the same token', async () => {
    const [rep] = await usersOf(api, 'rep');

    await api.patch(`/users/${rep.id}`, { active: false });
    const refused = await api.get('/me', as(rep));
    await api.patch(`/users/${rep.id}`, { active: true });
    const again = await api.get('/me', as(rep));

    expect([refused.status, again.status]).toEqual([401, 200]);
  });
});

describe('Issue 13 item 1: PATCH /users keeps the table and the sign-in directory in agreement', () => {
  it('item 1 a directory that fails: 503 directory_sync_pending, the table keeps the change marked; the same PATCH later repairs the directory and clears the mark', async () => {
    const directory = { down: false, calls: [] as DirectoryUser[], state: new Map<string, DirectoryUser>() };
    const faulty = await TestApi.start({
      context: {
        directory: {
          createUser: async (user) => void directory.state.set(user.userId, user),
          updateUser: async (user) => {
            directory.calls.push(user);
            if (directory.down) throw new Error('Cognito unavailable');
            directory.state.set(user.userId, user);
          },
        },
      },
    });
    try {
      const created = await faulty.post('/users', { email: 'gone@example.com', name: 'Gone', role: 'rep' });
      const token = await faulty.tokenFor(created.body.id);
      const marker = async () => {
        const { ctx } = faulty.runtime;
        const { Item: item } = await ctx.db.send(new GetCommand({ TableName: ctx.tableName, Key: userModel.key(created.body.id), ConsistentRead: true }));
        return [item?.active, item?.directorySync];
      };
      directory.down = true;

      const failed = await faulty.patch(`/users/${created.body.id}`, { active: false });
      const pending = await marker();
      const refusedMeanwhile = await faulty.get('/me', { token });
      directory.down = false;
      const repaired = await faulty.patch(`/users/${created.body.id}`, { active: false });

      expect([failed.status, failed.body.code]).toEqual([503, 'directory_sync_pending']);
      expect(directory.calls.length).toBe(3 + 1);
      expect(pending).toEqual([false, 'pending']);
      expect(refusedMeanwhile.status).toBe(401);
      expect(repaired.status).toBe(200);
      expect(repaired.body).not.toHaveProperty('directorySync');
      expect(directory.state.get(created.body.id)?.active).toBe(false);
      expect(await marker()).toEqual([false, undefined]);
    } finally {
      await faulty.stop();
    }
  });
});
