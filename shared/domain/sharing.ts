import type { FieldError } from '../http/problem.ts';
import type { Principal } from '../http/route.ts';
import { seesEverything } from './access.ts';

/** R-OPP-9: the owner, a manager or an admin shares and unshares; a rep it is only shared with may not. */
export const ownsOrManages = (principal: Principal, record: { ownerId: string }) => seesEverything(principal) || record.ownerId === principal.userId;

/** R-OPP-9: an opportunity is shared with an active user other than its owner. */
export function shareTargetErrors(record: { ownerId: string }, user: { id: string; active: boolean } | undefined): FieldError[] {
  if (!user || !user.active) return [{ path: 'userId', message: 'Must be an active user' }];
  if (user.id === record.ownerId) return [{ path: 'userId', message: 'The owner already sees its opportunity' }];
  return [];
}

