import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';
import { idsOf, newestFirst, pathsOf } from '../support/fixtures.ts';

let api: TestApi;
let repA: { id: string; token: string };
let manager: { id: string; token: string };

beforeAll(async () => {
  api = await TestApi.start();
  [repA, manager] = await Promise.all([api.createUser('rep'), api.createUser('manager')]);
});
afterAll(() => api?.stop());

async function createCompany(body: Record<string, unknown>, token = api.adminToken) {
  const created = await api.post('/companies', body, { token });
  expect(created.status).toBe(201);
  return created.body as { id: string; [field: string]: unknown };
}

describe('R-CON-1 companies CRUD', () => {
  it('R-CON-1 a rep creates a company it owns: domain lower-cased or null, statuses none, tags normalised', async () => {
    const withDomain = await api.post('/companies', { name: 'ACME', domain: 'ACME.com', tags: [' VIP', 'vip', 'Lead '] }, { token: repA.token });
    const withoutDomain = await api.post('/companies', { name: 'Solo' }, { token: repA.token });
    const read = await api.get(`/companies/${withDomain.body.id}`, { token: repA.token });

    expect(withDomain.status).toBe(201);
    expect(withDomain.headers.get('etag')).toBe('"1"');
    expect(withDomain.body).toEqual({
      id: expect.any(String),
      version: 1,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      name: 'ACME',
      domain: 'acme.com',
      ownerId: repA.id,
      tags: ['VIP', 'Lead'],
      customFields: {},
      prospectStatus: 'none',
      customerStatus: 'none',
    });
    expect(withoutDomain.body).toMatchObject({ name: 'Solo', domain: null, tags: [] });
    expect(read.body).toEqual(withDomain.body);
  });

  it('R-CON-1 PATCH renames a company and clears its domain', async () => {
    const company = await createCompany({ name: 'Old Name', domain: 'old.com' }, repA.token);

    const patched = await api.patch(`/companies/${company.id}`, { name: 'New Name', domain: null }, { token: repA.token });

    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'New Name', domain: null, version: 2, ownerId: repA.id });
  });

  it('R-CON-1 a company with employees cannot be deleted (409); once they leave it can', async () => {
    const company = await createCompany({ name: 'Employer' }, repA.token);
    const employee = await api.post('/contacts', { lastName: 'Worker', companyId: company.id }, { token: repA.token });
    const before = await api.tableSnapshot();

    const refused = await api.delete(`/companies/${company.id}`, { token: repA.token });
    const afterRefusal = await api.tableSnapshot();
    await api.patch(`/contacts/${employee.body.id}`, { companyId: null }, { token: repA.token });
    const allowed = await api.delete(`/companies/${company.id}`, { token: repA.token });

    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('company_has_contacts');
    expect(afterRefusal).toEqual(before);
    expect(allowed.status).toBe(204);
  });

});

describe('R-CON-1 companies bad input and custom fields', () => {
  it('R-CON-1 unknown fields and invalid values are all listed', async () => {
    const before = await api.tableSnapshot();

    const answer = await api.post('/companies', { name: '', domain: 'not a domain', customerStatus: 'current' }, { token: repA.token });

    expect(answer.status).toBe(400);
    expect(pathsOf(answer)).toEqual(['customerStatus', 'domain', 'name']);
    expect(await api.tableSnapshot()).toEqual(before);
  });

  it('R-CON-1 company custom fields are checked against the company definitions and merged by PATCH', async () => {
    const defined = await api.post('/custom-fields', { entity: 'company', key: 'employees', label: 'Employees', type: 'number' });
    expect(defined.status).toBe(201);
    const before = await api.tableSnapshot();

    const refused = await api.post('/companies', { name: 'Bad', ownerId: ulid(), customFields: { employees: 'many', unknown: true } }, { token: manager.token });
    const afterRefusal = await api.tableSnapshot();
    const company = await createCompany({ name: 'Counted', customFields: { employees: 12 } }, repA.token);
    const patched = await api.patch(`/companies/${company.id}`, { customFields: { employees: null } }, { token: repA.token });

    expect(refused.status).toBe(400);
    expect(pathsOf(refused)).toEqual(['customFields.employees', 'customFields.unknown', 'ownerId']);
    expect(afterRefusal).toEqual(before);
    expect(company.customFields).toEqual({ employees: 12 });
    expect(patched.body.customFields).toEqual({});
  });
});

describe('R-CON-4 company filters', () => {
  let repC: { id: string; token: string };
  let repD: { id: string; token: string };
  const made: Record<string, string> = {};
  const marker = ulid().slice(-8).toLowerCase();

  beforeAll(async () => {
    [repC, repD] = await Promise.all([api.createUser('rep'), api.createUser('rep')]);
    made.k1 = (await createCompany({ name: `Northwind ${marker}`, domain: 'northwind.com', ownerId: repC.id, tags: ['Partner'] })).id;
    made.k2 = (await createCompany({ name: 'Contoso', domain: `contoso-${marker}.com`, ownerId: repC.id, tags: ['prospect'] })).id;
    made.k3 = (await createCompany({ name: 'Fabrikam', ownerId: repD.id, tags: ['PARTNER'] })).id;
  });

  const list = async (query: string, token = manager.token) => {
    const answer = await api.get(`/companies?${query}`, { token });
    expect(answer.status).toBe(200);
    return idsOf(answer);
  };
  const expected = (...names: string[]) => newestFirst(names.map((name) => made[name]!));

  it('R-CON-4 ownerId single and comma list', async () => {
    expect(await list(`ownerId=${repC.id}`)).toEqual(expected('k1', 'k2'));
    expect(await list(`ownerId=${repC.id},${repD.id}`)).toEqual(expected('k1', 'k2', 'k3'));
  });

  it('R-CON-4 tag case-insensitive and q over name and domain', async () => {
    expect(await list(`ownerId=${repC.id},${repD.id}&tag=partner`)).toEqual(expected('k1', 'k3'));
    expect(await list(`q=NORTHWIND ${marker}`)).toEqual(expected('k1'));
    expect(await list(`q=${marker}`)).toEqual(expected('k1', 'k2'));
    expect(await list(`ownerId=${repC.id}&prospectStatus=none&customerStatus=current`)).toEqual([]);
  });

  it('R-SHR-1 a rep lists only its own companies; naming another owner gives an empty page', async () => {
    expect(await list('tag=PARTNER', repC.token)).toEqual(expected('k1'));
    expect(await list(`ownerId=${repD.id}`, repC.token)).toEqual([]);
    expect(await list('', repD.token)).toEqual(expected('k3'));
  });

  it('R-CON-4 companies take no companyId filter', async () => {
    const answer = await api.get(`/companies?companyId=${made.k1}`, { token: manager.token });

    expect(answer.status).toBe(400);
    expect(pathsOf(answer)).toEqual(['query.companyId']);
  });
});
