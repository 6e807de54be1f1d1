/** Who calls: a user and its role (SPEC §1). The HTTP layer builds it from a token; the domain decides with it. */
export const ROLES = ['admin', 'manager', 'rep'] as const;
export type Role = (typeof ROLES)[number];

export const EVERYONE: readonly Role[] = ROLES;
export const ADMIN_ONLY: readonly Role[] = ['admin'];
export const STAFF: readonly Role[] = ['admin', 'manager'];

export interface Principal {
  userId: string;
  role: Role;
}
