import { fold, PLAIN_LATIN } from '../../domain/search.ts';
import { SEARCH_ITEM_TYPE } from '../search-index.ts';
import { searchIndex } from './003-search-index.ts';
import type { Item, Migration } from './types.ts';

/** The folding of index words until 005 (NFD, combining marks stripped, lower case), kept to tell which records it changes. */
const foldBefore005 = (text: string): string => text.normalize('NFD').replace(/\p{M}+/gu, '').toLocaleLowerCase('en');

/** The text fields a record's search words come from (shared/domain/search.ts `searchWordsOf`; phones are digits). */
const SEARCHED_TEXTS = ['firstName', 'lastName', 'name', 'title', 'email', 'domain', 'companyName'] as const;

const foldsDifferently = (item: Item) =>
  SEARCHED_TEXTS.some((field) => typeof item[field] === 'string' && fold(item[field]) !== foldBefore005(item[field]));

/** A word index item (not a tag's) whose word holds a letter the folding now spells in plain Latin (`øresund`). */
function isUnfoldedWordItem(item: Item): boolean {
  if (item.recordType !== SEARCH_ITEM_TYPE || typeof item.PK !== 'string' || !item.PK.startsWith('SEARCH#') || typeof item.SK !== 'string') return false;
  const word = item.SK.slice(0, item.SK.lastIndexOf('#'));
  return [...word].some((letter) => Object.hasOwn(PLAIN_LATIN, letter));
}

/**
 * 4 → 5. Since this migration the search folding (SPEC §1 "Search": case- and accent-insensitive) also spells Latin
 * letters that NFD does not decompose in plain Latin (ø → o, ł → l, ß → ss …: `PLAIN_LATIN`), for queries and
 * records alike; records indexed before hold words such as `øresund`, which no query folds to any more. Each record
 * whose searched texts fold differently gets its index items as its current state derives them (as 003 does), and
 * every word index item holding such a letter is deleted: the code neither writes nor reads it, and the aggregate
 * writer, which deletes the items a record's current words derive, would never remove it (nor with a deleted
 * record). A record changed by the running code meanwhile is safe: its writer puts the same items (or newer ones).
 */
export const searchFolding: Migration = {
  id: 5,
  name: 'search-folding',
  description: 'records indexed before letters such as ø, ł, ß were folded to plain Latin get their index items again; the old items go',
  derive: (item: Item) => (foldsDifferently(item) ? searchIndex.derive!(item) : []),
  remove: (item: Item) => (isUnfoldedWordItem(item) ? { expression: '#recordType = :type', names: { '#recordType': 'recordType' }, values: { ':type': SEARCH_ITEM_TYPE } } : undefined),
};
