import * as z from 'zod';
import type { AppContext } from '../../shared/app-context.ts';
import { groupContracts } from '../../shared/contracts/groups.ts';
import { groups } from '../../shared/db/access-patterns.ts';
import { groupModel } from '../../shared/db/keys.ts';
import { createRecord, newRecord, queryPage, requireRecord, updateRecord } from '../../shared/db/store.ts';
import { unknownUserIds } from '../../shared/db/users.ts';
import { throwIfInvalid } from '../../shared/domain/errors.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { implement } from '../../shared/http/route.ts';
import { createGroupBody, type Group, updateGroupBody } from '../../shared/schemas/users.ts';

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
  implement(groupContracts.listGroups, ({ ctx, query }) => queryPage<Group>(ctx, { ...groups.all(), ...query })),
  implement(groupContracts.getGroup, ({ ctx, params }) => requireRecord(ctx, groupModel, params.id)),
  implement(groupContracts.createGroup, ({ ctx, body }) => createGroup(ctx, body)),
  implement(groupContracts.updateGroup, ({ ctx, params, body, ifMatch }) => changeGroup(ctx, params.id, body, ifMatch)),
];

export const handler = createApiHandler(groupRoutes);
