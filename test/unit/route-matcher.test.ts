import { describe, expect, it } from 'vitest';
import { createRouteMatcher } from '../../local/route-matcher.ts';

const route = (method: 'GET' | 'POST', path: string) => ({ method, path });

describe('local route matching (same rules as API Gateway)', () => {
  const match = createRouteMatcher(
    [route('GET', '/opportunities/{id}'), route('POST', '/opportunities/restore'), route('POST', '/opportunities/{id}/won')].map((r) => ({ route: r, target: r.path })),
  );

  it('SPEC §1 fills path parameters from the template', () => {
    expect(match('GET', '/opportunities/01ABC')?.pathParameters).toEqual({ id: '01ABC' });
  });

  it('SPEC §1 a literal segment wins over a parameter', () => {
    expect(match('POST', '/opportunities/restore')?.target).toBe('/opportunities/restore');
  });

  it('SPEC §1 the method must match and nothing extra may follow', () => {
    expect(match('POST', '/opportunities/01ABC')).toBeUndefined();
    expect(match('GET', '/opportunities/01ABC/extra')).toBeUndefined();
  });
});
