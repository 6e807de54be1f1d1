import type { AppContext } from '../app-context.ts';
import { userModel } from '../db/keys.ts';
import { getItem } from '../db/store.ts';
import type { Principal, Role } from '../domain/principal.ts';

/**
 * Issue 13 item 1 / SPEC §1: the stored user is the authority, not the token. Each authenticated request takes the
 * caller's role and `active` from its users-table record: a deactivated (or deleted) user is refused (401) and a
 * demoted one acts with its stored role (403 where that role is not allowed), even with a token issued before.
 *
 * Cost: the record is read (one eventually consistent GetItem) at most once per `CALLER_CACHE_MS` per user per
 * container (Lambda) or process (local runtime); concurrent requests share the read. A change through
 * `PATCH /users` forgets the entry in the container that made it (locally: at once); other containers see it when
 * their entry expires, so revocation applies everywhere within 30 seconds.
 */
export const CALLER_CACHE_MS = 30_000;

export interface StoredCaller {
  role: Role;
  active: boolean;
}

export type CallerReader = (ctx: AppContext, userId: string) => Promise<StoredCaller | undefined>;

/** One GetItem of the user's record; eventually consistent (half the cost, behind by well under a second). */
export const readStoredCaller: CallerReader = async (ctx, userId) => {
  const item = await getItem(ctx, userModel.key(userId));
  return item ? { role: item.role as Role, active: item.active === true } : undefined;
};

export interface CallerAuthority {
  /** The caller as stored (at most `ttlMs` old), with the stored role; undefined for an unknown or deactivated user. */
  current(ctx: AppContext, token: Principal): Promise<Principal | undefined>;
  /** Drops what this container knows of a user, after a change of its role or `active`. */
  forget(ctx: AppContext, userId: string): void;
}

export interface CallerAuthorityOptions {
  read?: CallerReader;
  /** Milliseconds since the epoch; injected by tests. */
  clock?: () => number;
  ttlMs?: number;
}

export function createCallerAuthority({ read = readStoredCaller, clock = Date.now, ttlMs = CALLER_CACHE_MS }: CallerAuthorityOptions = {}): CallerAuthority {
  const entries = new Map<string, { readAt: number; stored: Promise<StoredCaller | undefined> }>();
  const keyOf = (ctx: AppContext, userId: string) => `${ctx.tableName}\u0000${userId}`;
  return {
    async current(ctx, token) {
      const key = keyOf(ctx, token.userId);
      const now = clock();
      let entry = entries.get(key);
      if (!entry || now - entry.readAt >= ttlMs) {
        entry = { readAt: now, stored: read(ctx, token.userId) };
        entries.set(key, entry);
        // A failed read is not remembered: the next request reads again.
        entry.stored.catch(() => entries.get(key) === entry && entries.delete(key));
      }
      const stored = await entry.stored;
      return stored?.active ? { userId: token.userId, role: stored.role } : undefined;
    },
    forget(ctx, userId) {
      entries.delete(keyOf(ctx, userId));
    },
  };
}

/** The container's authority: what the API handler and the users routes use unless a test injects another. */
export const callerAuthority: CallerAuthority = createCallerAuthority();
