import { BatchGetCommand, GetCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { AppContext } from '../app-context.ts';
import { holdsParty, remove, type EventDraft, type HistoryDraft, type Transition } from '../domain/opportunity-lifecycle.ts';
import { opportunityOutboxWrites } from '../events/opportunity-events.ts';
import type { StoredOpportunity } from '../domain/opportunities.ts';
import type { OpportunityHistoryEntry } from '../schemas/opportunities.ts';
import { childKey, companyModel, contactModel, openOpportunitiesGuardKey, opportunityModel, stageModel } from './keys.ts';
import { fromItem, toItem } from './records.ts';
import { requireRecord, retryOnRace, writeAll, type ExtraWrite } from './store.ts';
import { moveUse, stillInService } from './uses.ts';
import { conflict, type DomainError, preconditionFailed } from '../domain/errors.ts';

/**
 * The one place where opportunities are written (R-OPP-1..R-OPP-10): every creation, change, transition,
 * merge and deletion commits its records, its history entries and its duplicate-guard updates in ONE
 * DynamoDB transaction, conditioned on the versions it read, with the outbox items of its events (R-EVT-2).
 */

export interface OpportunityChange {
  /** Each record as read (absent: a creation) and as it is to be (absent: a deletion). */
  records: { before?: StoredOpportunity; after?: StoredOpportunity }[];
  history: HistoryDraft[];
  events: EventDraft[];
  actorId: string;
  /** The If-Match the client sent: a record changed since it was read is then a 412 instead of a retry. */
  ifMatch?: number | undefined;
  /**
   * R-OPP-2: refuse (409 `duplicate_active_opportunity`) when a record in an active stage joins its party's
   * open, active opportunities while another of them is in an active stage. Absent: no check (updates that do
   * not add a party's opportunity, or `allowDuplicate` by staff).
   */
  duplicateCheck?: { activeStageIds: readonly string[] } | undefined;
  /** Other writes committed with the change (checks that named records still exist, a new reason …). */
  extra?: ExtraWrite[] | undefined;
  /**
   * The answer when a stage a record enters was deleted, or is being deleted, meanwhile. Default: a lost race, so
   * `retryOnRace` starts again from the reads (a restore then falls back to the default stage).
   */
  stageGone?: DomainError | undefined;
}

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
function guardChanges(records: OpportunityChange['records'], duplicateCheck: OpportunityChange['duplicateCheck']): GuardChange[] {
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

async function readGuard(ctx: AppContext, key: { PK: string; SK: string }): Promise<Guard> {
  const { Item: item } = await ctx.db.send(new GetCommand({ TableName: ctx.tableName, Key: key, ConsistentRead: true }));
  return { key, holders: (item?.holders as string[] | undefined) ?? [], version: (item?.version as number | undefined) ?? 0 };
}

/** The opportunities of `ids` that exist, in no particular order (BatchGet, up to 100 ids). */
export async function findOpportunities(ctx: AppContext, ids: readonly string[]): Promise<StoredOpportunity[]> {
  const found: StoredOpportunity[] = [];
  let keys: Record<string, unknown>[] | undefined = ids.map((id) => opportunityModel.key(id));
  while (keys && keys.length > 0) {
    const answer: BatchGetCommandOutput = await ctx.db.send(new BatchGetCommand({ RequestItems: { [ctx.tableName]: { Keys: keys, ConsistentRead: true } } }));
    found.push(...(answer.Responses?.[ctx.tableName] ?? []).map((item) => fromItem<StoredOpportunity>(item)));
    keys = answer.UnprocessedKeys?.[ctx.tableName]?.Keys;
  }
  return found;
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
 * "In use" (shared/db/uses.ts): a record holds a use of its stage, contact and company, moved as it moves and
 * dropped when it is deleted, so that none of them can be deleted under it (R-CFG-1, R-CON-1). A record entering a
 * stage commits only while the stage is in service; the records that name a contact or company check those (the
 * routes, with their own answers).
 */
function useWrites(ctx: AppContext, records: OpportunityChange['records'], stageGone: DomainError): ExtraWrite[] {
  const used = (opportunity: StoredOpportunity | undefined) => ({
    stage: opportunity && stageModel.key(opportunity.stageId),
    contact: opportunity?.contactId ? contactModel.key(opportunity.contactId) : undefined,
    company: opportunity?.companyId ? companyModel.key(opportunity.companyId) : undefined,
  });
  const writes = records.flatMap(({ before, after }) => {
    const user = opportunityModel.key((before ?? after)!.id);
    const [from, to] = [used(before), used(after)];
    return [...moveUse(ctx, user, from.stage, to.stage), ...moveUse(ctx, user, from.contact, to.contact), ...moveUse(ctx, user, from.company, to.company)];
  });
  const entered = new Set(records.filter(({ before, after }) => after && after.stageId !== before?.stageId).map(({ after }) => after!.stageId));
  return [...writes, ...[...entered].map((stageId) => stillInService(ctx, stageModel.key(stageId), stageGone))];
}

function historyWrite(ctx: AppContext, entry: OpportunityHistoryEntry): ExtraWrite {
  return {
    write: {
      Put: {
        TableName: ctx.tableName,
        Item: { ...childKey(opportunityModel.key(entry.opportunityId), 'history', entry.id), ...entry, recordType: 'Opportunity history' },
      },
    },
  };
}

/** The record write: a creation must be new, a change or deletion must meet the version it read. */
function recordWrite(ctx: AppContext, before: StoredOpportunity | undefined, after: StoredOpportunity | undefined, ifMatch: number | undefined): ExtraWrite {
  const stale = ifMatch !== undefined ? preconditionFailed() : lostRace();
  if (!before) {
    return {
      write: { Put: { TableName: ctx.tableName, Item: toItem(opportunityModel, after!), ConditionExpression: 'attribute_not_exists(PK)' } },
      onConditionFailed: conflict('already_exists', `Opportunity ${after!.id} already exists`),
    };
  }
  const sameVersion = { ConditionExpression: 'version = :read', ExpressionAttributeValues: { ':read': before.version } };
  if (!after) return { write: { Delete: { TableName: ctx.tableName, Key: opportunityModel.key(before.id), ...sameVersion } }, onConditionFailed: stale };
  return { write: { Put: { TableName: ctx.tableName, Item: toItem(opportunityModel, after), ...sameVersion } }, onConditionFailed: stale };
}

/**
 * Commits one change of opportunities in one transaction: each record (conditioned on the version read), its
 * history entries, the duplicate guards it affects (conditioned on the guard versions read here, after the
 * duplicate check that used them) and the extra writes. Returns the records written (version and time stamped),
 * in the order given, without the deleted ones. A lost race is a 409 `concurrent_update` for `retryOnRace`.
 */
export async function commitOpportunityChange(ctx: AppContext, change: OpportunityChange): Promise<StoredOpportunity[]> {
  const now = ctx.now().toISOString();
  const records = change.records.map(({ before, after }) => ({
    before,
    after: after && before ? { ...after, id: before.id, version: before.version + 1, createdAt: before.createdAt, updatedAt: now } : after,
  }));

  const inChange = new Set(records.flatMap(({ before, after }) => [before?.id, after?.id]).filter((id): id is string => id !== undefined));
  const guardWrites: ExtraWrite[] = [];
  for (const guardChange of guardChanges(records, change.duplicateCheck)) {
    const guard = await readGuard(ctx, guardChange.key);
    if (change.duplicateCheck) await refuseDuplicates(ctx, guard, guardChange, inChange, change.duplicateCheck.activeStageIds);
    guardWrites.push(guardWrite(ctx, guard, guardChange));
  }

  const history = change.history.map((draft) => historyWrite(ctx, { id: ctx.newId(), at: now, actorId: change.actorId, ...draft }));

  // R-EVT-2: one outbox item per event of the change, in the same transaction: the change and its events commit together.
  const outbox = opportunityOutboxWrites(ctx, records, change.events, change.actorId);
  const uses = useWrites(ctx, records, change.stageGone ?? lostRace());
  await writeAll(ctx, [
    ...records.map(({ before, after }) => recordWrite(ctx, before, after, change.ifMatch)),
    ...history,
    ...guardWrites,
    ...uses,
    ...(change.extra ?? []),
    ...outbox,
  ]);
  return records.flatMap(({ after }) => (after ? [after] : []));
}

/** A transition of one opportunity, with the writes and the duplicate check it commits with. */
export interface PlannedTransition extends Transition {
  extra?: ExtraWrite[] | undefined;
  duplicateCheck?: OpportunityChange['duplicateCheck'];
  stageGone?: OpportunityChange['stageGone'];
}

export interface TransitionOptions {
  actorId: string;
  /** A record the caller may not see is a 404, like an unknown one. */
  canSee: (opportunity: StoredOpportunity) => boolean | Promise<boolean>;
  ifMatch?: number | undefined;
  /** The record as already read (e.g. by a bulk request's BatchGet): the first attempt uses it, a retry reads again. */
  read?: StoredOpportunity | undefined;
}

/**
 * Reads one opportunity, lets `decide` plan its transition, and commits it; a lost race starts again from the
 * read (so `decide` always sees the current record), a stale If-Match is a 412.
 */
export function transitionOpportunity(
  ctx: AppContext,
  id: string,
  options: TransitionOptions,
  decide: (current: StoredOpportunity) => PlannedTransition | Promise<PlannedTransition>,
): Promise<StoredOpportunity> {
  let known = options.read;
  return retryOnRace(async () => {
    const current = known && (await options.canSee(known)) ? known : await requireRecord<StoredOpportunity>(ctx, opportunityModel, id, options.canSee);
    known = undefined;
    if (options.ifMatch !== undefined && options.ifMatch !== current.version) throw preconditionFailed();
    const planned = await decide(current);
    const [written] = await commitOpportunityChange(ctx, {
      records: [{ before: current, after: planned.next }],
      history: planned.history,
      events: planned.events,
      actorId: options.actorId,
      ifMatch: options.ifMatch,
      duplicateCheck: planned.duplicateCheck,
      extra: planned.extra,
      stageGone: planned.stageGone,
    });
    return written!;
  });
}

/** DELETE: the record leaves its party's duplicate guard in the same transaction. */
export function removeOpportunity(ctx: AppContext, id: string, options: TransitionOptions): Promise<void> {
  return retryOnRace(async () => {
    const current = await requireRecord<StoredOpportunity>(ctx, opportunityModel, id, options.canSee);
    if (options.ifMatch !== undefined && options.ifMatch !== current.version) throw preconditionFailed();
    await commitOpportunityChange(ctx, { records: [{ before: current }], ...remove(current), actorId: options.actorId, ifMatch: options.ifMatch });
  });
}
