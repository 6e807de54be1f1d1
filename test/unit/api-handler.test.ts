import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import type { AppContext } from '../../shared/app-context.ts';
import { createApiHandler, type ApiEvent } from '../../shared/http/api-handler.ts';
import { defineContracts } from '../../shared/http/contract.ts';
import { implement, result } from '../../shared/http/route.ts';
import { conflict } from '../../shared/domain/errors.ts';
import { MAX_BODY_BYTES } from '../../shared/http/request-body.ts';
import { EVERYONE, STAFF } from '../../shared/domain/principal.ts';

// No I/O: these routes never touch the database, so the context is never read.
const noContext = () => ({}) as AppContext;

const contracts = defineContracts({
  boom: { method: 'GET', path: '/boom', summary: 'throws', roles: EVERYONE },
  rule: { method: 'POST', path: '/rule', summary: 'business rule', roles: STAFF, body: z.strictObject({ n: z.int() }), statuses: [409] },
  thing: { method: 'GET', path: '/thing', summary: 'versioned', roles: EVERYONE, response: z.object({ id: z.string(), version: z.int() }) },
  hello: { method: 'GET', path: '/hello', summary: 'public', roles: 'public', response: z.object({ caller: z.string() }) },
  calendar: { method: 'GET', path: '/calendar.ics', summary: 'a feed', roles: 'public', response: z.string(), responseType: 'text/calendar' },
  webhook: { method: 'POST', path: '/webhook', summary: 'signed bytes', roles: 'public', rawBody: true, response: z.object({ bytes: z.array(z.int()) }) },
  created: { method: 'POST', path: '/created', summary: 'undeclared status', roles: EVERYONE, successStatus: 201, otherSuccess: [200], query: z.strictObject({ status: z.coerce.number() }) },
});

const routes = [
  implement(contracts.boom, async () => {
    throw new Error('secret table name and stack');
  }),
  implement(contracts.rule, async () => {
    throw conflict('rule_broken', 'No');
  }),
  // Storage attributes may be answered: the response schema strips them.
  implement(contracts.thing, async () => ({ id: 'a', version: 7, PK: 'THING#a' })),
  // A public route's request has no caller, by type (see below) and at run time.
  implement(contracts.hello, async (request) => ({ caller: 'principal' in request ? 'someone' : 'nobody' })),
  implement(contracts.calendar, async () => 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n'),
  implement(contracts.webhook, async ({ rawBody }) => ({ bytes: [...rawBody] })),
  implement(contracts.created, async ({ query }) => result(undefined, { status: query.status })),
];
// The stored user is the token's (the caller authority's own tests: test/unit/caller-authority.test.ts).
const tokenCallers = { current: async (_ctx: AppContext, token: { userId: string; role: 'admin' | 'manager' | 'rep' }) => token, forget: () => undefined };
const handler = createApiHandler(routes, noContext, { callers: tokenCallers });

// Types follow the contracts (checked by tsc): a public route has no principal, an authenticated one has.
// @ts-expect-error no principal on a public route
implement(contracts.hello, async ({ principal }) => ({ caller: principal.userId }));
implement(contracts.thing, async ({ principal }) => ({ id: principal.userId, version: 1 }));
// @ts-expect-error the answer must match the response schema
implement(contracts.thing, async () => ({ id: 'a' }));

function event(routeKey: string, role = 'rep', body?: unknown, extra: Partial<ApiEvent> = {}): ApiEvent {
  const [method, path] = routeKey.split(' ');
  return {
    version: '2.0',
    routeKey,
    rawPath: path!,
    rawQueryString: '',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    isBase64Encoded: false,
    ...extra,
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

  it('SPEC §1 a public route runs without a caller, even when a token came along', async () => {
    const answer = await invoke(event('GET /hello'));

    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body as string)).toEqual({ caller: 'nobody' });
  });

  it('a route answers a non-JSON body with its own content type, as it is', async () => {
    const answer = await invoke(event('GET /calendar.ics'));

    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe('text/calendar');
    expect(answer.body).toBe('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n');
    expect(answer.headers.etag).toBeUndefined();
  });

  it('a raw-body route receives the exact bytes, whatever their media type (a signature is checked over them)', async () => {
    const bytes = Buffer.from([0x7b, 0x22, 0xff, 0x00, 0xc3, 0x28, 0x0a]);
    const text = '{"amount": 1.50,  "id":"évt_1"}\n';

    const binary = await invoke(event('POST /webhook', 'rep', undefined, { body: bytes.toString('base64'), isBase64Encoded: true, headers: { 'content-type': 'application/octet-stream' } }));
    const plain = await invoke(event('POST /webhook', 'rep', undefined, { body: text, headers: { 'content-type': 'text/plain' } }));

    expect(binary.statusCode).toBe(200);
    expect(Buffer.from(JSON.parse(binary.body as string).bytes)).toEqual(bytes);
    expect(Buffer.from(JSON.parse(plain.body as string).bytes).toString('utf8')).toBe(text);
  });

  it('a raw-body route still refuses a body over the limit (413)', async () => {
    const answer = await invoke(event('POST /webhook', 'rep', undefined, { body: 'x'.repeat(MAX_BODY_BYTES + 1), headers: { 'content-type': 'text/plain' } }));

    expect(answer.statusCode).toBe(413);
  });

  it('a handler answers one of the success statuses its contract declares; another one is a 500 (a bug, logged)', async () => {
    const declared = await invoke(event('POST /created', 'rep', undefined, { queryStringParameters: { status: '200' } }));
    const byDefault = await invoke(event('POST /created', 'rep', undefined, { queryStringParameters: { status: '201' } }));
    const undeclared = await invoke(event('POST /created', 'rep', undefined, { queryStringParameters: { status: '202' } }));

    expect([declared.statusCode, byDefault.statusCode, undeclared.statusCode]).toEqual([200, 201, 500]);
  });

  it('every contract lists the statuses the HTTP layer answers for it, besides its own refusals', () => {
    expect(contracts.rule.errorStatuses).toEqual([400, 401, 403, 409, 413, 415, 429, 503]);
    expect(contracts.thing.errorStatuses).toEqual([400, 401, 413, 415, 429, 503]);
    expect(contracts.hello.errorStatuses).toEqual([400, 413, 415, 429, 503]);
    expect(contracts.webhook.errorStatuses).toEqual([413, 429, 503]);
    expect(contracts.created.successStatuses).toEqual([201, 200]);
  });
});
