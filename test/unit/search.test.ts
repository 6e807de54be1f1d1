import { describe, expect, it } from 'vitest';
import { fold, indexedWordsOf, matchesQuery, newestFirstKey, parseSearchQuery, PLAIN_LATIN, searchPosition, searchWordsOf, type SearchQuery } from '../../shared/domain/search.ts';

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

describe('SPEC §1 search folding: letters without a decomposition (ø, ł, æ, ß …) match their plain-Latin spelling', () => {
  it('SPEC §1 search folds Ø/ø→o, Ł/ł→l, Æ/æ→ae, Œ/œ→oe, ß/ẞ→ss, Đ/đ→d, Ð/ð→d, Þ/þ→th, ı→i, in either case', () => {
    // Arrange
    const expected: [string, string][] = [
      ['Øø', 'oo'], ['Łł', 'll'], ['Ææ', 'aeae'], ['Œœ', 'oeoe'], ['ßẞ', 'ssss'], ['Đđ', 'dd'], ['Ðð', 'dd'], ['Þþ', 'thth'], ['ı', 'i'],
      ['Ħħ', 'hh'], ['Ŧŧ', 'tt'], ['Ĳĳ', 'ijij'], ['ſ', 's'], ['Ƒƒ', 'ff'], ['Ǉǈǉ', 'ljljlj'], ['ﬁ', 'fi'],
    ];

    // Act
    const folded = expected.map(([text]) => [text, fold(text)]);

    // Assert
    expect(folded).toEqual(expected);
  });

  it('SPEC §1 search folds names with such letters and accents to plain Latin words; accents and case fold as before', () => {
    expect(fold('Øresund Łódź Ltd')).toBe('oresund lodz ltd');
    expect(fold('Łukasz')).toBe('lukasz');
    expect(fold('Æbelø')).toBe('aebelo');
    expect(fold('Straße')).toBe('strasse');
    expect(fold('Þórður Ðuric Œuvre İzmir Iğdır')).toBe('thordur duric oeuvre izmir igdir');
    expect(fold('JOSÉ Müller Ångström')).toBe('jose muller angstrom');
  });

  it('SPEC §1 search every table letter is lower case, has no decomposition, and folds to plain a-z; its capital folds the same', () => {
    for (const [letter, plain] of Object.entries(PLAIN_LATIN)) {
      expect(letter.normalize('NFD'), letter).toBe(letter);
      expect(letter.toLocaleLowerCase('en'), letter).toBe(letter);
      expect(plain, letter).toMatch(/^[a-z]+$/);
      expect(fold(letter), letter).toBe(plain);
      expect(fold(letter.toLocaleUpperCase('en')), letter).toBe(plain);
    }
  });

  it('SPEC §1 search folding is idempotent: a folded word folds to itself (an index word is in the form queries fold to)', () => {
    for (const text of ['Øresund Łódź', 'Straße', 'Æbelø', 'José-María', 'İstanbul', 'ǅemal']) expect(fold(fold(text)), text).toBe(fold(text));
  });

  it('SPEC §1 search a record with such letters is found by the plain spelling and by the original one (same folding for query and words)', () => {
    // Arrange
    const company = searchWordsOf('companies', { name: 'Øresund Łódź Ltd' });
    const contact = searchWordsOf('contacts', { firstName: 'Łukasz', lastName: 'Æbelø', email: 'lukasz@straße.de' });

    // Act / Assert
    for (const q of ['oresund', 'lodz', 'ØRESUND', 'łódź', 'Oresund Lodz']) expect(matchesQuery(company, query(q)), q).toBe(true);
    for (const q of ['lukasz', 'aebelo', 'Łukasz', 'æbelø', 'strasse.de', 'straße']) expect(matchesQuery(contact, query(q)), q).toBe(true);
    expect(query('Straße')).toEqual({ words: ['strasse'], driver: 'strasse' });
    expect(indexedWordsOf('companies', { name: 'Øresund Łódź Ltd' })).toEqual(['oresund', 'lodz', 'ltd']);
  });
});
