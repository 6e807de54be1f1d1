import { createApiHandler } from '../../shared/http/api-handler.ts';
import { buildOpenApiDocument } from '../../shared/http/openapi.ts';
import { defineRoute } from '../../shared/http/route.ts';

let document: ReturnType<typeof buildOpenApiDocument> | undefined;

export const openApiRoutes = [
  defineRoute({
    method: 'GET',
    path: '/openapi.json',
    summary: 'This OpenAPI 3.1 document',
    roles: 'public',
    handler: async () => {
      // Imported lazily: the route table imports this module too.
      const { apiRoutes } = await import('./route-table.ts');
      document ??= buildOpenApiDocument(apiRoutes(), { title: 'Pipeline CRM API', version: '1' });
      return document;
    },
  }),
];

export const handler = createApiHandler(openApiRoutes);
