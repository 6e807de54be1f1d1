import * as z from 'zod';
import type { AppContext } from '../../shared/app-context.ts';
import { groups } from '../../shared/db/access-patterns.ts';
import { groupModel } from '../../shared/db/keys.ts';
import { createRecord, newRecord, queryPage, requireRecord, updateRecord } from '../../shared/db/store.ts';
import { unknownUserIds } from '../../shared/db/users.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { defineRoute } from '../../shared/http/route.ts';
import { idParams, pageOf, pageQuery } from '../../shared/schemas/common.ts';
import { createGroupBody, group, updateGroupBody, type Group } from '../../shared/schemas/users.ts';
import { throwIfInvalid } from '../../shared/domain/errors.ts';
import { ADMIN_ONLY, EVERYONE } from '../../shared/domain/principal.ts';

/** R-CFG-5: members must be existing users (every unknown one listed by its position); each is kept once. */
async function checkedMemberIds(ctx: AppContext, memberIds: readonly string[]): Promise<string[]> {
  const unknown = new Set(await unknownUserIds(ctx, memberIds));
  throwIfInvalid(memberIds.flatMap((memberId, index) => (unknown.has(memberId) ? [{ path: `memberIds.${index}`, message: 'Unknown user' }] : [])));
  return [...new Set(memberIds)];
}

async function createGroup(ctx: AppContext, input: z.infer<typeof createGroupBody>): Promise<Group> {
  const memberIds = await checkedMemberIds(ctx, input.memberIds);
  return createRecord(ctx, groupModel, newRecord(ctx, { name: input.name, memberIds }));
}

async function changeGroup(ctx: AppContext, id: string, change: z.infer<typeof updateGroupBody>, ifMatch: number | undefined): Promise<Group> {
  return updateRecord(
    ctx,
    groupModel,
    id,
    async (current) => ({ ...current, ...change, memberIds: change.memberIds ? await checkedMemberIds(ctx, change.memberIds) : current.memberIds }),
    { ifMatch },
  );
}

export const groupRoutes = [
  defineRoute({
    method: 'GET',
    path: '/groups',
    summary: 'List groups',
    roles: EVERYONE,
    query: z.strictObject(pageQuery),
    response: pageOf(group),
    handler: ({ ctx, query }) => queryPage<Group>(ctx, { ...groups.all(), ...query }),
  }),
  defineRoute({
    method: 'GET',
    path: '/groups/{id}',
    summary: 'Read a group',
    roles: EVERYONE,
    params: idParams,
    response: group,
    handler: ({ ctx, params }) => requireRecord(ctx, groupModel, params.id),
  }),
  defineRoute({
    method: 'POST',
    path: '/groups',
    summary: 'Create a group of users',
    roles: ADMIN_ONLY,
    body: createGroupBody,
    response: group,
    successStatus: 201,
    handler: ({ ctx, body }) => createGroup(ctx, body),
  }),
  defineRoute({
    method: 'PATCH',
    path: '/groups/{id}',
    summary: 'Rename a group or replace its members',
    roles: ADMIN_ONLY,
    params: idParams,
    body: updateGroupBody,
    response: group,
    handler: ({ ctx, params, body, ifMatch }) => changeGroup(ctx, params.id, body, ifMatch),
  }),
];

export const handler = createApiHandler(groupRoutes);
