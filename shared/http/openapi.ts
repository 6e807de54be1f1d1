import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import type { Route } from './route.ts';

const problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    code: z.string(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

const ERROR_STATUSES: Record<string, string> = {
  '400': 'Malformed JSON or failed validation (every offending field listed)',
  '401': 'No or invalid bearer token',
  '403': 'Role not allowed',
  '404': 'Unknown id, or a record the caller may not see',
  '409': 'Conflict with a business rule or a duplicate',
  '412': 'If-Match does not match the current version',
  '413': 'Body over 256 KiB',
  '415': 'Body is not JSON',
  '429': 'Throttled',
};

/** OpenAPI 3.1 document generated from the same zod schemas that validate requests. */
export function buildOpenApiDocument(routes: readonly Route[], info: { title: string; version: string }) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  for (const route of routes) {
    const hasBody = route.body !== undefined;
    const status = String(route.successStatus ?? 200);
    registry.registerPath({
      method: route.method.toLowerCase() as Lowercase<Route['method']>,
      path: route.path,
      summary: route.summary,
      description: route.roles === 'public' ? 'Public: no bearer token.' : `Roles: ${route.roles.join(', ')}.`,
      security: route.roles === 'public' ? [] : [{ bearer: [] }],
      request: {
        params: route.params as z.ZodObject | undefined,
        query: route.query as z.ZodObject | undefined,
        ...(hasBody ? { body: { required: true, content: { 'application/json': { schema: route.body as z.ZodType } } } } : {}),
      },
      responses: {
        [status]: route.response && status !== '204'
          ? { description: 'Success', content: { 'application/json': { schema: route.response } } }
          : { description: 'Success, no content' },
        ...Object.fromEntries(
          Object.entries(ERROR_STATUSES).map(([code, description]) => [
            code,
            { description, content: { 'application/problem+json': { schema: problem } } },
          ]),
        ),
      },
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { ...info, description: 'Sales-pipeline CRM API. Conventions: README.md of the repository.' },
  });
}
