import { describe, expect, it } from 'vitest';
import { principalFromClaims } from '../../shared/auth/claims.ts';

describe('SPEC §1 claims give the user id and role', () => {
  it('SPEC §1 reads the Cognito custom attributes', () => {
    expect(principalFromClaims({ 'custom:userId': '01ABC', 'custom:role': 'manager', sub: 'cognito-sub' })).toEqual({ userId: '01ABC', role: 'manager' });
  });

  it.each([
    ['no claims', undefined],
    ['no user id', { 'custom:role': 'admin' }],
    ['an unknown role', { 'custom:userId': '01ABC', 'custom:role': 'root' }],
  ])('SPEC §1 %s is no principal (401)', (_, claims) => {
    expect(principalFromClaims(claims)).toBeUndefined();
  });
});
