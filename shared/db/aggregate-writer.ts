import type { AppContext } from '../app-context.ts';
import type { DomainError } from '../domain/errors.ts';
import type { DomainEvent } from '../events/catalogue.ts';
import { outboxWrite } from '../events/outbox.ts';
import { childKey } from './keys.ts';
import type { BaseRecord, EntityModel } from './records.ts';
import { mapLimited } from '../concurrency.ts';
import { changesNothing, deleteItem, nextVersion, readForChange, recordWrite, retryOnRace, writeAll, type ExtraWrite, type ReadOptions } from './store.ts';
import { deleteUnlessUsed, moveUse, stillInService, type DeleteUnusedOptions } from './uses.ts';

/**
 * The one writer of aggregates: a record (or several, e.g. a merge) with its history entries, its use items, its
 * outbox events and any extra guarded writes, committed in ONE transaction conditioned on the versions read
 * (R-EVT-2: a change and its events commit together). A kind of aggregate is declared once (`Aggregate`: its model,
 * what it uses, how its history entries are stored, hooks of its own such as the opportunities' duplicate guard);
 * a route then reads, decides and commits through `transition`, `createAggregate`, `removeAggregate`, or prepares
 * several aggregates' changes for one transaction (`prepareChange` + `commit`: a lead converted into a contact and
 * an opportunity).
 */

type ItemKey = { PK: string; SK: string };

/** One kind of record the aggregate's records point at and hold a use of (shared/db/uses.ts), so it cannot be deleted under them. */
export interface UseDeclaration<T, O> {
  /** The used record's key, or undefined when this record uses none of the kind. */
  of: (record: T) => ItemKey | undefined;
  /** When set, a record that starts using one commits only while it is in service; this is the answer otherwise. */
  whenGone?: (change: Partial<O>) => DomainError;
}

/** One record of a change as read (absent: a creation) and as it is to be (absent: a deletion). */
export interface RecordChange<T> {
  before?: T | undefined;
  after?: T | undefined;
}

export interface Aggregate<T extends BaseRecord, H = never, E = DomainEvent, O extends object = object> {
  model: EntityModel<T>;
  /** The answer of a write that lost a race (a 409 `concurrent_update`, which `retryOnRace` tries again). Default: the store's. */
  lostRace?: () => DomainError;
  uses?: readonly UseDeclaration<T, O>[];
  /** History entries, kept in the record's own partition (`childKey(..., 'history', id)`), oldest first by id. */
  history?: {
    recordType: string;
    /** The record an entry belongs to; default: the change's only record. */
    recordOf?: (entry: H) => string;
  };
  /** The outbox items of a change from its event drafts; default: the drafts are catalogue events, one item each. */
  outbox?: (ctx: AppContext, records: readonly RecordChange<T>[], drafts: readonly E[], actorId: string) => ExtraWrite[];
  /**
   * Writes decided at commit time from the whole change, after reading what they guard (the opportunities'
   * duplicate guards); may refuse the change by throwing.
   */
  guards?: (ctx: AppContext, records: readonly RecordChange<T>[], change: Partial<O>) => Promise<ExtraWrite[]>;
  /**
   * Items derived from a record alone (each with its PK and SK: search index items …), kept in step with it: an item
   * new or changed is put in the record's transaction, one no longer derived is deleted (in the transaction while it
   * has room, else right after it: readers of derived items must check them against the record).
   */
  derived?: (record: T) => readonly DerivedItem[];
}

/** An item derived from a record (`Aggregate.derived`). */
export type DerivedItem = ItemKey & Record<string, unknown>;

/** The most items one DynamoDB transaction may hold. */
export const MAX_TRANSACTION_ITEMS = 100;

/** What a change writes besides its records, and the options of the aggregate's own hooks (`O`). */
export type Effects<H, E, O> = Partial<O> & {
  history?: readonly H[] | undefined;
  events?: readonly E[] | undefined;
  /** Writes committed with the change (a check that a named record still exists, a new reason …). */
  extra?: readonly ExtraWrite[] | undefined;
};

export type Change<T, H, E, O> = Effects<H, E, O> & {
  records: readonly RecordChange<T>[];
  actorId: string;
  /** The If-Match the client sent: a record changed since it was read is a 412 instead of a lost race. */
  ifMatch?: number | undefined;
};

/** A change ready to commit: its writes, and its records as written (version and time stamped, deletions left out). */
export interface PreparedChange<T> {
  written: T[];
  writes: ExtraWrite[];
  /** Derived items no longer derived (`Aggregate.derived`): deleted with the writes while the transaction has room. */
  removals?: ItemKey[];
}

/** The derived items of the records that are new or changed (to put) and those no longer derived (to delete). */
function derivedChanges<T extends BaseRecord>(
  ctx: AppContext,
  aggregate: Pick<Aggregate<T>, 'derived'>,
  records: readonly RecordChange<T>[],
): { puts: ExtraWrite[]; removals: ItemKey[] } {
  const derive = aggregate.derived;
  if (!derive) return { puts: [], removals: [] };
  const keyOf = (item: ItemKey) => `${item.PK}\u0000${item.SK}`;
  const puts: ExtraWrite[] = [];
  const removals: ItemKey[] = [];
  for (const { before, after } of records) {
    const old = new Map((before ? derive(before) : []).map((item) => [keyOf(item), item]));
    const next = new Map((after ? derive(after) : []).map((item) => [keyOf(item), item]));
    for (const [key, item] of next) {
      if (JSON.stringify(old.get(key)) !== JSON.stringify(item)) puts.push({ write: { Put: { TableName: ctx.tableName, Item: item } } });
    }
    for (const [key, item] of old) if (!next.has(key)) removals.push({ PK: item.PK, SK: item.SK });
  }
  return { puts, removals };
}

/** The use items of the records as they move, and the checks that what they start using is still in service. */
function useWrites<T extends BaseRecord, O extends object>(
  ctx: AppContext,
  aggregate: Pick<Aggregate<T, never, never, O>, 'model' | 'uses'>,
  records: readonly RecordChange<T>[],
  change: Partial<O>,
): ExtraWrite[] {
  const moves: ExtraWrite[] = [];
  const checks = new Map<string, ExtraWrite>();
  for (const { before, after } of records) {
    const user = aggregate.model.key((before ?? after)!.id);
    for (const use of aggregate.uses ?? []) {
      const [from, to] = [before && use.of(before), after && use.of(after)];
      moves.push(...moveUse(ctx, user, from, to));
      // One check per used record: a transaction names an item once.
      if (to && to.PK !== from?.PK && use.whenGone && !checks.has(to.PK)) checks.set(to.PK, stillInService(ctx, to, use.whenGone(change)));
    }
  }
  return [...moves, ...checks.values()];
}

function historyWrites<T extends BaseRecord, H>(
  ctx: AppContext,
  aggregate: Pick<Aggregate<T, H>, 'model' | 'history'>,
  records: readonly RecordChange<T>[],
  entries: readonly H[],
  actorId: string,
  at: string,
): ExtraWrite[] {
  if (entries.length === 0) return [];
  const declared = aggregate.history;
  if (!declared) throw new Error(`${aggregate.model.label} keeps no history`);
  const only = records.length === 1 ? (records[0]!.after ?? records[0]!.before)!.id : undefined;
  return entries.map((entry) => {
    const recordId = declared.recordOf?.(entry) ?? only;
    if (!recordId) throw new Error(`A history entry of a change of several ${aggregate.model.label} records must name its record`);
    const id = ctx.newId();
    const item = { ...childKey(aggregate.model.key(recordId), 'history', id), id, at, actorId, ...entry, recordType: declared.recordType };
    return { write: { Put: { TableName: ctx.tableName, Item: item } } };
  });
}

/**
 * The writes of one change: each record (a creation must be new, a change or deletion must meet the version it
 * read), its history entries, the aggregate's guards, its use items, the extra writes and its outbox items.
 */
export async function prepareChange<T extends BaseRecord, H, E, O extends object>(
  ctx: AppContext,
  aggregate: Aggregate<T, H, E, O>,
  change: Change<T, H, E, O>,
): Promise<PreparedChange<T>> {
  const now = ctx.now().toISOString();
  const records = change.records.map(({ before, after }) => ({ before, after: after && before ? nextVersion(before, after, now) : after }));
  const stale = aggregate.lostRace?.();
  const guards = (await aggregate.guards?.(ctx, records, change)) ?? [];
  const drafts = change.events ?? [];
  const outbox = aggregate.outbox ? aggregate.outbox(ctx, records, drafts, change.actorId) : drafts.map((event) => outboxWrite(ctx, event as DomainEvent));
  const derived = derivedChanges(ctx, aggregate, records);
  return {
    written: records.flatMap(({ after }) => (after ? [after] : [])),
    removals: derived.removals,
    writes: [
      ...derived.puts,
      ...records.map(({ before, after }) => recordWrite(ctx, aggregate.model, { before, after, ifMatch: change.ifMatch, stale })),
      ...historyWrites(ctx, aggregate, records, change.history ?? [], change.actorId, now),
      ...guards,
      ...useWrites(ctx, aggregate, records, change),
      ...(change.extra ?? []),
      ...outbox,
    ],
  };
}

/**
/**
 * Writes that every aggregate transaction carries besides its own, decided by who runs it rather than by the
 * aggregate (issue 13 item 3: the request's Idempotency-Key record, shared/http/idempotency.ts). A hook answers []
 * when it has nothing to add.
 */
export type CommitHook = (ctx: AppContext, written: readonly BaseRecord[]) => ExtraWrite[];
const commitHooks: CommitHook[] = [];
export const addCommitHook = (hook: CommitHook): void => void commitHooks.push(hook);
const hookWrites = (ctx: AppContext, written: readonly BaseRecord[]) => commitHooks.flatMap((hook) => hook(ctx, written));

/**
 * Commits prepared changes (of one or several aggregates) in one transaction: all or nothing. Derived items no
 * longer derived are deleted in it while it has room, the rest right after it commits.
 */
export async function commit(ctx: AppContext, ...changes: PreparedChange<BaseRecord>[]): Promise<void> {
  const writes = [...changes.flatMap((change) => change.writes), ...hookWrites(ctx, changes.flatMap((change) => change.written))];
  const removals = changes.flatMap((change) => change.removals ?? []);
  const room = Math.max(0, MAX_TRANSACTION_ITEMS - writes.length);
  const removeNow = removals.slice(0, room).map((Key): ExtraWrite => ({ write: { Delete: { TableName: ctx.tableName, Key } } }));
  await writeAll(ctx, [...writes, ...removeNow]);
  // One DeleteItem each (what every writer may call): only a change of very many derived items gets here.
  await mapLimited(removals.slice(room), 10, (key) => deleteItem(ctx, key));
}

/** Prepares and commits one change; returns its records as written, in the order given, deletions left out. */
export async function commitChange<T extends BaseRecord, H, E, O extends object>(ctx: AppContext, aggregate: Aggregate<T, H, E, O>, change: Change<T, H, E, O>): Promise<T[]> {
  const prepared = await prepareChange(ctx, aggregate, change);
  await commit(ctx, prepared as PreparedChange<BaseRecord>);
  return prepared.written;
}

export interface WriteOptions<T> extends ReadOptions<T> {
  actorId: string;
}

/** A planned change of one record: the record as it is to be, and what the change writes with it. */
export type Planned<T, H, E, O> = Effects<H, E, O> & { next: T };

/** A plan that leaves the record as it is and writes nothing but checks: committing it would only bump the version. */
function plansNothing<T extends BaseRecord, H, E, O>(current: T, { next, history, events, extra }: Planned<T, H, E, O>): boolean {
  return !history?.length && !events?.length && (extra ?? []).every(({ write }) => write.ConditionCheck !== undefined) && changesNothing(current, next);
}

/**
 * Reads one record, lets `decide` plan its change, and commits it. `decide` answering undefined, or a plan that
 * changes nothing, writes nothing (the record is answered as read). A lost race starts again from the read, so
 * `decide` always sees the current record; a stale If-Match is a 412.
 */
export function transition<T extends BaseRecord, H, E, O extends object>(
  ctx: AppContext,
  aggregate: Aggregate<T, H, E, O>,
  id: string,
  options: WriteOptions<T>,
  decide: (current: T) => Planned<T, H, E, O> | undefined | Promise<Planned<T, H, E, O> | undefined>,
): Promise<T> {
  let read = options.read;
  return retryOnRace(async () => {
    const current = await readForChange(ctx, aggregate.model, id, { ...options, read });
    read = undefined;
    const planned = await decide(current);
    if (!planned || plansNothing(current, planned)) return current;
    const { next, ...effects } = planned;
    const [written] = await commitChange(ctx, aggregate, { ...(effects as Effects<H, E, O>), records: [{ before: current, after: next }], actorId: options.actorId, ifMatch: options.ifMatch });
    return written!;
  });
}

/** Creates a record with what it writes; a lost race (a guard read meanwhile changed) is tried again, then answered 409. */
export async function createAggregate<T extends BaseRecord, H, E, O extends object>(
  ctx: AppContext,
  aggregate: Aggregate<T, H, E, O>,
  record: T,
  actorId: string,
  effects: Effects<H, E, O> = {},
): Promise<T> {
  await retryOnRace(() => commitChange(ctx, aggregate, { ...effects, records: [{ after: record }], actorId }));
  return record;
}

/** Deletes one record with what its deletion writes (`plan`: its history entry, its events …); its uses are dropped with it. */
export function removeAggregate<T extends BaseRecord, H, E, O extends object>(
  ctx: AppContext,
  aggregate: Aggregate<T, H, E, O>,
  id: string,
  options: WriteOptions<T>,
  plan: (current: T) => Effects<H, E, O> | Promise<Effects<H, E, O>> = () => ({}),
): Promise<T> {
  return retryOnRace(async () => {
    const current = await readForChange(ctx, aggregate.model, id, options);
    await commitChange(ctx, aggregate, { ...(await plan(current)), records: [{ before: current }], actorId: options.actorId, ifMatch: options.ifMatch });
    return current;
  });
}

/**
 * Deletes a record others may point at, only if none does (shared/db/uses.ts `deleteUnlessUsed`: retire, read its
 * uses, delete); the uses it holds itself are dropped with it.
 */
export function removeUnlessUsed<T extends BaseRecord, O extends object>(
  ctx: AppContext,
  aggregate: Pick<Aggregate<T, never, never, O>, 'model' | 'uses' | 'derived'>,
  id: string,
  options: Omit<DeleteUnusedOptions<T>, 'extra'>,
): Promise<void> {
  const derivedRemovals = (record: T): ExtraWrite[] =>
    derivedChanges(ctx, aggregate, [{ before: record }]).removals.map((Key) => ({ write: { Delete: { TableName: ctx.tableName, Key } } }));
  return deleteUnlessUsed(ctx, aggregate.model, id, { ...options, extra: (record) => [...useWrites(ctx, aggregate, [{ before: record }], {}), ...derivedRemovals(record)] });
}
