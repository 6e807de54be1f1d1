import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import { problem } from '../schemas/common.ts';
import { type AnyContract, type ErrorStatus, JSON_TYPE, takesIdempotencyKey } from './contract.ts';

const ERROR_DESCRIPTIONS: Record<ErrorStatus, string> = {
  400: 'Malformed JSON or failed validation (every offending field listed)',
  401: 'No or invalid bearer token',
  403: 'Role not allowed, or an action the caller may not take on this record',
  404: 'Unknown id, or a record the caller may not see',
  409: 'Conflict with a business rule or a duplicate',
  410: 'Gone',
  412: 'If-Match does not match the current version',
  413: 'Body over 256 KiB',
  415: 'Body is not JSON',
  429: 'Throttled',
  503: 'A service the route needs is busy or unavailable; try again (after Retry-After when given)',
};

/** The answers that ask the client to wait, and say for how long. */
const ASKS_TO_WAIT = new Set<ErrorStatus>([429, 503]);
const RETRY_AFTER_HEADER = { 'Retry-After': { description: 'Seconds to wait before trying again (when given)', schema: { type: 'integer', minimum: 0 } } } as const;

const ETAG_HEADER = { ETag: { description: 'The record\'s version as a strong tag ("3"): send it back as If-Match', schema: { type: 'string' as const } } };
const REPLAYED_HEADER = {
  'Idempotent-Replayed': { description: '"true" when this is the stored answer of an earlier request with the same Idempotency-Key', schema: { type: 'string' as const, enum: ['true'] } },
};

/** The route honours If-Match: its contract declares the 412 of a stale one (SPEC §1). */
const takesIfMatch = (contract: AnyContract) => contract.errorStatuses.includes(412);

/** The success body is a record with a version, so the answer carries its ETag (shared/http/api-handler.ts). */
const answersVersion = (contract: AnyContract) => contract.response instanceof z.ZodObject && 'version' in contract.response.shape;

const conventionHeaders = (contract: AnyContract) => {
  const headers: Record<string, z.ZodType> = {};
  if (takesIfMatch(contract)) {
    headers['If-Match'] = z.string().optional().meta({ description: 'The version read, as its ETag ("3"): the write is a 412 if the record changed since; * or no header: no check' });
  }
  if (takesIdempotencyKey(contract)) {
    headers['Idempotency-Key'] = z.string().min(1).max(255).optional().meta({ description: '1 to 255 visible ASCII characters: the same key and body within 24 h answer the first result again' });
  }
  return Object.keys(headers).length > 0 ? { headers: z.object(headers) } : {};
};

function successResponse(contract: AnyContract, status: number): ResponseConfig {
  const headers = { ...(status !== 204 && answersVersion(contract) ? ETAG_HEADER : {}), ...(takesIdempotencyKey(contract) ? REPLAYED_HEADER : {}) };
  const withHeaders = Object.keys(headers).length > 0 ? { headers } : {};
  if (status === 204 || !contract.response) return { description: 'Success, no content', ...withHeaders };
  return { description: status === 201 ? 'Created' : 'Success', ...withHeaders, content: { [contract.responseType]: { schema: contract.response } } };
}

/** OpenAPI 3.1 document generated from the route contracts: the same zod schemas that validate requests. */
export function buildOpenApiDocument(contracts: readonly AnyContract[], info: { title: string; version: string }) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  for (const contract of contracts) {
    const isPublic = contract.roles === 'public';
    const jsonBody = contract.body && { body: { required: true, content: { [JSON_TYPE]: { schema: contract.body } } } };
    registry.registerPath({
      operationId: contract.operationId,
      method: contract.method.toLowerCase() as Lowercase<AnyContract['method']>,
      path: contract.path,
      summary: contract.summary,
      description: isPublic ? 'Public: no bearer token.' : `Roles: ${(contract.roles as readonly string[]).join(', ')}.`,
      security: isPublic ? [] : [{ bearer: [] }],
      request: { params: contract.params, query: contract.query, ...conventionHeaders(contract), ...jsonBody },
      responses: {
        ...Object.fromEntries(contract.successStatuses.map((status) => [status, successResponse(contract, status)])),
        ...Object.fromEntries(
          contract.errorStatuses.map((status) => [
            status,
            { description: ERROR_DESCRIPTIONS[status], ...(ASKS_TO_WAIT.has(status) ? { headers: RETRY_AFTER_HEADER } : {}), content: { 'application/problem+json': { schema: problem } } },
          ]),
        ),
      },
    });
  }
  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      ...info,
      description: 'Sales-pipeline CRM API. Conventions: README.md of the repository.',
      license: { name: 'UNLICENSED: proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    // Each tenant has its own API; a client is pointed at its tenant's URL.
    servers: [{ url: 'https://{apiId}.execute-api.{region}.amazonaws.com', description: 'A tenant API', variables: { apiId: { default: 'api' }, region: { default: 'eu-west-1' } } }],
  });
  return withNullableRefs(document);
}

/**
 * zod-to-openapi renders `.nullable()` of a named schema as `allOf: [{ $ref }, { type: [..., 'null'] }]`, which
 * null cannot satisfy (it must match the referenced object too): rewrite it as `anyOf: [{ $ref }, { type: 'null' }]`.
 */
function withNullableRefs<T>(node: T): T {
  if (Array.isArray(node)) return node.map(withNullableRefs) as T;
  if (typeof node !== 'object' || node === null) return node;
  const { allOf, ...rest } = node as { allOf?: unknown[] } & Record<string, unknown>;
  const [ref, nullable] = allOf ?? [];
  const isNullableRef =
    allOf?.length === 2 && typeof ref === 'object' && ref !== null && '$ref' in ref && Array.isArray((nullable as { type?: unknown })?.type) &&
    ((nullable as { type: unknown[] }).type).includes('null') && Object.keys(nullable as object).length === 1;
  if (isNullableRef) return { ...rest, anyOf: [ref, { type: 'null' }] } as T;
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, withNullableRefs(value)])) as T;
}
