import type * as z from 'zod';
import type { AppContext } from '../app-context.ts';
import { logger } from '../logger.ts';
import type { createUserBody, User } from '../schemas/users.ts';
import { users } from './access-patterns.ts';
import { activeAdminsKey, userEmailKey, userModel } from './keys.ts';
import { fromItem } from './records.ts';
import { batchGetAll, createRecord, getItem, getRecord, newRecord, queryPage, retryOnRace, writeAll, type ExtraWrite } from './store.ts';
import { conflict, unavailable } from '../domain/errors.ts';
import { activeAdminsAfter, changesActiveAdmins } from '../domain/users.ts';

export async function findUserByEmail(ctx: AppContext, email: string): Promise<User | undefined> {
  const guard = await getItem(ctx, userEmailKey(email));
  return guard ? getRecord(ctx, userModel, guard.userId as string) : undefined;
}

/**
 * The ids among `ids` that name no user (for "ids must exist" validation) or, with `activeOnly`, no active user: a
 * deactivated user can be given no new work (post-sale assignments, R-PS-6).
 */
export async function unknownUserIds(ctx: AppContext, ids: readonly string[], { activeOnly = false } = {}): Promise<string[]> {
  const unique = [...new Set(ids)];
  const users = (await batchGetAll(ctx, unique.map((id) => userModel.key(id)))).map((item) => fromItem<User>(item));
  const found = new Set(users.filter((user) => !activeOnly || user.active).map((user) => user.id));
  return unique.filter((id) => !found.has(id));
}

type NewUser = z.infer<typeof createUserBody>;

/** A new user's defaults (SPEC R-CFG-5). */
function newUser(ctx: AppContext, input: NewUser): User {
  return newRecord(ctx, {
    email: input.email.toLowerCase(),
    name: input.name,
    role: input.role,
    locale: input.locale ?? 'en',
    timezone: input.timezone ?? ctx.config.timezone,
    active: input.active ?? true,
    dailyRecap: true,
    postSaleOnWin: 'ask' as const,
  });
}

/** Stores a user with its unique email guard (and, for an admin, its place among the active admins), then opens its sign-in (Cognito in AWS). */
export async function createUser(ctx: AppContext, input: NewUser): Promise<User> {
  const record = newUser(ctx, input);
  const emailGuard: ExtraWrite = {
    write: { Put: { TableName: ctx.tableName, Item: { ...userEmailKey(record.email), userId: record.id }, ConditionExpression: 'attribute_not_exists(PK)' } },
    onConditionFailed: conflict('duplicate_email', `A user with email ${record.email} already exists`),
  };
  await retryOnRace(async () => createRecord(ctx, userModel, record, [emailGuard, ...(await activeAdminsWrites(ctx, undefined, record))]));
  try {
    await ctx.directory.createUser({ userId: record.id, email: record.email, name: record.name, role: record.role, active: record.active });
  } catch (error) {
    // Without a sign-in the user is useless: undo the records so the admin can simply try again.
    await retryOnRace(async () =>
      writeAll(ctx, [
        { write: { Delete: { TableName: ctx.tableName, Key: userModel.key(record.id) } } },
        { write: { Delete: { TableName: ctx.tableName, Key: userEmailKey(record.email) } } },
        ...(await activeAdminsWrites(ctx, record, { ...record, active: false }, { keepOne: false })),
      ]),
    );
    if ((error as Error).name === 'UsernameExistsException') {
      throw conflict('duplicate_email', `A sign-in for ${record.email} already exists in the user pool`);
    }
    logger.error('The user directory refused a new user', { error, userId: record.id });
    throw unavailable('directory_unavailable', 'The sign-in directory did not accept the user; nothing was saved, try again');
  }
  return record;
}

interface ActiveAdmins {
  ids: string[];
  /** 0: the guard is not written yet (a table from before it existed). */
  version: number;
}

/** Every user, oldest first, a page at a time (the users collection; never a Scan). */
export async function allUsers(ctx: AppContext): Promise<User[]> {
  const found: User[] = [];
  let cursor: string | undefined;
  do {
    const page = await queryPage<User>(ctx, { ...users.all(), limit: 100, cursor, ascending: true });
    found.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return found;
}

/** The active admins' guard as read, or, for a table from before it existed, counted from every user. */
async function readActiveAdmins(ctx: AppContext): Promise<ActiveAdmins> {
  const guard = await getItem(ctx, activeAdminsKey, { consistent: true });
  if (guard) return { ids: guard.ids as string[], version: guard.version as number };
  const admins = (await allUsers(ctx)).filter((user) => user.role === 'admin' && user.active);
  return { ids: admins.map((user) => user.id), version: 0 };
}

/**
 * The guard's write for a user created or changed, committed with it; none when the change makes or unmakes no
 * active admin. A concurrent change of the admins fails its condition: the write is retried on fresh reads.
 */
export async function activeAdminsWrites(ctx: AppContext, before: User | undefined, after: User, rule = { keepOne: true }): Promise<ExtraWrite[]> {
  if (!changesActiveAdmins(before, after)) return [];
  const guard = await readActiveAdmins(ctx);
  // An undone creation leaves the admins as they were, even with none left (a first admin whose sign-in failed).
  const ids = activeAdminsAfter(guard.ids, rule.keepOne ? before : undefined, after);
  return [
    {
      write: {
        Put: {
          TableName: ctx.tableName,
          Item: { ...activeAdminsKey, ids, version: guard.version + 1 },
          ...(guard.version === 0
            ? { ConditionExpression: 'attribute_not_exists(PK)' }
            : { ConditionExpression: 'version = :read', ExpressionAttributeValues: { ':read': guard.version } }),
        },
      },
      onConditionFailed: conflict('concurrent_update', 'The admins changed meanwhile; retry'),
    },
  ];
}
