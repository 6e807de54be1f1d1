import { isDeepStrictEqual } from 'node:util';
import { ConditionalCheckFailedException, TransactionCanceledException, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { AppContext } from '../app-context.ts';
import { fromItem, toItem, type BaseRecord, type EntityModel, type Item } from './records.ts';
import { indexKeys, TABLE_KEYS, type IndexName, type IndexPartition } from './table-definition.ts';
import { conflict, type DomainError, isRefusal, notFound, preconditionFailed } from '../domain/errors.ts';

type DocTransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/** One extra write committed with a record change (history entry, guard, outbox item …). */
export interface ExtraWrite {
  write: DocTransactItem;
  /** The answer when this write's condition fails (a duplicate, a record in use …). */
  onConditionFailed?: DomainError;
}

/**
 * Strongly consistent: a client reads its own writes (the ETag it gets back is the one to send), and a consumer
 * reads the record its event reports, never an older copy.
 */
export async function getRecord<T extends BaseRecord>(ctx: AppContext, model: EntityModel<T>, id: string): Promise<T | undefined> {
  const item = await getItem(ctx, model.key(id), { consistent: true });
  return item ? fromItem<T>(item) : undefined;
}

/** Reads a record the caller may see; anything else is the same 404 so existence is never revealed. */
export async function requireRecord<T extends BaseRecord>(
  ctx: AppContext,
  model: EntityModel<T>,
  id: string,
  canSee: (record: T) => boolean | Promise<boolean> = () => true,
): Promise<T> {
  const record = await getRecord(ctx, model, id);
  if (!record || !(await canSee(record))) throw notFound(model.label);
  return record;
}

/** How a change reads the record it changes: who may see it, the version the client holds, a copy already read. */
export interface ReadOptions<T> {
  canSee?: ((record: T) => boolean | Promise<boolean>) | undefined;
  /** The If-Match the client sent: a record changed since is a 412, never retried. */
  ifMatch?: number | undefined;
  /** The record as already read (e.g. by a bulk request's BatchGet): used once, a retry reads again. */
  read?: T | undefined;
}

/** The record a change starts from: visible (else 404) and, under If-Match, of the version the client holds (else 412). */
export async function readForChange<T extends BaseRecord>(ctx: AppContext, model: EntityModel<T>, id: string, options: ReadOptions<T>): Promise<T> {
  const canSee = options.canSee ?? (() => true);
  const current = options.read && (await canSee(options.read)) ? options.read : await requireRecord(ctx, model, id, canSee);
  if (options.ifMatch !== undefined && options.ifMatch !== current.version) throw preconditionFailed();
  return current;
}

/** Fills id, version and timestamps of a new record. */
export function newRecord<T extends object>(ctx: AppContext, fields: T): T & BaseRecord {
  const now = ctx.now().toISOString();
  return { ...fields, id: ctx.newId(), version: 1, createdAt: now, updatedAt: now };
}

/** The record as it is written over `current` at `now`: same id and creation, the next version. */
export function nextVersion<T extends BaseRecord>(current: T, changed: T, now: string): T {
  return { ...changed, id: current.id, version: current.version + 1, createdAt: current.createdAt, updatedAt: now };
}

/** What a record holds, its version and update time aside (an attribute set to undefined is one not stored). */
const contentOf = (record: BaseRecord) => Object.entries(record).filter(([name, value]) => value !== undefined && name !== 'version' && name !== 'updatedAt');

/**
 * Whether `next` holds what `current` holds. Such a change is none (SPEC §1: `version` +1 per change): it is not
 * written, so a PATCH that repeats the stored values (a form saved unchanged) neither bumps the version, which
 * would fail other clients' If-Match, nor emits an event.
 */
export const changesNothing = <T extends BaseRecord>(current: T, next: T): boolean => isDeepStrictEqual(new Map(contentOf(current)), new Map(contentOf(next)));

/** The answer of a write that lost a race it can win on a second try (`retryOnRace` starts again from the read). */
export const lostRace = (label: string) => conflict('concurrent_update', `${label} was changed by someone else; read it again and retry`);

/**
 * The write of one record: a creation must be new, a change or a deletion must meet the version it read. A stale
 * write is a 412 under If-Match, a lost race (`stale`) otherwise.
 */
export function recordWrite<T extends BaseRecord>(
  ctx: AppContext,
  model: EntityModel<T>,
  change: { before?: T | undefined; after?: T | undefined; ifMatch?: number | undefined; stale?: DomainError | undefined },
): ExtraWrite {
  const { before, after } = change;
  if (!before) {
    if (!after) throw new Error('A record write needs a record before or after');
    return {
      write: { Put: { TableName: ctx.tableName, Item: toItem(model, after), ConditionExpression: 'attribute_not_exists(PK)' } },
      onConditionFailed: conflict('already_exists', `${model.label} ${after.id} already exists`),
    };
  }
  const sameVersion = { ConditionExpression: 'version = :read', ExpressionAttributeValues: { ':read': before.version } };
  const onConditionFailed = change.ifMatch !== undefined ? preconditionFailed() : (change.stale ?? lostRace(model.label));
  if (!after) return { write: { Delete: { TableName: ctx.tableName, Key: model.key(before.id), ...sameVersion } }, onConditionFailed };
  return { write: { Put: { TableName: ctx.tableName, Item: toItem(model, after), ...sameVersion } }, onConditionFailed };
}

/**
 * Commits a write only if another record still exists: one read before the write is no guarantee, the record
 * may be deleted in between. `answer` is what the caller gets when it no longer does.
 */
export function recordStillExists<T extends BaseRecord>(ctx: AppContext, model: EntityModel<T>, id: string, answer: DomainError): ExtraWrite {
  return {
    write: { ConditionCheck: { TableName: ctx.tableName, Key: model.key(id), ConditionExpression: 'attribute_exists(PK)' } },
    onConditionFailed: answer,
  };
}

/*
 * createRecord, updateRecord and deleteRecord: generic records (groups, stages, reasons, custom fields, users …)
 * with no history, uses or events of their own. Aggregates (shared/db/aggregate-writer.ts) commit through the same
 * record write, read and race retry.
 */

export async function createRecord<T extends BaseRecord>(
  ctx: AppContext,
  model: EntityModel<T>,
  record: T,
  extra: ExtraWrite[] = [],
): Promise<T> {
  await writeAll(ctx, [recordWrite(ctx, model, { after: record }), ...extra]);
  return record;
}

export interface UpdateOptions<T> {
  ifMatch?: number;
  canSee?: (record: T) => boolean | Promise<boolean>;
  extra?: (next: T, current: T) => ExtraWrite[] | Promise<ExtraWrite[]>;
}

/**
 * Optimistic update: read, apply `change`, write back on condition that nobody wrote in between.
 * With If-Match a stale version is a 412; without it a lost race is retried (`retryOnRace`), then answered 409.
 */
export function updateRecord<T extends BaseRecord>(
  ctx: AppContext,
  model: EntityModel<T>,
  id: string,
  change: (current: T) => T | Promise<T>,
  options: UpdateOptions<T> = {},
): Promise<T> {
  return retryOnRace(async () => {
    const current = await readForChange(ctx, model, id, options);
    const changed = await change(current);
    if (changesNothing(current, changed)) return current;
    const next = nextVersion(current, changed, ctx.now().toISOString());
    await writeAll(ctx, [recordWrite(ctx, model, { before: current, after: next, ifMatch: options.ifMatch }), ...((await options.extra?.(next, current)) ?? [])]);
    return next;
  });
}

export interface DeleteOptions<T> {
  ifMatch?: number;
  canSee?: (record: T) => boolean | Promise<boolean>;
  /** Throws when the record may not be deleted (e.g. still in use). */
  check?: (record: T) => Promise<void> | void;
  extra?: (record: T) => ExtraWrite[];
}

/** Deletes a record on condition that nobody wrote it since it was read (a 409 `concurrent_update` then, or a 412 under If-Match). */
export async function deleteRecord<T extends BaseRecord>(ctx: AppContext, model: EntityModel<T>, id: string, options: DeleteOptions<T> = {}): Promise<T> {
  const current = await readForChange(ctx, model, id, options);
  await options.check?.(current);
  const stale = conflict('concurrent_update', `${model.label} was changed while deleting it; retry`);
  await writeAll(ctx, [recordWrite(ctx, model, { before: current, ifMatch: options.ifMatch, stale }), ...(options.extra?.(current) ?? [])]);
  return current;
}


/** Commits every write or none; maps a failed condition to the answer its write declared. */
export async function writeAll(ctx: AppContext, writes: ExtraWrite[]): Promise<void> {
  const [only] = writes;
  if (writes.length === 1 && only) return writeOne(ctx, only);
  try {
    await ctx.db.send(new TransactWriteCommand({ TransactItems: writes.map((w) => w.write) }));
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const failed = error.CancellationReasons?.findIndex((reason) => reason.Code === 'ConditionalCheckFailed') ?? -1;
    const answer = failed >= 0 ? writes[failed]?.onConditionFailed : undefined;
    if (answer) throw answer;
    if (error.CancellationReasons?.some((reason) => reason.Code === 'TransactionConflict')) {
      throw conflict('concurrent_update', 'Another change to the same records was in progress; retry');
    }
    throw error;
  }
}

/** A lone write needs no transaction (which costs twice the capacity); its condition answers the same way. */
async function writeOne(ctx: AppContext, { write, onConditionFailed }: ExtraWrite): Promise<void> {
  try {
    if (write.Put) await ctx.db.send(new PutCommand(write.Put));
    else if (write.Delete) await ctx.db.send(new DeleteCommand(write.Delete));
    else if (write.Update) await ctx.db.send(new UpdateCommand(write.Update));
    else await ctx.db.send(new TransactWriteCommand({ TransactItems: [write] }));
  } catch (error) {
    const conditionFailed = error instanceof ConditionalCheckFailedException || error instanceof TransactionCanceledException;
    if (conditionFailed && onConditionFailed) throw onConditionFailed;
    throw error;
  }
}

export type { TransactWriteItem };

export interface ListQuery {
  index?: IndexName;
  partition: string;
  /** Only sort keys starting with this (e.g. `HISTORY#` inside a record's own partition). */
  sortKeyPrefix?: string;
  /**
   * Only sort keys up to this one, included (e.g. entries up to a time); not with `sortKeyPrefix`. Left out of the
   * cursor's scope: a bound that follows the clock moves between pages of the same listing.
   */
  sortKeyAtMost?: string;
  /** Server-side filter on top of the key condition, for secondary filters. */
  filter?: FilterExpression;
  limit: number;
  cursor?: string;
  /** Ascending sort key order; lists are newest first (descending ULIDs) unless a route says otherwise. */
  ascending?: boolean;
}

export interface FilterExpression {
  expression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Keeps a filtered page from reading a whole partition in one request; the cursor resumes the rest. */
const MAX_READS_PER_PAGE = 10;

/**
 * One page of a Query on the table or an index. When a filter drops items, it reads on until the page is
 * full (or a bounded number of reads), and the cursor then points after the last item returned.
 */
export async function queryPage<T>(ctx: AppContext, query: ListQuery): Promise<Page<T>> {
  const keys = query.index ? indexKeys(query.index) : TABLE_KEYS;
  const scope = JSON.stringify([query.index ?? 'table', query.partition, query.sortKeyPrefix ?? '', query.filter?.expression ?? '', query.filter?.values ?? {}, query.ascending ?? false]);
  let startKey = query.cursor ? await ctx.cursors.decode(query.cursor, scope) : undefined;
  const sortKey = sortKeyCondition(query);
  const items: Item[] = [];
  let leftOver = false;
  for (let reads = 0; reads < MAX_READS_PER_PAGE; reads++) {
    const input: QueryCommandInput = {
      TableName: ctx.tableName,
      IndexName: query.index,
      KeyConditionExpression: sortKey ? `#pk = :pk AND ${sortKey.condition}` : '#pk = :pk',
      ExpressionAttributeNames: { '#pk': keys.partitionKey, ...(sortKey ? { '#sk': keys.sortKey } : {}), ...query.filter?.names },
      ExpressionAttributeValues: { ':pk': query.partition, ...(sortKey ? { [sortKey.placeholder]: sortKey.value } : {}), ...query.filter?.values },
      FilterExpression: query.filter?.expression,
      ScanIndexForward: query.ascending ?? false,
      Limit: query.limit - items.length + (query.filter ? query.limit : 0),
      ExclusiveStartKey: startKey,
    };
    const page = await ctx.db.send(new QueryCommand(input));
    for (const item of page.Items ?? []) {
      if (items.length === query.limit) {
        leftOver = true;
        break;
      }
      items.push(item);
    }
    startKey = page.LastEvaluatedKey;
    if (items.length === query.limit || !startKey) break;
  }
  const last = items.at(-1);
  const full = items.length === query.limit && last !== undefined;
  const resumeKey = full && leftOver ? keyOf(last, query.index) : startKey;
  return {
    items: items.map((item) => fromItem<T>(item)),
    nextCursor: resumeKey ? await ctx.cursors.encode(resumeKey, scope) : null,
  };
}

function sortKeyCondition(query: ListQuery): { condition: string; placeholder: string; value: string } | undefined {
  if (query.sortKeyPrefix !== undefined && query.sortKeyAtMost !== undefined) throw new Error('sortKeyPrefix and sortKeyAtMost exclude each other');
  if (query.sortKeyPrefix !== undefined) return { condition: 'begins_with(#sk, :skPrefix)', placeholder: ':skPrefix', value: query.sortKeyPrefix };
  if (query.sortKeyAtMost !== undefined) return { condition: '#sk <= :skAtMost', placeholder: ':skAtMost', value: query.sortKeyAtMost };
  return undefined;
}

/** Whether an index partition holds anything (e.g. "does this company still have employees?"): one item read at most. */
export async function partitionHasItems(ctx: AppContext, { index, partition }: IndexPartition): Promise<boolean> {
  const answer = await ctx.db.send(
    new QueryCommand({
      TableName: ctx.tableName,
      IndexName: index,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': indexKeys(index).partitionKey },
      ExpressionAttributeValues: { ':pk': partition },
      Limit: 1,
    }),
  );
  return (answer.Items?.length ?? 0) > 0;
}

function keyOf(item: Item, index: IndexName | undefined): Record<string, unknown> {
  const names: string[] = [TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey];
  if (index) names.push(indexKeys(index).partitionKey, indexKeys(index).sortKey);
  return Object.fromEntries(names.map((name) => [name, item[name]]));
}

/** Every item a Query matches, page after page. */
async function allPages<T>(ctx: AppContext, input: QueryCommandInput): Promise<T[]> {
  const items: T[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await ctx.db.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    items.push(...((page.Items ?? []) as T[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Placeholders `#a0, #a1 …` for the attributes a Query projects. */
const projection = (attributes: readonly string[]) => ({
  ProjectionExpression: attributes.map((_, at) => `#a${at}`).join(', '),
  names: Object.fromEntries(attributes.map((name, at) => [`#a${at}`, name])),
});

/** Every item of an index partition, only the named attributes. */
export function indexPartitionItems<T>(ctx: AppContext, { index, partition }: IndexPartition, attributes: readonly string[]): Promise<T[]> {
  const { ProjectionExpression, names } = projection(attributes);
  return allPages<T>(ctx, {
    TableName: ctx.tableName,
    IndexName: index,
    KeyConditionExpression: '#pk = :pk',
    ProjectionExpression,
    ExpressionAttributeNames: { '#pk': indexKeys(index).partitionKey, ...names },
    ExpressionAttributeValues: { ':pk': partition },
  });
}

/** Every item of a partition under a sort-key prefix (a record's shares, history entries, notes …), read strongly consistent. */
export function childrenOf(ctx: AppContext, partition: string, sortKeyPrefix: string, attributes: readonly string[]): Promise<Item[]> {
  const { ProjectionExpression, names } = projection(attributes);
  return allPages<Item>(ctx, {
    TableName: ctx.tableName,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ProjectionExpression,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: { ':pk': partition, ':prefix': sortKeyPrefix },
    ConsistentRead: true,
  });
}

/**
 * Deletes every item of a partition under a sort-key prefix. For what a deletion leaves behind: if it is
 * interrupted, what remains is unreachable and is removed by the next run.
 */
export async function deleteChildren(ctx: AppContext, partition: string, sortKeyPrefix: string): Promise<void> {
  const keys = await childrenOf(ctx, partition, sortKeyPrefix, ['PK', 'SK']);
  await Promise.all(keys.map((key) => deleteItem(ctx, { PK: key.PK, SK: key.SK })));
}

const isLostRace = (error: unknown) => isRefusal(error, 'conflict', 'concurrent_update');

const MAX_RACE_ATTEMPTS = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with full jitter before attempt `attempts + 1`: retries spread out instead of colliding again in step. */
const backoff = (attempts: number) => sleep(Math.random() * 10 * 2 ** attempts);

/**
 * Runs `attempt` (reads, decision, commit) again from the start when its commit lost a race (a 409
 * `concurrent_update`), so a change is never applied on a state it did not read; after a few attempts that 409 is
 * the answer. The pause grows and is random, so that concurrent requests do not collide again in step.
 */
export async function retryOnRace<T>(attempt: () => Promise<T>): Promise<T> {
  for (let attempts = 1; ; attempts++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isLostRace(error) || attempts >= MAX_RACE_ATTEMPTS) throw error;
      await backoff(attempts);
    }
  }
}

export type Key = { PK: string; SK: string } | Record<string, unknown>;

/** A condition on a single-item write: the expression and its placeholders. */
export interface Condition {
  expression: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

const conditionInput = (condition: Condition | undefined) =>
  condition
    ? {
        ConditionExpression: condition.expression,
        ...(condition.names ? { ExpressionAttributeNames: condition.names } : {}),
        ...(condition.values ? { ExpressionAttributeValues: condition.values } : {}),
      }
    : {};

/** Whether a write's condition failed (false) or it was written (true); any other error is thrown. */
async function conditional(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** One item by key (not a record: guards, receipts, share items …). */
export async function getItem(ctx: AppContext, key: Key, options: { consistent?: boolean } = {}): Promise<Item | undefined> {
  const { Item: item } = await ctx.db.send(new GetCommand({ TableName: ctx.tableName, Key: key, ...(options.consistent ? { ConsistentRead: true } : {}) }));
  return item;
}

/** Puts one item; false when `condition` failed. */
export function putItem(ctx: AppContext, item: Item, condition?: Condition): Promise<boolean> {
  return conditional(ctx.db.send(new PutCommand({ TableName: ctx.tableName, Item: item, ...conditionInput(condition) })));
}

/** Deletes one item (absent: nothing to do); false when `condition` failed. */
export function deleteItem(ctx: AppContext, key: Key, condition?: Condition): Promise<boolean> {
  return conditional(ctx.db.send(new DeleteCommand({ TableName: ctx.tableName, Key: key, ...conditionInput(condition) })));
}

/** Updates one item with `update` (names and values shared with the condition); false when `condition` failed. */
export function updateItem(ctx: AppContext, key: Key, update: Condition, condition?: Omit<Condition, 'names' | 'values'>): Promise<boolean> {
  return conditional(
    ctx.db.send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: key,
        UpdateExpression: update.expression,
        ...(condition ? { ConditionExpression: condition.expression } : {}),
        ...(update.names ? { ExpressionAttributeNames: update.names } : {}),
        ...(update.values ? { ExpressionAttributeValues: update.values } : {}),
      }),
    ),
  );
}

/** One Query call as asked (the table is the context's): for readers that page in their own way (merged partitions, bounds below a key). */
export async function queryOnce(ctx: AppContext, input: Omit<QueryCommandInput, 'TableName'>): Promise<{ items: Item[]; lastKey: Record<string, unknown> | undefined }> {
  const answer = await ctx.db.send(new QueryCommand({ ...input, TableName: ctx.tableName }));
  return { items: answer.Items ?? [], lastKey: answer.LastEvaluatedKey };
}

/** Whether a partition holds any item under a sort-key prefix, read strongly consistent: one item read at most. */
export async function hasChildren(ctx: AppContext, partition: string, sortKeyPrefix: string): Promise<boolean> {
  const { items } = await queryOnce(ctx, {
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': partition, ':prefix': sortKeyPrefix },
    ConsistentRead: true,
    Limit: 1,
  });
  return items.length > 0;
}

/** DynamoDB's limits per BatchGetItem and BatchWriteItem call. */
export const BATCH_GET_LIMIT = 100;
export const BATCH_WRITE_LIMIT = 25;

/** Calls of one chunk before unprocessed keys or items are an error (the table is throttled beyond what backoff absorbs). */
export const MAX_BATCH_ATTEMPTS = 6;

const chunks = <T>(all: readonly T[], size: number): T[][] => Array.from({ length: Math.ceil(all.length / size) }, (_, at) => all.slice(at * size, (at + 1) * size));

/**
 * Calls `send` with `pending` until nothing is left unprocessed, backing off between calls; after
 * MAX_BATCH_ATTEMPTS calls with some still unprocessed, throws.
 */
async function untilProcessed<T>(operation: string, pending: T[], send: (pending: T[]) => Promise<T[] | undefined>): Promise<void> {
  for (let attempts = 1; pending.length > 0; attempts++) {
    const unprocessed = (await send(pending)) ?? [];
    if (unprocessed.length === 0) return;
    if (attempts >= MAX_BATCH_ATTEMPTS) throw new Error(`${operation} left ${unprocessed.length} unprocessed after ${attempts} attempts`);
    await backoff(attempts);
    pending = unprocessed;
  }
}

export interface BatchGetOptions {
  consistent?: boolean;
  /** Only these attributes of each item. */
  attributes?: readonly string[];
}

/**
 * The items of `keys` that exist, in no particular order: BatchGetItem calls of at most 100 keys (duplicates
 * dropped), unprocessed keys retried with backoff.
 */
export async function batchGetAll(ctx: AppContext, keys: readonly Key[], options: BatchGetOptions = {}): Promise<Item[]> {
  const unique = [...new Map(keys.map((key) => [JSON.stringify([key.PK, key.SK]), key])).values()];
  const projected = options.attributes ? projection(options.attributes) : undefined;
  const found: Item[] = [];
  for (const chunk of chunks(unique, BATCH_GET_LIMIT)) {
    await untilProcessed('BatchGetItem', chunk, async (pending) => {
      const answer = await ctx.db.send(
        new BatchGetCommand({
          RequestItems: {
            [ctx.tableName]: {
              Keys: pending,
              ...(options.consistent ? { ConsistentRead: true } : {}),
              ...(projected ? { ProjectionExpression: projected.ProjectionExpression, ExpressionAttributeNames: projected.names } : {}),
            },
          },
        }),
      );
      found.push(...(answer.Responses?.[ctx.tableName] ?? []));
      return answer.UnprocessedKeys?.[ctx.tableName]?.Keys as Key[] | undefined;
    });
  }
  return found;
}

export type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Key } };

/** Puts and deletes without conditions: BatchWriteItem calls of at most 25 requests, unprocessed ones retried with backoff. */
export async function batchWriteAll(ctx: AppContext, requests: readonly WriteRequest[]): Promise<void> {
  for (const chunk of chunks(requests, BATCH_WRITE_LIMIT)) {
    await untilProcessed('BatchWriteItem', chunk, async (pending) => {
      const answer = await ctx.db.send(new BatchWriteCommand({ RequestItems: { [ctx.tableName]: pending } }));
      return answer.UnprocessedItems?.[ctx.tableName] as WriteRequest[] | undefined;
    });
  }
}
