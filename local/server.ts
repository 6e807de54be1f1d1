import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { ApiEvent, ApiResponse } from '../shared/http/api-handler.ts';
import { errorResponse } from '../shared/http/api-handler.ts';
import { routeKey } from '../shared/http/contract.ts';
import { corsHeaders } from '../shared/http/cors.ts';
import { ProblemError, unauthorized } from '../shared/http/problem.ts';
import { API_THROTTLE, routeThrottle, tokenBucket, type ThrottleLimit } from '../shared/http/throttle.ts';
import type { Route } from '../shared/http/route.ts';
import type { LocalAuth } from './local-auth.ts';
import { createRouteMatcher } from './route-matcher.ts';
import { forbidden, notFound } from '../shared/domain/errors.ts';

/** `127.0.0.1`, `localhost` or `[::1]`, with or without a port. */
export function isLoopbackHost(host: string | undefined): boolean {
  return /^(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$/i.test(host ?? '');
}

/** API Gateway refuses payloads over 10 MB before any Lambda runs; the local server does the same. */
const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

export type LambdaLike = (event: ApiEvent, context: Context) => Promise<ApiResponse>;

export interface LambdaRouteGroup {
  name: string;
  routes: readonly Route[];
  handler: LambdaLike;
}

/** A route that exists only locally (`/_local/...`); the CDK stack never has it. */
export interface LocalRoute {
  method: 'GET' | 'POST';
  path: string;
  handle(body: unknown): Promise<{ status: number; body: unknown }>;
}

export interface LocalServerOptions {
  functions: readonly LambdaRouteGroup[];
  localRoutes: readonly LocalRoute[];
  auth: LocalAuth;
  corsOrigins: readonly string[];
  port: number;
  host?: string;
  /**
   * The API's limit (the stage's unless set), or false to lift every limit (load tests, benchmarks); routes with a
   * limit of their own (public routes, `routeThrottle` of their contract) keep it unless lifted.
   */
  throttle?: ThrottleLimit | false;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Plays API Gateway (HTTP API, payload v2) in front of the same Lambda handlers the stack deploys:
 * route matching, the JWT authorizer, CORS, and the v2 event shape.
 */
export async function startLocalServer(options: LocalServerOptions): Promise<RunningServer> {
  const matchApi = createRouteMatcher(options.functions.flatMap((fn) => fn.routes.map(({ contract }) => ({ route: contract, target: fn }))));
  const localByKey = new Map(options.localRoutes.map((route) => [`${route.method} ${route.path}`, route]));
  type Bucket = ReturnType<typeof tokenBucket>;
  const apiBucket = tokenBucket(options.throttle || API_THROTTLE);
  // One bucket per route that declares its own limit, like the stage's route settings in AWS (issue 12 item 5).
  const routeBuckets = new Map<string, Bucket>();
  for (const fn of options.functions) {
    for (const { contract } of fn.routes) {
      const limit = routeThrottle(contract);
      if (limit) routeBuckets.set(routeKey(contract), tokenBucket(limit));
    }
  }
  /** The bucket that refuses this request, if any: the API's, then the route's own. */
  const refusingBucket = (key: string): Bucket | undefined => {
    if (options.throttle === false) return undefined;
    if (!apiBucket.take()) return apiBucket;
    const own = routeBuckets.get(key);
    return own && !own.take() ? own : undefined;
  };

  const server: Server = createServer((request, response) => {
    handle(request).then(
      (answer) => send(response, answer, corsHeaders(request.headers.origin, options.corsOrigins, false)),
      // A refusal before the handler (a bad token, a body too large) still tells a web page what went wrong.
      (error) => send(response, errorResponse(error), corsHeaders(request.headers.origin, options.corsOrigins, false)),
    );
  });
  server.on('clientError', answerUnparsable);

  async function handle(request: IncomingMessage): Promise<ApiResponse> {
    const url = new URL(request.url ?? '/', 'http://local');
    const method = request.method ?? 'GET';
    if (method === 'OPTIONS') {
      return { statusCode: 204, headers: corsHeaders(request.headers.origin, options.corsOrigins, true), body: '' };
    }
    const body = await readBody(request);
    const local = localByKey.get(`${method} ${url.pathname}`);
    if (local) {
      // SPEC §10: a web page cannot reach these through a name it points at 127.0.0.1 (DNS rebinding).
      if (!isLoopbackHost(request.headers.host)) return errorResponse(forbidden('The /_local routes answer loopback hosts only (127.0.0.1, localhost, [::1])'));
      return runLocalRoute(local, body.toString('utf8'));
    }

    const match = matchApi(method, url.pathname);
    if (!match) return errorResponse(notFound('Route'));
    const refusing = refusingBucket(routeKey(match.route));
    if (refusing) {
      return errorResponse(new ProblemError(429, 'throttled', 'Too many requests; retry shortly', undefined, {}, { 'retry-after': String(refusing.retryAfterSeconds()) }));
    }
    const claims = match.route.roles === 'public' ? undefined : await authorize(request.headers.authorization);
    const event = toApiEvent(request, url, body, routeKey(match.route), match.pathParameters, claims);
    return match.target.handler(event, lambdaContext(match.target.name, event.requestContext.requestId));
  }

  /** Like the HTTP API JWT authorizer: a bad token never reaches the handler; a missing one is the handler's 401. */
  async function authorize(header: string | undefined): Promise<Record<string, unknown> | undefined> {
    if (!header) return undefined;
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1];
    const claims = token ? await options.auth.verify(token) : undefined;
    if (!claims) throw unauthorized('The bearer token is invalid or expired');
    return claims;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function runLocalRoute(route: LocalRoute, body: string): Promise<ApiResponse> {
  let parsed: unknown;
  try {
    parsed = body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    throw new ProblemError(400, 'malformed_json', 'The body is not valid JSON');
  }
  const answer = await route.handle(parsed);
  return { statusCode: answer.status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(answer.body) };
}

const NO_BODY = Buffer.alloc(0);

async function readBody(request: IncomingMessage): Promise<Buffer> {
  // Most requests (GET, DELETE) carry no body: no stream to iterate (issue 14 item 2, the request path's own cost).
  if (request.headers['content-length'] === undefined && request.headers['transfer-encoding'] === undefined) return NO_BODY;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > GATEWAY_MAX_BODY_BYTES) throw new ProblemError(413, 'body_too_large', 'The body exceeds the gateway limit');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Like API Gateway, a body that is not text reaches the handler base64-encoded, so its exact bytes survive. */
function eventBody(bytes: Buffer): Pick<ApiEvent, 'body' | 'isBase64Encoded'> {
  if (bytes.length === 0) return { body: undefined, isBase64Encoded: false };
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? { body: text, isBase64Encoded: false } : { body: bytes.toString('base64'), isBase64Encoded: true };
}

function toApiEvent(
  request: IncomingMessage,
  url: URL,
  body: Buffer,
  key: string,
  pathParameters: Record<string, string>,
  claims: Record<string, unknown> | undefined,
): ApiEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  // Payload v2 joins repeated query parameters with commas.
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const requestId = randomUUID();
  const now = new Date();
  return {
    version: '2.0',
    routeKey: key,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: Object.keys(query).length > 0 ? query : undefined,
    pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : undefined,
    ...eventBody(body),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: request.headers.host ?? 'localhost',
      domainPrefix: 'local',
      requestId,
      routeKey: key,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: request.headers['user-agent'] ?? '',
      },
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: (claims ?? {}) as Record<string, string>, scopes: [] } },
    },
  } as ApiEvent;
}

function lambdaContext(functionName: string, requestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * A request Node cannot parse (raw non-ASCII bytes in the URL, a malformed header line) never reaches `handle`; like
 * every other refusal it is answered problem+json (Node's own answer is a bare 400), then the connection is closed.
 */
function answerUnparsable(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
  const problem =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new ProblemError(431, 'headers_too_large', 'The request headers are too large')
      : new ProblemError(400, 'malformed_request', 'The request is not valid HTTP/1.1; percent-encode any character of the URL outside ASCII');
  const body = JSON.stringify(problem.toBody());
  const reason = problem.toBody().title;
  socket.end(
    `HTTP/1.1 ${problem.status} ${reason}\r\ncontent-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

function send(response: ServerResponse, answer: ApiResponse, extraHeaders: Record<string, string>) {
  response.writeHead(answer.statusCode, { ...answer.headers, ...extraHeaders });
  response.end(answer.body ?? '');
}
