import { BatchWriteCommand, type BatchWriteCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { AppContext } from '../shared/app-context.ts';
import { leadModel } from '../shared/db/keys.ts';
import { listLeadStatuses } from '../shared/db/overdue-leads.ts';
import { toItem } from '../shared/db/records.ts';
import { createUser } from '../shared/db/users.ts';
import { newLeadFields } from '../shared/domain/leads.ts';
import { canBecomeOverdue } from '../shared/domain/overdue.ts';
import type { Lead, LeadStatus } from '../shared/schemas/leads.ts';
import { runRecap, type RecapReport } from '../functions/jobs/recap.ts';

/**
 * R-REC-2: the morning recap's DynamoDB reads (read capacity units, from ConsumedCapacity) with the same overdue
 * leads among ever more leads that are not overdue. Reads that stay flat as the table grows are the proof that
 * the recap reads only what can be overdue, never the whole table.
 */

export interface RecapReadsOptions {
  /** Total leads of each measurement, ascending; the first must hold at least `overdueLeads`. */
  leadCounts?: readonly number[];
  overdueLeads?: number;
  /** The clock of the first run (each next one runs a day later); overdue leads entered their status a month before. */
  now?: Date;
}

export interface RecapReadsRow {
  leads: number;
  overdueLeads: number;
  /** Read capacity units of every read of the run (GetItem, Query, BatchGetItem). */
  readUnits: number;
  readCalls: number;
  report: RecapReport;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH_SIZE = 25;
/**
 * The read commands as the middleware sees them: the client's names (GetItemCommand, BatchGetItemCommand), which the
 * document client's commands run under, and the document client's own, should a command carry that name.
 */
const READ_COMMANDS = new Set(['GetItemCommand', 'GetCommand', 'QueryCommand', 'BatchGetItemCommand', 'BatchGetCommand']);

/** Each measurement runs the recap by hand on `ctx`'s table, adding non-overdue leads in batches between runs. */
export async function measureRecapReads(ctx: AppContext, options: RecapReadsOptions = {}): Promise<RecapReadsRow[]> {
  const { leadCounts = [100, 5_000], overdueLeads = 50, now = new Date() } = options;
  const owner = await createUser(ctx, { email: `recap-bench-${ctx.newId().toLowerCase()}@example.com`, name: 'Recap bench', role: 'rep' });
  const statuses = await listLeadStatuses(ctx);
  const [overdueStatus] = statuses.filter(canBecomeOverdue).sort((a, b) => b.expiryDays - a.expiryDays);
  const quietStatus = statuses.find((status) => !canBecomeOverdue(status));
  if (!overdueStatus || !quietStatus) throw new Error('The tenant needs a status that can be overdue and one that cannot (the seeded ones do)');

  const longAgo = new Date(now.getTime() - 30 * DAY_MS).toISOString();
  const lead = (index: number, fields: Partial<Lead>): Lead => ({
    id: ctx.newId(),
    version: 1,
    createdAt: longAgo,
    updatedAt: longAgo,
    ...newLeadFields({ name: `Bench lead ${index}`, source: 'bench' }, { ownerId: owner.id, statusId: overdueStatus.id, customFields: {}, now: longAgo }),
    ...fields,
  });
  await writeLeads(ctx, Array.from({ length: overdueLeads }, (_, index) => lead(index, {})));

  const rows: RecapReadsRow[] = [];
  let leads = overdueLeads;
  for (const [at, target] of leadCounts.entries()) {
    // Each run on its own day: a run the same day would find the first one's receipts (and read them), not measure the table.
    const runAt = new Date(now.getTime() + at * DAY_MS);
    const added = Array.from({ length: Math.max(0, target - leads) }, (_, index) => lead(leads + index, notOverdue(index, overdueStatus, quietStatus, runAt)));
    await writeLeads(ctx, added);
    leads += added.length;
    const { readUnits, readCalls, result: report } = await countReads(ctx, () => runRecap({ ...ctx, now: () => runAt }, { now: runAt }));
    rows.push({ leads, overdueLeads, readUnits, readCalls, report });
  }
  return rows;
}

/**
 * Leads that are not overdue, in turn: just moved into a status that can be overdue, in one that cannot, lost,
 * concluded. None of them is read by the overdue query, whose bound stops at the overdue cut-off (plus an hour).
 */
function notOverdue(index: number, overdueStatus: LeadStatus, quietStatus: LeadStatus, now: Date): Partial<Lead> {
  const recently = now.toISOString();
  switch (index % 4) {
    case 0:
      return { statusId: overdueStatus.id, statusEnteredAt: recently };
    case 1:
      return { statusId: quietStatus.id };
    case 2:
      return { lost: true, lostAt: recently };
    default:
      return { concludedAt: recently };
  }
}

async function writeLeads(ctx: AppContext, leads: readonly Lead[]): Promise<void> {
  for (let start = 0; start < leads.length; start += BATCH_SIZE) {
    let requests: NonNullable<ConstructorParameters<typeof BatchWriteCommand>[0]['RequestItems']>[string] | undefined = leads
      .slice(start, start + BATCH_SIZE)
      .map((lead) => ({ PutRequest: { Item: toItem(leadModel, lead) } }));
    while (requests && requests.length > 0) {
      const answer: BatchWriteCommandOutput = await ctx.db.send(new BatchWriteCommand({ RequestItems: { [ctx.tableName]: requests } }));
      requests = answer.UnprocessedItems?.[ctx.tableName];
    }
  }
}

type ConsumedCapacity = { CapacityUnits?: number; ReadCapacityUnits?: number };

/** Runs `work` with `ReturnConsumedCapacity: TOTAL` on every call of `ctx.db`, summing the reads' units. */
export async function countReads<T>(ctx: AppContext, work: () => Promise<T>): Promise<{ readUnits: number; readCalls: number; result: T }> {
  const name = `count-reads-${ctx.newId()}`;
  let readUnits = 0;
  let readCalls = 0;
  ctx.db.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
      const answer = await next(args);
      if (READ_COMMANDS.has(context.commandName ?? '')) {
        readCalls++;
        const consumed = (answer.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity;
        for (const capacity of [consumed ?? []].flat()) readUnits += capacity.ReadCapacityUnits ?? capacity.CapacityUnits ?? 0;
      }
      return answer;
    },
    { step: 'initialize', name },
  );
  try {
    const result = await work();
    return { readUnits, readCalls, result };
  } finally {
    ctx.db.middlewareStack.remove(name);
  }
}
