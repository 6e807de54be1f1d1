import type { PipelineSettings } from '../schemas/pipeline.ts';
import { seesEverything } from './access.ts';
import type { FieldError } from './errors.ts';
import type { Principal } from './principal.ts';

/** R-OPP-9: the owner, a manager or an admin shares and unshares; a rep it is only shared with may not. */
export const ownsOrManages = (principal: Principal, record: { ownerId: string }) => seesEverything(principal) || record.ownerId === principal.userId;

/** R-OPP-9: an opportunity is shared with an active user other than its owner. */
export function shareTargetErrors(record: { ownerId: string }, user: { id: string; active: boolean } | undefined): FieldError[] {
  if (!user || !user.active) return [{ path: 'userId', message: 'Must be an active user' }];
  if (user.id === record.ownerId) return [{ path: 'userId', message: 'The owner already sees its opportunity' }];
  return [];
}

/** A contact or a company an opportunity is for: what the sharing rules (§8) share along with the opportunity. */
export interface Party {
  collection: 'contacts' | 'companies';
  id: string;
}

/** R-SHR-2: an opportunity's contact and its company (each when it has one) follow it to the users who see it. */
export function partiesOf(opportunity: { contactId: string | null; companyId: string | null }): Party[] {
  return [
    ...(opportunity.contactId ? [{ collection: 'contacts' as const, id: opportunity.contactId }] : []),
    ...(opportunity.companyId ? [{ collection: 'companies' as const, id: opportunity.companyId }] : []),
  ];
}

/**
 * R-SHR-3: the party whose owner follows the opportunity's rep: its contact, or its company when it is for a
 * company alone (the company stands for the contact there, as in R-OPP-2's duplicate rule).
 */
export const primaryPartyOf = (opportunity: { contactId: string | null; companyId: string | null }): Party | undefined => partiesOf(opportunity)[0];

/** R-SHR-2: the parties an opportunity left and joined when a change moved it to another contact or company. */
export function partyMove(
  before: { contactId: string | null; companyId: string | null },
  after: { contactId: string | null; companyId: string | null },
): { left: Party[]; joined: Party[] } {
  const [was, is] = [partiesOf(before), partiesOf(after)];
  const notIn = (parties: readonly Party[]) => (party: Party) => !parties.some((other) => sameParty(other, party));
  return { left: was.filter(notIn(is)), joined: is.filter(notIn(was)) };
}

export const sameParty = (a: Party | undefined, b: Party | undefined) => a !== undefined && b !== undefined && a.collection === b.collection && a.id === b.id;

export interface PartyFollowPlan {
  /** R-SHR-3: the party's new owner. */
  newOwnerId?: string;
  /** R-SHR-2: share the party with the opportunity's (new) owner. */
  shareWith?: string;
  /** R-SHR-2: unshare the party from the previous owner unless it still sees another opportunity of it. */
  unshareCandidate?: string;
  /**
   * R-SHR-2 with R-SHR-3: the party's owner before `newOwnerId`, who keeps it shared if it still has an
   * opportunity of it (`shareContactWhenAssigned`): nobody works a deal whose contact it may not read.
   */
  keepSharedIfAssigned?: string;
}

type FollowSwitches = Pick<PipelineSettings['sharing'], 'syncContactOwner' | 'shareContactWhenAssigned' | 'unshareContactWhenUnassigned'>;

/**
 * R-SHR-2 / R-SHR-3 how one party follows its opportunity being created or reassigned: with `syncContactOwner`,
 * a creation makes the opportunity's rep the owner of its primary party; otherwise, with
 * `shareContactWhenAssigned`, the rep gets the party shared; with `unshareContactWhenUnassigned`, the previous
 * owner of a reassigned one may lose it.
 */
export function planPartyFollow(
  change: { kind: 'created' | 'reassigned'; opportunityOwnerId: string; fromOwnerId?: string | undefined },
  party: { ownerId: string; primary: boolean },
  sharing: FollowSwitches,
): PartyFollowPlan {
  const plan: PartyFollowPlan = {};
  const ownerDiffers = party.ownerId !== change.opportunityOwnerId;
  if (ownerDiffers && change.kind === 'created' && party.primary && sharing.syncContactOwner) {
    plan.newOwnerId = change.opportunityOwnerId;
    if (sharing.shareContactWhenAssigned) plan.keepSharedIfAssigned = party.ownerId;
  } else if (ownerDiffers && sharing.shareContactWhenAssigned) plan.shareWith = change.opportunityOwnerId;
  const from = change.fromOwnerId;
  if (change.kind === 'reassigned' && sharing.unshareContactWhenUnassigned && from && from !== party.ownerId && from !== change.opportunityOwnerId) {
    plan.unshareCandidate = from;
  }
  return plan;
}

/**
 * R-SHR-3: with `syncContactOwner` and `syncOwnerOfClosedLeads`, creating an opportunity also hands the primary
 * party's closed (won or lost) opportunities to its rep: the ids among `opportunities` to reassign.
 */
export function closedOpportunitiesToHandOver(
  created: { id: string; ownerId: string; contactId: string | null; companyId: string | null },
  opportunities: readonly { id: string; ownerId: string; status: 'open' | 'won' | 'lost'; contactId: string | null; companyId: string | null }[],
  sharing: Pick<PipelineSettings['sharing'], 'syncContactOwner' | 'syncOwnerOfClosedLeads'>,
): string[] {
  if (!sharing.syncContactOwner || !sharing.syncOwnerOfClosedLeads) return [];
  const party = primaryPartyOf(created);
  return opportunities
    .filter((other) => other.id !== created.id && other.status !== 'open' && other.ownerId !== created.ownerId && sameParty(primaryPartyOf(other), party))
    .map((other) => other.id);
}

/** Who saw a removed (deleted or merged-away) opportunity: its owner and the users it was shared with. */
export interface RemovedSight {
  ownerId: string;
  sharedWith: readonly string[];
}

/**
 * R-SHR-2 once an opportunity is gone: the users who may lose its parties' shares (still only if they see no
 * other opportunity of the party): the users it was shared with under `unshareContactWhenUnshared`, its owner
 * under `unshareContactWhenUnassigned`; never the party's own owner.
 */
export function unshareCandidatesAfterRemoval(
  removed: RemovedSight,
  partyOwnerId: string,
  sharing: Pick<PipelineSettings['sharing'], 'unshareContactWhenUnshared' | 'unshareContactWhenUnassigned'>,
): string[] {
  const candidates = [...(sharing.unshareContactWhenUnshared ? removed.sharedWith : []), ...(sharing.unshareContactWhenUnassigned ? [removed.ownerId] : [])];
  return [...new Set(candidates)].filter((userId) => userId !== partyOwnerId);
}

/**
 * R-OPP-8 with R-SHR-1: the survivor of a merge is shared with everyone who saw a merged-away opportunity (its
 * owner, its shares), so that nobody loses sight of a deal because it was merged into someone else's.
 */
export function survivorSharesAfterMerge(survivor: { ownerId: string }, removed: readonly RemovedSight[]): string[] {
  const users = removed.flatMap((sight) => [sight.ownerId, ...sight.sharedWith]);
  return [...new Set(users)].filter((userId) => userId !== survivor.ownerId);
}
