import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';
import type { Role } from '../../shared/domain/principal.ts';

/**
 * R-SHR-1 (with R-OPP-9 and SPEC §1's "404, never reveal existence"): every role × the caller's relation to the
 * record (owns it, has it shared, neither) × list/get/patch/delete, for opportunities, contacts and companies.
 * Contacts and companies are shared the only way they can be: through an opportunity shared with the caller
 * (R-SHR-2); that opportunity is then deleted with the unshare switches off, so the party keeps its share and has
 * no opportunity left that would forbid its deletion.
 */

interface Caller {
  id: string;
  token: string;
}

type Relation = 'own' | 'shared' | 'other';
type Kind = 'opportunity' | 'contact' | 'company';

interface Expected {
  listed: boolean;
  get: number;
  patch: number;
  delete: number;
}

const SEES_AND_MANAGES: Expected = { listed: true, get: 200, patch: 200, delete: 204 };
const WORKS_ON_SHARED: Expected = { listed: true, get: 200, patch: 200, delete: 403 };
const SEES_NOTHING: Expected = { listed: false, get: 404, patch: 404, delete: 404 };

function expectedFor(role: Role, relation: Relation): Expected {
  if (role !== 'rep' || relation === 'own') return SEES_AND_MANAGES;
  return relation === 'shared' ? WORKS_ON_SHARED : SEES_NOTHING;
}

const paths: Record<Kind, { collection: string; change: Record<string, unknown> }> = {
  opportunity: { collection: '/opportunities', change: { title: 'Renamed' } },
  contact: { collection: '/contacts', change: { lastName: 'Renamed' } },
  company: { collection: '/companies', change: { name: 'Renamed' } },
};

let api: TestApi;
let otherOwner: Caller;
const callers = {} as Record<Role, Caller>;

const as = (caller: Caller) => ({ token: caller.token });

async function created(path: string, body: Record<string, unknown>, by: Caller): Promise<string> {
  const answer = await api.post(path, body, as(by));
  if (answer.status !== 201) throw new Error(`${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.id;
}

async function setUnsharing(on: boolean) {
  const { version: _version, createdAt: _createdAt, updatedAt: _updatedAt, ...document } = (await api.get('/settings/pipeline')).body;
  const sharing = { ...document.sharing, unshareContactWhenUnshared: on, unshareContactWhenUnassigned: on };
  const answer = await api.put('/settings/pipeline', { ...document, sharing });
  if (answer.status !== 200) throw new Error(`settings: ${answer.status}`);
}

/** A record of `kind` in the given relation to `caller`. */
async function recordFor(kind: Kind, caller: Caller, relation: Relation): Promise<string> {
  const owner = relation === 'own' ? caller : otherOwner;
  const companyId = await created('/companies', { name: 'Acme' }, owner);
  const contactId = await created('/contacts', { lastName: 'Rossi', companyId }, owner);
  if (kind === 'opportunity') {
    const opportunityId = await created('/opportunities', { title: 'Deal', contactId }, owner);
    if (relation === 'shared') await created(`/opportunities/${opportunityId}/shares`, { userId: caller.id }, owner);
    return opportunityId;
  }
  if (relation === 'shared') {
    const opportunityId = await created('/opportunities', { title: 'Deal', contactId }, owner);
    await created(`/opportunities/${opportunityId}/shares`, { userId: caller.id }, owner);
    await api.delete(`/opportunities/${opportunityId}`, as(owner));
    await api.post('/_local/settle');
  }
  if (kind === 'company') {
    // A company with an employee may not be deleted: the contact leaves it first (by staff, who see everything).
    await api.patch(`/contacts/${contactId}`, { companyId: null });
    return companyId;
  }
  return contactId;
}

beforeAll(async () => {
  api = await TestApi.start();
  const [admin, manager, rep, owner] = await Promise.all([api.createUser('admin'), api.createUser('manager'), api.createUser('rep'), api.createUser('rep')]);
  Object.assign(callers, { admin, manager, rep });
  otherOwner = owner;
  await setUnsharing(false);
});
afterAll(() => api?.stop());

const cases = (['opportunity', 'contact', 'company'] as const).flatMap((kind) =>
  (['admin', 'manager', 'rep'] as const).flatMap((role) => (['own', 'shared', 'other'] as const).map((relation) => [kind, role, relation] as const)),
);

describe('R-SHR-1 visibility matrix', () => {
  it.each(cases)('R-SHR-1 %s × %s × %s: list, get, patch, delete', async (kind, role, relation) => {
    const caller = callers[role];
    const id = await recordFor(kind, caller, relation);
    const { collection, change } = paths[kind];
    const expected = expectedFor(role, relation);

    const listed = (await api.get(`${collection}?limit=100`, as(caller))).body.items.some((item: { id: string }) => item.id === id);
    const read = await api.get(`${collection}/${id}`, as(caller));
    const patched = await api.patch(`${collection}/${id}`, change, as(caller));
    const deleted = await api.delete(`${collection}/${id}`, as(caller));

    expect({ listed, get: read.status, patch: patched.status, delete: deleted.status }).toEqual(expected);
    expect((await api.get(`${collection}/${id}`)).status).toBe(expected.delete === 204 ? 404 : 200);
  });
});
