import type * as z from 'zod';
import type { AppContext } from '../app-context.ts';
import type { Principal, Role } from '../domain/principal.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiRequest<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Always set on authenticated routes; undefined only on public ones. */
  principal: Principal;
  /** Parsed `If-Match` version, when the client sent one. */
  ifMatch: number | undefined;
  headers: Record<string, string | undefined>;
  requestId: string;
  ctx: AppContext;
}

export interface ApiResult<R> {
  status?: number;
  body?: R;
  headers?: Record<string, string>;
}

type Infer<S> = S extends z.ZodType ? z.output<S> : undefined;
/** What a handler may answer: the response schema's input (it is parsed on the way out), or anything without one. */
type Answer<S> = S extends z.ZodType ? z.input<S> : unknown;

export interface RouteSpec<
  P extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  B extends z.ZodType | undefined,
  R extends z.ZodType | undefined,
> {
  method: HttpMethod;
  /** API Gateway path template, e.g. `/contacts/{id}`. */
  path: string;
  summary: string;
  /** Roles allowed to call the route, or `public` for routes without a bearer token. */
  roles: readonly Role[] | 'public';
  params?: P;
  query?: Q;
  body?: B;
  response?: R;
  /** Status of a successful answer: 200 unless said otherwise (201 for creations, 204 for deletions). */
  successStatus?: number;
  handler: (req: ApiRequest<Infer<P>, Infer<Q>, Infer<B>>) => Promise<Answer<R> | ApiResult<Answer<R>>>;
}

export type Route = RouteSpec<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>;

/** Declares one route: the single source the Lambda router, the local server, the CDK stack and OpenAPI read. */
export function defineRoute<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  R extends z.ZodType | undefined = undefined,
>(spec: RouteSpec<P, Q, B, R>): Route {
  return spec as unknown as Route;
}

/** Wraps a handler answer that needs a non-default status or extra headers. */
export function result<R>(body: R, init: { status?: number; headers?: Record<string, string> } = {}): ApiResult<R> {
  return { body, ...init, [RESULT_MARK]: true } as ApiResult<R>;
}

export const RESULT_MARK = Symbol('api-result');

export function isApiResult(value: unknown): value is ApiResult<unknown> {
  return typeof value === 'object' && value !== null && RESULT_MARK in value;
}
