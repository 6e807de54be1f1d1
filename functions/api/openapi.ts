import { readFile } from 'node:fs/promises';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { defineRoute } from '../../shared/http/route.ts';

/** The file, beside the deployed bundle, that holds the document built at synth. */
export const SHIPPED_DOCUMENT = 'openapi.json';

let document: unknown;

async function shippedDocument(): Promise<unknown> {
  try {
    return JSON.parse(await readFile(new URL(`./${SHIPPED_DOCUMENT}`, import.meta.url), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export const openApiRoutes = [
  defineRoute({
    method: 'GET',
    path: '/openapi.json',
    summary: 'This OpenAPI 3.1 document',
    roles: 'public',
    handler: async () => {
      // Imported lazily: the route table imports this module too, and the deployed bundle leaves it out.
      document ??= (await shippedDocument()) ?? (await import('./openapi-document.ts')).apiDocument();
      return document;
    },
  }),
];

export const handler = createApiHandler(openApiRoutes);
