import * as z from 'zod';
import type { AppContext } from '../../shared/app-context.ts';
import { users } from '../../shared/db/access-patterns.ts';
import { userModel } from '../../shared/db/keys.ts';
import { queryPage, requireRecord, updateRecord } from '../../shared/db/store.ts';
import { anotherActiveAdminExists, createUser } from '../../shared/db/users.ts';
import { removesAnActiveAdmin } from '../../shared/domain/users.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { defineRoute } from '../../shared/http/route.ts';
import { idParams, pageOf, pageQuery } from '../../shared/schemas/common.ts';
import { createUserBody, mySettingsBody, updateUserBody, user, type User } from '../../shared/schemas/users.ts';
import { conflict } from '../../shared/domain/errors.ts';
import { ADMIN_ONLY, EVERYONE } from '../../shared/domain/principal.ts';

async function updateUser(ctx: AppContext, id: string, change: Partial<User>, ifMatch?: number): Promise<User> {
  const updated = await updateRecord(
    ctx,
    userModel,
    id,
    async (current) => {
      if (removesAnActiveAdmin(current, change) && !(await anotherActiveAdminExists(ctx, current.id))) {
        throw conflict('last_admin', 'The tenant must keep at least one active admin');
      }
      return { ...current, ...change };
    },
    { ifMatch },
  );
  await ctx.directory.updateUser({ userId: updated.id, email: updated.email, name: updated.name, role: updated.role, active: updated.active });
  return updated;
}

export const userRoutes = [
  defineRoute({
    method: 'GET',
    path: '/users',
    summary: 'List users (for pickers)',
    roles: EVERYONE,
    query: z.strictObject(pageQuery),
    response: pageOf(user),
    handler: ({ ctx, query }) => queryPage<User>(ctx, { ...users.all(), ...query }),
  }),
  defineRoute({
    method: 'GET',
    path: '/users/{id}',
    summary: 'Read a user',
    roles: EVERYONE,
    params: idParams,
    response: user,
    handler: ({ ctx, params }) => requireRecord(ctx, userModel, params.id),
  }),
  defineRoute({
    method: 'POST',
    path: '/users',
    summary: 'Create a user (in AWS, Cognito mails the invitation)',
    roles: ADMIN_ONLY,
    body: createUserBody,
    response: user,
    successStatus: 201,
    handler: ({ ctx, body }) => createUser(ctx, body),
  }),
  defineRoute({
    method: 'PATCH',
    path: '/users/{id}',
    summary: 'Change a user (role, locale, time zone, active)',
    roles: ADMIN_ONLY,
    params: idParams,
    body: updateUserBody,
    response: user,
    handler: ({ ctx, params, body, ifMatch }) => updateUser(ctx, params.id, body, ifMatch),
  }),
  defineRoute({
    method: 'GET',
    path: '/me',
    summary: 'The calling user',
    roles: EVERYONE,
    response: user,
    handler: ({ ctx, principal }) => requireRecord(ctx, userModel, principal.userId),
  }),
  defineRoute({
    method: 'PATCH',
    path: '/me/settings',
    summary: 'Change my locale, time zone, daily recap and post-sale preference',
    roles: EVERYONE,
    body: mySettingsBody,
    response: user,
    handler: ({ ctx, principal, body, ifMatch }) =>
      updateRecord(ctx, userModel, principal.userId, (current) => ({ ...current, ...body }), { ifMatch }),
  }),
];

export const handler = createApiHandler(userRoutes);
