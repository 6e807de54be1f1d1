import { describe, expect, it } from 'vitest';
import { activeAdminsAfter, changesActiveAdmins } from '../../shared/domain/users.ts';

const user = (id: string, role: 'admin' | 'manager' | 'rep', active = true) => ({ id, role, active });

describe('R-CFG-5 a tenant always keeps an active admin', () => {
  it.each([
    ['demoting an active admin', user('a', 'admin'), user('a', 'rep'), true],
    ['deactivating an active admin', user('a', 'admin'), user('a', 'admin', false), true],
    ['renaming an admin', user('a', 'admin'), user('a', 'admin'), false],
    ['demoting an inactive admin', user('a', 'admin', false), user('a', 'rep', false), false],
    ['promoting a rep', user('a', 'rep'), user('a', 'admin'), true],
    ['creating a rep', undefined, user('a', 'rep'), false],
    ['creating an admin', undefined, user('a', 'admin'), true],
  ] as const)('R-CFG-5 %s changes the active admins: %s', (_, before, after, expected) => {
    expect(changesActiveAdmins(before, after)).toBe(expected);
  });

  it('R-CFG-5 the active admins after a change; removing the last one is a 409 last_admin', () => {
    expect(activeAdminsAfter(['a', 'b'], user('a', 'admin'), user('a', 'rep'))).toEqual(['b']);
    expect(activeAdminsAfter(['a'], user('b', 'rep'), user('b', 'admin'))).toEqual(['a', 'b']);
    expect(activeAdminsAfter(['a'], undefined, user('c', 'admin'))).toEqual(['a', 'c']);
    expect(() => activeAdminsAfter(['a'], user('a', 'admin'), user('a', 'admin', false))).toThrow(expect.objectContaining({ kind: 'conflict', code: 'last_admin' }));
  });
});
