import { describe, expect, it } from 'vitest';
import {
  contactNameErrors,
  mayCreateFor,
  newCompanyFields,
  newContactFields,
  partyConditions,
  patchCompany,
  patchContact,
  planCompanyList,
  planContactList,
} from '../../shared/domain/parties.ts';
import type { Company, Contact } from '../../shared/schemas/contacts.ts';
import type { Principal } from '../../shared/domain/principal.ts';

const rep: Principal = { userId: '01HZREP0000000000000000000', role: 'rep' };
const otherRep = '01HZOTHER00000000000000000';
const manager: Principal = { userId: '01HZMANAGER000000000000000', role: 'manager' };
const admin: Principal = { userId: '01HZADMIN00000000000000000', role: 'admin' };
const companyA = '01HZCOMPANYA00000000000000';
const companyB = '01HZCOMPANYB00000000000000';

const stamp = { id: '01HZCONTACT000000000000000', version: 3, createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-02T00:00:00.000Z' };

const storedContact = (): Contact => ({
  ...stamp,
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@example.com',
  phone: null,
  companyId: companyA,
  ownerId: rep.userId,
  tags: ['VIP'],
  customFields: { size: 10, color: 'red' },
  prospectStatus: 'current',
  customerStatus: 'none',
});

describe('R-CON-1 building contacts and companies', () => {
  it('R-CON-1 a new contact stores missing fields as null, statuses none, normalised tags and folded search keys', () => {
    const fields = newContactFields({ lastName: 'Hopper', email: 'Grace@Navy.mil', tags: [' VIP', 'vip', 'Lead '] }, rep.userId, { size: 3 });

    expect(fields).toEqual({
      firstName: null,
      lastName: 'Hopper',
      email: 'Grace@Navy.mil',
      phone: null,
      companyId: null,
      ownerId: rep.userId,
      tags: ['VIP', 'Lead'],
      customFields: { size: 3 },
      prospectStatus: 'none',
      customerStatus: 'none',
      tagKeys: ['vip', 'lead'],
      searchText: 'hopper grace@navy.mil',
    });
  });

  it('R-CON-1 a new company has a null domain when none is given and searches its name and domain', () => {
    const withDomain = newCompanyFields({ name: 'ACME Corp', domain: 'acme.com', tags: ['Big'] }, rep.userId, {});
    const withoutDomain = newCompanyFields({ name: 'Solo' }, rep.userId, {});

    expect(withDomain).toMatchObject({ name: 'ACME Corp', domain: 'acme.com', tagKeys: ['big'], searchText: 'acme corp acme.com', prospectStatus: 'none', customerStatus: 'none' });
    expect(withoutDomain).toMatchObject({ domain: null, tags: [], tagKeys: [], searchText: 'solo' });
  });

  it('R-CON-1 a PATCH changes only the named fields, null clears one, and the search keys follow', () => {
    const current = { ...storedContact(), tagKeys: ['vip'], searchText: 'ada lovelace ada@example.com' };

    const next = patchContact(current, { email: null, phone: '+39 02 1234', tags: ['Lead', 'LEAD'] }, { size: 11 });

    expect(next).toEqual({
      ...storedContact(),
      email: null,
      phone: '+39 02 1234',
      tags: ['Lead'],
      customFields: { size: 11 },
      tagKeys: ['lead'],
      searchText: 'ada lovelace +39 02 1234',
    });
  });

  it('R-CON-1 a PATCH without tags keeps them, and one moving the contact changes company and owner', () => {
    const next = patchContact(storedContact(), { companyId: companyB, ownerId: otherRep }, storedContact().customFields);

    expect(next).toMatchObject({ tags: ['VIP'], companyId: companyB, ownerId: otherRep, firstName: 'Ada', version: 3 });
  });

  it('R-CON-1 a company PATCH renames it and clears its domain', () => {
    const current: Company = { ...stamp, name: 'Old', domain: 'old.com', ownerId: rep.userId, tags: [], customFields: {}, prospectStatus: 'none', customerStatus: 'none' };

    expect(patchCompany(current, { name: 'New', domain: null }, {})).toMatchObject({ name: 'New', domain: null, searchText: 'new' });
  });

  it('R-CON-1 a contact must keep a first or a last name', () => {
    expect(contactNameErrors({ firstName: null, lastName: null })).toEqual([{ path: 'lastName', message: 'A contact needs a first or a last name' }]);
    expect(contactNameErrors({ firstName: 'Ada', lastName: null })).toEqual([]);
  });

  it('R-SHR-1 a rep creates only for itself; managers and admins for anyone', () => {
    expect(mayCreateFor(rep, rep.userId)).toBe(true);
    expect(mayCreateFor(rep, otherRep)).toBe(false);
    expect(mayCreateFor(manager, otherRep)).toBe(true);
    expect(mayCreateFor(admin, otherRep)).toBe(true);
  });
});

describe('R-CON-4 list planning', () => {
  const query = (by: object, filters: object[] = []) => ({ kind: 'query', by, filters });

  it('R-SHR-1 a rep always reads its own records', () => {
    expect(planContactList(rep, {})).toEqual(query({ collection: 'contacts', pattern: 'ownedBy', ownerId: rep.userId }));
    expect(planCompanyList(rep, {})).toEqual(query({ collection: 'companies', pattern: 'ownedBy', ownerId: rep.userId }));
  });

  it('R-SHR-1 a rep filtering on someone else gets an empty page; on itself among others, its own records', () => {
    expect(planContactList(rep, { ownerId: [otherRep] })).toEqual({ kind: 'empty' });
    expect(planContactList(rep, { ownerId: [otherRep, rep.userId] })).toEqual(query({ collection: 'contacts', pattern: 'ownedBy', ownerId: rep.userId }));
  });

  it('R-CON-4 a rep filtering on one company keeps its own records and filters by company', () => {
    expect(planContactList(rep, { companyId: [companyA] })).toEqual(
      query({ collection: 'contacts', pattern: 'ownedBy', ownerId: rep.userId }, [{ field: 'companyId', in: [companyA] }]),
    );
  });

  it('R-CON-4 a manager without filters reads the whole collection', () => {
    expect(planContactList(manager, {})).toEqual(query({ collection: 'contacts', pattern: 'all' }));
    expect(planCompanyList(admin, {})).toEqual(query({ collection: 'companies', pattern: 'all' }));
  });

  it('R-CON-4 one company is served by its employees, the owner then filtered', () => {
    expect(planContactList(manager, { companyId: [companyA], ownerId: [otherRep] })).toEqual(
      query({ collection: 'contacts', pattern: 'employeesOf', companyId: companyA }, [{ field: 'ownerId', in: [otherRep] }]),
    );
  });

  it("R-CON-4 one owner is served by the owner's records; a repeated value still counts as one", () => {
    expect(planContactList(admin, { ownerId: [otherRep, otherRep] })).toEqual(query({ collection: 'contacts', pattern: 'ownedBy', ownerId: otherRep }));
    expect(planCompanyList(manager, { ownerId: [otherRep] })).toEqual(query({ collection: 'companies', pattern: 'ownedBy', ownerId: otherRep }));
  });

  it('R-CON-4 several companies and owners read the collection with "is in" filters', () => {
    expect(planContactList(manager, { companyId: [companyA, companyB], ownerId: [rep.userId, otherRep] })).toEqual(
      query({ collection: 'contacts', pattern: 'all' }, [
        { field: 'ownerId', in: [rep.userId, otherRep] },
        { field: 'companyId', in: [companyA, companyB] },
      ]),
    );
  });
});

describe('R-CON-4 filter conditions', () => {
  it('R-CON-4 no filter means no condition', () => {
    expect(partyConditions({})).toEqual([]);
  });

  it('R-CON-4 tags match any of the folded values, text is a folded substring, statuses are "is in"', () => {
    expect(partyConditions({ tag: ['VIP', ' vip', 'Lead'], q: ' LoVe ', prospectStatus: ['current', 'lost'], customerStatus: ['past'] })).toEqual([
      { field: 'prospectStatus', in: ['current', 'lost'] },
      { field: 'customerStatus', in: ['past'] },
      { field: 'tagKeys', containsAny: ['vip', 'lead'] },
      { field: 'searchText', containsAny: ['love'] },
    ]);
  });

  it('R-CON-4 a single tag is one folded value', () => {
    expect(partyConditions({ tag: ['Vip'] })).toEqual([{ field: 'tagKeys', containsAny: ['vip'] }]);
  });
});
