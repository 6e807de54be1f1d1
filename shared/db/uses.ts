import type { AppContext } from '../app-context.ts';
import { USE_PREFIX, useKey } from './keys.ts';
import type { BaseRecord, EntityModel } from './records.ts';
import { hasChildren, readForChange, retryOnRace, updateItem, writeAll, type ExtraWrite } from './store.ts';
import { conflict, type DomainError, preconditionFailed } from '../domain/errors.ts';

/**
 * "In use" that holds under concurrency (R-CFG-1 stages, R-LEAD-1 lead statuses, R-CON-1 contacts and companies
 * with opportunities or employees). A record others point at holds
 * one use item per record pointing at it, written in the same transaction as that record, and a write that starts
 * using it commits only while it is in service (exists, not retired). Deleting it retires it first, then reads its
 * uses strongly consistent: a record that started using it before the retirement is seen, one after it is refused.
 * An index of the using records could lag behind the last write; these reads cannot. A retirement is a short lease,
 * so a deletion that dies half-way leaves the record in service again a few seconds later.
 */

const RETIREMENT_LEASE_MS = 30_000;

/**
 * Not retired at `:now`: no lease, an expired one, or one taken on another version (a write that replaced the
 * record since, copying the lease forward, voids it: the deletion that took it then fails and judges again).
 */
export const NOT_RETIRED = '(attribute_not_exists(retiredUntil) OR retiredUntil < :now OR retiredVersion <> version)';

/** The condition of a used record that may take new uses at `:now`. */
const IN_SERVICE = `attribute_exists(PK) AND ${NOT_RETIRED}`;

/** Commits only while the used record is in service; `answer` when it is gone or being deleted. */
export function stillInService(ctx: AppContext, used: { PK: string; SK: string }, answer: DomainError): ExtraWrite {
  return {
    write: { ConditionCheck: { TableName: ctx.tableName, Key: used, ConditionExpression: IN_SERVICE, ExpressionAttributeValues: { ':now': ctx.now().toISOString() } } },
    onConditionFailed: answer,
  };
}

/** The use items of `user` (its key) as it moves from one used record to another (either may be absent: created, deleted). */
export function moveUse(ctx: AppContext, user: { PK: string }, from: { PK: string } | undefined, to: { PK: string } | undefined): ExtraWrite[] {
  if (from?.PK === to?.PK) return [];
  return [
    ...(from ? [{ write: { Delete: { TableName: ctx.tableName, Key: useKey(from, user) } } }] : []),
    ...(to ? [{ write: { Put: { TableName: ctx.tableName, Item: { ...useKey(to, user), recordType: 'Use' } } } }] : []),
  ];
}

/** Whether any record of the kind (the key prefix of its model, e.g. `OPP#`) uses `used`, read strongly consistent. */
const hasUses = (ctx: AppContext, used: { PK: string }, userPrefix: string): Promise<boolean> => hasChildren(ctx, used.PK, `${USE_PREFIX}${userPrefix}`);

/** One kind of record that may use the one being deleted, and the answer when one does. */
export interface UseKind<T> {
  /** A key of the kind's model (any id): its prefix selects the kind's uses. */
  user: { key(id: string): { PK: string } };
  /** Uses recorded before use items existed, read from an index of the using records. */
  byIndex: (record: T) => Promise<boolean>;
  inUse: DomainError;
}

export interface DeleteUnusedOptions<T> {
  ifMatch?: number | undefined;
  canSee?: ((record: T) => boolean | Promise<boolean>) | undefined;
  /** Throws when the record may not be deleted for another reason (named by the settings, the default …). */
  check?: (record: T) => Promise<void> | void;
  /** The kinds of records that may use it, checked in this order. */
  usedBy: readonly UseKind<T>[];
  extra?: (record: T) => ExtraWrite[];
}

/**
 * Deletes a record that others may point at, only if none does (see above); in use, it is put back in service.
 * Without If-Match, a record changed meanwhile (a consumer recomputing its statuses …) is read and judged again.
 */
export function deleteUnlessUsed<T extends BaseRecord>(ctx: AppContext, model: EntityModel<T>, id: string, options: DeleteUnusedOptions<T>): Promise<void> {
  const once = () => deleteOnce(ctx, model, id, options);
  return options.ifMatch === undefined ? retryOnRace(once) : once();
}

async function deleteOnce<T extends BaseRecord>(ctx: AppContext, model: EntityModel<T>, id: string, options: DeleteUnusedOptions<T>): Promise<void> {
  const current = await readForChange(ctx, model, id, options);
  await options.check?.(current);
  const changedMeanwhile = options.ifMatch !== undefined ? preconditionFailed() : conflict('concurrent_update', `${model.label} was changed while deleting it; retry`);
  const key = model.key(id);
  const now = ctx.now();
  const retiredUntil = new Date(now.getTime() + RETIREMENT_LEASE_MS).toISOString();
  // The version stays: a refused deletion leaves the record as it was. A write that replaces the record meanwhile
  // moves the version on, which voids the lease, and then the deletion's condition fails instead.
  const retired = await updateItem(
    ctx,
    key,
    { expression: 'SET retiredUntil = :until, retiredVersion = :read', values: { ':until': retiredUntil, ':read': current.version, ':now': now.toISOString() } },
    { expression: `version = :read AND ${NOT_RETIRED}` },
  );
  if (!retired) throw changedMeanwhile;
  try {
    for (const kind of options.usedBy) {
      const userPrefix = kind.user.key('').PK;
      if ((await hasUses(ctx, key, userPrefix)) || (await kind.byIndex(current))) throw kind.inUse;
    }
    await writeAll(ctx, [
      {
        write: {
          Delete: {
            TableName: ctx.tableName,
            Key: key,
            ConditionExpression: 'retiredUntil = :until AND retiredUntil > :now AND version = :read',
            ExpressionAttributeValues: { ':until': retiredUntil, ':now': ctx.now().toISOString(), ':read': current.version },
          },
        },
        onConditionFailed: changedMeanwhile,
      },
      ...(options.extra?.(current) ?? []),
    ]);
  } catch (error) {
    // Back in service at once; should this fail, the lease runs out on its own.
    await updateItem(ctx, key, { expression: 'REMOVE retiredUntil, retiredVersion', values: { ':until': retiredUntil } }, { expression: 'retiredUntil = :until' }).catch(() => undefined);
    throw error;
  }
}
