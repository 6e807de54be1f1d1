import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import type { AppContext } from '../../shared/app-context.ts';
import { createApiHandler, type ApiEvent } from '../../shared/http/api-handler.ts';
import { defineRoute } from '../../shared/http/route.ts';
import { conflict } from '../../shared/domain/errors.ts';
import { EVERYONE, STAFF } from '../../shared/domain/principal.ts';

// No I/O: these routes never touch the database, so the context is never read.
const noContext = () => ({}) as AppContext;

const routes = [
  defineRoute({ method: 'GET', path: '/boom', summary: 'throws', roles: EVERYONE, handler: async () => { throw new Error('secret table name and stack'); } }),
  defineRoute({ method: 'POST', path: '/rule', summary: 'business rule', roles: STAFF, body: z.strictObject({ n: z.int() }), handler: async () => { throw conflict('rule_broken', 'No'); } }),
  defineRoute({ method: 'GET', path: '/thing', summary: 'versioned', roles: EVERYONE, response: z.object({ id: z.string(), version: z.int() }), handler: async () => ({ id: 'a', version: 7, PK: 'THING#a' }) }),
];
const handler = createApiHandler(routes, noContext);

function event(routeKey: string, role = 'rep', body?: unknown): ApiEvent {
  const [method, path] = routeKey.split(' ');
  return {
    version: '2.0',
    routeKey,
    rawPath: path!,
    rawQueryString: '',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: {
      requestId: 'req-1',
      http: { method: method!, path: path! },
      authorizer: { jwt: { claims: { 'custom:userId': '01J0000000000000000000000A', 'custom:role': role }, scopes: [] } },
    },
  } as unknown as ApiEvent;
}

const invoke = (e: ApiEvent) => handler(e, { awsRequestId: 'req-1', functionName: 'test' } as Context);

describe('SPEC §1 the API handler', () => {
  it('SPEC §1 an unexpected error is a 500 problem that says nothing of its cause', async () => {
    const answer = await invoke(event('GET /boom'));

    expect(answer.statusCode).toBe(500);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.body).not.toContain('secret');
    expect(answer.body).not.toContain('at ');
  });

  it('SPEC §1 a role outside the route roles is a 403 before the body is looked at', async () => {
    const answer = await invoke(event('POST /rule', 'rep', { n: 'not a number' }));

    expect(answer.statusCode).toBe(403);
  });

  it('SPEC §1 a business rule is answered with its own status and code', async () => {
    const answer = await invoke(event('POST /rule', 'manager', { n: 1 }));

    expect(answer.statusCode).toBe(409);
    expect(JSON.parse(answer.body as string).code).toBe('rule_broken');
  });

  it('SPEC §1 the response schema strips storage attributes and the version becomes the ETag', async () => {
    const answer = await invoke(event('GET /thing'));

    expect(JSON.parse(answer.body as string)).toEqual({ id: 'a', version: 7 });
    expect(answer.headers.etag).toBe('"7"');
  });

  it('SPEC §1 a route key the group does not serve is a 404 problem', async () => {
    const answer = await invoke(event('GET /elsewhere'));

    expect(answer.statusCode).toBe(404);
  });
});
