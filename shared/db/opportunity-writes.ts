import type { AppContext } from '../app-context.ts';
import { holdsParty, remove, type EventDraft, type HistoryDraft } from '../domain/opportunity-lifecycle.ts';
import { opportunityOutboxWrites } from '../events/opportunity-events.ts';
import type { StoredOpportunity } from '../domain/opportunities.ts';
import { commitChange, removeAggregate, transition, type Aggregate, type Change, type Planned, type RecordChange, type WriteOptions } from './aggregate-writer.ts';
import { companyModel, contactModel, openOpportunitiesGuardKey, opportunityModel, stageModel } from './keys.ts';
import { fromItem } from './records.ts';
import { batchGetAll, getItem, type ExtraWrite } from './store.ts';
import { searchIndexOf } from './search-index.ts';
import { conflict, type DomainError } from '../domain/errors.ts';

/**
 * Opportunities as an aggregate (R-OPP-1..R-OPP-10): every creation, change, transition, merge and deletion
 * commits its records, its history entries, its uses, its duplicate-guard updates and the outbox items of its
 * events (R-EVT-2) in ONE transaction through the aggregate writer. What is theirs alone is the R-OPP-2
 * duplicate guard, a hook of the declaration.
 */

/** The options of the opportunities' own hooks. */
export interface OpportunityHooks {
  /**
   * R-OPP-2: refuse (409 `duplicate_active_opportunity`) when a record in an active stage joins its party's
   * open, active opportunities while another of them is in an active stage. Absent: no check (updates that do
   * not add a party's opportunity, or `allowDuplicate` by staff).
   */
  duplicateCheck: { activeStageIds: readonly string[] } | undefined;
  /**
   * The answer when a stage a record enters was deleted, or is being deleted, meanwhile. Default: a lost race, so
   * `retryOnRace` starts again from the reads (a restore then falls back to the default stage).
   */
  stageGone: DomainError | undefined;
  /**
   * Duplicate guards a bulk change read beforehand in one BatchGet (`readGuards`): the first change that needs one
   * takes it (a later change of the same party, or a retry after a lost race, reads it again). Absent: each is read.
   */
  knownGuards: KnownGuards | undefined;
}

/** Guards read beforehand, by partition key (undefined: the guard does not exist yet). */
export type KnownGuards = Map<string, Record<string, unknown> | undefined>;

export type OpportunityChange = Change<StoredOpportunity, HistoryDraft, EventDraft, OpportunityHooks>;

/** The duplicate guard of one party as read: the ids of its open, active opportunities, and its version. */
interface Guard {
  key: { PK: string; SK: string };
  holders: string[];
  /** 0 when the guard does not exist yet. */
  version: number;
}

/** How one guard changes: the opportunities that leave it and those that join it. */
interface GuardChange {
  key: { PK: string; SK: string };
  leaving: Set<string>;
  joining: StoredOpportunity[];
}

const CONCURRENT_UPDATE = 'concurrent_update';

/** The answer of a write that lost a race it can win on a second try (no If-Match was sent). */
const lostRace = () => conflict(CONCURRENT_UPDATE, 'The opportunity or its contact changed meanwhile; read it again and retry');

const guardKeyOf = (opportunity: StoredOpportunity) => openOpportunitiesGuardKey(opportunity);

/**
 * The guards a change touches: an opportunity leaves its party's guard when it stops being open and active or
 * changes party, and joins the new one. Under a duplicate check, one that moves into an active stage within its
 * party joins again too: the check then looks at the others, and the guard's new version makes two such moves race.
 */
function guardChanges(records: readonly RecordChange<StoredOpportunity>[], duplicateCheck: OpportunityHooks['duplicateCheck']): GuardChange[] {
  const active = new Set(duplicateCheck?.activeStageIds ?? []);
  const changes = new Map<string, GuardChange>();
  const changeOf = (key: { PK: string; SK: string }) => {
    const found = changes.get(key.PK) ?? { key, leaving: new Set<string>(), joining: [] };
    changes.set(key.PK, found);
    return found;
  };
  for (const { before, after } of records) {
    const from = before && holdsParty(before) ? guardKeyOf(before) : undefined;
    const to = after && holdsParty(after) ? guardKeyOf(after) : undefined;
    if (from && from.PK === to?.PK) {
      if (active.has(after!.stageId) && !active.has(before!.stageId)) changeOf(to).joining.push(after!);
      continue;
    }
    if (from?.PK === to?.PK) continue;
    if (from) changeOf(from).leaving.add(before!.id);
    if (to) changeOf(to).joining.push(after!);
  }
  return [...changes.values()];
}

async function readGuard(ctx: AppContext, key: { PK: string; SK: string }, known?: KnownGuards): Promise<Guard> {
  const taken = known?.has(key.PK);
  const item = taken ? known!.get(key.PK) : await getItem(ctx, key, { consistent: true });
  if (taken) known!.delete(key.PK);
  return { key, holders: (item?.holders as string[] | undefined) ?? [], version: (item?.version as number | undefined) ?? 0 };
}

/** The opportunities of `ids` that exist, in no particular order, read strongly consistent (any number: a party may hold hundreds). */
export async function findOpportunities(ctx: AppContext, ids: readonly string[]): Promise<StoredOpportunity[]> {
  return (await batchGetAll(ctx, ids.map((id) => opportunityModel.key(id)), { consistent: true })).map((item) => fromItem<StoredOpportunity>(item));
}

/** The duplicate guards of the records' parties, strongly consistent, in BatchGets (issue 14 item 5: a bulk restore reads them once). */
export async function readGuards(ctx: AppContext, records: readonly StoredOpportunity[]): Promise<KnownGuards> {
  const keys = [...new Map(records.map((record) => guardKeyOf(record)).map((key) => [key.PK, key])).values()];
  const known: KnownGuards = new Map(keys.map((key) => [key.PK, undefined]));
  for (const item of await batchGetAll(ctx, keys, { consistent: true })) known.set(item.PK as string, item);
  return known;
}

/**
 * R-OPP-2: an opportunity in an active stage may not join a party that already has an open, active one in an
 * active stage. The stages are the settings' at check time, so changing `activeStageIds` needs no guard rewrite.
 * The records of this same change (e.g. the ones merged away) do not count.
 */
async function refuseDuplicates(ctx: AppContext, guard: Guard, change: GuardChange, inChange: ReadonlySet<string>, activeStageIds: readonly string[]) {
  const active = new Set(activeStageIds);
  if (!change.joining.some((joining) => active.has(joining.stageId))) return;
  const others = guard.holders.filter((id) => !inChange.has(id));
  if (others.length === 0) return;
  const existing = (await findOpportunities(ctx, others)).find((holder) => holdsParty(holder) && active.has(holder.stageId));
  if (existing) {
    throw conflict('duplicate_active_opportunity', `Opportunity ${existing.id} of the same ${existing.contactId ? 'contact' : 'company'} is already open in an active stage`, {
      existingId: existing.id,
    });
  }
}

/** The guard's new holders, written only if nobody changed the guard since it was read. */
function guardWrite(ctx: AppContext, guard: Guard, change: GuardChange): ExtraWrite {
  const holders = [...guard.holders.filter((id) => !change.leaving.has(id)), ...change.joining.map((joining) => joining.id).filter((id) => !guard.holders.includes(id))];
  return {
    write: {
      Put: {
        TableName: ctx.tableName,
        Item: { ...guard.key, holders, version: guard.version + 1 },
        ...(guard.version === 0
          ? { ConditionExpression: 'attribute_not_exists(PK)' }
          : { ConditionExpression: 'version = :read', ExpressionAttributeValues: { ':read': guard.version } }),
      },
    },
    onConditionFailed: lostRace(),
  };
}

/**
 * R-OPP-2 at commit time: reads the guards the change affects, refuses a duplicate, and writes each guard's new
 * holders conditioned on the version read (after the duplicate check that used it).
 */
async function duplicateGuards(ctx: AppContext, records: readonly RecordChange<StoredOpportunity>[], hooks: Partial<OpportunityHooks>): Promise<ExtraWrite[]> {
  const inChange = new Set(records.flatMap(({ before, after }) => [before?.id, after?.id]).filter((id): id is string => id !== undefined));
  const writes: ExtraWrite[] = [];
  for (const guardChange of guardChanges(records, hooks.duplicateCheck)) {
    const guard = await readGuard(ctx, guardChange.key, hooks.knownGuards);
    if (hooks.duplicateCheck) await refuseDuplicates(ctx, guard, guardChange, inChange, hooks.duplicateCheck.activeStageIds);
    writes.push(guardWrite(ctx, guard, guardChange));
  }
  return writes;
}

/**
 * The declaration. "In use" (shared/db/uses.ts): an opportunity holds a use of its stage, contact and company, moved
 * as it moves and dropped when it is deleted, so that none of them can be deleted under it (R-CFG-1, R-CON-1). A
 * record entering a stage commits only while the stage is in service; the records that name a contact or company
 * check those (the routes, with their own answers).
 */
export const opportunities: Aggregate<StoredOpportunity, HistoryDraft, EventDraft, OpportunityHooks> = {
  model: opportunityModel,
  lostRace,
  uses: [
    { of: (opportunity) => stageModel.key(opportunity.stageId), whenGone: (hooks) => hooks.stageGone ?? lostRace() },
    { of: (opportunity) => (opportunity.contactId ? contactModel.key(opportunity.contactId) : undefined) },
    { of: (opportunity) => (opportunity.companyId ? companyModel.key(opportunity.companyId) : undefined) },
  ],
  history: { recordType: 'Opportunity history', recordOf: (entry) => entry.opportunityId },
  outbox: opportunityOutboxWrites,
  guards: duplicateGuards,
  // Issue 14: its search index items (title words, tags) change with it: merges and deletions remove them.
  derived: searchIndexOf('opportunities'),
};

/** Commits one change of opportunities in one transaction; returns the records written, in the order given, without the deleted ones. */
export const commitOpportunityChange = (ctx: AppContext, change: OpportunityChange): Promise<StoredOpportunity[]> => commitChange(ctx, opportunities, change);

/** A transition of one opportunity, with the writes and the duplicate check it commits with. */
export type PlannedTransition = Planned<StoredOpportunity, HistoryDraft, EventDraft, OpportunityHooks>;

export type TransitionOptions = WriteOptions<StoredOpportunity>;

/** Reads one opportunity, lets `decide` plan its transition, and commits it (`transition` of the aggregate writer). */
export const transitionOpportunity = (
  ctx: AppContext,
  id: string,
  options: TransitionOptions,
  decide: (current: StoredOpportunity) => PlannedTransition | Promise<PlannedTransition>,
): Promise<StoredOpportunity> => transition(ctx, opportunities, id, options, decide);

/** DELETE: the record leaves its party's duplicate guard, drops its uses and reports its deletion in the same transaction. */
export async function removeOpportunity(ctx: AppContext, id: string, options: TransitionOptions): Promise<void> {
  await removeAggregate(ctx, opportunities, id, options, remove);
}
