import type { AppContext } from '../app-context.ts';
import { type BoardOpportunity, type Contribution, contributionOf, type CounterDelta, counterDeltas, type CounterRow, exactInteger, NO_CONTRIBUTION, rowOf, summarize } from '../domain/board.ts';
import { seesEverything } from '../domain/access.ts';
import { conflict, isRefusal } from '../domain/errors.ts';
import type { Principal } from '../domain/principal.ts';
import type { BoardSummary } from '../schemas/expand.ts';
import { opportunities, sharedWith, stages } from './access-patterns.ts';
import { BOARD_ALL, boardContributionKey, boardCounterKey, boardOwnerPartition, NO_CURRENCY, opportunityModel } from './keys.ts';
import { fromItem } from './records.ts';
import { batchGetAll, type ExtraWrite, getItem, getRecord, indexPartitionItems, queryOnce, writeAll } from './store.ts';
import { indexKeys } from './table-definition.ts';

/**
 * R-OPP-11 counters (keys.ts `boardCounterKey`), kept from events with receipts by the `board-totals` consumer, and
 * the summary read from them.
 *
 * Writing: on any event of an opportunity, the consumer reads the opportunity as it is now and its stored
 * contribution (what it last added to the counters, at which record version). When the record is newer, one
 * transaction replaces the contribution, conditioned on the version read, and moves the counters (tenant and owner)
 * by the difference. A replayed, late or reordered event finds the contribution already at the record's version (or
 * newer) and writes nothing; two deliveries racing on one opportunity meet the condition and the loser reads again.
 * A deleted opportunity leaves a tombstone contribution at the highest version, so no late event revives it.
 *
 * Reading: one Query of the counters' partition (stages × currencies items) and one of the stages; a rep adds the
 * opportunities shared with it (its shared-with partition, then one BatchGet), which are not in its owner counters.
 *
 * Numbers: amounts are BigInt here (shared/domain/board.ts), written as DynamoDB numbers (38 digits, exact) and
 * read back through `exactInteger` (the SDK answers a number beyond Number.MAX_SAFE_INTEGER as a BigInt), so no
 * deal is too big to count, no sum too big to keep, and counters an older version left (numbers, however big) read
 * as they are.
 */

/** The version of a deleted opportunity's contribution: above any version a record reaches. */
const DELETED = Number.MAX_SAFE_INTEGER;
/** Deliveries racing on the same counters retry this often before the event fails (and is redelivered). */
const MAX_ATTEMPTS = 12;

const contributionRace = () => conflict('concurrent_update', 'The board contribution changed meanwhile');

interface StoredContribution extends Contribution {
  version: number;
}

function counterWrite(ctx: AppContext, delta: CounterDelta): ExtraWrite {
  const partition = delta.scope.kind === 'all' ? BOARD_ALL : boardOwnerPartition(delta.scope.ownerId);
  return {
    write: {
      Update: {
        TableName: ctx.tableName,
        Key: boardCounterKey(partition, delta.stageId, delta.currency),
        UpdateExpression: 'SET recordType = :type, stageId = :stage, currency = :currency ADD #count :count, amount :amount, weighted :weighted',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: {
          ':type': 'Board counter',
          ':stage': delta.stageId,
          ':currency': delta.currency ?? NO_CURRENCY,
          ':count': delta.count,
          ':amount': delta.amount,
          ':weighted': delta.weighted,
        },
      },
    },
  };
}

function contributionWrite(ctx: AppContext, opportunityId: string, stored: StoredContribution | undefined, next: StoredContribution): ExtraWrite {
  return {
    write: {
      Put: {
        TableName: ctx.tableName,
        Item: contributionItem(opportunityId, next, next.version),
        ...(stored ? { ConditionExpression: 'version = :read', ExpressionAttributeValues: { ':read': stored.version } } : { ConditionExpression: 'attribute_not_exists(PK)' }),
      },
    },
    onConditionFailed: contributionRace(),
  };
}

/**
 * Moves counters by these deltas (summed per counter item first), outside any transaction: for loading many
 * opportunities at once (a migration, a benchmark's seed) with the contributions written beside them.
 */
export async function addToCounters(ctx: AppContext, deltas: readonly CounterDelta[]): Promise<void> {
  const summed = new Map<string, CounterDelta>();
  for (const delta of deltas) {
    const key = JSON.stringify([delta.scope, delta.stageId, delta.currency]);
    const found = summed.get(key);
    if (!found) summed.set(key, { ...delta });
    else Object.assign(found, { count: found.count + delta.count, amount: found.amount + delta.amount, weighted: found.weighted + delta.weighted });
  }
  for (const delta of summed.values()) await writeAll(ctx, [counterWrite(ctx, delta)]);
}

/** The stored contribution item of an opportunity (as the consumer writes it). */
export const contributionItem = (opportunityId: string, contribution: Contribution, version: number) => ({
  ...boardContributionKey(opportunityId),
  recordType: 'Board contribution',
  opportunityId,
  ...contribution,
  version,
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Brings one opportunity's contribution (and the counters) to the record as it is now; nothing when it already is. */
export async function recountOpportunity(ctx: AppContext, opportunityId: string): Promise<'moved' | 'unchanged'> {
  for (let attempt = 1; ; attempt++) {
    const [record, item] = await Promise.all([getRecord(ctx, opportunityModel, opportunityId), getItem(ctx, boardContributionKey(opportunityId), { consistent: true })]);
    const stored = item ? storedContribution(item) : undefined;
    const version = record ? record.version : DELETED;
    if (stored && stored.version >= version) return 'unchanged';
    const next: StoredContribution = { ...contributionOf(record as BoardOpportunity | undefined), version };
    const writes = [contributionWrite(ctx, opportunityId, stored, next), ...counterDeltas(stored ?? NO_CONTRIBUTION, next).map((delta) => counterWrite(ctx, delta))];
    try {
      await writeAll(ctx, writes);
      return 'moved';
    } catch (error) {
      if (!isRefusal(error, 'conflict', 'concurrent_update') || attempt >= MAX_ATTEMPTS) throw error;
      await sleep(Math.random() * 10 * 2 ** Math.min(attempt, 6));
    }
  }
}

function storedContribution(item: Record<string, unknown>): StoredContribution {
  return {
    version: item.version as number,
    counted: item.counted as boolean,
    stageId: (item.stageId as string | null) ?? null,
    ownerId: (item.ownerId as string | null) ?? null,
    currency: (item.currency as string | null) ?? null,
    amount: exactInteger(item.amount),
    weighted: exactInteger(item.weighted),
  };
}

/**
 * Counts the open opportunities written before the counters existed (a tenant deployed earlier): each open one is
 * brought to its contribution like an event would (closed ones contribute nothing, so need nothing). Idempotent, and
 * safe beside the consumer: to run once as a data migration. Answers how many it moved.
 */
export async function backfillBoardCounters(ctx: AppContext): Promise<number> {
  const open = await indexPartitionItems<{ id: string }>(ctx, opportunities.withStatus('open'), ['id']);
  let moved = 0;
  for (const { id } of open) if ((await recountOpportunity(ctx, id)) === 'moved') moved++;
  return moved;
}

/** Every counter row of one partition (stages × currencies items: a handful of pages at most). */
async function counterRows(ctx: AppContext, partition: string): Promise<CounterRow[]> {
  const rows: CounterRow[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await queryOnce(ctx, {
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': partition },
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    });
    for (const item of page.items) {
      rows.push({
        stageId: item.stageId as string,
        currency: item.currency === NO_CURRENCY ? null : (item.currency as string),
        count: Number(item.count ?? 0),
        amount: exactInteger(item.amount),
        weighted: exactInteger(item.weighted),
      });
    }
    startKey = page.lastKey;
  } while (startKey);
  return rows;
}

/** The stages' ids in pipeline order (ascending `order`, then id). */
async function stageIdsInOrder(ctx: AppContext): Promise<string[]> {
  const items = await indexPartitionItems<{ id: string }>(ctx, stages.inOrder(), ['id']);
  return items.map((item) => item.id);
}

/**
 * A rep's opportunities seen through a share or a post-sale grant and owned by someone else (its own are in its
 * owner counters): the shared-with partition, then the records in one BatchGet, read as they are now.
 */
async function sharedRows(ctx: AppContext, userId: string, owners: readonly string[] | undefined): Promise<CounterRow[]> {
  const partition = sharedWith(userId, 'opportunities');
  const entries = await indexPartitionItems<Record<string, string>>(ctx, partition, [indexKeys(partition.index).sortKey]);
  const ids = [...new Set(entries.map((entry) => entry[indexKeys(partition.index).sortKey]!))];
  if (ids.length === 0) return [];
  const records = (await batchGetAll(ctx, ids.map((id) => opportunityModel.key(id)), { consistent: true })).map((item) => fromItem<BoardOpportunity>(item));
  return records.filter((record) => record.ownerId !== userId && (!owners || owners.includes(record.ownerId))).flatMap(rowOf);
}

/**
 * GET /opportunities/summary: staff read the tenant's counters, or those of the owners asked for; a rep its own
 * counters (when its owner filter allows) plus what is shared with it.
 */
export async function boardSummaryFor(ctx: AppContext, principal: Principal, owners: readonly string[] | undefined): Promise<BoardSummary> {
  const ownerRows = async (): Promise<CounterRow[]> => {
    if (seesEverything(principal)) {
      if (!owners) return counterRows(ctx, BOARD_ALL);
      return (await Promise.all(owners.map((ownerId) => counterRows(ctx, boardOwnerPartition(ownerId))))).flat();
    }
    const ownAsked = !owners || owners.includes(principal.userId);
    const [own, shared] = await Promise.all([ownAsked ? counterRows(ctx, boardOwnerPartition(principal.userId)) : [], sharedRows(ctx, principal.userId, owners)]);
    return [...own, ...shared];
  };
  const [stageIds, rows] = await Promise.all([stageIdsInOrder(ctx), ownerRows()]);
  return summarize(stageIds, rows);
}
