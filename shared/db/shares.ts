import type { AppContext } from '../app-context.ts';
import type { StoredOpportunity } from '../domain/opportunities.ts';
import { partiesOf, type Party } from '../domain/sharing.ts';
import type { OpportunityShare } from '../schemas/shares.ts';
import { opportunities, sharedWith } from './access-patterns.ts';
import { opportunityModel, shareIndexKeys, shareKey, sharedRecordPartition, SHARE_PREFIX, type SharedCollection } from './keys.ts';
import { getPipelineSettings } from './pipeline-config.ts';
import { fromItem, type BaseRecord, type EntityModel } from './records.ts';
import {
  batchGetAll,
  childrenOf,
  deleteChildren,
  deleteItem,
  getItem,
  indexPartitionItems,
  putItem,
  queryPage,
  recordStillExists,
  writeAll,
  type ExtraWrite,
  type Page,
} from './store.ts';
import { indexKeys } from './table-definition.ts';
import type { IndexQuery } from './list-queries.ts';
import { mergedListing, readBelow, readUntilFull, recordsBelow, type ChunkReader, type ListingSource } from './merged-listing.ts';
import { conflict, notFound } from '../domain/errors.ts';
import type { Principal } from '../domain/principal.ts';

/**
 * R-OPP-9 and R-SHR-2 share items (keys.ts `shareKey`): written and removed in one transaction with the contact
 * and company shares they imply, and read back as a rep's shared-with partition in its listings (R-SHR-1).
 */

const alreadyShared = conflict('already_shared', 'The opportunity is already shared with this user');

export async function getOpportunityShare(ctx: AppContext, opportunityId: string, userId: string): Promise<OpportunityShare | undefined> {
  const item = await getItem(ctx, shareKey('opportunities', opportunityId, userId), { consistent: true });
  return item ? fromItem<OpportunityShare>(item) : undefined;
}

/** The share item of a contact or company with a user (a repeated share rewrites the same item). */
function partyShareItem(ctx: AppContext, party: Party, userId: string, sharedBy: string | null) {
  const recordField = party.collection === 'contacts' ? 'contactId' : 'companyId';
  return { ...shareKey(party.collection, party.id, userId), ...shareIndexKeys(party.collection, party.id, userId), [recordField]: party.id, userId, sharedAt: ctx.now().toISOString(), sharedBy };
}

/** Shares the opportunity (and, when asked, its contact and company) with the user; an existing share is answered as it is. */
export async function shareOpportunity(
  ctx: AppContext,
  opportunity: StoredOpportunity,
  share: { userId: string; sharedBy: string; withParties: boolean },
): Promise<{ share: OpportunityShare; created: boolean }> {
  const existing = await getOpportunityShare(ctx, opportunity.id, share.userId);
  if (existing) return { share: existing, created: false };
  const created: OpportunityShare = { opportunityId: opportunity.id, userId: share.userId, sharedAt: ctx.now().toISOString(), sharedBy: share.sharedBy };
  const writes: ExtraWrite[] = [
    {
      write: {
        Put: {
          TableName: ctx.tableName,
          Item: { ...shareKey('opportunities', opportunity.id, share.userId), ...shareIndexKeys('opportunities', opportunity.id, share.userId), ...created },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      onConditionFailed: alreadyShared,
    },
    recordStillExists(ctx, opportunityModel, opportunity.id, notFound(opportunityModel.label)),
  ];
  if (share.withParties) {
    for (const party of partiesOf(opportunity)) writes.push({ write: { Put: { TableName: ctx.tableName, Item: partyShareItem(ctx, party, share.userId, share.sharedBy) } } });
  }
  try {
    await writeAll(ctx, writes);
  } catch (error) {
    // A concurrent request shared it first: the same answer as a repeated request.
    const winner = error === alreadyShared ? await getOpportunityShare(ctx, opportunity.id, share.userId) : undefined;
    if (winner) return { share: winner, created: false };
    throw error;
  }
  return { share: created, created: true };
}

/**
 * Removes the share; with `withParties`, the shares of its contact and company too, each once the user can see
 * no other opportunity of it.
 */
export async function unshareOpportunity(ctx: AppContext, opportunity: StoredOpportunity, userId: string, withParties: boolean): Promise<void> {
  const writes: ExtraWrite[] = [
    {
      write: {
        Delete: { TableName: ctx.tableName, Key: shareKey('opportunities', opportunity.id, userId), ConditionExpression: 'attribute_exists(PK)' },
      },
      onConditionFailed: notFound('Share'),
    },
  ];
  if (withParties) {
    for (const party of partiesOf(opportunity)) {
      if (await seesOpportunityOfParty(ctx, party, userId, opportunity.id)) continue;
      writes.push({ write: { Delete: { TableName: ctx.tableName, Key: shareKey(party.collection, party.id, userId) } } });
    }
  }
  await writeAll(ctx, writes);
}

/** The index partition of a party's opportunities: a contact's or a company's own. */
const opportunitiesOfParty = (party: Party) => (party.collection === 'contacts' ? opportunities.ofContact(party.id) : opportunities.ofCompany(party.id));

/** The opportunities of a contact or company, with what the sharing rules need of them. */
export const partyOpportunities = (ctx: AppContext, party: Party) =>
  indexPartitionItems<Pick<StoredOpportunity, 'id' | 'ownerId' | 'status' | 'contactId' | 'companyId'>>(ctx, opportunitiesOfParty(party), ['id', 'ownerId', 'status', 'contactId', 'companyId']);

/** Whether the user owns, or has been shared, an opportunity of the contact or company (other than `exceptId`) (R-SHR-2). */
export async function seesOpportunityOfParty(ctx: AppContext, party: Party, userId: string, exceptId?: string): Promise<boolean> {
  const others = (await partyOpportunities(ctx, party)).filter((opportunity) => opportunity.id !== exceptId);
  if (others.some((opportunity) => opportunity.ownerId === userId)) return true;
  const shares = await batchGetAll(ctx, others.map((opportunity) => shareKey('opportunities', opportunity.id, userId)), { consistent: true, attributes: ['PK'] });
  return shares.length > 0;
}

/**
 * The users an opportunity is shared with, all of them: the sharing rules' view (the route pages with signed
 * cursors; consumers hold no cursor key, so this reads the partition itself).
 */
export async function opportunitySharedWith(ctx: AppContext, opportunityId: string): Promise<string[]> {
  const shares = await childrenOf(ctx, sharedRecordPartition('opportunities', opportunityId), SHARE_PREFIX, ['userId']);
  return shares.map((share) => share.userId as string);
}

/** Removes one share item of an opportunity (gone already: nothing to do). */
export async function removeOpportunityShare(ctx: AppContext, opportunityId: string, userId: string): Promise<void> {
  await deleteItem(ctx, shareKey('opportunities', opportunityId, userId));
}

/** GET /opportunities/{id}/shares: the users it is shared with, in the order of their ids. */
export function listOpportunityShares(ctx: AppContext, opportunityId: string, page: { limit: number; cursor?: string | undefined }): Promise<Page<OpportunityShare>> {
  return queryPage<OpportunityShare>(ctx, { partition: opportunityModel.key(opportunityId).PK, sortKeyPrefix: SHARE_PREFIX, ascending: true, ...page });
}

/**
 * R-SHR-1 a rep's listing: its owner partitions (`own`, with their filter; one per status asked for, none when its
 * filters exclude its own) merged newest first with the records shared with it (their share entries, then one
 * BatchGet, then the same filters as `matches`). Each source reads on until the page is full, within the bound of
 * merged-listing.ts; one signed cursor holds the bound below which all resume.
 */
export function listOwnAndShared<T extends BaseRecord>(
  ctx: AppContext,
  principal: Principal,
  source: { model: Pick<EntityModel<BaseRecord>, 'key'>; collection: SharedCollection; own: readonly IndexQuery[]; matches: (record: T) => boolean; scope: unknown },
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<T>> {
  const scope = JSON.stringify(['own-and-shared', source.collection, principal.userId, source.scope]);
  const shared = sharedWith(principal.userId, source.collection);
  // Share entries carry no filterable fields: each chunk's records are read (one BatchGet) and checked, newest
  // first, and the source reads on until the page is full (merged-listing.ts bounds the work).
  const sharedChunk: ChunkReader<T> = async (below, count) => {
    const read = await readBelow(ctx, shared, below, count);
    const ids = read.items.map((item) => item[indexKeys(shared.index).sortKey] as string);
    const found = new Map((await getRecords<T>(ctx, source.model, ids)).map((record) => [record.id, record]));
    const matching = ids.map((id) => found.get(id)).filter((record): record is T => record !== undefined && source.matches(record));
    return { items: matching, lastKey: read.readUpTo };
  };
  const sharedRead: ListingSource<T> = (before, limit) => readUntilFull(sharedChunk, before, limit, true);
  return mergedListing(ctx, [...source.own.map((query) => recordsBelow<T>(ctx, query)), sharedRead], scope, page);
}

/** The records of `ids` that exist (a chunk of them: BatchGets of at most 100 keys). */
async function getRecords<T extends BaseRecord>(ctx: AppContext, model: Pick<EntityModel<BaseRecord>, 'key'>, ids: readonly string[]): Promise<T[]> {
  return (await batchGetAll(ctx, ids.map((id) => model.key(id)), { consistent: true })).map((item) => fromItem<T>(item));
}

/**
 * R-SHR-2 when a contact or company is handed to another owner by hand: its previous owner keeps it shared while
 * it owns one of its opportunities (with `shareContactWhenAssigned`), committed with the change of owner.
 */
export async function previousOwnerKeepsSight(ctx: AppContext, party: Party, previousOwnerId: string, sharedBy: string): Promise<ExtraWrite[]> {
  const [settings, opportunities] = await Promise.all([getPipelineSettings(ctx), partyOpportunities(ctx, party)]);
  if (!settings.sharing.shareContactWhenAssigned || !opportunities.some((opportunity) => opportunity.ownerId === previousOwnerId)) return [];
  return [{ write: { Put: { TableName: ctx.tableName, Item: partyShareItem(ctx, party, previousOwnerId, sharedBy) } } }];
}

/** R-SHR-2 the write of a party's share, to commit with another change (issue 13 item 7: with its change of owner). */
export const partyShareWrite = (ctx: AppContext, party: Party, userId: string, sharedBy: string | null): ExtraWrite => ({
  write: { Put: { TableName: ctx.tableName, Item: partyShareItem(ctx, party, userId, sharedBy) } },
});

/** R-SHR-2 the contact or company is shared with the user. */
export async function shareParty(ctx: AppContext, party: Party, userId: string, sharedBy: string | null): Promise<void> {
  await putItem(ctx, partyShareItem(ctx, party, userId, sharedBy));
}

export async function unshareParty(ctx: AppContext, party: Party, userId: string): Promise<void> {
  await deleteItem(ctx, shareKey(party.collection, party.id, userId));
}

/**
 * R-SHR-1 after a contact or company is deleted: its share items go too, so that no user's shared-with partition
 * keeps pointing at it (listings skip records that no longer exist meanwhile, and ids are never reused).
 */
export const removeSharesOf = (ctx: AppContext, party: Party): Promise<void> => deleteChildren(ctx, sharedRecordPartition(party.collection, party.id), SHARE_PREFIX);
