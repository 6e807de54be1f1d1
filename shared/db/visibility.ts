import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { AppContext } from '../app-context.ts';
import { seesEverything } from '../domain/access.ts';
import type { Principal } from '../http/route.ts';
import { shareKey, type SharedCollection } from './keys.ts';

/**
 * R-SHR-1: who may see (and so read or change by id) an owned record. Staff see everything, a rep what it owns;
 * otherwise one GetItem tells whether the record is shared with the rep. Anything else is a 404 for the caller.
 */
export const canSeeShared =
  (ctx: AppContext, principal: Principal, collection: SharedCollection) =>
  async (record: { id: string; ownerId: string }): Promise<boolean> =>
    seesEverything(principal) || record.ownerId === principal.userId || isSharedWith(ctx, collection, record.id, principal.userId);

export const canSeeOpportunity = (ctx: AppContext, principal: Principal) => canSeeShared(ctx, principal, 'opportunities');
export const canSeeContact = (ctx: AppContext, principal: Principal) => canSeeShared(ctx, principal, 'contacts');

export async function isSharedWith(ctx: AppContext, collection: SharedCollection, recordId: string, userId: string): Promise<boolean> {
  const { Item: item } = await ctx.db.send(new GetCommand({ TableName: ctx.tableName, Key: shareKey(collection, recordId, userId), ConsistentRead: true }));
  return item !== undefined;
}
