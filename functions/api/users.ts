import type { AppContext } from '../../shared/app-context.ts';
import { userContracts } from '../../shared/contracts/users.ts';
import { users } from '../../shared/db/access-patterns.ts';
import { userModel } from '../../shared/db/keys.ts';
import { queryPage, requireRecord, updateRecord } from '../../shared/db/store.ts';
import { anotherActiveAdminExists, createUser } from '../../shared/db/users.ts';
import { conflict } from '../../shared/domain/errors.ts';
import { removesAnActiveAdmin } from '../../shared/domain/users.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { implement } from '../../shared/http/route.ts';
import type { User } from '../../shared/schemas/users.ts';

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
  implement(userContracts.listUsers, ({ ctx, query }) => queryPage<User>(ctx, { ...users.all(), ...query })),
  implement(userContracts.getUser, ({ ctx, params }) => requireRecord(ctx, userModel, params.id)),
  implement(userContracts.createUser, ({ ctx, body }) => createUser(ctx, body)),
  implement(userContracts.updateUser, ({ ctx, params, body, ifMatch }) => updateUser(ctx, params.id, body, ifMatch)),
  implement(userContracts.getMe, ({ ctx, principal }) => requireRecord(ctx, userModel, principal.userId)),
  implement(userContracts.updateMySettings, ({ ctx, principal, body, ifMatch }) =>
    updateRecord(ctx, userModel, principal.userId, (current) => ({ ...current, ...body }), { ifMatch })),
];

export const handler = createApiHandler(userRoutes);
