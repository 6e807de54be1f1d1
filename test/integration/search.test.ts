import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';
import { as, created, idsOf, newOpportunity, usersOf, type Caller } from '../support/fixtures.ts';
import { batchWriteAll } from '../../shared/db/store.ts';
import { searchTermsOf } from '../../shared/db/search-index.ts';
import { seedContacts } from '../support/seed-records.ts';

/**
 * Issue 14 item 1, SPEC §1 "Search": `?q=` and `?tag=` served from the search index. Each test uses words of its
 * own (a random marker), so the records of the other tests never match.
 */

let api: TestApi;
let manager: Caller;
let repA: Caller;
let repB: Caller;

beforeAll(async () => {
  api = await TestApi.start();
  [manager, repA, repB] = await usersOf(api, 'manager', 'rep', 'rep');
});
afterAll(() => api?.stop());

/** A word no other record holds: letters only (digits would make it phone-like). */
const marker = () =>
  ulid()
    .slice(-8)
    .replace(/[0-9]/g, (digit) => 'abcdefghij'[Number(digit)]!)
    .toLowerCase();

const search = async (path: string, caller: Caller = manager) => {
  const answer = await api.get(path, as(caller));
  expect(answer.status).toBe(200);
  return answer;
};
const ids = async (path: string, caller: Caller = manager) => idsOf(await search(path, caller));

describe('issue 14 search: what matches', () => {
  it('issue 14 q matches the start of a word, case-insensitively (prefix)', async () => {
    const word = marker();
    const id = (await created(api, '/contacts', { firstName: 'Ada', lastName: `Zeb${word}` }, manager)).id;

    expect(await ids(`/contacts?q=ZEB${word.slice(0, 3)}`)).toEqual([id]);
    expect(await ids(`/contacts?q=eb${word}`)).toEqual([]);
  });

  it('issue 14 q is accent-insensitive both ways ("jose" finds "José", "josé" finds "Jose")', async () => {
    const word = marker();
    const accented = (await created(api, '/contacts', { firstName: `José${word}`, lastName: `Müller${word}` }, manager)).id;
    const plain = (await created(api, '/contacts', { firstName: `Jose${word}`, lastName: 'Plain' }, manager)).id;

    expect(await ids(`/contacts?q=${encodeURIComponent(`jose${word}`)}`)).toEqual([plain, accented]);
    expect(await ids(`/contacts?q=${encodeURIComponent(`JOSÉ${word}`)}`)).toEqual([plain, accented]);
    expect(await ids(`/contacts?q=${encodeURIComponent(`muller${word}`)}`)).toEqual([accented]);
  });

  it('SPEC §1 search letters without a decomposition match their plain spelling both ways ("oresund" finds "Øresund", "straße" finds "Strasse")', async () => {
    // Arrange: this file's table holds no other record with these words.
    const company = (await created(api, '/companies', { name: 'Øresund Łódź Ltd' }, manager)).id;
    const contact = (await created(api, '/contacts', { firstName: 'Łukasz', lastName: 'Æbelø' }, manager)).id;
    const lead = (await created(api, '/leads', { name: 'Jens Straße' }, manager)).id;
    const plainLead = (await created(api, '/leads', { name: 'Otto Strassel' }, manager)).id;
    const q = (text: string) => `q=${encodeURIComponent(text)}`;

    // Act
    const byPlain = {
      oresund: await ids(`/companies?${q('oresund')}`),
      lodz: await ids(`/companies?${q('lodz')}`),
      both: await ids(`/companies?${q('Lodz ORESUND ltd')}`),
      lukasz: await ids(`/contacts?${q('lukasz')}`),
      aebelo: await ids(`/contacts?${q('aebelo')}`),
      strasse: await ids(`/leads?${q('strasse')}`),
    };
    const byOriginal = {
      oresund: await ids(`/companies?${q('Øresund')}`),
      lodz: await ids(`/companies?${q('łódź')}`),
      lukasz: await ids(`/contacts?${q('ŁUKASZ')}`),
      aebelo: await ids(`/contacts?${q('æbelø')}`),
      strasse: await ids(`/leads?${q('Straße')}`),
    };

    // Assert
    expect(byPlain).toEqual({ oresund: [company], lodz: [company], both: [company], lukasz: [contact], aebelo: [contact], strasse: [lead, plainLead] });
    expect(byOriginal).toEqual({ oresund: [company], lodz: [company], lukasz: [contact], aebelo: [contact], strasse: [lead, plainLead] });
  });

  it('issue 14 several words must all match, in any order', async () => {
    const word = marker();
    const lovelace = (await created(api, '/contacts', { firstName: `Ada${word}`, lastName: 'Lovelace' }, manager)).id;
    await created(api, '/contacts', { firstName: `Ada${word}`, lastName: 'Byron' }, manager);

    expect(await ids(`/contacts?q=${encodeURIComponent(`ada${word} love`)}`)).toEqual([lovelace]);
    expect(await ids(`/contacts?q=${encodeURIComponent(`LOVE ada${word}`)}`)).toEqual([lovelace]);
    expect(await ids(`/contacts?q=${encodeURIComponent(`ada${word} nobody`)}`)).toEqual([]);
  });

  it('issue 14 email, domain and phone digits count as words', async () => {
    const word = marker();
    const contact = (await created(api, '/contacts', { lastName: 'Mail', email: `ada.${word}@${word}-analytical.org`, phone: '+39 02 5550 1234' }, manager)).id;
    const company = (await created(api, '/companies', { name: 'Engines', domain: `${word}-engines.com` }, manager)).id;

    expect(await ids(`/contacts?q=ada.${word}@`)).toEqual([contact]);
    expect(await ids(`/contacts?q=${word}-analytical.org`)).toEqual([contact]);
    expect(await ids(`/contacts?q=${encodeURIComponent(`${word} 390255501`)}`)).toEqual([contact]);
    expect(await ids(`/contacts?q=${encodeURIComponent(`${word} 5550-1234`)}`)).toEqual([contact]);
    expect(await ids(`/companies?q=${word}-engines.com`)).toEqual([company]);
  });

  it('issue 14 a query without a word of 2 characters (blanks only included) is a 400 listing query.q, saying so', async () => {
    for (const path of ['/contacts?q=a', '/companies?q=%20b%20', '/leads?q=x', '/opportunities?q=a%20b', '/contacts?q=%20%20', '/opportunities?q=']) {
      const answer = await api.get(path, as(manager));

      expect(answer.status, path).toBe(400);
      expect(answer.body.errors, path).toEqual([{ path: 'query.q', message: 'Search for at least 2 characters' }]);
    }
  });

  it('issue 14 leads and opportunities are searched too (lead name, company name; opportunity title)', async () => {
    const word = marker();
    const lead = (await created(api, '/leads', { name: 'Carla Neri', companyName: `${word} Costruzioni` }, manager)).id;
    const opportunity = await newOpportunity(api, manager, { title: `Rinnovo ${word}` });

    expect(await ids(`/leads?q=${word}%20carla`)).toEqual([lead]);
    expect(await ids(`/opportunities?q=rinnovo%20${word}`)).toEqual([opportunity.id]);
  });
});

describe('issue 14 search never shows an old state', () => {
  it('issue 14 a renamed record is found by its new name only', async () => {
    const [before, after] = [marker(), marker()];
    const id = (await created(api, '/contacts', { lastName: `Old${before}` }, manager)).id;

    const renamed = await api.patch(`/contacts/${id}`, { lastName: `New${after}` }, as(manager));

    expect(renamed.status).toBe(200);
    expect(await ids(`/contacts?q=old${before}`)).toEqual([]);
    expect(await ids(`/contacts?q=new${after}`)).toEqual([id]);
  });

  it('issue 14 an index item for a word that starts another (written before such words lost their items) finds nothing old', async () => {
    const [first, domain, renamed] = [marker(), marker(), marker()];
    const contact = await created(api, '/contacts', { firstName: `Ada${first}`, email: `ada${first}@${domain}.com` }, manager);
    // What the index held before: an item of its own for the email's first part and for the domain's first label.
    const olderItems = searchTermsOf('contacts', { id: contact.id, ownerId: contact.ownerId, firstName: `ada${first}`, lastName: domain });
    await batchWriteAll(api.runtime.ctx, olderItems.map((Item) => ({ PutRequest: { Item } })));

    expect(await ids(`/contacts?q=ada${first}`)).toEqual([contact.id]);
    expect(await ids(`/contacts?q=${domain}`)).toEqual([contact.id]);

    await api.patch(`/contacts/${contact.id}`, { firstName: `Bob${renamed}`, email: `bob${renamed}@example.com` }, as(manager));

    expect(await ids(`/contacts?q=ada${first}`)).toEqual([]);
    expect(await ids(`/contacts?q=${domain}`)).toEqual([]);
    expect(await ids(`/contacts?q=bob${renamed}`)).toEqual([contact.id]);
  });

  it('issue 14 a deleted record vanishes, and its index items with it', async () => {
    const word = marker();
    const id = (await created(api, '/companies', { name: `Gone${word}`, tags: [`t${word}`] }, manager)).id;

    const deleted = await api.delete(`/companies/${id}`, as(manager));

    expect(deleted.status).toBe(204);
    expect(await ids(`/companies?q=gone${word}`)).toEqual([]);
    expect(await ids(`/companies?tag=t${word}`)).toEqual([]);
    expect((await api.tableSnapshot()).filter((item) => item.recordId === id)).toEqual([]);
  });

  it('issue 14 a renamed opportunity and one merged away are searched as they are now', async () => {
    const word = marker();
    const target = await newOpportunity(api, manager, { title: `Merge${word} target` });
    const other = await newOpportunity(api, manager, { title: `Merge${word} other` });
    const renamed = await newOpportunity(api, manager, { title: `Before${word}` });

    const merged = await api.post('/opportunities/merge', { ids: [target.id, other.id], targetId: target.id }, as(manager));
    await api.patch(`/opportunities/${renamed.id}`, { title: `After${word}` }, as(manager));

    expect(merged.status).toBe(200);
    expect(await ids(`/opportunities?q=merge${word}`)).toEqual([target.id]);
    expect(await ids(`/opportunities?q=before${word}`)).toEqual([]);
    expect(await ids(`/opportunities?q=after${word}`)).toEqual([renamed.id]);
  });
});

describe('issue 14 search: visibility and tags', () => {
  it('issue 14 R-SHR-1 a rep finds its own records and those shared with it, never another rep\'s', async () => {
    const word = marker();
    const own = (await created(api, '/contacts', { lastName: `Quin${word}` }, repA)).id;
    await created(api, '/contacts', { lastName: `Quin${word}` }, repB);
    const ownDeal = await newOpportunity(api, repA, { title: `Quin${word} own` });
    const sharedDeal = await newOpportunity(api, repB, { title: `Quin${word} shared` });
    await newOpportunity(api, repB, { title: `Quin${word} hidden` });
    expect((await api.post(`/opportunities/${sharedDeal.id}/shares`, { userId: repA.id }, as(repB))).status).toBe(201);

    expect(await ids(`/contacts?q=quin${word}`, repA)).toEqual([own]);
    expect((await ids(`/contacts?q=quin${word}`, manager)).length).toBe(2);
    expect(await ids(`/opportunities?q=quin${word}`, repA)).toEqual([sharedDeal.id, ownDeal.id]);
  });

  it('issue 14 R-SHR-1 a contact handed to another rep is found by its new owner only', async () => {
    const word = marker();
    const id = (await created(api, '/contacts', { lastName: `Hand${word}` }, repA)).id;

    const handed = await api.patch(`/contacts/${id}`, { ownerId: repB.id }, as(manager));

    expect(handed.status).toBe(200);
    expect(await ids(`/contacts?q=hand${word}`, repA)).toEqual([]);
    expect(await ids(`/contacts?q=hand${word}`, repB)).toEqual([id]);
  });

  it('issue 14 ?tag= is served by the index: any of the tags, newest first, a rep sees its own', async () => {
    const [gold, silver] = [`g${marker()}`, `s${marker()}`];
    const first = (await created(api, '/contacts', { lastName: 'One', tags: [gold.toUpperCase()] }, repA)).id;
    const second = (await created(api, '/contacts', { lastName: 'Two', tags: [silver, gold] }, repA)).id;
    const others = (await created(api, '/contacts', { lastName: 'Three', tags: [silver] }, repB)).id;

    expect(await ids(`/contacts?tag=${gold}`)).toEqual([second, first]);
    expect(await ids(`/contacts?tag=${gold},${silver}`)).toEqual([others, second, first]);
    expect(await ids(`/contacts?tag=${gold},${silver}`, repA)).toEqual([second, first]);
    expect(await ids(`/contacts?tag=${silver}&q=two`)).toEqual([second]);
  });
});

describe('issue 14 a first page holds limit matches whenever that many exist', () => {
  it('issue 14 among 300 contacts, the one match is on the first page; 25 matches page as 20 then 5', async () => {
    const [one, many] = [marker(), marker()];
    const others = Array.from({ length: 275 }, (_, at) => ({ firstName: `Filler${at}`, lastName: `Other${marker()}` }));
    const matching = Array.from({ length: 25 }, (_, at) => ({ firstName: `${many}`, lastName: `Match${at}` }));
    const [match] = await seedContacts(api.runtime.ctx, manager.id, [{ lastName: `Zebulon${one}` }]);
    const seeded = await seedContacts(api.runtime.ctx, manager.id, [...others.slice(0, 150), ...matching, ...others.slice(150)]);

    const single = await search(`/contacts?q=zebulon${one}&limit=20`);
    const firstPage = await search(`/contacts?q=${many}&limit=20`);
    const secondPage = await search(`/contacts?q=${many}&limit=20&cursor=${encodeURIComponent(firstPage.body.nextCursor)}`);

    expect(idsOf(single)).toEqual([match]);
    expect(single.body.nextCursor).toBeNull();
    expect(idsOf(firstPage)).toHaveLength(20);
    expect(firstPage.body.nextCursor).not.toBeNull();
    expect(idsOf(secondPage)).toHaveLength(5);
    expect(secondPage.body.nextCursor).toBeNull();
    expect(new Set([...idsOf(firstPage), ...idsOf(secondPage)])).toEqual(new Set(seeded.slice(150, 175)));
  });

  it('issue 14 a rep\'s first page is full although most matches are another rep\'s', async () => {
    const word = marker();
    await seedContacts(api.runtime.ctx, repB.id, Array.from({ length: 120 }, () => ({ lastName: `Crowd${word}` })));
    const mine = await seedContacts(api.runtime.ctx, repA.id, Array.from({ length: 3 }, () => ({ lastName: `Crowd${word}` })));

    const page = await search(`/contacts?q=crowd${word}&limit=3`, repA);

    expect(new Set(idsOf(page))).toEqual(new Set(mine));
  });
});
