import { openApiContracts } from '../../shared/contracts/openapi.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { implement } from '../../shared/http/route.ts';

/**
 * The document as infra/bundles.ts built it from the contracts when bundling (esbuild `define`): the deployed function
 * neither builds every contract's schemas nor loads zod-to-openapi, at cold start or after. Undefined when run from
 * source, where the document is built on first use.
 */
declare const BUNDLED_OPENAPI_DOCUMENT: string | undefined;

let document: Promise<Record<string, unknown>> | undefined;

const apiDocument = async (): Promise<Record<string, unknown>> =>
  typeof BUNDLED_OPENAPI_DOCUMENT === 'string' ? JSON.parse(BUNDLED_OPENAPI_DOCUMENT) : (await import('./openapi-document.ts')).apiDocument();

export const openApiRoutes = [
  implement(openApiContracts.getOpenApiDocument, () =>
    (document ??= apiDocument().catch((error: unknown) => {
      document = undefined;
      throw error;
    }))),
];

export const handler = createApiHandler(openApiRoutes);
