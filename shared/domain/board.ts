/**
 * R-OPP-11 the pipeline board's column totals, in the domain's terms: what one opportunity contributes (open and
 * active ones count), how the counters move from one contribution to the next, and the summary assembled from
 * counter rows. No I/O: shared/db/board-totals.ts stores and reads them.
 */

export interface BoardOpportunity {
  id: string;
  ownerId: string;
  stageId: string;
  status: 'open' | 'won' | 'lost';
  active: boolean;
  probability: number;
  value: { amount: number; currency: string } | null;
}

/** What an opportunity adds to the counters: nothing unless it is open and active. */
export interface Contribution {
  counted: boolean;
  stageId: string | null;
  ownerId: string | null;
  currency: string | null;
  amount: number;
  /** amount × probability: hundredths of minor units, so sums stay exact integers (rounded once, when shown). */
  weighted: number;
}

export const NO_CONTRIBUTION: Contribution = { counted: false, stageId: null, ownerId: null, currency: null, amount: 0, weighted: 0 };

export const countsOnBoard = (opportunity: Pick<BoardOpportunity, 'status' | 'active'>) => opportunity.status === 'open' && opportunity.active;

export function contributionOf(opportunity: BoardOpportunity | undefined): Contribution {
  if (!opportunity || !countsOnBoard(opportunity)) return NO_CONTRIBUTION;
  const amount = opportunity.value?.amount ?? 0;
  return {
    counted: true,
    stageId: opportunity.stageId,
    ownerId: opportunity.ownerId,
    currency: opportunity.value?.currency ?? null,
    amount,
    weighted: amount * opportunity.probability,
  };
}

/** One counter row: a stage and a currency (null: opportunities without a value, counted but in no total). */
export interface CounterRow {
  stageId: string;
  currency: string | null;
  count: number;
  amount: number;
  weighted: number;
}

/** Which counters a change moves: the tenant's (`all`) and its owner's. */
export interface CounterDelta extends CounterRow {
  scope: { kind: 'all' } | { kind: 'owner'; ownerId: string };
}

function rowsOf(contribution: Contribution, sign: 1 | -1): CounterDelta[] {
  if (!contribution.counted || contribution.stageId === null || contribution.ownerId === null) return [];
  const row = { stageId: contribution.stageId, currency: contribution.currency, count: sign, amount: sign * contribution.amount, weighted: sign * contribution.weighted };
  return [
    { scope: { kind: 'all' }, ...row },
    { scope: { kind: 'owner', ownerId: contribution.ownerId }, ...row },
  ];
}

/** The counter moves from `before` to `after`, one per counter item, those that cancel out dropped. */
export function counterDeltas(before: Contribution, after: Contribution): CounterDelta[] {
  const byCounter = new Map<string, CounterDelta>();
  for (const delta of [...rowsOf(before, -1), ...rowsOf(after, 1)]) {
    const key = JSON.stringify([delta.scope, delta.stageId, delta.currency]);
    const found = byCounter.get(key);
    if (!found) byCounter.set(key, { ...delta });
    else {
      found.count += delta.count;
      found.amount += delta.amount;
      found.weighted += delta.weighted;
    }
  }
  return [...byCounter.values()].filter((delta) => delta.count !== 0 || delta.amount !== 0 || delta.weighted !== 0);
}

export interface StageColumn {
  stageId: string;
  count: number;
  totals: { currency: string; amount: number; weighted: number }[];
}

/**
 * The summary: every stage in the order given (pipeline order), zero rows included; per stage the count and, per
 * currency, Σ amount and Σ amount × probability / 100 rounded once to minor units. Rows of stages not listed (a stage
 * deleted meanwhile cannot hold open opportunities) are left out.
 */
export function summarize(stageIds: readonly string[], rows: readonly CounterRow[]): { stages: StageColumn[] } {
  const columns = new Map<string, { count: number; totals: Map<string, { amount: number; weighted: number }> }>(stageIds.map((id) => [id, { count: 0, totals: new Map() }]));
  for (const row of rows) {
    const column = columns.get(row.stageId);
    if (!column || row.count === 0) continue;
    column.count += row.count;
    if (row.currency === null) continue;
    const total = column.totals.get(row.currency) ?? { amount: 0, weighted: 0 };
    total.amount += row.amount;
    total.weighted += row.weighted;
    column.totals.set(row.currency, total);
  }
  return {
    stages: stageIds.map((stageId) => {
      const column = columns.get(stageId)!;
      const totals = [...column.totals.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([currency, total]) => ({ currency, amount: total.amount, weighted: Math.round(total.weighted / 100) }));
      return { stageId, count: column.count, totals };
    }),
  };
}

/** Rows of single opportunities (a rep's shared ones, read one by one) to add to the counters' rows. */
export const rowOf = (opportunity: BoardOpportunity): CounterRow[] => {
  const contribution = contributionOf(opportunity);
  return contribution.counted ? [{ stageId: contribution.stageId!, currency: contribution.currency, count: 1, amount: contribution.amount, weighted: contribution.weighted }] : [];
};
