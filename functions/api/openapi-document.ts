import { allContracts } from '../../shared/contracts/index.ts';
import { buildOpenApiDocument } from '../../shared/http/openapi.ts';

/**
 * The API's OpenAPI document, built from the contracts alone. infra/bundles.ts builds it when bundling and writes it
 * into the openapi function's bundle; run from source (`npm start`, tests), the function builds it on first use.
 */
export const apiDocument = () => ({ ...buildOpenApiDocument(allContracts, { title: 'Pipeline CRM API', version: '1' }) });
