import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allContracts } from '../../shared/contracts/index.ts';
import type { AnyContract } from '../../shared/http/contract.ts';
import { bodyMayBeOmitted, MAX_BODY_BYTES } from '../../shared/http/request-body.ts';
import { TestApi } from '../support/api.ts';

/**
 * SPEC §1 for every route, read from the contracts themselves so a new route is covered the day
 * it is added: authentication, roles, unknown ids, strict bodies and body transport errors, and that none of
 * these refusals writes anything.
 */
let api: TestApi;
let tokens: { rep: string; manager: string };

beforeAll(async () => {
  api = await TestApi.start();
  const [rep, manager] = await Promise.all([api.createUser('rep'), api.createUser('manager')]);
  tokens = { rep: rep.token, manager: manager.token };
});
afterAll(() => api?.stop());

const routes = allContracts;
const protectedRoutes = routes.filter((route) => route.roles !== 'public');
const bodyRoutes = routes.filter((route) => route.body !== undefined);
const idRoutes = protectedRoutes.filter((route) => route.path.includes('{'));

/** The route's path with every parameter replaced by an id that names nothing (a buy-now `{token}`: a well-formed unknown one). */
const concretePath = (route: AnyContract, value = ulid()) => route.path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'token' ? 'A'.repeat(43) : value));
const label = (route: AnyContract) => `${route.method} ${route.path}`;
/** A body that passes transport checks, for requests that must be refused before validation. */
const anyBody = (route: AnyContract) => (route.method === 'GET' || route.method === 'DELETE' ? undefined : {});

async function expectNothingWritten(act: () => Promise<void>) {
  const before = await api.tableSnapshot();
  await act();
  expect(await api.tableSnapshot()).toEqual(before);
}

describe('SPEC §1 conventions on every route', () => {
  it.each(protectedRoutes.map((route) => [label(route), route] as const))('401 without a token or with a forged one: %s', async (_, route) => {
    await expectNothingWritten(async () => {
      const anonymous = await api.request(route.method, concretePath(route), { token: null, body: anyBody(route) });
      const forged = await api.request(route.method, concretePath(route), { token: `${api.adminToken.slice(0, -4)}AAAA`, body: anyBody(route) });

      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('content-type')).toBe('application/problem+json');
      expect(forged.status).toBe(401);
    });
  });

  const forbidden = protectedRoutes.flatMap((route) =>
    (['rep', 'manager'] as const)
      .filter((role) => route.roles !== 'public' && !route.roles.includes(role))
      .map((role) => [`${role} on ${label(route)}`, route, role] as const),
  );
  it.each(forbidden)('403 for a role that is not allowed: %s', async (_, route, role) => {
    await expectNothingWritten(async () => {
      const answer = await api.request(route.method, concretePath(route), { token: tokens[role], body: anyBody(route) });

      expect(answer.status).toBe(403);
      expect(answer.body.code).toBe('forbidden');
    });
  });

  // An empty body is valid for these (partial updates, body-less actions), so the unknown id is what answers.
  const idRoutesTakingEmptyBody = idRoutes.filter((route) => route.body === undefined || route.body.safeParse({}).success);
  it.each(idRoutesTakingEmptyBody.map((route) => [label(route), route] as const))('404 for an unknown or malformed id: %s', async (_, route) => {
    await expectNothingWritten(async () => {
      const unknown = await api.request(route.method, concretePath(route), { body: route.body ? {} : undefined });
      const malformed = await api.request(route.method, concretePath(route, 'not-an-id'), { body: route.body ? {} : undefined });

      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('not_found');
      expect(malformed.status).toBe(404);
    });
  });

  it.each(bodyRoutes.map((route) => [label(route), route] as const))('400 listing both unknown fields of a body: %s', async (_, route) => {
    await expectNothingWritten(async () => {
      const answer = await api.request(route.method, concretePath(route), { body: { unknownFieldOne: 1, unknownFieldTwo: 'x' } });

      expect(answer.status).toBe(400);
      const paths = answer.body.errors.map((error: { path: string }) => error.path);
      expect(paths).toEqual(expect.arrayContaining(['unknownFieldOne', 'unknownFieldTwo']));
    });
  });

  it.each(bodyRoutes.map((route) => [label(route), route] as const))('400 malformed JSON, 400 empty body (a POST whose fields are all optional: as {}), 415 not JSON, 413 too large: %s', async (_, route) => {
    await expectNothingWritten(async () => {
      const path = concretePath(route);
      const json = { 'content-type': 'application/json' };

      const malformed = await api.request(route.method, path, { rawBody: '{"title": ', headers: json });
      const empty = await api.request(route.method, path, { rawBody: '', headers: json });
      const notJson = await api.request(route.method, path, { rawBody: 'title=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      const tooLarge = await api.request(route.method, path, { rawBody: JSON.stringify({ text: 'x'.repeat(MAX_BODY_BYTES) }), headers: json });

      expect([malformed.status, malformed.body.code]).toEqual([400, 'malformed_json']);
      if (bodyMayBeOmitted(route)) {
        const asEmptyObject = await api.request(route.method, path, { rawBody: '{}', headers: json });
        expect([empty.status, empty.body?.code]).toEqual([asEmptyObject.status, asEmptyObject.body?.code]);
      } else {
        expect([empty.status, empty.body.code]).toEqual([400, 'body_required']);
      }
      expect([notJson.status, notJson.body.code]).toEqual([415, 'unsupported_media_type']);
      expect([tooLarge.status, tooLarge.body.code]).toEqual([413, 'body_too_large']);
    });
  });

  it('SPEC §1 an unknown route is a problem+json 404', async () => {
    const answer = await api.get('/no-such-thing');

    expect(answer.status).toBe(404);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
  });

  it('SPEC §1 GET /openapi.json documents every route of the table without a token', async () => {
    const answer = await api.get('/openapi.json', { token: null });

    expect(answer.status).toBe(200);
    expect(answer.body.openapi).toBe('3.1.0');
    for (const route of routes) expect(answer.body.paths[route.path]?.[route.method.toLowerCase()], label(route)).toBeDefined();
  });
});
