import type { AppContext } from '../app-context.ts';
import { createAggregate, prepareChange, removeAggregate, transition, type Aggregate, type Planned, type PreparedChange, type WriteOptions } from './aggregate-writer.ts';
import { CHILD_PREFIXES, leadModel, leadStatusModel } from './keys.ts';
import { batchWriteAll, childrenOf, type ExtraWrite } from './store.ts';
import { NOT_RETIRED } from './uses.ts';
import { searchIndexOf } from './search-index.ts';
import { canSeeOwned } from '../domain/access.ts';
import { creationEntry, type LeadHistoryDraft, type StoredLead } from '../domain/leads.ts';
import { conflict, validationFailed } from '../domain/errors.ts';
import type { Principal } from '../domain/principal.ts';
import type { DomainEvent } from '../events/catalogue.ts';

/**
 * Leads as an aggregate (R-LEAD-2..R-LEAD-6): each change commits the lead, its history entry (kept in the lead's
 * own partition, oldest first), the use of its status and any extra writes in one transaction through the
 * aggregate writer, conditioned on the version it read.
 */
export const leads: Aggregate<StoredLead, LeadHistoryDraft> = {
  model: leadModel,
  lostRace: () => conflict('concurrent_update', 'The lead changed meanwhile; read it again and retry'),
  // A status in use cannot be deleted (R-LEAD-1); a lead entering one checks it with `statusStillChoosable`.
  uses: [{ of: (lead) => leadStatusModel.key(lead.statusId) }],
  history: { recordType: 'Lead history' },
  // Issue 14: its search index items (words, tags) change with it.
  derived: searchIndexOf('leads'),
};

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

/** A change of one lead: the lead as it is to be, the history entry recording it (none for a change of data only), other writes. */
export interface PlannedLeadChange {
  lead: StoredLead;
  entry?: LeadHistoryDraft | undefined;
  /** Writes committed with the change (a check that the status entered is still active, a new reason …). */
  extra?: ExtraWrite[];
  /** Events committed with the change (R-EVT-2). */
  events?: DomainEvent[];
}

const planned = ({ lead, entry, extra, events }: PlannedLeadChange): Planned<StoredLead, LeadHistoryDraft, DomainEvent, object> => ({
  next: lead,
  history: entry ? [entry] : [],
  extra,
  events,
});

export type TransitionOptions = WriteOptions<StoredLead>;

/**
 * Reads one lead, lets `decide` plan its transition and commits it (`transition` of the aggregate writer):
 * `decide` answering undefined changes nothing, a lost race starts again from the read, a stale If-Match is a 412.
 */
export const transitionLead = (
  ctx: AppContext,
  id: string,
  options: TransitionOptions,
  decide: (current: StoredLead) => PlannedLeadChange | undefined | Promise<PlannedLeadChange | undefined>,
): Promise<StoredLead> =>
  transition(ctx, leads, id, options, async (current) => {
    const change = await decide(current);
    return change && planned(change);
  });

/** The writes of a lead's change, to commit with other aggregates' changes (R-LEAD-5 conversion). */
export function prepareLeadChange(ctx: AppContext, current: StoredLead, change: PlannedLeadChange, actorId: string): Promise<PreparedChange<StoredLead>> {
  const { next, ...effects } = planned(change);
  return prepareChange(ctx, leads, { ...effects, records: [{ before: current, after: next }], actorId });
}

/** A new lead, in a status that must still be choosable when it commits, with its creation entry. */
export const createLead = (ctx: AppContext, record: StoredLead, actorId: string): Promise<StoredLead> =>
  createAggregate(ctx, leads, record, actorId, { history: [creationEntry(record)], extra: [statusStillChoosable(ctx, record.statusId)] });

/** Deletes a lead (its status use with it), then its history: unreachable once the lead is gone, so what a failure leaves is never read. */
export async function removeLead(ctx: AppContext, id: string, options: TransitionOptions): Promise<void> {
  await removeAggregate(ctx, leads, id, options);
  const history = await childrenOf(ctx, leadModel.key(id).PK, CHILD_PREFIXES.history, ['PK', 'SK']);
  await batchWriteAll(ctx, history.map((entry) => ({ DeleteRequest: { Key: { PK: entry.PK, SK: entry.SK } } })));
}

export const transitionOptions = (principal: Principal, ifMatch?: number): TransitionOptions => ({
  actorId: principal.userId,
  canSee: canSeeOwned(principal),
  ifMatch,
});
