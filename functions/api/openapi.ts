import { allContracts } from '../../shared/contracts/index.ts';
import { openApiContracts } from '../../shared/contracts/openapi.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { buildOpenApiDocument } from '../../shared/http/openapi.ts';
import { implement } from '../../shared/http/route.ts';

/**
 * The API's OpenAPI document, built from the contracts alone: this function's bundle holds no route group's code
 * (the contracts are schemas only), and stays under the 250 KB budget while building it on first use.
 */
export const apiDocument = () => ({ ...buildOpenApiDocument(allContracts, { title: 'Pipeline CRM API', version: '1' }) });

let document: ReturnType<typeof apiDocument> | undefined;

export const openApiRoutes = [implement(openApiContracts.getOpenApiDocument, async () => (document ??= apiDocument()))];

export const handler = createApiHandler(openApiRoutes);
