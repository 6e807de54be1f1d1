import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contracts } from '../../shared/contracts/index.ts';
import type { Opportunity } from '../../shared/schemas/opportunities.ts';
import { TestApi } from '../support/api.ts';
import { as, type Caller, newContact, settle, usersOf } from '../support/fixtures.ts';

/**
 * R-OPP-11 as a property (issue 16): after any sequence of 200 opportunity changes (creations, stage moves, value and
 * probability changes, wins, losses, restores, archives, unarchives, merges, reassignments, shares and deletions),
 * once the events are consumed, the summary equals a recount from the records, for a manager and for a rep.
 */

let api: TestApi;
let manager: Caller;
let reps: Caller[];
let contacts: string[];
let stageIds: string[];
let openStageIds: string[];

beforeAll(async () => {
  api = await TestApi.start();
  [manager, ...reps] = await usersOf(api, 'manager', 'rep', 'rep');
  contacts = [await newContact(api, manager), await newContact(api, manager)];
  stageIds = (await api.get('/stages')).body.items.map((stage: { id: string }) => stage.id);
  // The stages an open deal may be put in: all but the win and loss stages (those are reached by /won and /lost).
  const { winStageId, lossStageId } = (await api.get('/settings/pipeline')).body;
  openStageIds = stageIds.filter((id) => id !== winStageId && id !== lossStageId);
});
afterAll(() => api?.stop());

type Change =
  | { kind: 'create'; owner: number; contact: number; stage: number; amount: number | null; currency: string; probability: number | null }
  | { kind: 'move'; target: number; stage: number }
  | { kind: 'value'; target: number; amount: number | null; currency: string }
  | { kind: 'probability'; target: number; probability: number }
  | { kind: 'won' | 'lost' | 'restore' | 'archive' | 'unarchive' | 'delete'; target: number }
  | { kind: 'reassign' | 'share'; target: number; owner: number }
  | { kind: 'merge'; target: number; other: number };

const target = fc.nat(1000);
const amount = fc.option(fc.integer({ min: 0, max: 5_000_000 }), { nil: null });
const currency = fc.constantFrom('EUR', 'USD');
const change: fc.Arbitrary<Change> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('create' as const), owner: fc.nat(1), contact: fc.nat(1), stage: fc.nat(5), amount, currency, probability: fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('move' as const), target, stage: fc.nat(5) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('value' as const), target, amount, currency }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('probability' as const), target, probability: fc.integer({ min: 0, max: 100 }) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constantFrom('won' as const, 'lost' as const, 'restore' as const, 'archive' as const, 'unarchive' as const, 'delete' as const), target }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('reassign' as const, 'share' as const), target, owner: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('merge' as const), target, other: target }) },
);

/** Applies one change through the API as the manager; refusals (a 409 on a closed one …) are part of the sequence. */
async function apply(created: string[], step: Change): Promise<void> {
  const me = as(manager);
  const pick = (at: number) => created[at % created.length];
  if (step.kind === 'create') {
    const body = {
      title: 'Deal',
      contactId: contacts[step.contact],
      ownerId: reps[step.owner]!.id,
      stageId: openStageIds[step.stage % openStageIds.length],
      allowDuplicate: true,
      ...(step.amount === null ? {} : { value: { amount: step.amount, currency: step.currency } }),
      ...(step.probability === null ? {} : { probability: step.probability }),
    };
    const answer = await api.post('/opportunities', body, me);
    if (answer.status === 201) created.push(answer.body.id);
    return;
  }
  const id = pick(step.target);
  if (!id) return;
  switch (step.kind) {
    case 'move':
      await api.patch(`/opportunities/${id}`, { stageId: openStageIds[step.stage % openStageIds.length], allowDuplicate: true }, me);
      return;
    case 'value':
      await api.patch(`/opportunities/${id}`, { value: step.amount === null ? null : { amount: step.amount, currency: step.currency } }, me);
      return;
    case 'probability':
      await api.patch(`/opportunities/${id}`, { probability: step.probability }, me);
      return;
    case 'reassign':
      await api.patch(`/opportunities/${id}`, { ownerId: reps[step.owner]!.id }, me);
      return;
    case 'share':
      await api.post(`/opportunities/${id}/shares`, { userId: reps[step.owner]!.id }, me);
      return;
    case 'delete':
      await api.delete(`/opportunities/${id}`, me);
      return;
    case 'merge': {
      const other = pick(step.other);
      if (other && other !== id) await api.post('/opportunities/merge', { ids: [id, other], targetId: id }, me);
      return;
    }
    default:
      await api.post(`/opportunities/${id}/${step.kind}`, {}, me);
  }
}

/** Every open, active opportunity the caller lists (the default listing), page after page. */
async function listedOpenActive(caller: Caller): Promise<Opportunity[]> {
  const all: Opportunity[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.call(contracts.listOpportunities, { query: { limit: '100', ...(cursor ? { cursor } : {}) }, ...as(caller) });
    expect(page.status).toBe(200);
    all.push(...page.body.items);
    cursor = page.body.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

/** The summary recounted from the records, independently of the product's code. */
function recount(records: readonly Opportunity[]) {
  return {
    stages: stageIds.map((stageId) => {
      const inStage = records.filter((record) => record.stageId === stageId);
      const currencies = [...new Set(inStage.flatMap((record) => (record.value ? [record.value.currency] : [])))].sort();
      return {
        stageId,
        count: inStage.length,
        totals: currencies.map((code) => {
          const valued = inStage.filter((record) => record.value?.currency === code);
          return {
            currency: code,
            amount: valued.reduce((sum, record) => sum + record.value!.amount, 0),
            weighted: Math.round(valued.reduce((sum, record) => sum + record.value!.amount * record.probability, 0) / 100),
          };
        }),
      };
    }),
  };
}

describe('R-OPP-11 the summary is a recount of the records after any sequence of changes', () => {
  it('R-OPP-11 200 random opportunity changes: summary == recount, for a manager and for a rep', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(change, { minLength: 200, maxLength: 200 }), async (steps) => {
        const created: string[] = [];
        for (const step of steps) await apply(created, step);
        await settle(api);
        expect(created.length).toBeGreaterThan(10);

        for (const caller of [manager, reps[0]!]) {
          const summary = await api.call(contracts.getOpportunitySummary, { ...as(caller) });
          expect(summary.body).toEqual(recount(await listedOpenActive(caller)));
        }
      }),
      { numRuns: 1 },
    );
  }, 300_000);
});
