import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { ulid } from 'ulid';
import type * as z from 'zod';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../local/runtime.ts';
import { contracts } from '../../shared/contracts/index.ts';
import type { Role } from '../../shared/domain/principal.ts';
import type { AnyContract } from '../../shared/http/contract.ts';
import type { ProblemBody } from '../../shared/http/problem.ts';
import { testDatabase } from './database.ts';
import { responseChecker, type OpenApiDocument, type ResponseChecker } from './response-check.ts';

export interface TestResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  token?: string | null;
  body?: unknown;
  /** Sent as is, instead of JSON.stringify(body). */
  rawBody?: string;
  headers?: Record<string, string>;
}

type Input<C, K extends string> = C extends { readonly [key in K]: infer S extends z.ZodType } ? z.input<S> : never;
type Output<C> = C extends { readonly response: infer S extends z.ZodType } ? z.output<S> : undefined;

/** A typed call's answer: the success body as the contract's response schema types it, or a problem. */
export type TypedResponse<C extends AnyContract> = TestResponse<Output<C>> & { problem: ProblemBody | undefined };

/** What a call of a contract sends: its path parameters, query and body as the contract types them. */
export type CallOptions<C extends AnyContract> = Omit<RequestOptions, 'body'> &
  ([Input<C, 'params'>] extends [never] ? { params?: never } : { params: Input<C, 'params'> }) &
  ([Input<C, 'query'>] extends [never] ? { query?: never } : { query?: Partial<Input<C, 'query'>> }) &
  ([Input<C, 'body'>] extends [never] ? { body?: never } : { body: Input<C, 'body'> });

/**
 * A local runtime on a free port with its own table, on the run's shared DynamoDB Local and SES emulator.
 * Requests go over real HTTP, and every answer is checked against the OpenAPI document the runtime serves.
 */
export class TestApi {
  private constructor(
    readonly runtime: LocalRuntime,
    private readonly checkResponse: ResponseChecker,
  ) {}

  static async start(options: Partial<LocalRuntimeOptions> = {}): Promise<TestApi> {
    const runtime = await startLocalRuntime({
      dynamoEndpoint: testDatabase.endpoint,
      dynamoAccessKey: testDatabase.accessKeyId,
      sesEndpoint: inject('sesEndpoint'),
      tableName: `test-${ulid()}`,
      ...options,
    });
    const document = await fetch(`${runtime.url}/openapi.json`);
    if (document.status !== 200) throw new Error(`GET /openapi.json answered ${document.status}`);
    return new TestApi(runtime, responseChecker((await document.json()) as OpenApiDocument));
  }

  get url() {
    return this.runtime.url;
  }

  get adminToken() {
    return this.runtime.adminToken;
  }

  stop() {
    return this.runtime.stop();
  }

  /** Sends a request; the admin's token unless `token` is given (null: no Authorization header). */
  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<TestResponse<T>> {
    const token = options.token === undefined ? this.adminToken : options.token;
    const headers: Record<string, string> = { ...options.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    let body = options.rawBody;
    if (body === undefined && options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const url = `${this.url}${path}`;
    const response = await fetch(url, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    this.checkResponse({ method, url }, { status: response.status, contentType: response.headers.get('content-type'), etag: response.headers.get('etag'), text, body: parsed });
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  /**
   * Calls the route of a contract, typed by it: path parameters, query and body in, the success body out
   * (assert the status before reading it: a refusal's body is a problem).
   */
  async call<C extends AnyContract>(contract: C, options: CallOptions<C>): Promise<TypedResponse<C>> {
    const { params, query, ...rest } = options as RequestOptions & { params?: Record<string, string>; query?: Record<string, unknown> };
    const path = contract.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(params?.[name])));
    const search = new URLSearchParams(Object.entries(query ?? {}).flatMap(([name, value]): [string, string][] => (value === undefined ? [] : [[name, String(value)]])));
    const answer = await this.request(contract.method, search.size > 0 ? `${path}?${search}` : path, rest);
    const isProblem = answer.headers.get('content-type') === 'application/problem+json';
    return { ...answer, problem: isProblem ? (answer.body as ProblemBody) : undefined };
  }

  get = <T = any>(path: string, options?: RequestOptions) => this.request<T>('GET', path, options);
  post = <T = any>(path: string, body?: unknown, options?: RequestOptions) => this.request<T>('POST', path, { ...options, body });
  put = <T = any>(path: string, body?: unknown, options?: RequestOptions) => this.request<T>('PUT', path, { ...options, body });
  patch = <T = any>(path: string, body?: unknown, options?: RequestOptions) => this.request<T>('PATCH', path, { ...options, body });
  delete = <T = any>(path: string, options?: RequestOptions) => this.request<T>('DELETE', path, options);

  /** Creates a user of that role through the API and returns it with a bearer token. */
  async createUser(role: Role, name = `${role} ${ulid().slice(-6)}`): Promise<{ id: string; token: string; email: string }> {
    const email = `${name.replace(/\W+/g, '.').toLowerCase()}@example.com`;
    const created = await this.call(contracts.createUser, { body: { email, name, role } });
    if (created.status !== 201) throw new Error(`createUser failed: ${created.status} ${JSON.stringify(created.body)}`);
    const token = await this.tokenFor(created.body.id);
    return { id: created.body.id, token, email };
  }

  async tokenFor(userId: string): Promise<string> {
    const answer = await this.post('/_local/token', { userId }, { token: null });
    if (answer.status !== 200) throw new Error(`token failed: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body.token;
  }

  /**
   * Every item of this test's table. Tests only: product code never scans. Used to prove that a refused
   * request wrote nothing.
   */
  async tableSnapshot(): Promise<Record<string, unknown>[]> {
    // Consumers write in the background (statuses, receipts): let them finish so a snapshot is a stable state.
    await this.post('/_local/settle');
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.runtime.ctx.db.send(new ScanCommand({ TableName: this.runtime.ctx.tableName, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items.sort((a, b) => `${a.PK}|${a.SK}`.localeCompare(`${b.PK}|${b.SK}`));
  }
}
