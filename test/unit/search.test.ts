import { describe, expect, it } from 'vitest';
import { indexedWordsOf, matchesQuery, newestFirstKey, parseSearchQuery, searchPosition, searchWordsOf, type SearchQuery } from '../../shared/domain/search.ts';

const query = (q: string) => parseSearchQuery(q) as SearchQuery;

describe('issue 14 search words (shared/domain/search.ts)', () => {
  it('issue 14 names fold case and accents; hyphenated words count whole, by parts and joined', () => {
    const words = searchWordsOf('contacts', { firstName: 'José-María', lastName: "O'Brien" });

    expect(words).toEqual(expect.arrayContaining(['jose-maria', 'jose', 'maria', 'josemaria', "o'brien", 'brien', 'obrien']));
  });

  it('issue 14 an email counts whole, by its domain and by its parts; a phone by its digits from each group on', () => {
    const words = searchWordsOf('leads', { name: 'Ada', email: 'Ada.Lovelace@Acme.com', phone: '+39 02 5550-1234' });

    expect(words).toEqual(expect.arrayContaining(['ada.lovelace@acme.com', 'acme.com', 'lovelace', 'acme', '390255501234', '0255501234', '55501234', '1234']));
  });

  it('issue 14 a query needs a word of 2 characters; its longest word drives; phone-like words count by their digits', () => {
    expect(parseSearchQuery('a')).toEqual({ path: 'query.q', message: expect.any(String) });
    expect(parseSearchQuery('a b')).toEqual({ path: 'query.q', message: expect.any(String) });
    expect(query('Ada LOVE')).toEqual({ words: ['ada', 'love'], driver: 'love' });
    expect(query('5550-1234')).toEqual({ words: ['55501234'], driver: '55501234' });
  });

  it('issue 14 a word that starts another word of the record gets no index item of its own: the longer one finds the record', () => {
    const words = indexedWordsOf('contacts', { firstName: 'Ada', lastName: 'Adams', email: 'ada@example.com', phone: '+44 20 7946 0000' });

    expect(words).toEqual(['adams', 'ada@example.com', 'example.com', 'com', '442079460000', '2079460000', '79460000', '0000']);
    for (const dropped of ['ada', 'example']) expect(words.some((word) => word !== dropped && word.startsWith(dropped)), dropped).toBe(true);
  });

  it('issue 14 several words must all start a word of the record, in any order', () => {
    const words = searchWordsOf('contacts', { firstName: 'Ada', lastName: 'Lovelace' });

    expect(matchesQuery(words, query('love ada'))).toBe(true);
    expect(matchesQuery(words, query('ada byron'))).toBe(false);
    expect(matchesQuery(words, query('velace'))).toBe(false);
  });

  it('issue 14 a record is listed at its first matching word only, and ids sort newest first within a word', () => {
    const words = indexedWordsOf('contacts', { firstName: 'Ada', lastName: 'Lovelace', email: 'lovelace@example.com' });

    expect(searchPosition(words, query('lo'), '01ABC')).toBe(`lovelace@example.com#${newestFirstKey('01ABC')}`);
    expect(searchPosition(words, query('ad'), '01ABC')).toBe(`ada#${newestFirstKey('01ABC')}`);
    expect([newestFirstKey('01HZZZ'), newestFirstKey('01J000')].sort()).toEqual([newestFirstKey('01J000'), newestFirstKey('01HZZZ')]);
  });
});
