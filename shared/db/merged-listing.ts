import type { AppContext } from '../app-context.ts';
import { mergeNewestFirst, type SourceRead } from '../domain/merged-page.ts';
import type { IndexQuery } from './list-queries.ts';
import { fromItem } from './records.ts';
import { queryOnce, type Page } from './store.ts';
import { indexKeys } from './table-definition.ts';

/**
 * One newest-first listing out of several index partitions whose sort keys are record ids (ULIDs): a rep's own
 * partition and its shared-with one (R-SHR-1), or one partition per status asked for (`?status=won,lost`). Each
 * page reads every source once below the same bound; one signed cursor (scoped by `scope`) holds that bound.
 */

/** Reads at most `limit` of a source's records below `before` (newest first); `readUpTo`: where it stopped, null at its end. */
export type ListingSource<T extends { id: string }> = (before: string | undefined, limit: number) => Promise<SourceRead<T>>;

export async function mergedListing<T extends { id: string }>(
  ctx: AppContext,
  sources: readonly ListingSource<T>[],
  scope: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<T>> {
  const before = page.cursor ? ((await ctx.cursors.decode(page.cursor, scope)).before as string) : undefined;
  const merged = mergeNewestFirst(await Promise.all(sources.map((read) => read(before, page.limit))), page.limit);
  return { items: merged.items, nextCursor: merged.nextBefore === null ? null : await ctx.cursors.encode({ before: merged.nextBefore }, scope) };
}

/** The index entries of a partition below `before` (one Query, its filter applied), as they are stored. */
export async function readBelow(ctx: AppContext, { index, partition, filter }: IndexQuery, before: string | undefined, limit: number): Promise<{ items: Record<string, unknown>[]; readUpTo: string | null }> {
  const keys = indexKeys(index);
  const page = await queryOnce(ctx, {
    IndexName: index,
    KeyConditionExpression: before === undefined ? '#pk = :pk' : '#pk = :pk AND #sk < :before',
    ExpressionAttributeNames: { '#pk': keys.partitionKey, ...(before === undefined ? {} : { '#sk': keys.sortKey }), ...filter?.names },
    ExpressionAttributeValues: { ':pk': partition, ...(before === undefined ? {} : { ':before': before }), ...filter?.values },
    FilterExpression: filter?.expression,
    ScanIndexForward: false,
    Limit: limit,
  });
  return { items: page.items, readUpTo: (page.lastKey?.[keys.sortKey] as string | undefined) ?? null };
}

/** A partition of records (its index items are the records themselves) as a listing source. */
export const recordsBelow =
  <T extends { id: string }>(ctx: AppContext, query: IndexQuery): ListingSource<T> =>
  async (before, limit) => {
    const read = await readBelow(ctx, query, before, limit);
    return { items: read.items.map((item) => fromItem<T>(item)), readUpTo: read.readUpTo };
  };
