import { ConditionalCheckFailedException, TransactionCanceledException, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
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

const MAX_UPDATE_ATTEMPTS = 3;

/**
 * Strongly consistent: a client reads its own writes (the ETag it gets back is the one to send), and a consumer
 * reads the record its event reports, never an older copy.
 */
export async function getRecord<T extends BaseRecord>(ctx: AppContext, model: EntityModel<T>, id: string): Promise<T | undefined> {
  const { Item: item } = await ctx.db.send(new GetCommand({ TableName: ctx.tableName, Key: model.key(id), ConsistentRead: true }));
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

/** Fills id, version and timestamps of a new record. */
export function newRecord<T extends object>(ctx: AppContext, fields: T): T & BaseRecord {
  const now = ctx.now().toISOString();
  return { ...fields, id: ctx.newId(), version: 1, createdAt: now, updatedAt: now };
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

export async function createRecord<T extends BaseRecord>(
  ctx: AppContext,
  model: EntityModel<T>,
  record: T,
  extra: ExtraWrite[] = [],
): Promise<T> {
  await writeAll(ctx, [
    {
      write: {
        Put: {
          TableName: ctx.tableName,
          Item: toItem(model, record),
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      onConditionFailed: conflict('already_exists', `${model.label} ${record.id} already exists`),
    },
    ...extra,
  ]);
  return record;
}

export interface UpdateOptions<T> {
  ifMatch?: number;
  canSee?: (record: T) => boolean | Promise<boolean>;
  extra?: (next: T, current: T) => ExtraWrite[] | Promise<ExtraWrite[]>;
}

/**
 * Optimistic update: read, apply `change`, write back on condition that nobody wrote in between.
 * With If-Match a stale version is a 412; without it a lost race is retried, then answered 409.
 */
export async function updateRecord<T extends BaseRecord>(
  ctx: AppContext,
  model: EntityModel<T>,
  id: string,
  change: (current: T) => T | Promise<T>,
  options: UpdateOptions<T> = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const current = await requireRecord(ctx, model, id, options.canSee);
    if (options.ifMatch !== undefined && options.ifMatch !== current.version) throw preconditionFailed();
    const changed = await change(current);
    const next: T = { ...changed, id, version: current.version + 1, createdAt: current.createdAt, updatedAt: ctx.now().toISOString() };
    const staleWrite = options.ifMatch !== undefined ? preconditionFailed() : RETRY;
    try {
      await writeAll(ctx, [
        {
          write: {
            Put: {
              TableName: ctx.tableName,
              Item: toItem(model, next),
              ConditionExpression: 'version = :read',
              ExpressionAttributeValues: { ':read': current.version },
            },
          },
          onConditionFailed: staleWrite as DomainError,
        },
        ...((await options.extra?.(next, current)) ?? []),
      ]);
      return next;
    } catch (error) {
      if (error !== RETRY) throw error;
      if (attempt >= MAX_UPDATE_ATTEMPTS) throw conflict('concurrent_update', `${model.label} was changed by someone else; read it again and retry`);
    }
  }
}

export interface DeleteOptions<T> {
  ifMatch?: number;
  canSee?: (record: T) => boolean | Promise<boolean>;
  /** Throws when the record may not be deleted (e.g. still in use). */
  check?: (record: T) => Promise<void> | void;
  extra?: (record: T) => ExtraWrite[];
}

export async function deleteRecord<T extends BaseRecord>(ctx: AppContext, model: EntityModel<T>, id: string, options: DeleteOptions<T> = {}): Promise<T> {
  const current = await requireRecord(ctx, model, id, options.canSee);
  if (options.ifMatch !== undefined && options.ifMatch !== current.version) throw preconditionFailed();
  await options.check?.(current);
  await writeAll(ctx, [
    {
      write: {
        Delete: {
          TableName: ctx.tableName,
          Key: model.key(id),
          ConditionExpression: 'version = :read',
          ExpressionAttributeValues: { ':read': current.version },
        },
      },
      onConditionFailed: options.ifMatch !== undefined ? preconditionFailed() : conflict('concurrent_update', `${model.label} was changed while deleting it; retry`),
    },
    ...(options.extra?.(current) ?? []),
  ]);
  return current;
}

const RETRY = Symbol('retry') as unknown as Error;

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
  await Promise.all(keys.map((key) => ctx.db.send(new DeleteCommand({ TableName: ctx.tableName, Key: { PK: key.PK, SK: key.SK } }))));
}

const isLostRace = (error: unknown) => isRefusal(error, 'conflict', 'concurrent_update');

const MAX_RACE_ATTEMPTS = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
      await sleep(Math.random() * 10 * 2 ** attempts);
    }
  }
}
