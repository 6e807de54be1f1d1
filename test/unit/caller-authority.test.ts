import { describe, expect, it } from 'vitest';
import type { AppContext } from '../../shared/app-context.ts';
import { CALLER_CACHE_MS, createCallerAuthority, type StoredCaller } from '../../shared/auth/caller-authority.ts';

/** Issue 13 item 1: the stored user is the authority, read at most once per 30 s per user per container. */

const ctx = { tableName: 't' } as AppContext;
const token = { userId: 'u1', role: 'admin' as const };

function fakeUsers(initial: StoredCaller | undefined) {
  const state = { stored: initial, reads: 0, fail: false };
  const read = async () => {
    state.reads++;
    if (state.fail) throw new Error('throttled');
    return state.stored;
  };
  return { state, read };
}

describe('Issue 13 item 1: the caller authority', () => {
  it('item 1 one read serves a user for 30 s; a deactivation read after that is refused and a demotion applies', async () => {
    const users = fakeUsers({ role: 'admin', active: true });
    let now = 1_000_000;
    const authority = createCallerAuthority({ read: users.read, clock: () => now });

    const first = await authority.current(ctx, token);
    users.state.stored = { role: 'rep', active: true };
    now += CALLER_CACHE_MS - 1;
    const cached = await authority.current(ctx, token);
    now += 1;
    const demoted = await authority.current(ctx, token);
    users.state.stored = { role: 'rep', active: false };
    now += CALLER_CACHE_MS;
    const deactivated = await authority.current(ctx, token);

    expect(CALLER_CACHE_MS).toBe(30_000);
    expect([first, cached, demoted, deactivated]).toEqual([token, token, { userId: 'u1', role: 'rep' }, undefined]);
    expect(users.state.reads).toBe(3);
  });

  it('item 1 concurrent requests share one read; an unknown user is refused; a failed read is not remembered', async () => {
    const users = fakeUsers(undefined);
    const authority = createCallerAuthority({ read: users.read, clock: () => 0 });

    const answers = await Promise.all(Array.from({ length: 20 }, () => authority.current(ctx, token)));
    authority.forget(ctx, token.userId);
    users.state.fail = true;
    const failed = await authority.current(ctx, token).catch((error: Error) => error.message);
    users.state.fail = false;
    users.state.stored = { role: 'manager', active: true };
    const retried = await authority.current(ctx, token);

    expect(answers.every((answer) => answer === undefined)).toBe(true);
    expect(failed).toBe('throttled');
    expect(retried).toEqual({ userId: 'u1', role: 'manager' });
    expect(users.state.reads).toBe(3);
  });
});
