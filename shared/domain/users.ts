import type { User } from '../schemas/users.ts';

/** Whether a change takes away an active admin's rights (a tenant must always keep one admin). */
export function removesAnActiveAdmin(current: Pick<User, 'role' | 'active'>, change: Partial<Pick<User, 'role' | 'active'>>): boolean {
  const wasActiveAdmin = current.role === 'admin' && current.active;
  const staysActiveAdmin = (change.role ?? current.role) === 'admin' && (change.active ?? current.active);
  return wasActiveAdmin && !staysActiveAdmin;
}
