import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AppContext } from '../app-context.ts';
import { conflict, preconditionFailed, type ProblemError } from '../http/problem.ts';
import { USE_PREFIX, useKey } from './keys.ts';
import type { BaseRecord, EntityModel } from './records.ts';
import { requireRecord, writeAll, type ExtraWrite } from './store.ts';

/**
 * "In use" that holds under concurrency (R-CFG-1 stages, R-LEAD-1 lead statuses). A record others point at holds
 * one use item per record pointing at it, written in the same transaction as that record, and a write that starts
 * using it commits only while it is in service (exists, not retired). Deleting it retires it first, then reads its
 * uses strongly consistent: a record that started using it before the retirement is seen, one after it is refused.
 * An index of the using records could lag behind the last write; these reads cannot. A retirement is a short lease,
 * so a deletion that dies half-way leaves the record in service again a few seconds later.
 */

const RETIREMENT_LEASE_MS = 30_000;

/** The condition of a used record that may take new uses at `:now`. */
const IN_SERVICE = 'attribute_exists(PK) AND (attribute_not_exists(retiredUntil) OR retiredUntil < :now)';

/** Commits only while the used record is in service; `answer` when it is gone or being deleted. */
export function stillInService(ctx: AppContext, used: { PK: string; SK: string }, answer: ProblemError): ExtraWrite {
  return {
    write: { ConditionCheck: { TableName: ctx.tableName, Key: used, ConditionExpression: IN_SERVICE, ExpressionAttributeValues: { ':now': ctx.now().toISOString() } } },
    onConditionFailed: answer,
  };
}

/** The use items of `userId` as it moves from one used record to another (either may be absent: created, deleted). */
export function moveUse(ctx: AppContext, userId: string, from: { PK: string } | undefined, to: { PK: string } | undefined): ExtraWrite[] {
  if (from?.PK === to?.PK) return [];
  return [
    ...(from ? [{ write: { Delete: { TableName: ctx.tableName, Key: useKey(from, userId) } } }] : []),
    ...(to ? [{ write: { Put: { TableName: ctx.tableName, Item: { ...useKey(to, userId), recordType: 'Use' } } } }] : []),
  ];
}

async function hasUses(ctx: AppContext, used: { PK: string }): Promise<boolean> {
  const answer = await ctx.db.send(
    new QueryCommand({
      TableName: ctx.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :use)',
      ExpressionAttributeValues: { ':pk': used.PK, ':use': USE_PREFIX },
      ConsistentRead: true,
      Limit: 1,
    }),
  );
  return (answer.Items?.length ?? 0) > 0;
}

export interface DeleteUnusedOptions<T> {
  ifMatch?: number | undefined;
  /** Throws when the record may not be deleted for another reason (named by the settings, the default …). */
  check?: (record: T) => Promise<void> | void;
  /** Uses recorded before use items existed, read from an index. */
  usedByIndex: (record: T) => Promise<boolean>;
  inUse: ProblemError;
  extra?: (record: T) => ExtraWrite[];
}

/** Deletes a record that others may point at, only if none does (see above); in use, it is put back in service. */
export async function deleteUnlessUsed<T extends BaseRecord>(ctx: AppContext, model: EntityModel<T>, id: string, options: DeleteUnusedOptions<T>): Promise<void> {
  const current = await requireRecord(ctx, model, id);
  if (options.ifMatch !== undefined && options.ifMatch !== current.version) throw preconditionFailed();
  await options.check?.(current);
  const key = model.key(id);
  const now = ctx.now();
  const retiredUntil = new Date(now.getTime() + RETIREMENT_LEASE_MS).toISOString();
  const changedMeanwhile = options.ifMatch !== undefined ? preconditionFailed() : conflict('concurrent_update', `${model.label} was changed while deleting it; retry`);
  // The version stays: a refused deletion leaves the record as it was. A write that replaces the record meanwhile
  // drops the retirement, and then the deletion's condition fails instead.
  await updateIf(ctx, key, 'SET retiredUntil = :until', 'version = :read AND (attribute_not_exists(retiredUntil) OR retiredUntil < :now)', {
    ':until': retiredUntil,
    ':read': current.version,
    ':now': now.toISOString(),
  }).catch((error) => {
    throw error instanceof ConditionalCheckFailedException ? changedMeanwhile : error;
  });
  try {
    if ((await hasUses(ctx, key)) || (await options.usedByIndex(current))) throw options.inUse;
    await writeAll(ctx, [
      {
        write: {
          Delete: {
            TableName: ctx.tableName,
            Key: key,
            ConditionExpression: 'retiredUntil = :until AND retiredUntil > :now',
            ExpressionAttributeValues: { ':until': retiredUntil, ':now': ctx.now().toISOString() },
          },
        },
        onConditionFailed: changedMeanwhile,
      },
      ...(options.extra?.(current) ?? []),
    ]);
  } catch (error) {
    // Back in service at once; should this fail, the lease runs out on its own.
    await updateIf(ctx, key, 'REMOVE retiredUntil', 'retiredUntil = :until', { ':until': retiredUntil }).catch(() => undefined);
    throw error;
  }
}

function updateIf(ctx: AppContext, key: { PK: string; SK: string }, update: string, condition: string, values: Record<string, unknown>) {
  return ctx.db.send(
    new UpdateCommand({ TableName: ctx.tableName, Key: key, UpdateExpression: update, ConditionExpression: condition, ExpressionAttributeValues: values }),
  );
}
