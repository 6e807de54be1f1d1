import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type * as z from 'zod';
import { appContext, type AppContext } from '../app-context.ts';
import { callerAuthority, type CallerAuthority } from '../auth/caller-authority.ts';
import { principalFromClaims } from '../auth/claims.ts';
import { claimIdempotencyKey, type StoredResponse } from './idempotency.ts';
import { logger } from '../logger.ts';
import { observed } from '../metrics.ts';
import { badRequest, logServerProblem, toProblem, unauthorized } from './problem.ts';
import { bodyLimit, bodyMayBeOmitted, checkBodySize, isEmptyBody, parseJsonBody } from './request-body.ts';
import { type AnyContract, JSON_TYPE, routeKey, takesIdempotencyKey } from './contract.ts';
import { isApiResult, type Route } from './route.ts';
import { conflict, type FieldError, forbidden, notFound, throwIfInvalid } from '../domain/errors.ts';
import type { Principal } from '../domain/principal.ts';

/** What an Idempotency-Key may be (issue 13 item 3): longer or stranger keys are a 400, never stored. */
const IDEMPOTENCY_KEY = /^[\x21-\x7E]{1,255}$/;

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type ApiResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string> };

/**
 * The Lambda handler of a group of routes. API Gateway (and the local server) put the matched route in
 * `event.routeKey`; this runs the conventions of SPEC §1 around the route's handler.
 */
export interface ApiHandlerOptions {
  /** Who the caller is now (issue 13 item 1): the stored user, cached per container; tests inject another. */
  callers?: CallerAuthority;
}

export function createApiHandler(routes: readonly Route[], context: () => AppContext = appContext, options: ApiHandlerOptions = {}) {
  const callers = options.callers ?? callerAuthority;
  const byKey = new Map(routes.map((route) => [routeKey(route.contract), route]));
  const handle = async (event: ApiEvent): Promise<ApiResponse> => {
    const route = byKey.get(event.routeKey);
    try {
      if (!route) throw notFound('Route');
      return await runRoute(route, event, context(), callers);
    } catch (error) {
      return errorResponse(error, event);
    }
  };
  return middy<ApiEvent, ApiResponse, Error, Context>().use(injectLambdaContext(logger, { resetKeys: true })).use(observed({ api: true })).handler(handle);
}

async function runRoute({ contract, handler }: Route, event: ApiEvent, ctx: AppContext, callers: CallerAuthority): Promise<ApiResponse> {
  const principal = await authenticate(contract, event, ctx, callers);
  // Issue 13 item 11: every log line of the request names the caller (the product's user id, beside the API's
  // request id that the access log also carries, with the token's Cognito subject as callerSub).
  logger.appendKeys({ apiRequestId: event.requestContext.requestId, ...(principal ? { userId: principal.userId } : {}) });
  const headers = lowerCaseKeys(event.headers);
  const bytes = event.body === undefined ? undefined : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  const text = bytes?.toString('utf8');
  const bodyTakingMethod = contract.method === 'POST' || contract.method === 'PUT' || contract.method === 'PATCH';
  // A raw-body route reads the bytes itself: JSON is parsed only if its contract also declares a JSON body.
  const limit = bodyLimit(contract);
  const json =
    contract.rawBody && !contract.body
      ? checkBodySize(bytes?.byteLength ?? 0, limit)
      : bodyMayBeOmitted(contract) && isEmptyBody(bytes)
        ? {}
        : parseJsonBody(bytes, headers['content-type'], bodyTakingMethod && contract.body !== undefined, limit);

  const errors: FieldError[] = [];
  const params = parseOrCollect(contract.params, event.pathParameters ?? {}, 'path', errors);
  // A malformed id can name no record: answer like an unknown one.
  if (errors.length > 0) throw notFound();
  const query = contract.query
    ? parseOrCollect(contract.query, event.queryStringParameters ?? {}, 'query', errors)
    : refuseQueryParameters(contract, event.queryStringParameters, errors);
  const body = parseOrCollect(contract.body, json, '', errors);
  throwIfInvalid(errors);

  const call = async (): Promise<ApiResponse> => {
    const answer = await handler({
      params,
      query,
      body,
      ...(principal ? { principal } : {}),
      ...(contract.rawBody ? { rawBody: bytes ?? Buffer.alloc(0) } : {}),
      ifMatch: parseIfMatch(headers['if-match']),
      headers,
      requestId: event.requestContext.requestId,
      ctx,
    });
    return successResponse(contract, answer);
  };

  const idempotencyKey = headers['idempotency-key'];
  // A secret answer is never stored to be replayed (contract.secretResponse): the key is ignored.
  // An empty header is a key that breaks the rule below, not "no key": a client that means to send one is told.
  if (!takesIdempotencyKey(contract) || idempotencyKey === undefined || !principal) return call();
  if (!IDEMPOTENCY_KEY.test(idempotencyKey)) {
    throw badRequest('invalid_idempotency_key', 'Idempotency-Key must be 1 to 255 visible ASCII characters', [{ path: 'header.idempotency-key', message: '1 to 255 visible ASCII characters' }]);
  }
  const claim = await claimIdempotencyKey(ctx, principal.userId, idempotencyKey, {
    routeKey: event.routeKey,
    path: event.rawPath,
    body: text ?? '',
  });
  if (claim.kind === 'replay') return { ...claim.response, headers: { ...claim.response.headers, 'idempotent-replayed': 'true' } };
  if (claim.kind === 'committed') return replayCommitted(contract, claim.record);
  let response: ApiResponse;
  try {
    response = await claim.run(call);
  } catch (error) {
    await claim.release();
    throw error;
  }
  await claim.complete(response as StoredResponse);
  return response;
}

/**
 * Issue 13 item 3: the first request committed its write but its answer was not stored (it died, or storing
 * failed): the answer is made again from the record it committed, as the route answers it. A route whose answer is
 * more than that record cannot be made again: a 409 that says the write is done (and it is never run twice).
 */
function replayCommitted(contract: AnyContract, record: Record<string, unknown> | undefined): ApiResponse {
  let response: ApiResponse;
  try {
    if (record === undefined && contract.successStatus !== 204) throw new Error('No record to answer with');
    response = successResponse(contract, record);
  } catch {
    throw conflict('idempotency_committed', 'The request with this Idempotency-Key was carried out; read the record for its result');
  }
  return { ...response, headers: { ...response.headers, 'idempotent-replayed': 'true' } };
}

/**
 * The token says who calls; the stored user says whether it still may, and with which role (SPEC §1, issue 13
 * item 1): a deactivated or deleted user is a 401, a demoted one is judged by its stored role (403).
 */
async function authenticate(contract: AnyContract, event: ApiEvent, ctx: AppContext, callers: CallerAuthority): Promise<Principal | undefined> {
  if (contract.roles === 'public') return undefined;
  const claimed = principalFromClaims(event.requestContext.authorizer?.jwt?.claims);
  if (!claimed) throw unauthorized();
  const principal = await callers.current(ctx, claimed);
  if (!principal) throw unauthorized('This user is deactivated or no longer exists');
  if (!contract.roles.includes(principal.role)) throw forbidden();
  return principal;
}

function parseOrCollect(schema: z.ZodType | undefined, input: unknown, location: string, errors: FieldError[]): unknown {
  if (!schema) return undefined;
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key]) : [issue.path];
    for (const path of keys) {
      errors.push({
        path: [location, ...path.map(String)].filter(Boolean).join('.'),
        message: issue.code === 'unrecognized_keys' ? 'Unknown field' : issue.message,
      });
    }
  }
  return undefined;
}

/**
 * A route without query parameters still refuses any (SPEC §1 strictness: a typo must not be ignored), except a
 * public one, whose addresses are handed to buyers and calendar apps that may add their own (`utm_source` …).
 */
function refuseQueryParameters(contract: AnyContract, parameters: Record<string, string | undefined> | undefined, errors: FieldError[]): undefined {
  if (contract.roles === 'public') return undefined;
  for (const name of Object.keys(parameters ?? {})) errors.push({ path: `query.${name}`, message: 'Unknown field' });
  return undefined;
}

/**
 * `"3"` or `3` → 3; `*` matches any version; anything else can match no version, a weak tag (`W/"3"`) or an
 * unbalanced quote (`"3`) included: If-Match compares strongly (RFC 9110 §13.1.1), and every ETag of the API is strong.
 */
function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:"(\d+)"|(\d+))\s*$/.exec(header);
  return match ? Number(match[1] ?? match[2]) : -1;
}

function successResponse(contract: AnyContract, answer: unknown): ApiResponse {
  const result = isApiResult(answer) ? answer : { body: answer };
  const status = result.status ?? contract.successStatus;
  // The document promises these statuses only: answering another is a bug, not something a client should parse.
  if (!contract.successStatuses.includes(status)) throw new Error(`${routeKey(contract)} answered ${status}, which its contract does not declare`);
  const headers: Record<string, string> = { ...result.headers };
  if (status === 204 || result.body === undefined) return { statusCode: status, headers, body: '' };
  const body = contract.response ? contract.response.parse(result.body) : result.body;
  headers['content-type'] = contract.responseType;
  if (contract.responseType !== JSON_TYPE) return { statusCode: status, headers, body: String(body) };
  const version = (body as { version?: unknown }).version;
  if (typeof version === 'number') headers.etag = `"${version}"`;
  return { statusCode: status, headers, body: JSON.stringify(body) };
}

export function errorResponse(error: unknown, event?: Pick<ApiEvent, 'routeKey' | 'rawPath'>): ApiResponse {
  const problem = toProblem(error);
  logServerProblem(problem, error, 'Unhandled error', { routeKey: event?.routeKey, path: event?.rawPath });
  return {
    statusCode: problem.status,
    headers: { ...problem.headers, 'content-type': 'application/problem+json' },
    body: JSON.stringify(problem.toBody()),
  };
}

function lowerCaseKeys(headers: Record<string, string | undefined> | undefined): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
}
