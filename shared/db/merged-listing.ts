import type { AppContext } from '../app-context.ts';
import { mergeNewestFirst, type SourceRead } from '../domain/merged-page.ts';
import type { IndexQuery } from './list-queries.ts';
import { fromItem } from './records.ts';
import { queryOnce, type Page } from './store.ts';
import { indexKeys } from './table-definition.ts';

/**
 * One newest-first listing out of one or several index partitions whose sort keys are record ids (ULIDs): a rep's
 * own partition and its shared-with one (R-SHR-1), one partition per status asked for (`?status=won,lost`), or a
 * filtered partition of staff. One signed cursor (scoped by `scope`) holds the id below which every source resumes.
 *
 * SPEC §1 lists: a page holds `limit` items whenever that many match further on. A filter (FilterExpression, or
 * the check of shared records after their BatchGet) can drop any number of the entries a Query reads, so each
 * source reads on, Query after Query, until it holds one match more than the page (so a full page knows whether
 * another follows) or its partition ends, within a bounded amount of work per page (below). The merge then keeps
 * only what sorts at or above every unfinished source's position, so nothing unread is ever skipped, and the
 * cursor is the last id returned (or that position, when a source stopped at its bound with the page short).
 */

/**
 * The work one source may do for one page: at most this many Query calls and this many index entries examined
 * (read by the key condition, before any filter; the Query calls' `Limit`s add up to at most this). A filtered
 * source asks for the matches it misses, then for those plus one page more, twice as many each further call, so a sparse
 * filter reaches the bound in a few calls whatever the `limit`. A source that stops at the bound with the page
 * short is not exhausted: the page is answered short, with a cursor that resumes below the last entry examined.
 */
export const MAX_QUERIES_PER_SOURCE = 10;
export const MAX_EXAMINED_PER_SOURCE = 1000;

/** Reads at most `limit + 1` matches of a source below `before` (newest first); `readUpTo`: where it stopped, null at its end. */
export type ListingSource<T extends { id: string }> = (before: string | undefined, limit: number) => Promise<SourceRead<T>>;

/**
 * One Query's worth of a source: at most `count` index entries examined below `below`, the matches among them
 * newest first, and the sort key of the last one examined (null: the partition ends there).
 */
export type ChunkReader<T> = (below: string | undefined, count: number) => Promise<{ items: T[]; lastKey: string | null }>;

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

/** Whether `cursor` was issued by a `mergedListing` of this scope (e.g. to tell it from a cursor of another reader). */
export async function isMergedListingCursor(ctx: AppContext, cursor: string, scope: string): Promise<boolean> {
  try {
    return typeof (await ctx.cursors.decode(cursor, scope)).before === 'string';
  } catch {
    return false;
  }
}

/**
 * A source read for one page: chunk after chunk until it holds `limit + 1` matches, its partition ends, or it has
 * done the work allowed (MAX_QUERIES_PER_SOURCE, MAX_EXAMINED_PER_SOURCE). `filtered`: whether a chunk can hold
 * fewer matches than entries examined (then each chunk reads ahead, growing).
 */
export async function readUntilFull<T extends { id: string }>(readChunk: ChunkReader<T>, before: string | undefined, limit: number, filtered: boolean): Promise<SourceRead<T>> {
  const wanted = limit + 1;
  const items: T[] = [];
  let below = before;
  let examined = 0;
  for (let queries = 0; queries < MAX_QUERIES_PER_SOURCE && examined < MAX_EXAMINED_PER_SOURCE; queries++) {
    const missing = wanted - items.length;
    // The first Query asks for exactly what the page misses (a filter that keeps most entries, such as the default
    // `active`, then costs no extra read); only a filter that dropped some makes the later ones read ahead.
    const count = Math.min(MAX_EXAMINED_PER_SOURCE - examined, filtered && queries > 0 ? (missing + wanted) * 2 ** (queries - 1) : missing);
    const chunk = await readChunk(below, count);
    examined += count;
    items.push(...chunk.items);
    if (items.length > wanted) {
      // The matches dropped sort below the last one kept: the source counts as read up to it, no further.
      items.length = wanted;
      return { items, readUpTo: items.at(-1)!.id };
    }
    if (chunk.lastKey === null) return { items, readUpTo: null };
    if (items.length === wanted) return { items, readUpTo: chunk.lastKey };
    below = chunk.lastKey;
  }
  // At the bound, short: everything at or above `below` was examined, nothing below it was.
  return { items, readUpTo: below! };
}

/** The index entries of a partition below `before`: one Query examining at most `count` of them, its filter applied, as they are stored. */
export async function readBelow(ctx: AppContext, { index, partition, filter }: IndexQuery, before: string | undefined, count: number): Promise<{ items: Record<string, unknown>[]; readUpTo: string | null }> {
  const keys = indexKeys(index);
  const page = await queryOnce(ctx, {
    IndexName: index,
    KeyConditionExpression: before === undefined ? '#pk = :pk' : '#pk = :pk AND #sk < :before',
    ExpressionAttributeNames: { '#pk': keys.partitionKey, ...(before === undefined ? {} : { '#sk': keys.sortKey }), ...filter?.names },
    ExpressionAttributeValues: { ':pk': partition, ...(before === undefined ? {} : { ':before': before }), ...filter?.values },
    FilterExpression: filter?.expression,
    ScanIndexForward: false,
    Limit: count,
  });
  return { items: page.items, readUpTo: (page.lastKey?.[keys.sortKey] as string | undefined) ?? null };
}

/** A partition of records (its index items are the records themselves) as a listing source, read until the page is full. */
export const recordsBelow =
  <T extends { id: string }>(ctx: AppContext, query: IndexQuery): ListingSource<T> =>
  (before, limit) =>
    readUntilFull<T>(
      async (below, count) => {
        const read = await readBelow(ctx, query, below, count);
        return { items: read.items.map((item) => fromItem<T>(item)), lastKey: read.readUpTo };
      },
      before,
      limit,
      query.filter !== undefined,
    );
