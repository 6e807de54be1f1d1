import { buildOpenApiDocument } from '../../shared/http/openapi.ts';
import { apiRoutes } from './route-table.ts';

/**
 * The API's OpenAPI document, built from the route table. The stack builds it at synth and ships it beside the
 * openapi function's bundle (`shippedFiles` of its route group), so that bundle holds no route group's code; run
 * from source (local runtime, tests) the function builds it on first use.
 */
export const apiDocument = () => buildOpenApiDocument(apiRoutes(), { title: 'Pipeline CRM API', version: '1' });
