import type * as z from 'zod';
import { COLLECTIONS, employeesOf, ownedBy, withCustomerStatus, withProspectStatus } from '../db/keys.ts';
import type { BaseRecord } from './record.ts';
import type { FilterExpression } from '../db/store.ts';
import type { IndexName } from '../db/table-definition.ts';
import type {
  Company,
  Contact,
  createCompanyBody,
  createContactBody,
  CUSTOMER_STATUSES,
  PROSPECT_STATUSES,
  updateCompanyBody,
  updateContactBody,
} from '../schemas/contacts.ts';
import { seesEverything } from './access.ts';
import { FilterBuilder } from './filter-builder.ts';
import type { CustomFieldValues } from './custom-fields.ts';
import { normalizeTags, searchKey } from './tags.ts';
import type { FieldError } from './errors.ts';
import type { Principal } from './principal.ts';

/** Contacts and companies ("parties", SPEC §3): building, changing and listing them, without I/O. */

type Fields<T> = Omit<T, keyof BaseRecord>;

export type ContactInput = z.output<typeof createContactBody>;
export type ContactChange = Omit<z.output<typeof updateContactBody>, 'customFields'>;
export type CompanyInput = z.output<typeof createCompanyBody>;
export type CompanyChange = Omit<z.output<typeof updateCompanyBody>, 'customFields'>;

/**
 * Lower-cased copies the list filters match on (R-CON-4): DynamoDB compares strings case-sensitively, so
 * case-insensitive tag and text filters need folded values stored with the record. Never answered.
 */
export interface PartySearchKeys {
  tagKeys: string[];
  searchText: string;
}


const searchTextOf = (parts: readonly (string | null)[]) =>
  parts
    .filter((part): part is string => Boolean(part))
    .map(searchKey)
    .join(' ');

export function withContactSearchKeys<T extends Fields<Contact>>(contact: T): T & PartySearchKeys {
  return {
    ...contact,
    tagKeys: contact.tags.map(searchKey),
    searchText: searchTextOf([contact.firstName, contact.lastName, contact.email, contact.phone]),
  };
}

export function withCompanySearchKeys<T extends Fields<Company>>(company: T): T & PartySearchKeys {
  return { ...company, tagKeys: company.tags.map(searchKey), searchText: searchTextOf([company.name, company.domain]) };
}

/** A rep creates records only for itself; managers and admins for anyone (R-SHR-1 owner case). */
export const mayCreateFor = (principal: Principal, ownerId: string) => seesEverything(principal) || ownerId === principal.userId;

/** A new contact: missing optional fields are null, statuses start at `none` (kept by the system, R-CON-2). */
export function newContactFields(input: ContactInput, ownerId: string, customFields: CustomFieldValues): Fields<Contact> & PartySearchKeys {
  return withContactSearchKeys({
    firstName: input.firstName ?? null,
    lastName: input.lastName ?? null,
    email: input.email ?? null,
    phone: input.phone ?? null,
    companyId: input.companyId ?? null,
    ownerId,
    tags: normalizeTags(input.tags ?? []),
    customFields,
    prospectStatus: 'none',
    customerStatus: 'none',
  });
}

export function newCompanyFields(input: CompanyInput, ownerId: string, customFields: CustomFieldValues): Fields<Company> & PartySearchKeys {
  return withCompanySearchKeys({
    name: input.name,
    domain: input.domain ?? null,
    ownerId,
    tags: normalizeTags(input.tags ?? []),
    customFields,
    prospectStatus: 'none',
    customerStatus: 'none',
  });
}

/** The fields a PATCH names; an absent field keeps its value, `null` clears it. */
function namedFields<T extends object>(change: T): Partial<T> {
  return Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** A PATCH of a contact; `customFields` are the already merged values (see applyCustomFields). */
export function patchContact<T extends Contact>(current: T, change: ContactChange, customFields: CustomFieldValues): T & PartySearchKeys {
  const { tags, ...fields } = namedFields(change);
  return withContactSearchKeys({ ...current, ...fields, tags: tags ? normalizeTags(tags) : current.tags, customFields });
}

export function patchCompany<T extends Company>(current: T, change: CompanyChange, customFields: CustomFieldValues): T & PartySearchKeys {
  const { tags, ...fields } = namedFields(change);
  return withCompanySearchKeys({ ...current, ...fields, tags: tags ? normalizeTags(tags) : current.tags, customFields });
}

/** The create body demands a name; a PATCH clearing both names must be refused the same way. */
export const contactNameErrors = (contact: Pick<Contact, 'firstName' | 'lastName'>): FieldError[] =>
  contact.firstName || contact.lastName ? [] : [{ path: 'lastName', message: 'A contact needs a first or a last name' }];

export interface PartyFilters {
  ownerId?: readonly string[];
  tag?: readonly string[];
  q?: string;
  prospectStatus?: readonly (typeof PROSPECT_STATUSES)[number][];
  customerStatus?: readonly (typeof CUSTOMER_STATUSES)[number][];
}

export interface ContactFilters extends PartyFilters {
  companyId?: readonly string[];
}

/** How a list is read: a Query on one index partition plus a server-side filter, or nothing at all. */
export type ListPlan = { kind: 'empty' } | { kind: 'query'; index: IndexName; partition: string; filter?: FilterExpression };

const unique = <T extends string>(values: readonly T[] | undefined) => (values ? [...new Set(values)] : undefined);

/**
 * R-CON-4 / R-SHR-1: the key condition comes from the most selective index the filters allow, every other
 * filter becomes a FilterExpression. A rep always reads its own partition, so it can never list someone else's.
 * Staff: a company's employees (GSI3), an owner's records (GSI2), the records of one prospect status (GSI4) or
 * one customer status (GSI5), else the whole collection (GSI1).
 */
function planPartyList(principal: Principal, filters: ContactFilters, collection: string, byCompany: boolean): ListPlan {
  const ownerIds = unique(filters.ownerId);
  const companyIds = unique(filters.companyId);
  const prospectStatuses = unique(filters.prospectStatus);
  const customerStatuses = unique(filters.customerStatus);
  const rest = { ...filters, ownerId: ownerIds, companyId: companyIds, prospectStatus: prospectStatuses, customerStatus: customerStatuses };
  if (!seesEverything(principal)) {
    if (ownerIds && !ownerIds.includes(principal.userId)) return { kind: 'empty' };
    return query('GSI2', ownedBy(principal.userId, collection), { ...rest, ownerId: undefined });
  }
  if (byCompany && companyIds?.length === 1) return query('GSI3', employeesOf(companyIds[0]!), { ...rest, companyId: undefined });
  if (ownerIds?.length === 1) return query('GSI2', ownedBy(ownerIds[0]!, collection), { ...rest, ownerId: undefined });
  if (prospectStatuses?.length === 1) return query('GSI4', withProspectStatus(collection, prospectStatuses[0]!), { ...rest, prospectStatus: undefined });
  if (customerStatuses?.length === 1) return query('GSI5', withCustomerStatus(collection, customerStatuses[0]!), { ...rest, customerStatus: undefined });
  return query('GSI1', collection, rest);
}

function query(index: IndexName, partition: string, filters: ContactFilters): ListPlan {
  const filter = partyFilterExpression(filters);
  return filter ? { kind: 'query', index, partition, filter } : { kind: 'query', index, partition };
}

export const planContactList = (principal: Principal, filters: ContactFilters) => planPartyList(principal, filters, COLLECTIONS.contacts, true);

export const planCompanyList = (principal: Principal, filters: PartyFilters) => planPartyList(principal, filters, COLLECTIONS.companies, false);

/**
 * The same conditions as `partyFilterExpression`, on a record already read: contacts shared with a rep come from
 * its shared-with partition (BatchGet), where no FilterExpression applies (R-SHR-1).
 */
export function matchesPartyFilters(
  record: { ownerId: string; companyId?: string | null; prospectStatus: string; customerStatus: string } & PartySearchKeys,
  filters: ContactFilters,
): boolean {
  const isIn = (value: string | null | undefined, wanted: readonly string[] | undefined) =>
    !wanted || wanted.length === 0 || (value !== null && value !== undefined && wanted.includes(value));
  return (
    isIn(record.ownerId, filters.ownerId) &&
    isIn(record.companyId, filters.companyId) &&
    isIn(record.prospectStatus, filters.prospectStatus) &&
    isIn(record.customerStatus, filters.customerStatus) &&
    (!filters.tag || filters.tag.length === 0 || filters.tag.some((tag) => record.tagKeys.includes(searchKey(tag)))) &&
    (!filters.q || record.searchText.includes(searchKey(filters.q)))
  );
}

/**
 * The filters as one DynamoDB FilterExpression (AND of each filter; a comma list is "is in", a tag list is
 * "has any of"). Placeholders never clash with the key condition's `#pk` / `:pk`.
 */
export function partyFilterExpression(filters: ContactFilters): FilterExpression | undefined {
  return new FilterBuilder()
    .isIn('ownerId', filters.ownerId)
    .isIn('companyId', filters.companyId)
    .isIn('prospectStatus', filters.prospectStatus)
    .isIn('customerStatus', filters.customerStatus)
    .containsAny('tagKeys', filters.tag?.map(searchKey))
    .containsAny('searchText', filters.q ? [searchKey(filters.q)] : undefined)
    .build();
}
