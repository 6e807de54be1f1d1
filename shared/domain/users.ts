import type { User } from '../schemas/users.ts';

import { conflict } from './errors.ts';

const isActiveAdmin = (user: Pick<User, 'role' | 'active'>) => user.role === 'admin' && user.active;

/**
 * The tenant's active admins after a user is created or changed (`before` absent: a creation); a change that would
 * leave none is refused (409 `last_admin`): a tenant always keeps one admin.
 */
export function activeAdminsAfter(admins: readonly string[], before: Pick<User, 'id' | 'role' | 'active'> | undefined, after: Pick<User, 'id' | 'role' | 'active'>): string[] {
  const others = admins.filter((id) => id !== after.id);
  const next = isActiveAdmin(after) ? [...others, after.id] : others;
  if (before && isActiveAdmin(before) && next.length === 0) throw conflict('last_admin', 'The tenant must keep at least one active admin');
  return next;
}

/** Whether the set of active admins changes. */
export const changesActiveAdmins = (before: Pick<User, 'role' | 'active'> | undefined, after: Pick<User, 'role' | 'active'>) =>
  (before ? isActiveAdmin(before) : false) !== isActiveAdmin(after);
