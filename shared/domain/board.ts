/**
 * R-OPP-11 the pipeline board's column totals, in the domain's terms: what one opportunity contributes (open and
 * active ones count), how the counters move from one contribution to the next, and the summary assembled from
 * counter rows. No I/O: shared/db/board-totals.ts stores and reads them.
 *
 * Amounts are BigInt from the record to the answer: amount × probability of one deal passes
 * Number.MAX_SAFE_INTEGER from 9.0 × 10^13 minor units on, and a column's sums sooner, and a JS number there is
 * rounded (the AWS SDK refuses to store it, so the consumer failed and the deal went missing). DynamoDB keeps 38
 * digits; BigInt keeps them all. Only the answer is a JSON number again (see `toAnswer`).
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
  amount: bigint;
  /** amount × probability: hundredths of minor units, so sums stay exact integers (rounded once, when shown). */
  weighted: bigint;
}

export const NO_CONTRIBUTION: Contribution = { counted: false, stageId: null, ownerId: null, currency: null, amount: 0n, weighted: 0n };

/**
 * A stored number as an exact BigInt: the AWS SDK reads a number beyond Number.MAX_SAFE_INTEGER as a BigInt and any
 * other as a number; anything else (a missing attribute) is 0. Counters and amounts are integers; a number that is
 * not (never written by this code) is truncated rather than failing the whole board.
 */
export function exactInteger(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return BigInt(Math.trunc(value));
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return BigInt(value.trim());
  return 0n;
}

export const countsOnBoard = (opportunity: Pick<BoardOpportunity, 'status' | 'active'>) => opportunity.status === 'open' && opportunity.active;

export function contributionOf(opportunity: BoardOpportunity | undefined): Contribution {
  if (!opportunity || !countsOnBoard(opportunity)) return NO_CONTRIBUTION;
  const amount = exactInteger(opportunity.value?.amount ?? 0);
  return {
    counted: true,
    stageId: opportunity.stageId,
    ownerId: opportunity.ownerId,
    currency: opportunity.value?.currency ?? null,
    amount,
    weighted: amount * exactInteger(opportunity.probability),
  };
}

/** One counter row: a stage and a currency (null: opportunities without a value, counted but in no total). */
export interface CounterRow {
  stageId: string;
  currency: string | null;
  count: number;
  amount: bigint;
  weighted: bigint;
}

/** Which counters a change moves: the tenant's (`all`) and its owner's. */
export interface CounterDelta extends CounterRow {
  scope: { kind: 'all' } | { kind: 'owner'; ownerId: string };
}

function rowsOf(contribution: Contribution, sign: 1 | -1): CounterDelta[] {
  if (!contribution.counted || contribution.stageId === null || contribution.ownerId === null) return [];
  const row = { stageId: contribution.stageId, currency: contribution.currency, count: sign, amount: BigInt(sign) * contribution.amount, weighted: BigInt(sign) * contribution.weighted };
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
  return [...byCounter.values()].filter((delta) => delta.count !== 0 || delta.amount !== 0n || delta.weighted !== 0n);
}

export interface StageColumn {
  stageId: string;
  count: number;
  totals: { currency: string; amount: number; weighted: number }[];
}

/** Σ amount × probability (hundredths of minor units) / 100, rounded once, half up like Math.round. */
export function roundedHundredths(weighted: bigint): bigint {
  const floor = weighted >= 0n ? weighted / 100n : -((-weighted + 99n) / 100n);
  return weighted - floor * 100n >= 50n ? floor + 1n : floor;
}

const MAX_ANSWER = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A total as the answer's JSON number: exact up to Number.MAX_SAFE_INTEGER (≈ 9 × 10^15 minor units, ninety trillion
 * in a currency with cents; the money input's bound keeps any realistic column below it). A column beyond cannot be
 * answered exactly as a number a client parses; it is answered as Number.MAX_SAFE_INTEGER (never a 500, never a
 * rounded figure passing for exact), while the counters keep the exact sum.
 */
export const toAnswer = (total: bigint): number => Number(total > MAX_ANSWER ? MAX_ANSWER : total < -MAX_ANSWER ? -MAX_ANSWER : total);

/**
 * The summary: every stage in the order given (pipeline order), zero rows included; per stage the count and, per
 * currency, Σ amount and Σ amount × probability / 100 rounded once to minor units. Rows of stages not listed (a stage
 * deleted meanwhile cannot hold open opportunities) are left out.
 */
export function summarize(stageIds: readonly string[], rows: readonly CounterRow[]): { stages: StageColumn[] } {
  const columns = new Map<string, { count: number; totals: Map<string, { amount: bigint; weighted: bigint }> }>(stageIds.map((id) => [id, { count: 0, totals: new Map() }]));
  for (const row of rows) {
    const column = columns.get(row.stageId);
    if (!column || row.count === 0) continue;
    column.count += row.count;
    if (row.currency === null) continue;
    const total = column.totals.get(row.currency) ?? { amount: 0n, weighted: 0n };
    total.amount += row.amount;
    total.weighted += row.weighted;
    column.totals.set(row.currency, total);
  }
  return {
    stages: stageIds.map((stageId) => {
      const column = columns.get(stageId)!;
      const totals = [...column.totals.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([currency, total]) => ({ currency, amount: toAnswer(total.amount), weighted: toAnswer(roundedHundredths(total.weighted)) }));
      return { stageId, count: column.count, totals };
    }),
  };
}

/** Rows of single opportunities (a rep's shared ones, read one by one) to add to the counters' rows. */
export const rowOf = (opportunity: BoardOpportunity): CounterRow[] => {
  const contribution = contributionOf(opportunity);
  return contribution.counted ? [{ stageId: contribution.stageId!, currency: contribution.currency, count: 1, amount: contribution.amount, weighted: contribution.weighted }] : [];
};
