import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opportunityQueries } from '../../shared/db/list-queries.ts';
import { MAX_EXAMINED_PER_SOURCE, MAX_QUERIES_PER_SOURCE } from '../../shared/db/merged-listing.ts';
import { queryPage } from '../../shared/db/store.ts';
import { planOpportunityListing } from '../../shared/domain/opportunities.ts';
import type { ContactInput } from '../../shared/domain/parties.ts';
import { TestApi } from '../support/api.ts';
import { testDocumentClient } from '../support/database.ts';
import { as, created, newContact, newOpportunity, newestFirst, settle, usersOf, type Caller } from '../support/fixtures.ts';
import { seedContacts } from '../support/seed-records.ts';

/**
 * SPEC §1 lists (README "Conventions"): a page holds `limit` items whenever that many matching items exist further
 * on, and `nextCursor` is null once nothing more matches. Filtered listings read on, Query after Query, until the
 * page is full, within a bounded amount of work per page (shared/db/merged-listing.ts); a page stopped by that
 * bound is short, with a cursor that resumes where reading stopped.
 */

let api: TestApi;

/** The Queries the runtime sends while `recording` (index partition and `Limit` of each). */
const queries: { partition: unknown; limit: number | undefined }[] = [];
let recording = false;

beforeAll(async () => {
  const db = testDocumentClient();
  db.middlewareStack.add(
    (next, context) => async (args) => {
      if (recording && context.commandName === 'QueryCommand') {
        const input = args.input as QueryCommandInput;
        queries.push({ partition: input.ExpressionAttributeValues?.[':pk'], limit: input.Limit });
      }
      return next(args);
    },
    { step: 'initialize', name: 'record-queries' },
  );
  api = await TestApi.start({ context: { db } });
});
afterAll(() => api?.stop());

interface Walk {
  pages: string[][];
  cursors: (string | null)[];
}

/** Every page of a listing, from the first to the one with a null cursor (at most `maxPages`). */
async function walk(path: string, caller: Caller | undefined, limit: number, maxPages = 100): Promise<Walk> {
  const pages: string[][] = [];
  const cursors: (string | null)[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const answer: { status: number; body: any } = await api.get(`${path}${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, caller ? as(caller) : {});
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    pages.push(answer.body.items.map((item: { id: string }) => item.id));
    cursor = answer.body.nextCursor;
    cursors.push(cursor);
  } while (cursor !== null && pages.length < maxPages);
  expect(cursor, `${path}: still a cursor after ${maxPages} pages`).toBeNull();
  return { pages, cursors };
}

/** Every page but the last holds `limit` items; the last one holds what is left (1..limit) and ends the walk. */
function expectFullPages(found: Walk, limit: number, matches: readonly string[]): void {
  expect(found.pages.flat()).toEqual(newestFirst(matches));
  const expected = Array.from({ length: Math.ceil(matches.length / limit) }, (_, at) => Math.min(limit, matches.length - at * limit));
  expect(found.pages.map((page) => page.length)).toEqual(matches.length === 0 ? [0] : expected);
  expect(found.cursors.at(-1)).toBeNull();
}

const win = async (opportunityId: string, caller?: Caller) => {
  const answer = await api.post(`/opportunities/${opportunityId}/won`, {}, caller ? as(caller) : {});
  if (answer.status !== 200) throw new Error(`won: ${answer.status} ${JSON.stringify(answer.body)}`);
};
const lose = async (opportunityId: string, caller?: Caller) => {
  const answer = await api.post(`/opportunities/${opportunityId}/lost`, {}, caller ? as(caller) : {});
  if (answer.status !== 200) throw new Error(`lost: ${answer.status} ${JSON.stringify(answer.body)}`);
};

/** A contact of `caller` that is a current customer (R-CON-2: one of its opportunities won). */
async function currentCustomer(caller: Caller): Promise<string> {
  const contactId = await newContact(api, caller);
  await win((await newOpportunity(api, caller, { contactId })).id, caller);
  return contactId;
}

describe('SPEC §1 filtered lists fill their pages (QA repros)', () => {
  it("SPEC §1 a rep's list filtered by contact fills its page: the one match among ten deals comes first, with a null cursor", async () => {
    const [rep] = await usersOf(api, 'rep');
    const deals: string[] = [];
    for (let at = 0; at < 10; at++) deals.push((await newOpportunity(api, rep)).id);
    const third = (await api.get(`/opportunities/${deals[7]}`, as(rep))).body;

    const first = await api.get(`/opportunities?contactId=${third.contactId}&limit=1`, as(rep));

    expect(first.status).toBe(200);
    expect(first.body.items.map((item: { id: string }) => item.id)).toEqual([third.id]);
    expect(first.body.nextCursor).toBeNull();
  });

  it("SPEC §1 a rep's contacts filtered by customerStatus fill their page past 28 newer contacts that do not match", async () => {
    const [rep] = await usersOf(api, 'rep');
    const customer = await currentCustomer(rep);
    for (let at = 0; at < 28; at++) await newContact(api, rep);
    await settle(api);

    const found = await walk('/contacts?customerStatus=current', rep, 1);

    expect(found.pages).toEqual([[customer]]);
    expect(found.cursors).toEqual([null]);
  });

  it("SPEC §1 an admin's list filtered by several owners fills each page past 21 deals of another owner, then ends with a null cursor", async () => {
    const [ownerA, ownerB, other] = await usersOf(api, 'rep', 'rep', 'rep');
    const dealOfA = (await newOpportunity(api, ownerA)).id;
    for (let at = 0; at < 21; at++) await newOpportunity(api, other);
    const dealOfB = (await newOpportunity(api, ownerB)).id;
    for (let at = 0; at < 21; at++) await newOpportunity(api, other);

    const found = await walk(`/opportunities?ownerId=${ownerA.id},${ownerB.id}`, undefined, 1);

    expect(found.pages).toEqual([[dealOfB], [dealOfA]]);
    expect(found.cursors[0]).not.toBeNull();
    expect(found.cursors[1]).toBeNull();
  });
});

describe('SPEC §1 walks of merged listings see every match once', () => {
  it("SPEC §1 R-SHR-1 a rep's own and shared deals filtered by stage: walks with limit 1 and 2 see every match exactly once, newest first, in full pages", async () => {
    const [rep, colleague] = await usersOf(api, 'rep', 'rep');
    const focus = await created(api, '/stages', { name: `Focus ${rep.id.slice(-6)}`, order: 500, probability: 40 });
    const matches: string[] = [];
    // Sparse matches in both partitions: one in six deals is in the stage asked for, owners interleaved.
    for (let at = 0; at < 18; at++) {
      for (const owner of [rep, colleague]) {
        const inFocus = at % 6 === 2;
        const deal = await newOpportunity(api, owner, inFocus ? { stageId: focus.id } : {});
        if (owner === colleague) {
          const shared = await api.post(`/opportunities/${deal.id}/shares`, { userId: rep.id }, as(colleague));
          expect(shared.status).toBe(201);
        }
        if (inFocus) matches.push(deal.id);
      }
    }
    expect(matches).toHaveLength(6);

    for (const limit of [1, 2]) expectFullPages(await walk(`/opportunities?stageId=${focus.id}`, rep, limit), limit, matches);
  });

  it("SPEC §1 an admin's closed deals of several statuses and owners: walks with limit 1 and 2 see every match exactly once, in full pages", async () => {
    const [ownerA, ownerB, other] = await usersOf(api, 'rep', 'rep', 'rep');
    const matches: string[] = [];
    const owners = [ownerA, other, other, other, ownerB, other, other];
    for (let at = 0; at < 21; at++) {
      const owner = owners[at % owners.length]!;
      const deal = await newOpportunity(api, owner);
      await (at % 2 === 0 ? win(deal.id, owner) : lose(deal.id, owner));
      if (owner !== other) matches.push(deal.id);
    }
    expect(matches).toHaveLength(6);

    for (const limit of [1, 2]) {
      expectFullPages(await walk(`/opportunities?status=won,lost&ownerId=${ownerA.id},${ownerB.id}`, undefined, limit), limit, matches);
    }
  });

  it('SPEC §1 a cursor of the earlier reader of a filtered staff list still pages on; a tampered one is a 400 invalid_cursor', async () => {
    const [ownerA, ownerB] = await usersOf(api, 'rep', 'rep');
    const deals = [(await newOpportunity(api, ownerA)).id, (await newOpportunity(api, ownerB)).id, (await newOpportunity(api, ownerA)).id];
    const filters = { ownerId: [ownerA.id, ownerB.id] };
    const plan = planOpportunityListing({ userId: 'admin', role: 'admin' }, filters);
    if (plan.kind !== 'query') throw new Error('expected a query plan');
    const [query] = opportunityQueries(plan);
    const issuedBefore = await queryPage(api.runtime.ctx, { ...query!, limit: 1 });
    expect(issuedBefore.nextCursor).not.toBeNull();

    const rest = await api.get(`/opportunities?ownerId=${ownerA.id},${ownerB.id}&limit=2&cursor=${encodeURIComponent(issuedBefore.nextCursor!)}`);
    const tampered = await api.get(`/opportunities?ownerId=${ownerA.id},${ownerB.id}&limit=2&cursor=${encodeURIComponent(`${issuedBefore.nextCursor!.slice(0, -2)}xx`)}`);

    expect(rest.status).toBe(200);
    const seen = [...(issuedBefore.items as { id: string }[]).map((item) => item.id), ...rest.body.items.map((item: { id: string }) => item.id)];
    expect(seen).toEqual(newestFirst(deals));
    expect(tampered.status).toBe(400);
    expect(tampered.body.code).toBe('invalid_cursor');
  });
});

describe('SPEC §1 the work of a page is bounded', () => {
  it(`SPEC §1 a page stops after ${MAX_EXAMINED_PER_SOURCE} entries examined per partition (at most ${MAX_QUERIES_PER_SOURCE} Queries): short, with a cursor that resumes there; the walk still sees every match once`, async () => {
    const [rep, colleague] = await usersOf(api, 'rep', 'rep');
    // Older matches: two of the rep's own, one shared with it (its colleague's contact, shared with the deal won on it).
    const olderOwn = [await currentCustomer(rep)];
    const sharedContact = await newContact(api, colleague);
    const sharedDeal = await newOpportunity(api, colleague, { contactId: sharedContact });
    await win(sharedDeal.id, colleague);
    expect((await api.post(`/opportunities/${sharedDeal.id}/shares`, { userId: rep.id }, as(colleague))).status).toBe(201);
    olderOwn.push(await currentCustomer(rep));
    // Then more contacts that do not match than a page may examine, and one newer match on top.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await seedContacts(api.runtime.ctx, rep.id, Array.from({ length: MAX_EXAMINED_PER_SOURCE + 50 }, (_, at) => ({ lastName: `Filler ${at}` }) as ContactInput));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const newest = await currentCustomer(rep);
    await settle(api);
    const matches = [...olderOwn, sharedContact, newest];

    queries.length = 0;
    recording = true;
    const first = await api.get('/contacts?customerStatus=current&limit=2', as(rep));
    recording = false;

    // The own partition stopped at the bound: the newest match alone, and a cursor.
    expect(first.status).toBe(200);
    expect(first.body.items.map((item: { id: string }) => item.id)).toEqual([newest]);
    expect(first.body.nextCursor).not.toBeNull();
    // Each partition's Queries (those with a Limit: the listing's) stay within the bound, and one of them met it.
    const examinedBy = new Map<string, { queries: number; examined: number }>();
    for (const query of queries.filter((sent) => sent.limit !== undefined)) {
      const partition = examinedBy.get(JSON.stringify(query.partition)) ?? { queries: 0, examined: 0 };
      examinedBy.set(JSON.stringify(query.partition), { queries: partition.queries + 1, examined: partition.examined + query.limit! });
    }
    const work = [...examinedBy.values()];
    expect(work.every((partition) => partition.queries <= MAX_QUERIES_PER_SOURCE && partition.examined <= MAX_EXAMINED_PER_SOURCE)).toBe(true);
    expect(Math.max(...work.map((partition) => partition.examined))).toBe(MAX_EXAMINED_PER_SOURCE);

    // The walk goes on from there: every match once, newest first, whatever the limit.
    const second = await api.get(`/contacts?customerStatus=current&limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`, as(rep));
    expect(second.body.items.map((item: { id: string }) => item.id)).toEqual(newestFirst(matches).slice(1, 3));
    for (const limit of [1, 2]) {
      const found = await walk('/contacts?customerStatus=current', rep, limit);
      expect(found.pages.flat()).toEqual(newestFirst(matches));
      // Only the page that met the bound is short (and the last, with what is left).
      expect(found.pages.map((page) => page.length)).toEqual(limit === 1 ? [1, 1, 1, 1] : [1, 2, 1]);
      expect(found.cursors.at(-1)).toBeNull();
    }
  });
});
