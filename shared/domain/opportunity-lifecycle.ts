import type { HistoryChange } from '../schemas/opportunities.ts';
import { HISTORY_FIELDS, type HistoryKind } from './opportunity-history.ts';
import type { PipelineSettings, Stage } from '../schemas/pipeline.ts';
import { withTags, type StoredOpportunity } from './opportunities.ts';
import { missingReasonError } from './reasons.ts';
import { visibleCustomFields } from './custom-fields.ts';
import type { CustomFieldDefinition } from '../schemas/custom-fields.ts';
import { conflict, validationFailed } from './errors.ts';

/**
 * The opportunity lifecycle as pure transitions (R-OPP-2..R-OPP-10): each takes the records as read and
 * returns the records to write, the history entries to add and the domain events to emit. The data layer
 * (`shared/db/opportunity-writes.ts`) commits all of it in one transaction.
 */

/** A history entry before the data layer gives it an id, a time and an actor. */
export interface HistoryDraft {
  opportunityId: string;
  kind: HistoryKind;
  changes: HistoryChange[];
}

/** The domain events of R-EVT-1 an opportunity change emits (the events issue turns each into an outbox item). */
export type OpportunityEventType =
  | 'opportunity.created'
  | 'opportunity.won'
  | 'opportunity.lost'
  | 'opportunity.restored'
  | 'opportunity.reassigned'
  | 'opportunity.merged'
  | 'opportunity.deleted';

export interface EventDraft {
  type: OpportunityEventType;
  opportunityId: string;
  data: Record<string, unknown>;
}

/** What one change of one opportunity writes, besides the record itself. */
export interface Transition {
  next: StoredOpportunity;
  history: HistoryDraft[];
  events: EventDraft[];
}

/**
 * Whether the opportunity counts for duplicate prevention (R-OPP-2): open and active. The duplicate guard of
 * its contact (or company) lists exactly these; whether it is in an active stage is read at check time.
 */
export const holdsParty = (opportunity: Pick<StoredOpportunity, 'status' | 'active'>) => opportunity.status === 'open' && opportunity.active;

/** The parties an event consumer recomputes statuses and sharing for (R-EVT-3). */
const parties = (opportunity: StoredOpportunity) => ({
  ownerId: opportunity.ownerId,
  contactId: opportunity.contactId,
  companyId: opportunity.companyId,
});

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The changes of the fields the history records, from `before` (nothing: a creation) to `after`. */
export function historyChanges(before: StoredOpportunity | undefined, after: StoredOpportunity): HistoryChange[] {
  const changes: HistoryChange[] = [];
  for (const field of HISTORY_FIELDS) {
    const from = before ? before[field] : null;
    const to = after[field];
    if (!sameValue(from, to)) changes.push({ field, from, to });
  }
  return changes;
}

const entry = (kind: HistoryKind, before: StoredOpportunity | undefined, after: StoredOpportunity): HistoryDraft => ({
  opportunityId: after.id,
  kind,
  changes: historyChanges(before, after),
});

/** R-OPP-1: a new opportunity's history starts with its initial values. */
export function create(record: StoredOpportunity): Transition {
  return {
    next: record,
    history: [entry('created', undefined, record)],
    events: [{ type: 'opportunity.created', opportunityId: record.id, data: { ...parties(record), stageId: record.stageId } }],
  };
}

/** A won or lost opportunity cannot be closed again (409 `already_won` / `already_lost`). */
function requireOpen(current: StoredOpportunity): void {
  if (current.status !== 'open') throw conflict(`already_${current.status}`, `The opportunity is already ${current.status}`);
}

export interface WinInput {
  /** Active win reasons, already checked to exist. */
  winReasonIds: string[];
  closingNote: string | null;
}

/**
 * R-OPP-3: won, probability 100, in the win stage when the pipeline has one, closed now. The stage it was won
 * from is kept for restore. An archived opportunity can be won too; it stays archived.
 */
export function win(current: StoredOpportunity, input: WinInput, settings: Pick<PipelineSettings, 'winStageId' | 'requireWinReason'>, now: string): Transition {
  requireOpen(current);
  const missing = missingReasonError(settings.requireWinReason, input.winReasonIds.length > 0, 'winReasonIds', 'win');
  if (missing) throw validationFailed([missing]);
  const next: StoredOpportunity = {
    ...current,
    status: 'won',
    probability: 100,
    stageId: settings.winStageId ?? current.stageId,
    closedAt: now,
    closedFromStageId: current.stageId,
    lostFromStageId: null,
    winReasonIds: input.winReasonIds,
    lostReasonId: null,
    closingNote: input.closingNote,
  };
  return {
    next,
    history: [entry('won', current, next)],
    events: [{ type: 'opportunity.won', opportunityId: next.id, data: { ...parties(next), winReasonIds: next.winReasonIds } }],
  };
}

export interface LoseInput {
  /** An active loss reason, already checked (or created from a typed-in description). */
  lostReasonId: string | null;
  closingNote: string | null;
}

/**
 * R-OPP-4: lost, probability 0, in the loss stage when the pipeline has one (else where it was), closed now;
 * the stage it was lost from is kept for restore. `requireLossReason` is the settings' rule, or false where
 * the rule does not apply (an archived opportunity set to probability 0, R-OPP-7).
 */
export function lose(current: StoredOpportunity, input: LoseInput, rules: Pick<PipelineSettings, 'lossStageId' | 'requireLossReason'>, now: string): Transition {
  requireOpen(current);
  const missing = missingReasonError(rules.requireLossReason, input.lostReasonId !== null, 'lostReasonId', 'loss');
  if (missing) throw validationFailed([missing]);
  const next: StoredOpportunity = {
    ...current,
    status: 'lost',
    probability: 0,
    stageId: rules.lossStageId ?? current.stageId,
    closedAt: now,
    closedFromStageId: current.stageId,
    lostFromStageId: current.stageId,
    winReasonIds: [],
    lostReasonId: input.lostReasonId,
    closingNote: input.closingNote,
  };
  return {
    next,
    history: [entry('lost', current, next)],
    events: [{ type: 'opportunity.lost', opportunityId: next.id, data: { ...parties(next), lostReasonId: next.lostReasonId } }],
  };
}

/** R-OPP-6: the stage a closed opportunity goes back to, unless it no longer exists (then the default stage). */
export const restoreStageId = (current: Pick<StoredOpportunity, 'status' | 'lostFromStageId' | 'closedFromStageId'>): string | null =>
  current.status === 'lost' ? (current.lostFromStageId ?? current.closedFromStageId) : current.closedFromStageId;

/** Back to open: reasons, note and close time cleared (the history keeps them), the stage's probability. */
function reopened(current: StoredOpportunity, stage: Stage): StoredOpportunity {
  return {
    ...current,
    status: 'open',
    stageId: stage.id,
    probability: stage.probability,
    closedAt: null,
    closedFromStageId: null,
    lostFromStageId: null,
    winReasonIds: [],
    lostReasonId: null,
    closingNote: null,
  };
}

/**
 * R-OPP-6: a won or lost opportunity back into the pipeline, in `stage` (the one of `restoreStageId`, or the
 * default stage when that one is gone). Whether it is archived does not change: restoring is about status,
 * archiving is its own switch (R-OPP-7). An open one is a 409 `not_closed`.
 */
export function restore(current: StoredOpportunity, stage: Stage): Transition {
  if (current.status === 'open') throw conflict('not_closed', 'The opportunity is open: only won or lost ones can be restored');
  const next = reopened(current, stage);
  return {
    next,
    history: [entry('restored', current, next)],
    events: [{ type: 'opportunity.restored', opportunityId: next.id, data: { ...parties(next), restoredFrom: current.status } }],
  };
}

/** R-OPP-7: archived opportunities leave the default pipeline listing (409 when already archived). */
export function archive(current: StoredOpportunity): Transition {
  if (!current.active) throw conflict('already_archived', 'The opportunity is already archived');
  const next = { ...current, active: false };
  return { next, history: [entry('archived', current, next)], events: [] };
}

/** R-OPP-7: back to active (409 when it is not archived). */
export function unarchive(current: StoredOpportunity): Transition {
  if (current.active) throw conflict('already_active', 'The opportunity is not archived');
  const next = { ...current, active: true };
  return { next, history: [entry('unarchived', current, next)], events: [] };
}

/**
 * A PATCH (R-OPP-1, R-OPP-9) from `current` to `patched` (see `applyOpportunityPatch`): a change of stage,
 * owner or probability is recorded; a new owner is a reassignment. Setting `probability: 0` on an archived
 * open opportunity marks it lost like R-OPP-4 but without a reason: the R-OPP-7 path has no reason to give,
 * so `requireLossReason` does not apply to it.
 */
export function patch(
  current: StoredOpportunity,
  patched: StoredOpportunity,
  sent: { probability?: number | undefined },
  settings: Pick<PipelineSettings, 'lossStageId'>,
  now: string,
): Transition {
  const losesByProbability = sent.probability === 0 && patched.status === 'open' && !patched.active;
  const next = losesByProbability
    ? lose(patched, { lostReasonId: null, closingNote: null }, { lossStageId: settings.lossStageId, requireLossReason: false }, now).next
    : patched;
  const changes = historyChanges(current, next);
  const events: EventDraft[] = [];
  if (next.ownerId !== current.ownerId) {
    events.push({ type: 'opportunity.reassigned', opportunityId: next.id, data: { ...parties(next), fromOwnerId: current.ownerId } });
  }
  if (losesByProbability) events.push({ type: 'opportunity.lost', opportunityId: next.id, data: { ...parties(next), lostReasonId: null } });
  return {
    next,
    history: changes.length > 0 ? [{ opportunityId: next.id, kind: losesByProbability ? 'lost' : 'updated', changes }] : [],
    events,
  };
}

/** R-OPP-8: the target when one is named, else the oldest (earliest `createdAt`, then smallest id). */
export function chooseSurvivor(records: readonly StoredOpportunity[], targetId: string | undefined): StoredOpportunity {
  if (targetId !== undefined) return records.find((record) => record.id === targetId)!;
  return [...records].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))[0]!;
}

export interface MergeResult extends Transition {
  /** The opportunities merged away: deleted in the same transaction. */
  removed: StoredOpportunity[];
}

/**
 * R-OPP-8: `survivor` absorbs `others`. Tags are the union (the survivor's first); custom fields are the
 * others' overlaid by the survivor's (the survivor wins, then the older of the others), where a value a client
 * sees (valid for the current `definitions`) always wins over a hidden one: a survivor's stale value of a deleted
 * field never erases the value a client set under the field's new definition; notes and history are
 * not copied: `mergedIds` lists every opportunity ever merged into the survivor, whose entries are read with
 * its own. If any of them is open and active, the result is open and active: a closed survivor is reopened
 * in `reopenStage` like a restore (the stage of `restoreStageId(survivor)`, or the default stage), which the
 * caller reads whenever the survivor is closed.
 */
export function merge(
  survivor: StoredOpportunity,
  others: readonly StoredOpportunity[],
  reopenStage: Stage | undefined,
  definitions: readonly CustomFieldDefinition[],
): MergeResult {
  const oldestFirst = [...others].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  const byPriority = [...[...oldestFirst].reverse().map((other) => other.customFields), survivor.customFields];
  const customFields = Object.assign({}, ...byPriority, ...byPriority.map((values) => visibleCustomFields(values, definitions)));
  const mergedIds = [...new Set([...survivor.mergedIds, ...oldestFirst.flatMap((other) => [other.id, ...other.mergedIds])])];
  const stayInPipeline = [survivor, ...others].some(holdsParty);

  let next: StoredOpportunity = withTags({ ...survivor, customFields, mergedIds }, [survivor, ...oldestFirst].flatMap((record) => record.tags));
  if (stayInPipeline) {
    if (next.status !== 'open') {
      if (!reopenStage) throw new Error('A closed survivor that stays in the pipeline needs the stage to reopen it in');
      next = reopened(next, reopenStage);
    }
    next = { ...next, active: true };
  }
  return {
    next,
    removed: oldestFirst,
    history: [entry('merged', survivor, next)],
    events: [
      {
        type: 'opportunity.merged',
        opportunityId: next.id,
        data: { ...parties(next), mergedIds: oldestFirst.map((other) => other.id), mergedParties: oldestFirst.map(parties) },
      },
    ],
  };
}

/**
 * DELETE: the record goes, with an event for the statuses and sharing of its parties (R-EVT-3) and for the removal
 * of its history and notes (and those of the opportunities merged into it): none is left to read.
 */
export function remove(current: StoredOpportunity): Omit<Transition, 'next'> {
  return { history: [], events: [{ type: 'opportunity.deleted', opportunityId: current.id, data: { ...parties(current), mergedIds: current.mergedIds } }] };
}
