import type * as z from 'zod';
import type { AppContext } from '../app-context.ts';
import { logger } from '../logger.ts';
import type { createUserBody, User } from '../schemas/users.ts';
import { users } from './access-patterns.ts';
import { userEmailKey, userModel } from './keys.ts';
import { fromItem } from './records.ts';
import { batchGetAll, createRecord, getItem, getRecord, newRecord, queryPage, writeAll } from './store.ts';
import { conflict, unavailable } from '../domain/errors.ts';

export async function findUserByEmail(ctx: AppContext, email: string): Promise<User | undefined> {
  const guard = await getItem(ctx, userEmailKey(email));
  return guard ? getRecord(ctx, userModel, guard.userId as string) : undefined;
}

/** The ids among `ids` that name no user (for "ids must exist" validation). */
export async function unknownUserIds(ctx: AppContext, ids: readonly string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  const found = new Set((await batchGetAll(ctx, unique.map((id) => userModel.key(id)))).map((item) => fromItem<User>(item).id));
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

/** Stores a user with its unique email guard, then opens its sign-in (Cognito in AWS). */
export async function createUser(ctx: AppContext, input: NewUser): Promise<User> {
  const record = newUser(ctx, input);
  await createRecord(ctx, userModel, record, [
    {
      write: {
        Put: {
          TableName: ctx.tableName,
          Item: { ...userEmailKey(record.email), userId: record.id },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      onConditionFailed: conflict('duplicate_email', `A user with email ${record.email} already exists`),
    },
  ]);
  try {
    await ctx.directory.createUser({ userId: record.id, email: record.email, name: record.name, role: record.role, active: record.active });
  } catch (error) {
    // Without a sign-in the user is useless: undo the records so the admin can simply try again.
    await writeAll(ctx, [
      { write: { Delete: { TableName: ctx.tableName, Key: userModel.key(record.id) } } },
      { write: { Delete: { TableName: ctx.tableName, Key: userEmailKey(record.email) } } },
    ]);
    if ((error as Error).name === 'UsernameExistsException') {
      throw conflict('duplicate_email', `A sign-in for ${record.email} already exists in the user pool`);
    }
    logger.error('The user directory refused a new user', { error, userId: record.id });
    throw unavailable('directory_unavailable', 'The sign-in directory did not accept the user; nothing was saved, try again');
  }
  return record;
}


/** Whether an active admin other than `exceptUserId` exists (a filtered Query on the small users collection). */
export async function anotherActiveAdminExists(ctx: AppContext, exceptUserId: string): Promise<boolean> {
  const page = await queryPage<User>(ctx, {
    ...users.all(),
    limit: 1,
    filter: {
      expression: '#role = :admin AND #active = :true AND #id <> :except',
      names: { '#role': 'role', '#active': 'active', '#id': 'id' },
      values: { ':admin': 'admin', ':true': true, ':except': exceptUserId },
    },
  });
  return page.items.length > 0;
}
