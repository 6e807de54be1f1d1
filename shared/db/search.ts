import type { AppContext } from '../app-context.ts';
import { seesEverything } from '../domain/access.ts';
import { validationFailed } from '../domain/errors.ts';
import type { Principal } from '../domain/principal.ts';
import {
  bucketOf,
  indexedWordsOf,
  matchesQuery,
  parseSearchQuery,
  searchPosition,
  searchWordsOf,
  tagKeysOf,
  type SearchEntity,
  type SearchQuery,
} from '../domain/search.ts';
import { searchKey } from '../domain/tags.ts';
import { search, sharedWith } from './access-patterns.ts';
import { searchWordPartition, taggedPartition, type SharedCollection } from './keys.ts';
import { fromItem, type BaseRecord, type EntityModel } from './records.ts';
import { batchGetAll, indexPartitionItems, queryOnce, type Page } from './store.ts';
import { indexKeys, type IndexName } from './table-definition.ts';

/**
 * `?q=` and `?tag=` served from the search index (keys.ts "Search", issue 14 item 1), never by filtering a collection.
 *
 * - `q`: the index items of the query's longest word (`driver`) are read by prefix, in index order (the matching word,
 *   then the record's id); `tag` (any of a list): the items of each tag, newest first, merged.
 * - Staff read the table's partitions (strongly consistent); a rep reads its owner partitions (GSI2) plus the records
 *   shared with it or granted to it (one read of its shared-with partition and one BatchGet of those records a page).
 * - Every candidate is checked against its record, read strongly consistent in one BatchGet per round: the record
 *   exists, its words match every word of the query and it is listed at this position (so a record with two matching
 *   words comes once), it is still the rep's, and it meets the listing's other filters. A renamed or deleted record
 *   is therefore never answered under an old name, whatever an index item says.
 * - A page reads rounds until it holds `limit` matches or the index has no more: its reads are the index items read
 *   (small: ~40 per read unit) plus one record per candidate; candidates are matches unless they fail another word,
 *   another filter or the rep's ownership. After MAX_CANDIDATES_PER_PAGE candidates it stops short with a cursor.
 */

/** A page stops after this many candidates, answering the matches found so far and a cursor (see README "Search"). */
export const MAX_CANDIDATES_PER_PAGE = 1000;
/** Candidates read in one round at most (a BatchGet holds 100 keys). */
const MAX_ROUND = 100;
/** The highest character: `word` … `word` + TOP spans every sort key starting with `word`. */
const TOP = '\u{10FFFF}';

type Searched = BaseRecord & { ownerId: string; tags?: readonly string[] };

export interface SearchListing<T extends Searched> {
  entity: SearchEntity;
  model: Pick<EntityModel<BaseRecord>, 'key'>;
  /** A rep also finds the records of this collection shared with it (or granted to it, R-PS-6). */
  shared?: SharedCollection;
  /** False when the rep's filters exclude its own records (an `ownerId` naming others): only shared ones then. */
  ownRecords?: boolean;
  q?: string | undefined;
  tag?: readonly string[] | undefined;
  /** The listing's other filters, on the record read. */
  matches: (record: T) => boolean;
  /** What the cursor is bound to (the filters). */
  scope: unknown;
}

/** One index position: `<word>#<id>` (q) or the id (tag), the record it names, and where it was read. */
interface Entry {
  pos: string;
  id: string;
  from: 'index' | 'own' | 'shared';
}

interface SourceRead {
  entries: Entry[];
  /** More entries follow the last one read. */
  more: boolean;
}

/** A source of positions in the listing's order, read after a position. */
type Source = (after: string | undefined, count: number) => Promise<SourceRead>;

type Order = 'ascending' | 'descending';
const precedes = (order: Order) => (a: string, b: string) => (order === 'ascending' ? a < b : a > b);

/** Whether a listing is served by the search index. */
export const isSearch = (filters: { q?: string | undefined; tag?: readonly string[] | undefined }) => Boolean(filters.q) || Boolean(filters.tag && filters.tag.length > 0);

/** The `?q=` of a listing, read; a query without a word of two characters is a 400 listing `query.q`. */
export function searchQueryOf(q: string): SearchQuery {
  const parsed = parseSearchQuery(q);
  if ('path' in parsed) throw validationFailed([parsed]);
  return parsed;
}

/** The index items of one partition (table or GSI2), as positions, after `after` in `order`. */
function indexSource(
  ctx: AppContext,
  where: { index?: IndexName; partition: string },
  order: Order,
  bounds: { from?: string; to?: string },
  from: Entry['from'],
): Source {
  const keys = where.index ? indexKeys(where.index) : { partitionKey: 'PK', sortKey: 'SK' };
  return async (after, count) => {
    const ascending = order === 'ascending';
    const low = ascending ? (after ?? bounds.from) : bounds.from;
    const high = ascending ? bounds.to : after;
    const condition =
      low !== undefined && high !== undefined ? '#sk BETWEEN :low AND :high' : low !== undefined ? '#sk >= :low' : high !== undefined ? '#sk <= :high' : undefined;
    const read = await queryOnce(ctx, {
      ...(where.index ? { IndexName: where.index } : { ConsistentRead: true }),
      KeyConditionExpression: condition ? `#pk = :pk AND ${condition}` : '#pk = :pk',
      ExpressionAttributeNames: { '#pk': keys.partitionKey, '#sk': keys.sortKey },
      ExpressionAttributeValues: { ':pk': where.partition, ...(low !== undefined ? { ':low': low } : {}), ...(high !== undefined ? { ':high': high } : {}) },
      ProjectionExpression: '#sk, recordId',
      ScanIndexForward: ascending,
      // The position `after` itself is read again (bounds are inclusive): one more; and one beyond, so that a page
      // holding the last match says so (no cursor to an empty page).
      Limit: count + 1 + (after === undefined ? 0 : 1),
    });
    const entries = read.items
      .map((item) => ({ pos: item[keys.sortKey] as string, id: item.recordId as string, from }))
      .filter((entry) => entry.pos !== after);
    return { entries, more: read.lastKey !== undefined };
  };
}

/** Positions already known (a rep's shared records, read whole), in order. */
function knownSource(entries: Entry[], order: Order): Source {
  const before = precedes(order);
  const sorted = [...entries].sort((a, b) => (before(a.pos, b.pos) ? -1 : before(b.pos, a.pos) ? 1 : 0));
  return async (after) => ({ entries: after === undefined ? sorted : sorted.filter((entry) => before(after, entry.pos)), more: false });
}

/**
 * One page of a listing served by the search index. `q` drives when given (tags then filter the records read);
 * otherwise the tags do.
 */
export async function searchPage<T extends Searched>(ctx: AppContext, principal: Principal, listing: SearchListing<T>, page: { limit: number; cursor?: string | undefined }): Promise<Page<T>> {
  const query = listing.q ? searchQueryOf(listing.q) : undefined;
  const tagKeys = [...new Set((listing.tag ?? []).map(searchKey))];
  const order: Order = query ? 'ascending' : 'descending';
  const staff = seesEverything(principal);
  const me = principal.userId;
  const scope = JSON.stringify(['search', listing.entity, me, listing.q ?? '', tagKeys, listing.scope]);
  const after = page.cursor ? ((await ctx.cursors.decode(page.cursor, scope)).after as string) : undefined;

  const records = new Map<string, T>();
  /** The position a record is listed at, if it matches the query or the tags at all. */
  const positionOf = (record: T): string | undefined => {
    if (query) return matchesQuery(searchWordsOf(listing.entity, record), query) ? searchPosition(indexedWordsOf(listing.entity, record), query, record.id) : undefined;
    const tags = tagKeysOf(record);
    return tagKeys.some((tag) => tags.includes(tag)) ? record.id : undefined;
  };

  const sources: Source[] = [];
  const wordBounds = query ? { from: query.driver, to: `${query.driver}${TOP}` } : {};
  if (staff) {
    if (query) sources.push(indexSource(ctx, { partition: searchWordPartition(listing.entity, bucketOf(query.driver)) }, order, wordBounds, 'index'));
    else for (const tag of tagKeys) sources.push(indexSource(ctx, { partition: taggedPartition(listing.entity, tag) }, order, {}, 'index'));
  } else {
    if (listing.ownRecords !== false) {
      if (query) sources.push(indexSource(ctx, search.ownWords(listing.entity, me, bucketOf(query.driver)), order, wordBounds, 'own'));
      else for (const tag of tagKeys) sources.push(indexSource(ctx, search.ownTagged(listing.entity, me, tag), order, {}, 'own'));
    }
    if (listing.shared) {
      // R-SHR-1 / R-PS-6: the records shared with (or granted to) the rep, each read once a page.
      const partition = sharedWith(me, listing.shared);
      const ids = [...new Set((await indexPartitionItems<Record<string, string>>(ctx, partition, [indexKeys(partition.index).sortKey])).map((item) => item[indexKeys(partition.index).sortKey]!))];
      const found = (await batchGetAll(ctx, ids.map((id) => listing.model.key(id)), { consistent: true })).map((item) => fromItem<T>(item));
      const entries: Entry[] = [];
      for (const record of found) {
        if (record.ownerId === me) continue;
        const pos = positionOf(record);
        if (pos === undefined) continue;
        records.set(record.id, record);
        entries.push({ pos, id: record.id, from: 'shared' });
      }
      sources.push(knownSource(entries, order));
    }
  }

  const before = precedes(order);
  const accepted: T[] = [];
  const seen = new Set<string>();
  let position = after;
  let candidates = 0;
  for (let round = 0; ; round++) {
    const wanted = Math.min(MAX_ROUND, (page.limit - accepted.length) * 2 ** Math.min(round, 4));
    const reads = await Promise.all(sources.map((source) => source(position, wanted)));
    // Only what sorts at or before every unfinished source's last position is final: beyond it, unread ones may come.
    let cut: string | undefined;
    for (const read of reads) {
      const last = read.entries.at(-1)?.pos;
      if (read.more && last !== undefined && (cut === undefined || before(last, cut))) cut = last;
    }
    const entries = reads
      .flatMap((read) => read.entries)
      .filter((entry) => cut === undefined || !before(cut, entry.pos))
      .sort((a, b) => (before(a.pos, b.pos) ? -1 : before(b.pos, a.pos) ? 1 : 0));
    const unread = [...new Set(entries.filter((entry) => !records.has(entry.id)).map((entry) => entry.id))];
    for (const item of await batchGetAll(ctx, unread.map((id) => listing.model.key(id)), { consistent: true })) {
      const record = fromItem<T>(item);
      records.set(record.id, record);
    }
    candidates += entries.length;
    for (const [at, entry] of entries.entries()) {
      const record = records.get(entry.id);
      if (!record || seen.has(entry.id)) continue;
      if (entry.from === 'own' && record.ownerId !== me) continue;
      if (positionOf(record) !== entry.pos || !listing.matches(record)) continue;
      seen.add(entry.id);
      accepted.push(record);
      if (accepted.length === page.limit) {
        const last = at === entries.length - 1 && cut === undefined;
        return { items: accepted, nextCursor: last ? null : await ctx.cursors.encode({ after: entry.pos }, scope) };
      }
    }
    if (cut === undefined) return { items: accepted, nextCursor: null };
    position = cut;
    if (candidates >= MAX_CANDIDATES_PER_PAGE) return { items: accepted, nextCursor: await ctx.cursors.encode({ after: position }, scope) };
  }
}
