import type { Condition } from './list-plan.ts';
import { MAX_TAGS, searchKey } from './tags.ts';
import type { FieldError } from './errors.ts';

/**
 * Search (SPEC §1 "Search", issue 14 item 1), without I/O: the words a record is found by, how a query is read,
 * and whether a record matches it. A record matches `?q=` when every word of the query starts one of its words,
 * compared case- and accent-insensitively (`fold`: NFD, diacritics stripped, lower case, letters without a
 * decomposition such as ø, ł, ß in plain Latin). The words of a record are the words of its names and titles (each
 * hyphenated or apostrophised word also as its parts and joined up), its email whole, its domain whole, and its
 * phone's digits (all of them, and each group).
 */

export type SearchEntity = 'contacts' | 'companies' | 'leads' | 'opportunities';

/** Index items are kept for words of at least this many characters; a query needs one such word (else a 400). */
export const MIN_QUERY_WORD = 2;
/** What a query without such a word is answered (on `query.q`). */
export const SEARCH_TOO_SHORT = `Search for at least ${MIN_QUERY_WORD} characters`;
/** At most this many distinct words of a record are indexed (names and titles are short; a transaction holds 100 items). */
export const MAX_INDEXED_WORDS = 24;
/** Every tag of a record is indexed: a record holds at most MAX_TAGS. */
export const MAX_INDEXED_TAGS = MAX_TAGS;

/**
 * Latin letters that NFD leaves whole (they are letters of their own, not a base letter and a combining mark), as
 * their plain-Latin spelling, by their lower-case form: without them `oresund` would miss Øresund, `lodz` Łódź and
 * `strasse` Straße. An explicit table rather than a dependency: the letters are few and fixed, and the index stores
 * folded words, so any change of folding needs a data migration (005-search-folding) and must not come with a
 * library's update; transliteration libraries also fold more than accents (Cyrillic, CJK, `ä` → `ae`).
 */
export const PLAIN_LATIN: Readonly<Record<string, string>> = {
  ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i', ħ: 'h', ŧ: 't', ŋ: 'ng', ĳ: 'ij', ſ: 's',
  ƀ: 'b', ɓ: 'b', ƈ: 'c', ȼ: 'c', ɗ: 'd', ɖ: 'd', ɇ: 'e', ɛ: 'e', ƒ: 'f', ǥ: 'g', ɠ: 'g', ɨ: 'i', ɉ: 'j', ƙ: 'k',
  ƚ: 'l', ɲ: 'n', ƞ: 'n', ɵ: 'o', ɔ: 'o', ƥ: 'p', ɍ: 'r', ʂ: 's', ȿ: 's', ƭ: 't', ʈ: 't', ʉ: 'u', ʋ: 'v', ƴ: 'y',
  ƶ: 'z', ȥ: 'z', ɀ: 'z', ǉ: 'lj', ǌ: 'nj', ǆ: 'dz', ﬀ: 'ff', ﬁ: 'fi', ﬂ: 'fl', ﬃ: 'ffi', ﬄ: 'ffl', ﬅ: 'st', ﬆ: 'st',
};
const PLAIN_LATIN_LETTER = new RegExp(`[${Object.keys(PLAIN_LATIN).join('')}]`, 'gu');

/**
 * Case- and accent-insensitive form of a text, for a record's words and a query's alike: NFD, combining marks
 * stripped, lower case, then the letters NFD does not decompose spelled in plain Latin (PLAIN_LATIN).
 */
export const fold = (text: string): string =>
  text.normalize('NFD').replace(/\p{M}+/gu, '').toLocaleLowerCase('en').replace(PLAIN_LATIN_LETTER, (letter) => PLAIN_LATIN[letter]!);

const EDGE_PUNCTUATION = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;
const NOT_ALPHANUMERIC = /[^\p{L}\p{N}]+/u;
const PHONE_LIKE = /^[0-9+()\-./]+$/;

/** One token as words: itself (punctuation at its edges removed) and, when it holds punctuation, its parts and them joined. */
function tokenWords(token: string): string[] {
  const word = fold(token).replace(EDGE_PUNCTUATION, '');
  if (word === '') return [];
  const parts = word.split(NOT_ALPHANUMERIC).filter((part) => part !== '');
  return parts.length > 1 ? [word, ...parts, parts.join('')] : [word];
}

/** The words of a name or title. `#` separates words too (it separates an index key's parts). */
export const wordsOfText = (text: string | null | undefined): string[] => (text ? text.split(/[\s#]+/u).flatMap(tokenWords) : []);

/** An email whole (its parts as words too) and its domain. */
export function wordsOfEmail(email: string | null | undefined): string[] {
  if (!email) return [];
  const whole = fold(email.trim()).replace(/#/g, '');
  const domain = whole.includes('@') ? whole.slice(whole.lastIndexOf('@') + 1) : '';
  return [whole, ...(domain ? [domain] : []), ...whole.split(NOT_ALPHANUMERIC).filter((part) => part !== '')];
}

/** A domain whole and its parts. */
export const wordsOfDomain = (domain: string | null | undefined): string[] => (domain ? tokenWords(domain.trim()) : []);

/**
 * A phone's digits from each group on ("+39 02 5550 1234" → 390255501234, 0255501234, 55501234, 1234), so the number
 * is found whole, without its country code, or by its last groups.
 */
export function wordsOfPhone(phone: string | null | undefined): string[] {
  if (!phone) return [];
  const groups = phone.split(/\D+/).filter((group) => group !== '');
  return groups.map((_, at) => groups.slice(at).join(''));
}

type Searchable = {
  firstName?: string | null;
  lastName?: string | null;
  name?: string | null;
  title?: string | null;
  email?: string | null;
  phone?: string | null;
  domain?: string | null;
  companyName?: string | null;
  tags?: readonly string[];
};

/** The distinct words a record is found by (every one, short ones included: they still count for the other words of a query). */
export function searchWordsOf(entity: SearchEntity, record: Searchable): string[] {
  const words = (() => {
    switch (entity) {
      case 'contacts':
        return [...wordsOfText(record.firstName), ...wordsOfText(record.lastName), ...wordsOfEmail(record.email), ...wordsOfPhone(record.phone)];
      case 'companies':
        return [...wordsOfText(record.name), ...wordsOfDomain(record.domain)];
      case 'leads':
        return [...wordsOfText(record.name), ...wordsOfEmail(record.email), ...wordsOfPhone(record.phone), ...wordsOfText(record.companyName)];
      case 'opportunities':
        return [...wordsOfText(record.title)];
    }
  })();
  return [...new Set(words)];
}

/**
 * The words of a record that get an index item: long enough, at most MAX_INDEXED_WORDS (in the order of its fields),
 * and none that starts another of them. Every query word that starts `ada` starts `ada@example.com` too, and both
 * items sit in the same partition, so the longer word's item finds the record for every query the shorter one would:
 * an email's first part and its domain's first label never need an item of their own (2 of a contact's ~10 items).
 */
export function indexedWordsOf(entity: SearchEntity, record: Searchable): string[] {
  const long = searchWordsOf(entity, record).filter((word) => [...word].length >= MIN_QUERY_WORD);
  return long.filter((word) => !long.some((other) => other !== word && other.startsWith(word))).slice(0, MAX_INDEXED_WORDS);
}

/** The tag keys of a record (as `?tag=` compares them: trimmed, lower case), each once. */
export const tagKeysOf = (record: { tags?: readonly string[] }): string[] => [...new Set((record.tags ?? []).map(searchKey))].slice(0, MAX_INDEXED_TAGS);

/** The partition ("bucket") of a word's index items: its first two characters, so a query reads one partition. */
export const bucketOf = (word: string): string => [...word].slice(0, MIN_QUERY_WORD).join('');

/** A query as words: folded like a record's words; a phone-like word counts by its digits. */
export interface SearchQuery {
  words: string[];
  /** The word the index is read by: the longest (the most selective one can tell without reading). */
  driver: string;
}

function queryWord(token: string): string[] {
  const trimmed = token.trim();
  if (PHONE_LIKE.test(trimmed) && /\d/.test(trimmed)) return [trimmed.replace(/\D+/g, '')];
  const word = fold(trimmed).replace(EDGE_PUNCTUATION, '');
  return word === '' ? [] : [word];
}

/** Reads `?q=`; a query without a word of two characters or more is a 400 naming `query.q`. */
export function parseSearchQuery(q: string): SearchQuery | FieldError {
  const words = [...new Set(q.split(/[\s#]+/u).flatMap(queryWord))];
  const driver = words.reduce<string | undefined>((longest, word) => (longest === undefined || [...word].length > [...longest].length ? word : longest), undefined);
  if (!driver || [...driver].length < MIN_QUERY_WORD) return { path: 'query.q', message: SEARCH_TOO_SHORT };
  return { words, driver };
}

/** Every word of the query starts a word of the record. */
export const matchesQuery = (recordWords: readonly string[], query: SearchQuery): boolean =>
  query.words.every((word) => recordWords.some((recordWord) => recordWord.startsWith(word)));

/**
 * The index position a matching record is listed at: its first word (in index order) that the driver starts, then its
 * id. A record with several such words ("ada", "adams") has an index item for each; only this one lists it, so it
 * appears once, and at the same place on every page.
 */
export function searchPosition(indexedWords: readonly string[], query: SearchQuery, id: string): string | undefined {
  const first = indexedWords
    .filter((word) => word.startsWith(query.driver))
    .map((word) => termSortKey(word, id))
    .sort()[0];
  return first;
}

const ULID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** A ULID with each character replaced by its complement: sorting these ascending lists the ids newest first. */
export const newestFirstKey = (id: string) =>
  [...id].map((char) => {
    const at = ULID_ALPHABET.indexOf(char.toUpperCase());
    return at < 0 ? char : ULID_ALPHABET[ULID_ALPHABET.length - 1 - at]!;
  }).join('');

/**
 * The sort key of a word's index item: the word, then the record's id complemented, so that a query word's matches
 * are read by prefix, listed by word (shorter and alphabetically first first), then newest first.
 */
export const termSortKey = (word: string, id: string) => `${word}#${newestFirstKey(id)}`;

/** The conditions of a list plan (shared/domain/list-plan.ts) evaluated on a record already read. */
export function meetsConditions(record: object, conditions: readonly Condition[]): boolean {
  return conditions.every((condition) => {
    const value = (record as Record<string, unknown>)[condition.field];
    if ('in' in condition) return condition.in.length === 0 || condition.in.includes(value);
    if (condition.containsAny.length === 0) return true;
    if (Array.isArray(value)) return condition.containsAny.some((wanted) => value.includes(wanted));
    if (typeof value === 'string') return condition.containsAny.some((wanted) => typeof wanted === 'string' && value.includes(wanted));
    return false;
  });
}
