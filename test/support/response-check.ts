import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { createRouteMatcher } from '../../local/route-matcher.ts';
import type { HttpMethod } from '../../shared/http/contract.ts';

interface Operation {
  operationId: string;
  responses: Record<string, { content?: Record<string, { schema: unknown }>; headers?: Record<string, unknown> }>;
}

export interface OpenApiDocument {
  paths: Record<string, Partial<Record<Lowercase<HttpMethod>, Operation>>>;
}

const DOCUMENT_ID = 'openapi.json';
const pointer = (...segments: string[]) => segments.map((segment) => encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');
const mediaType = (contentType: string | null) => contentType?.split(';')[0]?.trim().toLowerCase();

/**
 * Checks an answer of the API against the OpenAPI document it serves: the status must be one the operation
 * declares, the content type one that status declares, and a JSON body must match that status's schema
 * (problem+json bodies the Problem schema), and an ETag is sent exactly when the status documents one. Requests that match no operation (unknown routes, `/_local/*`) are not
 * checked. A mismatch throws, so the test that provoked it fails.
 */
export function responseChecker(document: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(document, DOCUMENT_ID);
  const match = createRouteMatcher(
    Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations).map(([method, operation]) => ({ route: { method: method.toUpperCase() as HttpMethod, path }, target: operation as Operation })),
    ),
  );
  const validators = new Map<string, ValidateFunction>();
  const validatorFor = (ref: string) => {
    let validate = validators.get(ref);
    if (!validate) validators.set(ref, (validate = ajv.compile({ $ref: ref })));
    return validate;
  };

  return (request: { method: string; url: string }, answer: { status: number; contentType: string | null; etag: string | null; text: string; body: unknown }) => {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith('/_local/')) return;
    const found = reachedOperation(() => match(request.method, pathname));
    if (!found) return;
    const { route, target: operation } = found;
    const fail = (reason: string) => {
      throw new Error(`Response does not match the OpenAPI document: ${request.method} ${pathname} (${operation.operationId}) answered ${answer.status}: ${reason}\nBody: ${answer.text.slice(0, 2000)}`);
    };
    const declared = operation.responses[String(answer.status)];
    if (!declared) return fail(`status not declared (declared: ${Object.keys(operation.responses).join(', ')})`);
    if ((answer.etag !== null) !== (declared.headers?.ETag !== undefined)) return fail(answer.etag === null ? 'no ETag where the document declares one' : 'an ETag the document does not declare');
    if (!declared.content) return answer.text === '' ? undefined : fail('a body where the document declares none');
    const type = mediaType(answer.contentType);
    if (!type || !(type in declared.content)) return fail(`content type ${type} not declared (declared: ${Object.keys(declared.content).join(', ')})`);
    if (!type.endsWith('json')) return;
    const validate = validatorFor(`${DOCUMENT_ID}#/${pointer('paths', route.path, route.method.toLowerCase(), 'responses', String(answer.status), 'content', type, 'schema')}`);
    if (!validate(answer.body)) fail(ajv.errorsText(validate.errors, { separator: '; ' }));
  };
}

export type ResponseChecker = ReturnType<typeof responseChecker>;

/** The operation a request reached; none when the server refused its path before any operation (`%ZZ` is a 400 of its own). */
function reachedOperation<T>(find: () => T | undefined): T | undefined {
  try {
    return find();
  } catch {
    return undefined;
  }
}
