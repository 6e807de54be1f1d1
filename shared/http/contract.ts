import type * as z from 'zod';
import { ROLES, type Role } from '../domain/principal.ts';
import type { ThrottleLimit } from './throttle.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The error statuses an API route can answer (SPEC §1); 500 is never declared, it is a bug. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 410 | 412 | 413 | 415 | 429 | 503;

export const JSON_TYPE = 'application/json';

/** What the author of a route declares: everything a client, the gateway and the OpenAPI document need, no code. */
export interface ContractSpec {
  method: HttpMethod;
  /** API Gateway path template, e.g. `/contacts/{id}`. */
  path: string;
  summary: string;
  /** Roles allowed to call the route, or `public` for routes without a bearer token. */
  roles: readonly Role[] | 'public';
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The success body; parsed on the way out, so storage attributes never leak. */
  response?: z.ZodType;
  /** Media type of the success body: JSON unless said otherwise (then the handler answers a string). */
  responseType?: string;
  /**
   * The success body holds a secret (a token) that must not be stored: the answer is never kept for an
   * Idempotency-Key replay, so the route ignores that header (a repeated call simply acts again).
   */
  secretResponse?: boolean;
  /** The handler also gets the exact bytes of the request body (`rawBody`), e.g. to verify a webhook signature. */
  rawBody?: boolean;
  /**
   * The route's own rate limit (issue 12 item 5): the stage's route setting in AWS and a token bucket of the local
   * server. A public route without one gets PUBLIC_ROUTE_THROTTLE (shared/http/throttle.ts `routeThrottle`).
   */
  throttle?: ThrottleLimit;
  /**
   * The largest body the route takes, in bytes (413 beyond): 256 KiB unless said otherwise, 8 KiB on public routes
   * (shared/http/request-body.ts `bodyLimit`).
   */
  maxBodyBytes?: number;
  /** Status of a successful answer: 200 unless said otherwise (201 for creations, 204 for deletions). */
  successStatus?: number;
  /** Other success statuses the handler may choose (`result(body, { status })`). */
  otherSuccess?: readonly number[];
  /**
   * The refusals of the route's own rules (409, 412, a 403 of a role that is allowed the route …). What the HTTP
   * layer answers by itself follows from the rest of the contract and is added by `defineContracts`.
   */
  statuses?: readonly ErrorStatus[];
}

/** A declared route: its spec, its operationId, and every status it can answer. */
export type Contract<S extends ContractSpec = ContractSpec, Id extends string = string> = Readonly<S> & {
  readonly operationId: Id;
  readonly successStatus: number;
  readonly successStatuses: readonly number[];
  /** Every error status: the route's refusals and the HTTP layer's (sorted). */
  readonly errorStatuses: readonly ErrorStatus[];
  readonly responseType: string;
};

export type AnyContract = Contract<ContractSpec, string>;

/**
 * The route honours an Idempotency-Key (SPEC §1): an authenticated POST whose answer may be stored (a secret one is
 * never kept, so its key is ignored). The handler, the statuses below and the OpenAPI document read this one rule.
 */
export const takesIdempotencyKey = (spec: Pick<ContractSpec, 'method' | 'roles' | 'secretResponse'>): boolean =>
  spec.method === 'POST' && spec.roles !== 'public' && !spec.secretResponse;

/**
 * Statuses the HTTP layer answers before or around any handler (shared/http/api-handler.ts, the gateway): the body
 * transport checks (400 malformed or unexpected body, 413, 415: every route reads its body), throttling (429), a busy
 * or unreachable AWS service (503, shared/http/problem.ts `isBusyDependency`), the
 * token (401) and role (403) checks, an id that names nothing (404, a malformed one included), and on an
 * authenticated POST the Idempotency-Key's refusals (409: reused with another body, still in progress).
 */
function layerStatuses(spec: ContractSpec): ErrorStatus[] {
  const statuses: ErrorStatus[] = [413, 429, 503];
  const readsJson = !spec.rawBody || spec.body !== undefined;
  if (readsJson) statuses.push(400, 415);
  if (spec.query) statuses.push(400);
  if (spec.params) statuses.push(404);
  if (spec.roles !== 'public') statuses.push(401);
  if (spec.roles !== 'public' && spec.roles.length < ROLES.length) statuses.push(403);
  if (takesIdempotencyKey(spec)) statuses.push(409);
  return statuses;
}

/** Declares a group of routes, each under its operationId. */
export function defineContracts<const T extends Record<string, ContractSpec>>(specs: T): { [K in keyof T & string]: Contract<T[K], K> } {
  return Object.fromEntries(
    Object.entries(specs).map(([operationId, spec]) => {
      const successStatus = spec.successStatus ?? 200;
      const errorStatuses = [...new Set([...layerStatuses(spec), ...(spec.statuses ?? [])])].sort((a, b) => a - b);
      const contract = {
        ...spec,
        operationId,
        successStatus,
        successStatuses: [successStatus, ...(spec.otherSuccess ?? [])],
        errorStatuses,
        responseType: spec.responseType ?? JSON_TYPE,
      };
      return [operationId, contract];
    }),
  ) as never;
}

export const routeKey = (route: Pick<ContractSpec, 'method' | 'path'>) => `${route.method} ${route.path}`;
