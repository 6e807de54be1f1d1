import { describe, expect, it } from 'vitest';
import { removesAnActiveAdmin } from '../../shared/domain/users.ts';

describe('R-CFG-5 a tenant always keeps an active admin', () => {
  it.each([
    ['demoting an active admin', { role: 'admin', active: true }, { role: 'rep' }, true],
    ['deactivating an active admin', { role: 'admin', active: true }, { active: false }, true],
    ['renaming an admin', { role: 'admin', active: true }, {}, false],
    ['demoting an inactive admin', { role: 'admin', active: false }, { role: 'rep' }, false],
    ['promoting a rep', { role: 'rep', active: true }, { role: 'admin' }, false],
  ] as const)('R-CFG-5 %s', (_, current, change, expected) => {
    expect(removesAnActiveAdmin(current, change)).toBe(expected);
  });
});
