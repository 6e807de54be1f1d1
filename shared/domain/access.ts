import type { Principal } from './principal.ts';

/** Managers and admins see and edit every record (SPEC §1 roles). */
export const seesEverything = (principal: Principal) => principal.role === 'admin' || principal.role === 'manager';

/** R-SHR-1, owner case: a rep sees what it owns. */
export const canSeeOwned = (principal: Principal) => (record: { ownerId: string }) =>
  seesEverything(principal) || record.ownerId === principal.userId;
