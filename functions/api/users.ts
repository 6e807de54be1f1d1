import type { AppContext } from '../../shared/app-context.ts';
import { userContracts } from '../../shared/contracts/users.ts';
import { users } from '../../shared/db/access-patterns.ts';
import { readByIds } from '../../shared/db/expand.ts';
import { userModel } from '../../shared/db/keys.ts';
import { queryPage, requireRecord, updateRecord } from '../../shared/db/store.ts';
import { activeAdminsWrites, createUser } from '../../shared/db/users.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { implement } from '../../shared/http/route.ts';
import type { User } from '../../shared/schemas/users.ts';

/** R-CFG-5: the active admins' guard commits with the change, so the last admin is counted exactly, also under races. */
async function updateUser(ctx: AppContext, id: string, change: Partial<User>, ifMatch?: number): Promise<User> {
  const updated = await updateRecord(ctx, userModel, id, (current) => ({ ...current, ...change }), {
    ifMatch,
    extra: (next, current) => activeAdminsWrites(ctx, current, next),
  });
  await ctx.directory.updateUser({ userId: updated.id, email: updated.email, name: updated.name, role: updated.role, active: updated.active });
  return updated;
}

export const userRoutes = [
  implement(userContracts.listUsers, ({ ctx, principal, query: { id: ids, limit, cursor } }) =>
    ids ? readByIds(ctx, principal, { model: userModel, sight: { kind: 'everyone' } }, ids, { cursor }) : queryPage<User>(ctx, { ...users.all(), limit, cursor })),
  implement(userContracts.getUser, ({ ctx, params }) => requireRecord(ctx, userModel, params.id)),
  implement(userContracts.createUser, ({ ctx, body }) => createUser(ctx, body)),
  implement(userContracts.updateUser, ({ ctx, params, body, ifMatch }) => updateUser(ctx, params.id, body, ifMatch)),
  implement(userContracts.getMe, ({ ctx, principal }) => requireRecord(ctx, userModel, principal.userId)),
  implement(userContracts.updateMySettings, ({ ctx, principal, body, ifMatch }) =>
    updateRecord(ctx, userModel, principal.userId, (current) => ({ ...current, ...body }), { ifMatch })),
];

export const handler = createApiHandler(userRoutes);
