import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AppContext } from '../app-context.ts';
import { CHILD_PREFIXES, childKey, leadModel, leadStatusModel } from './keys.ts';
import { toItem } from './records.ts';
import { queryPage, requireRecord, retryOnRace, writeAll, type ExtraWrite } from './store.ts';
import { moveUse, NOT_RETIRED } from './uses.ts';
import { canSeeOwned } from '../domain/access.ts';
import type { LeadHistoryDraft, StoredLead } from '../domain/leads.ts';
import type { LeadHistoryEntry } from '../schemas/leads.ts';
import { conflict, preconditionFailed, validationFailed } from '../domain/errors.ts';
import type { Principal } from '../domain/principal.ts';

/**
 * The one place where leads are written (R-LEAD-2..R-LEAD-6): each change commits the lead, its history entry,
 * the use of its status and any extra writes in one transaction, conditioned on the version it read.
 */

/** Commits a lead write only if the status it enters is still there and active when the write lands. */
export function statusStillChoosable(ctx: AppContext, statusId: string): ExtraWrite {
  return {
    write: {
      ConditionCheck: {
        TableName: ctx.tableName,
        Key: leadStatusModel.key(statusId),
        // Active, and not being deleted (shared/db/uses.ts: a status in use cannot be deleted, R-LEAD-1).
        ConditionExpression: `active = :active AND ${NOT_RETIRED}`,
        ExpressionAttributeValues: { ':active': true, ':now': ctx.now().toISOString() },
      },
    },
    onConditionFailed: validationFailed([{ path: 'statusId', message: 'This lead status was deactivated or deleted meanwhile' }]),
  };
}

/** A history entry, kept in the lead's own partition (oldest first by ULID) and written with the change it records. */
export function historyWrite(ctx: AppContext, leadId: string, draft: LeadHistoryDraft, actorId: string, at: string): ExtraWrite {
  const entryId = ctx.newId();
  const entry: LeadHistoryEntry = { id: entryId, at, actorId, ...draft };
  return { write: { Put: { TableName: ctx.tableName, Item: { ...childKey(leadModel.key(leadId), 'history', entryId), ...entry, recordType: 'Lead history' } } } };
}

const lostRace = () => conflict('concurrent_update', 'The lead changed meanwhile; read it again and retry');

/** A change of one lead: the lead as it is to be, the history entry recording it (none for a change of data only), other writes. */
export interface PlannedLeadChange {
  lead: StoredLead;
  entry?: LeadHistoryDraft | undefined;
  /** Writes committed with the change (a check that the status entered is still active, a new reason …). */
  extra?: ExtraWrite[];
}

/** The lead's new version and the writes committing it with its history entry, if nobody wrote the lead since `current` was read. */
export function leadChangeWrites(ctx: AppContext, current: StoredLead, planned: PlannedLeadChange, actorId: string, ifMatch?: number): { next: StoredLead; writes: ExtraWrite[] } {
  const now = ctx.now().toISOString();
  const next: StoredLead = { ...planned.lead, id: current.id, version: current.version + 1, createdAt: current.createdAt, updatedAt: now };
  const leadWrite: ExtraWrite = {
    write: {
      Put: {
        TableName: ctx.tableName,
        Item: toItem(leadModel, next),
        ConditionExpression: 'version = :read',
        ExpressionAttributeValues: { ':read': current.version },
      },
    },
    onConditionFailed: ifMatch !== undefined ? preconditionFailed() : lostRace(),
  };
  const history = planned.entry ? [historyWrite(ctx, current.id, planned.entry, actorId, now)] : [];
  const statusUse = moveUse(ctx, leadModel.key(current.id), leadStatusModel.key(current.statusId), leadStatusModel.key(next.statusId));
  return { next, writes: [leadWrite, ...history, ...statusUse, ...(planned.extra ?? [])] };
}

export interface TransitionOptions {
  actorId: string;
  canSee: (lead: StoredLead) => boolean;
  ifMatch?: number | undefined;
}

/**
 * Reads one lead, lets `decide` plan its transition and commits it with its history entry in one transaction.
 * `decide` answering undefined changes nothing (the lead is answered as read). A lost race starts again from
 * the read; a stale If-Match is a 412.
 */
export function transitionLead(
  ctx: AppContext,
  id: string,
  options: TransitionOptions,
  decide: (current: StoredLead) => PlannedLeadChange | undefined | Promise<PlannedLeadChange | undefined>,
): Promise<StoredLead> {
  return retryOnRace(async () => {
    const current = await requireRecord<StoredLead>(ctx, leadModel, id, options.canSee);
    if (options.ifMatch !== undefined && options.ifMatch !== current.version) throw preconditionFailed();
    const planned = await decide(current);
    if (!planned) return current;
    const { next, writes } = leadChangeWrites(ctx, current, planned, options.actorId, options.ifMatch);
    await writeAll(ctx, writes);
    return next;
  });
}

export const transitionOptions = (principal: Principal, ifMatch?: number): TransitionOptions => ({
  actorId: principal.userId,
  canSee: canSeeOwned(principal),
  ifMatch,
});

/** A deleted lead's history is unreachable; it is removed after the lead, in batches (what a failure leaves is never read). */
export async function deleteHistory(ctx: AppContext, leadId: string): Promise<void> {
  const partition = leadModel.key(leadId).PK;
  let cursor: string | undefined;
  do {
    const page = await queryPage<LeadHistoryEntry>(ctx, { partition, sortKeyPrefix: CHILD_PREFIXES.history, limit: 25, ascending: true, cursor });
    if (page.items.length > 0) {
      const requests = page.items.map((entry) => ({ DeleteRequest: { Key: childKey(leadModel.key(leadId), 'history', entry.id) } }));
      let unprocessed: typeof requests | undefined = requests;
      while (unprocessed && unprocessed.length > 0) {
        const answer = await ctx.db.send(new BatchWriteCommand({ RequestItems: { [ctx.tableName]: unprocessed } }));
        unprocessed = answer.UnprocessedItems?.[ctx.tableName] as typeof requests | undefined;
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}