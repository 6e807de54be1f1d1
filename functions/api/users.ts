import type { AppContext } from '../../shared/app-context.ts';
import { callerAuthority } from '../../shared/auth/caller-authority.ts';
import { userContracts } from '../../shared/contracts/users.ts';
import { users } from '../../shared/db/access-patterns.ts';
import { readByIds } from '../../shared/db/expand.ts';
import { userModel } from '../../shared/db/keys.ts';
import { changesNothing, queryPage, requireRecord, updateItem, updateRecord } from '../../shared/db/store.ts';
import { activeAdminsWrites, createUser } from '../../shared/db/users.ts';
import { unavailable } from '../../shared/domain/errors.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { implement } from '../../shared/http/route.ts';
import { logger } from '../../shared/logger.ts';
import type { User } from '../../shared/schemas/users.ts';

/** Attempts of one directory update (Cognito's Admin* calls are idempotent: repeating one is safe), and the pause before the next. */
export const DIRECTORY_ATTEMPTS = 3;
const DIRECTORY_RETRY_MS = 200;

/** Marks a user whose sign-in (Cognito) has not yet taken its last change (issue 13 item 1). */
const DIRECTORY_SYNC = 'directorySync';

/**
 * R-CFG-5, issue 13 item 1: the table and the sign-in directory agree. The table is written first, with a
 * `directorySync: pending` marker in the same transaction as the change (and the active admins' guard, so the last
 * admin is counted exactly), and the API applies it at once (shared/auth/caller-authority.ts). Then the directory
 * is updated with the user's whole state, retried; once it took it, the marker is cleared. When it never takes it,
 * the marker stays, the error is logged (`directory_sync_pending`) and the answer is a 503: the same PATCH sent again
 * (any PATCH of that user pushes its whole state) repairs the directory. Meanwhile the table wins: a user deactivated in
 * the table is refused by the API whatever token Cognito issues, and one reactivated in the table whose sign-in is
 * still disabled can sign in once the repair has run.
 */
async function updateUser(ctx: AppContext, id: string, change: Partial<User>, ifMatch?: number): Promise<User> {
  const updated = await updateRecord(ctx, userModel, id, (current) => markedForSync(current, { ...current, ...change }), {
    ifMatch,
    extra: (next, current) => activeAdminsWrites(ctx, current, next),
  });
  // This container applies the change at once; the others within the authority's cache time (30 s).
  callerAuthority.forget(ctx, id);
  await syncDirectory(ctx, updated);
  return updated;
}

/** A change carries the marker; a PATCH that changes nothing writes nothing, and still pushes the user's state below. */
const markedForSync = (current: User, next: User): User & { [DIRECTORY_SYNC]?: 'pending' } => (changesNothing(current, next) ? current : { ...next, [DIRECTORY_SYNC]: 'pending' });

async function syncDirectory(ctx: AppContext, user: User): Promise<void> {
  let failure: unknown;
  for (let attempt = 1; attempt <= DIRECTORY_ATTEMPTS; attempt++) {
    try {
      await ctx.directory.updateUser({ userId: user.id, email: user.email, name: user.name, role: user.role, active: user.active });
      // Cleared only if nobody changed the user since: a later change carries its own marker and clears it itself.
      await updateItem(ctx, userModel.key(user.id), { expression: `REMOVE ${DIRECTORY_SYNC}`, values: { ':version': user.version } }, { expression: 'version = :version' });
      return;
    } catch (error) {
      failure = error;
      if (attempt < DIRECTORY_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, DIRECTORY_RETRY_MS * attempt));
    }
  }
  logger.error('directory_sync_pending: the sign-in directory did not take a user change', { error: failure, userId: user.id, version: user.version });
  throw unavailable(
    'directory_sync_pending',
    'The change is saved and the API applies it; the sign-in directory did not take it yet: send the same change again to finish',
  );
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
