import type * as z from 'zod';
import type { AppContext } from '../app-context.ts';
import type { Principal } from '../domain/principal.ts';
import type { AnyContract } from './contract.ts';

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;
/** What a handler may answer: the response schema's input (it is parsed on the way out), or anything without one. */
type In<S> = S extends z.ZodType ? z.input<S> : unknown;
type Field<C, K extends string> = C extends { readonly [key in K]: infer S } ? S : undefined;

interface RequestBase<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Parsed `If-Match` version, when the client sent one. */
  ifMatch: number | undefined;
  headers: Record<string, string | undefined>;
  requestId: string;
  ctx: AppContext;
}

/** The request a contract's handler gets: parsed parameters, query and body; the caller unless the route is public. */
export type RequestOf<C extends AnyContract> = RequestBase<Out<Field<C, 'params'>>, Out<Field<C, 'query'>>, Out<Field<C, 'body'>>> &
  (C extends { readonly rawBody: true } ? { /** The request body exactly as sent. */ rawBody: Buffer } : unknown) &
  (C extends { readonly roles: 'public' } ? unknown : { principal: Principal });

export interface ApiResult<R> {
  status?: number;
  body?: R;
  headers?: Record<string, string>;
}

export type AnswerOf<C extends AnyContract> = In<Field<C, 'response'>> | ApiResult<In<Field<C, 'response'>>>;

/** A contract with the code that serves it: what a route group's Lambda handler runs. */
export interface Route {
  contract: AnyContract;
  handler: (request: RequestBase<unknown, unknown, unknown> & { principal?: Principal; rawBody?: Buffer }) => Promise<unknown>;
}

/** Serves a contract (declared in shared/contracts/) with a handler whose request and answer types follow from it. */
export function implement<C extends AnyContract>(contract: C, handler: (request: RequestOf<C>) => Promise<AnswerOf<C>>): Route {
  return { contract, handler: handler as Route['handler'] };
}

/** Wraps a handler answer that needs a non-default status (one of the contract's) or extra headers. */
export function result<R>(body: R, init: { status?: number; headers?: Record<string, string> } = {}): ApiResult<R> {
  return { body, ...init, [RESULT_MARK]: true } as ApiResult<R>;
}

const RESULT_MARK = Symbol('api-result');

export function isApiResult(value: unknown): value is ApiResult<unknown> {
  return typeof value === 'object' && value !== null && RESULT_MARK in value;
}
