import { bucketOf, indexedWordsOf, tagKeysOf, termSortKey, type SearchEntity } from '../domain/search.ts';
import type { DerivedItem } from './aggregate-writer.ts';
import { ownedSearchWordPartition, ownedTaggedPartition, searchWordPartition, taggedPartition } from './keys.ts';

/**
 * The search index items of a record (keys.ts "Search"): one per indexed word and one per tag, each also in its
 * owner's GSI2 partition. The aggregates declare them as derived items (`Aggregate.derived`), so the aggregate
 * writer puts the new ones and deletes the stale ones in the record's own transaction.
 */

type Indexed = { id: string; ownerId: string } & Parameters<typeof indexedWordsOf>[1];

export const SEARCH_ITEM_TYPE = 'Search index';

/**
 * Every index item of a record, for the writers and for a migration that backfills records written before the index
 * existed (put them with BatchWriteItem: putting an item again changes nothing).
 */
export function searchTermsOf(entity: SearchEntity, record: Indexed): DerivedItem[] {
  const words = indexedWordsOf(entity, record).map((word) => {
    const sortKey = termSortKey(word, record.id);
    return {
      PK: searchWordPartition(entity, bucketOf(word)),
      SK: sortKey,
      GSI2PK: ownedSearchWordPartition(entity, record.ownerId, bucketOf(word)),
      GSI2SK: sortKey,
      recordId: record.id,
      recordType: SEARCH_ITEM_TYPE,
    };
  });
  const tags = tagKeysOf(record).map((tagKey) => ({
    PK: taggedPartition(entity, tagKey),
    SK: record.id,
    GSI2PK: ownedTaggedPartition(entity, record.ownerId, tagKey),
    GSI2SK: record.id,
    recordId: record.id,
    recordType: SEARCH_ITEM_TYPE,
  }));
  return [...words, ...tags];
}

/** The `derived` hook of an aggregate whose records are searched as `entity`. */
export const searchIndexOf =
  (entity: SearchEntity) =>
  (record: Indexed): DerivedItem[] =>
    searchTermsOf(entity, record);
