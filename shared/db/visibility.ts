import type { AppContext } from '../app-context.ts';
import { seesEverything } from '../domain/access.ts';
import { ownsOrManages } from '../domain/sharing.ts';
import { shareKey, type SharedCollection } from './keys.ts';
import { isGrantedTo } from './post-sale-grants.ts';
import { getItem } from './store.ts';
import { forbidden } from '../domain/errors.ts';
import type { Principal } from '../domain/principal.ts';

type OwnedRecord = { id: string; ownerId: string };

/**
 * R-SHR-1: who may see (and so read or change by id) an owned record. Staff see everything, a rep what it owns;
 * otherwise one GetItem tells whether the record is shared with the rep and one whether a post-sale process assigned
 * to it grants it (R-PS-6). Anything else is a 404 for the caller.
 */
export const canSeeShared =
  (ctx: AppContext, principal: Principal, collection: SharedCollection) =>
  async (record: OwnedRecord): Promise<boolean> =>
    seesEverything(principal) || record.ownerId === principal.userId || seesThroughShareOrGrant(ctx, collection, record.id, principal.userId);

/** A share, or a post-sale process assigned to the user (R-PS-6): two strongly consistent GetItems, side by side. */
async function seesThroughShareOrGrant(ctx: AppContext, collection: SharedCollection, recordId: string, userId: string): Promise<boolean> {
  const [shared, granted] = await Promise.all([isSharedWith(ctx, collection, recordId, userId), isGrantedTo(ctx, collection, recordId, userId)]);
  return shared || granted;
}

/**
 * R-PS-6: who may change an owned record. As `canSeeShared`, except that a rep who sees it only through a post-sale
 * assignment may read it, not change it: a 403.
 */
export const canWorkShared =
  (ctx: AppContext, principal: Principal, collection: SharedCollection) =>
  async (record: OwnedRecord): Promise<boolean> => {
    if (seesEverything(principal) || record.ownerId === principal.userId) return true;
    const [shared, granted] = await Promise.all([isSharedWith(ctx, collection, record.id, principal.userId), isGrantedTo(ctx, collection, record.id, principal.userId)]);
    if (!shared && granted) throw forbidden('A post-sale assignment lets you read this record, not change it');
    return shared;
  };

export const canSeeOpportunity = (ctx: AppContext, principal: Principal) => canSeeShared(ctx, principal, 'opportunities');
export const canWorkOpportunity = (ctx: AppContext, principal: Principal) => canWorkShared(ctx, principal, 'opportunities');
export const canSeeContact = (ctx: AppContext, principal: Principal) => canSeeShared(ctx, principal, 'contacts');
export const canSeeCompany = (ctx: AppContext, principal: Principal) => canSeeShared(ctx, principal, 'companies');

/**
 * R-OPP-9 / R-SHR-1: a share lets a rep see and work a record, not delete it or give it away: that stays with its
 * owner and staff. A record the caller does not see at all stays a 404; one it only sees through a share is a 403.
 */
export const canManageShared = (ctx: AppContext, principal: Principal, collection: SharedCollection) => {
  const canSee = canWorkShared(ctx, principal, collection);
  return async (record: OwnedRecord): Promise<boolean> => {
    if (!(await canSee(record))) return false;
    if (!ownsOrManages(principal, record)) throw forbidden('Only the owner, a manager or an admin may do this');
    return true;
  };
};

export async function isSharedWith(ctx: AppContext, collection: SharedCollection, recordId: string, userId: string): Promise<boolean> {
  return (await getItem(ctx, shareKey(collection, recordId, userId), { consistent: true })) !== undefined;
}
