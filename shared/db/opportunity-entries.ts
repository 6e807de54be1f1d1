import type { AppContext } from '../app-context.ts';
import type { StoredOpportunity } from '../domain/opportunities.ts';
import type { OpportunityNote } from '../schemas/opportunities.ts';
import { CHILD_PREFIXES, childKey, opportunityModel } from './keys.ts';
import { fromItem, type Item } from './records.ts';
import { deleteChildren, queryOnce, recordStillExists, writeAll, type Page } from './store.ts';
import { notFound } from '../domain/errors.ts';

/**
 * History entries and notes of an opportunity (R-OPP-10), kept in its own partition. After a merge (R-OPP-8)
 * they stay in the partitions of the opportunities merged away: the survivor's `mergedIds` names them, and a
 * listing merges the partitions by entry id (ULIDs, so by time).
 */

/** R-OPP-10: a note on an opportunity still there when the note commits (404 if it was deleted or merged away meanwhile). */
export async function addNote(ctx: AppContext, opportunity: StoredOpportunity, authorId: string, body: string): Promise<OpportunityNote> {
  const note: OpportunityNote = { id: ctx.newId(), opportunityId: opportunity.id, body, authorId, createdAt: ctx.now().toISOString() };
  await writeAll(ctx, [
    { write: { Put: { TableName: ctx.tableName, Item: { ...childKey(opportunityModel.key(opportunity.id), 'note', note.id), ...note, recordType: 'Opportunity note' } } } },
    recordStillExists(ctx, opportunityModel, opportunity.id, notFound(opportunityModel.label)),
  ]);
  return note;
}

/** After a deletion: the history entries and notes of the opportunity and of those merged into it go too. */
export async function removeEntries(ctx: AppContext, opportunityIds: readonly string[]): Promise<void> {
  for (const id of opportunityIds) {
    const partition = opportunityModel.key(id).PK;
    await Promise.all(Object.values(CHILD_PREFIXES).map((prefix) => deleteChildren(ctx, partition, prefix)));
  }
}

export interface EntryPage {
  limit: number;
  cursor?: string | undefined;
  /** Oldest first (history) or newest first (notes). */
  ascending: boolean;
}

interface PartitionRead {
  items: Item[];
  /** The partition may hold more entries after the last one read. */
  truncated: boolean;
}

/**
 * One page of the entries of `kind` of an opportunity and of every opportunity merged into it, in id order.
 * Each partition is read from just after the last entry of the previous page (one Query per partition); an
 * entry is only returned once every partition has been read up to it, so no page skips one. The signed cursor
 * is the sort key of the last entry returned.
 */
export async function listOpportunityEntries<T>(ctx: AppContext, opportunity: StoredOpportunity, kind: keyof typeof CHILD_PREFIXES, page: EntryPage): Promise<Page<T>> {
  const scope = JSON.stringify(['opportunity-entries', opportunity.id, kind, page.ascending]);
  const after = page.cursor ? ((await ctx.cursors.decode(page.cursor, scope)).SK as string) : undefined;
  const partitions = [opportunity.id, ...opportunity.mergedIds].map((id) => opportunityModel.key(id).PK);
  const reads = await Promise.all(partitions.map((partition) => readPartition(ctx, partition, CHILD_PREFIXES[kind], after, page)));

  const comesFirst = (a: string, b: string) => (page.ascending ? a < b : a > b);
  // Entries past the last one read of a partition that has more are not known to be next yet.
  const horizon = reads
    .filter((read) => read.truncated)
    .map((read) => read.items.at(-1)!.SK as string)
    .reduce<string | undefined>((earliest, sortKey) => (earliest === undefined || comesFirst(sortKey, earliest) ? sortKey : earliest), undefined);
  const known = reads
    .flatMap((read) => read.items)
    .filter((item) => horizon === undefined || !comesFirst(horizon, item.SK as string))
    .sort((a, b) => (comesFirst(a.SK as string, b.SK as string) ? -1 : 1));

  const items = known.slice(0, page.limit);
  const more = known.length > page.limit || horizon !== undefined;
  const last = items.at(-1);
  return {
    items: items.map((item) => fromItem<T>(item)),
    nextCursor: more && last ? await ctx.cursors.encode({ SK: last.SK }, scope) : null,
  };
}

async function readPartition(ctx: AppContext, partition: string, prefix: string, after: string | undefined, page: EntryPage): Promise<PartitionRead> {
  const answer = await queryOnce(ctx, {
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': partition, ':prefix': prefix },
    ScanIndexForward: page.ascending,
    // One more than a page tells whether this partition alone has more than a page left.
    Limit: page.limit + 1,
    ...(after ? { ExclusiveStartKey: { PK: partition, SK: after } } : {}),
  });
  const items = answer.items;
  return { items, truncated: answer.lastKey !== undefined && items.length > 0 };
}
