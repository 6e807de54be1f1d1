import { describe, expect, it } from 'vitest';
import { type BoardOpportunity, contributionOf, counterDeltas, NO_CONTRIBUTION, summarize } from '../../shared/domain/board.ts';

/** R-OPP-11 the board's pure rules: what an opportunity contributes, how counters move, how a summary is assembled. */

const deal = (fields: Partial<BoardOpportunity> = {}): BoardOpportunity => ({
  id: 'opp',
  ownerId: 'rep',
  stageId: 'qualified',
  status: 'open',
  active: true,
  probability: 30,
  value: { amount: 1_000, currency: 'EUR' },
  ...fields,
});

describe('R-OPP-11 board rules', () => {
  it('R-OPP-11 only open, active opportunities contribute; the weighted part is amount × probability (hundredths)', () => {
    expect(contributionOf(deal())).toEqual({ counted: true, stageId: 'qualified', ownerId: 'rep', currency: 'EUR', amount: 1_000n, weighted: 30_000n });
    expect(contributionOf(deal({ status: 'won' }))).toEqual(NO_CONTRIBUTION);
    expect(contributionOf(deal({ active: false }))).toEqual(NO_CONTRIBUTION);
    expect(contributionOf(undefined)).toEqual(NO_CONTRIBUTION);
  });

  it('R-OPP-11 a stage move takes one from the old stage and adds one to the new, for the tenant and the owner', () => {
    const deltas = counterDeltas(contributionOf(deal()), contributionOf(deal({ stageId: 'negotiation' })));

    expect(deltas).toHaveLength(4);
    expect(deltas.filter((delta) => delta.stageId === 'qualified').map((delta) => delta.count)).toEqual([-1, -1]);
    expect(deltas.filter((delta) => delta.stageId === 'negotiation').map((delta) => delta.amount)).toEqual([1_000n, 1_000n]);
  });

  it('R-OPP-11 a change that does not move the board moves no counter', () => {
    expect(counterDeltas(contributionOf(deal()), contributionOf(deal()))).toEqual([]);
  });

  it('R-OPP-11 every stage in the order given, totals per currency by code, weighted rounded once', () => {
    const rows = [
      { stageId: 'b', currency: 'USD', count: 1, amount: 10n, weighted: 555n },
      { stageId: 'b', currency: 'EUR', count: 2, amount: 20n, weighted: 1_049n },
      { stageId: 'b', currency: null, count: 1, amount: 0n, weighted: 0n },
      { stageId: 'gone', currency: 'EUR', count: 1, amount: 5n, weighted: 5n },
    ];

    expect(summarize(['a', 'b'], rows)).toEqual({
      stages: [
        { stageId: 'a', count: 0, totals: [] },
        {
          stageId: 'b',
          count: 4,
          totals: [
            { currency: 'EUR', amount: 20, weighted: 10 },
            { currency: 'USD', amount: 10, weighted: 6 },
          ],
        },
      ],
    });
  });
});
