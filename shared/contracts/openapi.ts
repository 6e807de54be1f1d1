import * as z from 'zod';
import { defineContracts } from '../http/contract.ts';

export const openApiContracts = defineContracts({
  getOpenApiDocument: {
    method: 'GET',
    path: '/openapi.json',
    summary: 'This OpenAPI 3.1 document',
    roles: 'public',
    response: z.looseObject({ openapi: z.string() }).meta({ description: 'An OpenAPI 3.1 document' }),
  },
});
