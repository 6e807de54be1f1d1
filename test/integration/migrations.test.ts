import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketOf, termSortKey, type SearchEntity } from '../../shared/domain/search.ts';
import {
  activeAdminsKey,
  BOARD_ALL,
  boardContributionKey,
  boardCounterKey,
  boardOwnerPartition,
  companyModel,
  contactModel,
  ownedSearchWordPartition,
  postSaleItemKey,
  searchWordPartition,
  userModel,
} from '../../shared/db/keys.ts';
import { SEARCH_ITEM_TYPE, searchTermsOf } from '../../shared/db/search-index.ts';
import { CURRENT_SHAPE_VERSION } from '../../shared/db/migrations/index.ts';
import { META_KEY, migrateTable, shapeVersion, type MigrationProgress } from '../../shared/db/migrations/runner.ts';
import { deleteItem, getItem, putItem, type Key } from '../../shared/db/store.ts';
import { TestApi } from '../support/api.ts';
import { created, idsOf, newContact, newOpportunity, settle, usersOf } from '../support/fixtures.ts';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
}, 60_000);
afterAll(() => api.stop());

/**
 * A record as the code before commit 172eab1 wrote it: its type in `entity` ('Contact', 'User'), no `recordType`;
 * and a table from before commit cbde2b0 (no active admins' guard) and before versioning (no meta item).
 */
async function writtenByEarlierVersion(key: Key): Promise<void> {
  const { recordType, ...item } = (await getItem(api.runtime.ctx, key, { consistent: true }))!;
  await putItem(api.runtime.ctx, { ...item, entity: recordType });
}

describe('Issue 15 item 3: data migrations', () => {
  it('Issue 15 item 3 items of earlier shapes (unversioned, `entity` before 172eab1, no admins guard before cbde2b0) migrate, then pass the same reads and rules', async () => {
    // Arrange: data written through the API, then put back in the shapes earlier versions wrote.
    const [rep] = await usersOf(api, 'rep');
    const contactId = await newContact(api, undefined, { firstName: 'Ada', email: 'ada@example.com' });
    const before = await api.get(`/contacts/${contactId}`);
    const usersBefore = await api.get('/users');
    await writtenByEarlierVersion(contactModel.key(contactId));
    await writtenByEarlierVersion(userModel.key(rep!.id));
    await deleteItem(api.runtime.ctx, activeAdminsKey);
    await deleteItem(api.runtime.ctx, META_KEY);
    const reports: MigrationProgress[] = [];

    // Act
    const result = await migrateTable(api.runtime.ctx, { segments: 3, report: (progress) => reports.push(progress) });

    // Assert: the table is at the current shape, the items are in it, the API reads them as before.
    expect(result).toEqual({ from: 0, to: CURRENT_SHAPE_VERSION, applied: ['001-record-type', '002-active-admins-guard', '003-search-index', '004-board-counters', '005-search-folding', '006-process-deal-owners'], stopped: false });
    expect(await shapeVersion(api.runtime.ctx)).toBe(CURRENT_SHAPE_VERSION);
    const contact = (await getItem(api.runtime.ctx, contactModel.key(contactId), { consistent: true }))!;
    expect(contact).toMatchObject({ recordType: 'Contact' });
    expect(contact).not.toHaveProperty('entity');
    expect(reports.find((report) => report.migration === '001-record-type' && report.segmentsDone === 3)).toMatchObject({ changed: 2 });
    const after = await api.get(`/contacts/${contactId}`);
    expect(after.status).toBe(200);
    expect(after.body).toEqual(before.body);
    expect((await api.get('/users')).body).toEqual(usersBefore.body);
    const guard = (await getItem(api.runtime.ctx, activeAdminsKey, { consistent: true }))!;
    expect(guard.ids).toHaveLength(1);
    // The guard written by 002 holds: the one active admin cannot be demoted.
    const admin = usersBefore.body.items.find((user: { role: string }) => user.role === 'admin');
    expect((await api.patch(`/users/${admin.id}`, { role: 'rep' }, { headers: { 'if-match': `"${admin.version}"` } })).status).toBe(409);
  }, 120_000);

  it('Issue 15 item 3 a second run changes nothing (idempotent)', async () => {
    const result = await migrateTable(api.runtime.ctx);

    expect(result).toMatchObject({ from: CURRENT_SHAPE_VERSION, to: CURRENT_SHAPE_VERSION, applied: [], stopped: false });
  });

  it('Issue 15 item 3 a run stopped after one page resumes where it stopped', async () => {
    const ids = await Promise.all(Array.from({ length: 5 }, (_, index) => newContact(api, undefined, { lastName: `Old ${index}` })));
    for (const id of ids) await writtenByEarlierVersion(contactModel.key(id));
    await deleteItem(api.runtime.ctx, META_KEY);

    const stopped = await migrateTable(api.runtime.ctx, { segments: 2, stopAfterPages: 1 });
    const meta = await getItem(api.runtime.ctx, META_KEY, { consistent: true });
    const resumed = await migrateTable(api.runtime.ctx, { segments: 2 });

    expect(stopped).toMatchObject({ from: 0, to: 0, stopped: true });
    expect(meta).toMatchObject({ shapeVersion: 0, progress: { id: 1 } });
    expect(resumed).toMatchObject({ from: 0, to: CURRENT_SHAPE_VERSION, stopped: false });
    for (const id of ids) expect(await getItem(api.runtime.ctx, contactModel.key(id), { consistent: true })).toMatchObject({ recordType: 'Contact' });
  }, 120_000);

  it('Issue 15 item 3 (issue 14 item 1, R-OPP-11) records from before the search index and the board counters are found and counted once migrated', async () => {
    // Arrange: a contact and an opportunity as a table from before both wrote them (no index items, no counters).
    const contactId = await newContact(api, undefined, { firstName: 'Zenobia', lastName: 'Backfill' });
    const opportunity = await newOpportunity(api, undefined, { title: 'Backfilled deal', contactId, value: { amount: 50_000, currency: 'EUR' } });
    await settle(api);
    const contact = (await getItem(api.runtime.ctx, contactModel.key(contactId), { consistent: true }))!;
    for (const item of searchTermsOf('contacts', contact as Parameters<typeof searchTermsOf>[1])) await deleteItem(api.runtime.ctx, { PK: item.PK, SK: item.SK });
    for (const partition of [BOARD_ALL, boardOwnerPartition(opportunity.ownerId)]) await deleteItem(api.runtime.ctx, boardCounterKey(partition, opportunity.stageId, 'EUR'));
    await deleteItem(api.runtime.ctx, boardContributionKey(opportunity.id));
    await putItem(api.runtime.ctx, { ...META_KEY, shapeVersion: 2 });
    const countIn = (summary: { body: { stages: { stageId: string; count: number }[] } }) => summary.body.stages.find((stage) => stage.stageId === opportunity.stageId)?.count;
    const unfound = await api.get('/contacts?q=zenob');
    const uncounted = await api.get('/opportunities/summary');

    // Act
    const result = await migrateTable(api.runtime.ctx);

    // Assert
    expect(idsOf(unfound)).toEqual([]);
    expect(countIn(uncounted)).toBe(0);
    expect(result).toMatchObject({ from: 2, to: CURRENT_SHAPE_VERSION, applied: ['003-search-index', '004-board-counters', '005-search-folding', '006-process-deal-owners'], stopped: false });
    expect(idsOf(await api.get('/contacts?q=zenob'))).toEqual([contactId]);
    const summary = await api.get('/opportunities/summary');
    expect(countIn(summary)).toBe(1);
    expect(summary.body.stages.find((stage: { stageId: string }) => stage.stageId === opportunity.stageId).totals).toEqual([{ currency: 'EUR', amount: 50_000, weighted: expect.any(Number) }]);
  }, 120_000);

  it('SPEC §1 search (005-search-folding) records indexed before ø, ł, ß … were folded to plain Latin are found by both spellings once migrated; the old items go', async () => {
    // Arrange: a company and a contact as the code before 005 indexed them (words folded without ø → o, ł → l, ß → ss),
    // an old item of a record deleted since, and a record without such letters.
    type Owned = { id: string; ownerId: string };
    const company = await created<Owned>(api, '/companies', { name: 'Øresund Łódź Ltd' });
    const contact = await created<Owned>(api, '/contacts', { firstName: 'Łukasz', lastName: 'Straße' });
    const plain = await created<Owned>(api, '/contacts', { firstName: 'Plain', lastName: 'Folding' });
    const oldItem = (entity: SearchEntity, record: Owned, word: string) => ({
      PK: searchWordPartition(entity, bucketOf(word)),
      SK: termSortKey(word, record.id),
      GSI2PK: ownedSearchWordPartition(entity, record.ownerId, bucketOf(word)),
      GSI2SK: termSortKey(word, record.id),
      recordId: record.id,
      recordType: SEARCH_ITEM_TYPE,
    });
    const staleItems = [
      ...['øresund', 'łodz'].map((word) => oldItem('companies', company, word)),
      ...['łukasz', 'straße'].map((word) => oldItem('contacts', contact, word)),
      oldItem('contacts', { id: ulid(), ownerId: contact.ownerId }, 'ørphan'),
    ];
    const unchangedItem = oldItem('companies', company, 'ltd');
    const companyItem = (await getItem(api.runtime.ctx, companyModel.key(company.id), { consistent: true }))!;
    const contactItem = (await getItem(api.runtime.ctx, contactModel.key(contact.id), { consistent: true }))!;
    for (const item of [...searchTermsOf('companies', companyItem as Parameters<typeof searchTermsOf>[1]), ...searchTermsOf('contacts', contactItem as Parameters<typeof searchTermsOf>[1])]) {
      await deleteItem(api.runtime.ctx, { PK: item.PK, SK: item.SK });
    }
    for (const item of [...staleItems, unchangedItem]) await putItem(api.runtime.ctx, item);
    await putItem(api.runtime.ctx, { ...META_KEY, shapeVersion: 4 });
    const found = async () => ({
      oresund: idsOf(await api.get('/companies?q=oresund')),
      Øresund: idsOf(await api.get(`/companies?q=${encodeURIComponent('Øresund')}`)),
      lodz: idsOf(await api.get('/companies?q=lodz')),
      lukasz: idsOf(await api.get('/contacts?q=lukasz')),
      strasse: idsOf(await api.get('/contacts?q=strasse')),
      Straße: idsOf(await api.get(`/contacts?q=${encodeURIComponent('Straße')}`)),
      plain: idsOf(await api.get('/contacts?q=plain%20folding')),
    });
    const before = await found();

    // Act
    const result = await migrateTable(api.runtime.ctx);

    // Assert
    expect(before).toEqual({ oresund: [], Øresund: [], lodz: [], lukasz: [], strasse: [], Straße: [], plain: [plain.id] });
    expect(result).toMatchObject({ from: 4, to: CURRENT_SHAPE_VERSION, applied: ['005-search-folding', '006-process-deal-owners'], stopped: false });
    expect(await found()).toEqual({ oresund: [company.id], Øresund: [company.id], lodz: [company.id], lukasz: [contact.id], strasse: [contact.id], Straße: [contact.id], plain: [plain.id] });
    for (const item of staleItems) expect(await getItem(api.runtime.ctx, { PK: item.PK, SK: item.SK }, { consistent: true }), item.SK).toBeUndefined();
    expect(await getItem(api.runtime.ctx, { PK: unchangedItem.PK, SK: unchangedItem.SK }, { consistent: true })).toEqual(unchangedItem);
    expect(await migrateTable(api.runtime.ctx)).toMatchObject({ from: CURRENT_SHAPE_VERSION, applied: [] });
  }, 120_000);

  it('R-PS-6 (006-process-deal-owners) a process assigned away from its deal owner before this migration is listed for that owner once migrated', async () => {
    // Arrange: a process of a rep's deal assigned to another rep, without the item that lists it for the deal's owner
    // (as the code before 006 wrote it).
    const [dealOwner, assignee, manager] = await usersOf(api, 'rep', 'rep', 'manager');
    const deal = await newOpportunity(api, dealOwner);
    const process = await created<{ id: string }>(api, '/post-sale-processes', { opportunityId: deal.id, assigneeId: assignee!.id }, manager);
    const ownProcess = await created<{ id: string }>(api, '/post-sale-processes', { opportunityId: (await newOpportunity(api, dealOwner)).id }, dealOwner);
    await deleteItem(api.runtime.ctx, postSaleItemKey(process.id, 'grant', dealOwner!.id));
    await putItem(api.runtime.ctx, { ...META_KEY, shapeVersion: 5 });
    const listed = async () => idsOf(await api.get('/post-sale-processes', { token: dealOwner!.token })).sort();
    const before = await listed();

    // Act
    const result = await migrateTable(api.runtime.ctx);

    // Assert
    expect(before).toEqual([ownProcess.id]);
    expect(result).toMatchObject({ from: 5, to: CURRENT_SHAPE_VERSION, applied: ['006-process-deal-owners'], stopped: false });
    expect(await listed()).toEqual([process.id, ownProcess.id].sort());
    expect(await migrateTable(api.runtime.ctx)).toMatchObject({ from: CURRENT_SHAPE_VERSION, applied: [] });
  }, 120_000);
});
