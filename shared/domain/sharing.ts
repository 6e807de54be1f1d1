import type { FieldError } from '../http/problem.ts';
import type { Principal } from '../http/route.ts';
import type { PipelineSettings } from '../schemas/pipeline.ts';
import { seesEverything } from './access.ts';

/** R-OPP-9: the owner, a manager or an admin shares and unshares; a rep it is only shared with may not. */
export const ownsOrManages = (principal: Principal, record: { ownerId: string }) => seesEverything(principal) || record.ownerId === principal.userId;

/** R-OPP-9: an opportunity is shared with an active user other than its owner. */
export function shareTargetErrors(record: { ownerId: string }, user: { id: string; active: boolean } | undefined): FieldError[] {
  if (!user || !user.active) return [{ path: 'userId', message: 'Must be an active user' }];
  if (user.id === record.ownerId) return [{ path: 'userId', message: 'The owner already sees its opportunity' }];
  return [];
}

export interface ContactFollowPlan {
  /** R-SHR-3: the contact's new owner. */
  newOwnerId?: string;
  /** R-SHR-2: share the contact with the opportunity's (new) owner. */
  shareWith?: string;
  /** R-SHR-2: unshare the contact from the previous owner unless it still sees another opportunity of it. */
  unshareCandidate?: string;
}

/**
 * R-SHR-2 / R-SHR-3 how a contact follows its opportunity being created or reassigned: with `syncContactOwner`,
 * a creation makes the opportunity's rep the contact's owner; otherwise, with `shareContactWhenAssigned`, the
 * rep gets the contact shared; with `unshareContactWhenUnassigned`, the previous owner of a reassigned one may
 * lose it.
 */
export function planContactFollow(
  change: { kind: 'created' | 'reassigned'; opportunityOwnerId: string; fromOwnerId?: string | undefined },
  contactOwnerId: string,
  sharing: Pick<PipelineSettings['sharing'], 'syncContactOwner' | 'shareContactWhenAssigned' | 'unshareContactWhenUnassigned'>,
): ContactFollowPlan {
  const plan: ContactFollowPlan = {};
  const ownerDiffers = contactOwnerId !== change.opportunityOwnerId;
  if (ownerDiffers && change.kind === 'created' && sharing.syncContactOwner) plan.newOwnerId = change.opportunityOwnerId;
  else if (ownerDiffers && sharing.shareContactWhenAssigned) plan.shareWith = change.opportunityOwnerId;
  const from = change.fromOwnerId;
  if (change.kind === 'reassigned' && sharing.unshareContactWhenUnassigned && from && from !== contactOwnerId && from !== change.opportunityOwnerId) {
    plan.unshareCandidate = from;
  }
  return plan;
}
