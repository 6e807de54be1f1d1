import type { AppContext } from '../../app-context.ts';
import { activeAdminsKey } from '../keys.ts';
import { putItem } from '../store.ts';
import { allUsers } from '../users.ts';
import type { Migration } from './types.ts';

/**
 * 1 → 2. Since commit cbde2b0 the table holds the active admins' guard (ACTIVEADMINS/GUARD: their ids and a
 * version), written with every change that makes or unmakes an active admin. A table from before has none, and
 * every such change counts every user again; the guard is written from the users as they are, unless a change
 * wrote it meanwhile (the condition).
 */
export const activeAdminsGuard: Migration = {
  id: 2,
  name: 'active-admins-guard',
  description: "the active admins' guard item (since cbde2b0) is written for tables from before it",
  afterScan: async (ctx: AppContext) => {
    const ids = (await allUsers(ctx)).filter((user) => user.role === 'admin' && user.active).map((user) => user.id);
    await putItem(ctx, { ...activeAdminsKey, ids, version: 1 }, { expression: 'attribute_not_exists(PK)' });
  },
};
