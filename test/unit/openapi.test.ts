import { createConfig, lintFromString } from '@redocly/openapi-core';
import { describe, expect, it } from 'vitest';
import { apiDocument } from '../../functions/api/openapi-document.ts';
import { allContracts } from '../../shared/contracts/index.ts';

/** The document `GET /openapi.json` serves (the same function builds it). */
const document = apiDocument() as { paths: Record<string, Record<string, any>> };
const operation = (method: string, path: string) => document.paths[path]?.[method.toLowerCase()];

describe('SPEC §1 the OpenAPI document', () => {
  it('passes Redocly lint (recommended rules) with no error and no warning', async () => {
    const problems = await lintFromString({
      source: JSON.stringify(document),
      absoluteRef: 'openapi.json',
      config: await createConfig({ extends: ['recommended'] }),
    });

    expect(problems.map((problem) => `${problem.severity} ${problem.ruleId}: ${problem.message} at ${problem.location[0]?.pointer}`)).toEqual([]);
  });

  it('lists every status each route declares, under its operationId', () => {
    for (const contract of allContracts) {
      const documented = operation(contract.method, contract.path);
      expect(documented?.operationId).toBe(contract.operationId);
      expect(Object.keys(documented.responses).map(Number).sort()).toEqual([...contract.successStatuses, ...contract.errorStatuses].sort());
    }
  });

  it('SPEC §1 the answers that ask a client to wait (429, 503) document Retry-After on every route', () => {
    for (const contract of allContracts) {
      const { responses } = operation(contract.method, contract.path);
      for (const status of ['429', '503']) expect(responses[status].headers?.['Retry-After']?.schema, `${contract.operationId} ${status}`).toEqual({ type: 'integer', minimum: 0 });
      expect(responses['400']?.headers).toBeUndefined();
    }
  });

  it('SPEC §1 the convention headers are documented: If-Match where a stale one is a 412, Idempotency-Key and Idempotent-Replayed on authenticated POSTs, ETag on answers that carry a version', () => {
    const headerNames = (contract: (typeof allContracts)[number]) =>
      ((operation(contract.method, contract.path).parameters ?? []) as { in: string; name: string }[]).filter((parameter) => parameter.in === 'header').map((parameter) => parameter.name);

    for (const contract of allContracts) {
      const names = headerNames(contract);
      expect(names.includes('If-Match'), `${contract.operationId} If-Match`).toBe(contract.errorStatuses.includes(412));
      const idempotent = contract.method === 'POST' && contract.roles !== 'public' && !contract.secretResponse;
      expect(names.includes('Idempotency-Key'), `${contract.operationId} Idempotency-Key`).toBe(idempotent);
      if (idempotent) expect(operation(contract.method, contract.path).responses[String(contract.successStatus)].headers?.['Idempotent-Replayed']).toBeDefined();
    }
    expect(operation('PATCH', '/contacts/{id}').responses['200'].headers.ETag).toBeDefined();
    expect(operation('GET', '/settings/pipeline').responses['200'].headers.ETag).toBeDefined();
    expect(operation('GET', '/contacts').responses['200'].headers?.ETag).toBeUndefined();
  });

  it('R-LEAD-5 a conversion answers 201, or 200 once converted, and its contact, company and opportunity may be null', () => {
    const convert = operation('POST', '/leads/{id}/convert');
    const schemaRef = convert.responses['201'].content['application/json'].schema.$ref as string;
    const conversion = (document as any).components.schemas[schemaRef.split('/').pop()!];

    expect(convert.responses['200'].content['application/json'].schema.$ref).toBe(schemaRef);
    for (const field of ['contact', 'company', 'opportunity']) {
      expect(JSON.stringify(conversion.properties[field]), field).toContain('"type":"null"');
    }
  });
});
