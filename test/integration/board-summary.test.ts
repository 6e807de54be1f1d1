import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boardTotals } from '../../functions/events/board-totals.ts';
import { addToCounters, backfillBoardCounters } from '../../shared/db/board-totals.ts';
import { type BoardOpportunity, contributionOf, counterDeltas, NO_CONTRIBUTION } from '../../shared/domain/board.ts';
import { boardContributionKey } from '../../shared/db/keys.ts';
import { deleteItem } from '../../shared/db/store.ts';
import { contracts } from '../../shared/contracts/index.ts';
import { consume } from '../../shared/events/consumer.ts';
import { newEvent } from '../../shared/events/outbox.ts';
import type { BoardSummary } from '../../shared/schemas/expand.ts';
import { TestApi } from '../support/api.ts';
import { as, type Caller, created, newContact, settle, usersOf } from '../support/fixtures.ts';

/**
 * R-OPP-11 (issue 16 item 3): `GET /opportunities/summary` per stage in pipeline order, every stage listed, with the
 * count and per-currency totals of the open, active opportunities the caller may see; kept from events by the
 * `board-totals` consumer, so a test settles the events before reading it.
 */

let api: TestApi;
let rep: Caller;
let otherRep: Caller;
let manager: Caller;
let stages: { id: string; name: string }[];

beforeAll(async () => {
  api = await TestApi.start();
  [rep, otherRep, manager] = await usersOf(api, 'rep', 'rep', 'manager');
  stages = (await api.get('/stages')).body.items;
});
afterAll(() => api?.stop());

const stageId = (name: string) => stages.find((stage) => stage.name === name)!.id;

async function deal(owner: Caller, stage: string, amount: number | null, currency = 'EUR', probability?: number) {
  const contactId = await newContact(api, owner);
  return created(
    api,
    '/opportunities',
    { title: 'Deal', contactId, stageId: stageId(stage), ...(amount === null ? {} : { value: { amount, currency } }), ...(probability === undefined ? {} : { probability }) },
    owner,
  );
}

async function summary(caller: Caller, ownerId?: string) {
  await settle(api);
  const answer = await api.call(contracts.getOpportunitySummary, { query: ownerId ? { ownerId } : {}, ...as(caller) });
  expect(answer.status).toBe(200);
  return answer.body;
}

const column = (body: BoardSummary, name: string) => body.stages.find((stage) => stage.stageId === stageId(name));

describe('R-OPP-11 pipeline board totals', () => {
  it('R-OPP-11 every stage in pipeline order, counts and per-currency totals and weighted totals; won, lost and archived ones left out', async () => {
    const empty = await summary(manager);
    await deal(rep, 'Qualified', 100_000, 'EUR', 30);
    await deal(rep, 'Qualified', 50_001, 'EUR', 33);
    await deal(otherRep, 'Qualified', 20_000, 'USD', 50);
    await deal(otherRep, 'Qualified', null);
    const won = await deal(rep, 'Qualified', 999_999);
    const lost = await deal(rep, 'Qualified', 999_999);
    const archived = await deal(rep, 'Qualified', 999_999);
    await api.post(`/opportunities/${won.id}/won`, {}, as(rep));
    await api.post(`/opportunities/${lost.id}/lost`, {}, as(rep));
    await api.post(`/opportunities/${archived.id}/archive`, {}, as(rep));

    const body = await summary(manager);

    expect(empty.stages.map((stage) => stage.stageId)).toEqual(stages.map((stage) => stage.id));
    expect(empty.stages.every((stage) => stage.count === 0 && stage.totals.length === 0)).toBe(true);
    expect(body.stages.map((stage) => stage.stageId)).toEqual(stages.map((stage) => stage.id));
    // 100000 × 30 + 50001 × 33 = 4650033 hundredths: 46500.33 rounded once.
    expect(column(body, 'Qualified')).toEqual({
      stageId: stageId('Qualified'),
      count: 4,
      totals: [
        { currency: 'EUR', amount: 150_001, weighted: 46_500 },
        { currency: 'USD', amount: 20_000, weighted: 10_000 },
      ],
    });
    expect(column(body, 'Won')).toEqual({ stageId: stageId('Won'), count: 0, totals: [] });
  });

  it('R-OPP-11 a stage move, a new value, a reassignment, a restore, an unarchive and a deletion move the totals', async () => {
    const before = await summary(manager);
    const moved = await deal(rep, 'New', 10_000, 'GBP', 10);
    const restored = await deal(rep, 'New', 1_000, 'GBP', 10);
    const unarchived = await deal(rep, 'New', 100, 'GBP', 10);
    const deleted = await deal(rep, 'New', 5, 'GBP', 10);
    await api.patch(`/opportunities/${moved.id}`, { stageId: stageId('Negotiation'), value: { amount: 20_000, currency: 'GBP' }, probability: 70, ownerId: otherRep.id }, as(rep));
    await api.post(`/opportunities/${restored.id}/lost`, {}, as(rep));
    await api.post(`/opportunities/${restored.id}/restore`, {}, as(rep));
    await api.post(`/opportunities/${unarchived.id}/archive`, {}, as(rep));
    await api.post(`/opportunities/${unarchived.id}/unarchive`, {}, as(rep));
    await api.delete(`/opportunities/${deleted.id}`, as(rep));

    const after = await summary(manager);
    const ofOtherRep = await summary(manager, otherRep.id);

    const gbp = (body: typeof after, name: string) => column(body, name)!.totals.find((total) => total.currency === 'GBP');
    expect(gbp(before, 'New')).toBeUndefined();
    expect(gbp(after, 'New')).toEqual({ currency: 'GBP', amount: 1_100, weighted: 110 });
    expect(gbp(after, 'Negotiation')).toEqual({ currency: 'GBP', amount: 20_000, weighted: 14_000 });
    expect(gbp(ofOtherRep, 'Negotiation')).toEqual({ currency: 'GBP', amount: 20_000, weighted: 14_000 });
    expect(gbp(ofOtherRep, 'New')).toBeUndefined();
  });

  it('R-OPP-11 / R-SHR-1 a rep sees its own and those shared with it, never another rep’s; a manager filters by owner', async () => {
    const [seller, colleague] = await usersOf(api, 'rep', 'rep');
    await deal(seller, 'Proposition', 1_000, 'CHF', 50);
    const shared = await deal(colleague, 'Proposition', 3_000, 'CHF', 50);
    await deal(colleague, 'Proposition', 7_000, 'CHF', 50);
    await created(api, `/opportunities/${shared.id}/shares`, { userId: seller.id }, colleague);

    const ofSeller = await summary(seller);
    const ofSellerOwnOnly = await summary(seller, seller.id);
    const ofColleague = await summary(colleague);
    const managerOnColleague = await summary(manager, colleague.id);

    expect(column(ofSeller, 'Proposition')).toEqual({ stageId: stageId('Proposition'), count: 2, totals: [{ currency: 'CHF', amount: 4_000, weighted: 2_000 }] });
    expect(column(ofSellerOwnOnly, 'Proposition')!.count).toBe(1);
    expect(column(ofColleague, 'Proposition')).toEqual({ stageId: stageId('Proposition'), count: 2, totals: [{ currency: 'CHF', amount: 10_000, weighted: 5_000 }] });
    expect(column(managerOnColleague, 'Proposition')!.totals).toEqual([{ currency: 'CHF', amount: 10_000, weighted: 5_000 }]);
  });

  it('R-OPP-11 / R-EVT-2 a replayed or late event changes nothing (the counters follow the record, not the event)', async () => {
    const [seller] = await usersOf(api, 'rep');
    const opportunity = await deal(seller, 'New', 4_000, 'SEK', 10);
    await api.patch(`/opportunities/${opportunity.id}`, { stageId: stageId('Qualified') }, as(seller));
    const settled = await summary(seller);
    const { ctx } = api.runtime;

    // The creation's event again, late (it names the old stage), and a deletion event of a record that still exists.
    const parties = { opportunityId: opportunity.id, contactId: opportunity.contactId, companyId: null, ownerId: seller.id };
    await consume(ctx, boardTotals, newEvent(ctx, 'opportunity.created', seller.id, { ...parties, stageId: stageId('New') }));
    await consume(ctx, boardTotals, newEvent(ctx, 'opportunity.deleted', seller.id, { ...parties, mergedIds: [] }));

    expect(await summary(seller)).toEqual(settled);
    // The move took the stage's probability (30).
    expect(column(settled, 'Qualified')!.totals).toEqual([{ currency: 'SEK', amount: 4_000, weighted: 1_200 }]);
  });

  it('R-OPP-11 a merge counts the survivor once and the merged-away ones no more', async () => {
    const [seller] = await usersOf(api, 'rep');
    const contactId = await newContact(api, seller);
    const kept = await created(api, '/opportunities', { title: 'A', contactId, stageId: stageId('New'), value: { amount: 100, currency: 'NOK' } }, seller);
    const away = await created(api, '/opportunities', { title: 'B', contactId, ownerId: seller.id, stageId: stageId('New'), value: { amount: 900, currency: 'NOK' }, allowDuplicate: true }, manager);
    await settle(api);
    const merged = await api.post('/opportunities/merge', { ids: [kept.id, away.id], targetId: kept.id }, as(seller));

    const body = await summary(seller);

    expect(merged.status).toBe(200);
    expect(column(body, 'New')).toMatchObject({ count: 1, totals: [{ currency: 'NOK', amount: 100, weighted: 10 }] });
  });

  it('R-OPP-11 concurrent changes of unrelated deals (one hot counter) stay exact and nothing is dead-lettered', async () => {
    const sellers = await usersOf(api, 'rep', 'rep', 'rep', 'rep');
    const before = await summary(manager);

    const deals = await Promise.all(Array.from({ length: 24 }, (_, at) => deal(sellers[at % 4]!, 'Negotiation', 1_000, 'JPY', 50)));
    await Promise.all(deals.slice(0, 8).map((opportunity) => api.post(`/opportunities/${opportunity.id}/won`, {}, as(manager))));
    const after = await summary(manager);

    expect(column(before, 'Negotiation')!.totals.find((total) => total.currency === 'JPY')).toBeUndefined();
    expect(column(after, 'Negotiation')!.totals.find((total) => total.currency === 'JPY')).toEqual({ currency: 'JPY', amount: 16_000, weighted: 8_000 });
    expect((await api.get('/_local/dead-letters')).body).toEqual({ items: [] });
  });

  it('R-OPP-11 the backfill counts opportunities the counters never saw, once however often it runs', async () => {
    const [seller] = await usersOf(api, 'rep');
    await deal(seller, 'New', 700, 'DKK', 10);
    const unseen = await deal(seller, 'New', 300, 'DKK', 10);
    await settle(api);
    const { ctx } = api.runtime;
    // As if written before the counters existed: its contribution, and what it added, gone.
    await addToCounters(ctx, counterDeltas(contributionOf(unseen as BoardOpportunity), NO_CONTRIBUTION));
    await deleteItem(ctx, boardContributionKey(unseen.id));
    const withoutIt = await summary(seller);

    await backfillBoardCounters(ctx);
    await backfillBoardCounters(ctx);

    expect(column(withoutIt, 'New')).toMatchObject({ count: 1, totals: [{ currency: 'DKK', amount: 700, weighted: 70 }] });
    expect(column(await summary(seller), 'New')).toMatchObject({ count: 2, totals: [{ currency: 'DKK', amount: 1_000, weighted: 100 }] });
  });

  it('R-OPP-11 a malformed owner filter is a 400 at query.ownerId', async () => {
    const answer = await api.call(contracts.getOpportunitySummary, { query: { ownerId: 'nobody' }, ...as(manager) });

    expect(answer.status).toBe(400);
    expect(answer.problem?.errors?.map((error) => error.path)).toEqual(['query.ownerId']);
  });
});
