import type * as z from 'zod';
import type { BaseRecord } from './record.ts';
import type {
  Company,
  Contact,
  createCompanyBody,
  createContactBody,
  CustomerStatus,
  ProspectStatus,
  updateCompanyBody,
  updateContactBody,
} from '../schemas/contacts.ts';
import { seesEverything } from './access.ts';
import { containsAny, EMPTY, isIn, type Condition, type ListPlan } from './list-plan.ts';
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
  prospectStatus?: readonly ProspectStatus[];
  customerStatus?: readonly CustomerStatus[];
}

export interface ContactFilters extends PartyFilters {
  companyId?: readonly string[];
}

/** The contacts or companies a listing reads before its conditions: each one is an index partition (shared/db/access-patterns.ts). */
export type PartySource =
  | ({ collection: 'contacts' | 'companies' } & (
      | { pattern: 'all' }
      | { pattern: 'ownedBy'; ownerId: string }
      | { pattern: 'withProspectStatus'; status: ProspectStatus }
      | { pattern: 'withCustomerStatus'; status: CustomerStatus }
    ))
  | { collection: 'contacts'; pattern: 'employeesOf'; companyId: string };

export type PartyListPlan = ListPlan<PartySource>;

const unique = <T extends string>(values: readonly T[] | undefined) => (values ? [...new Set(values)] : undefined);

/**
 * R-CON-4 / R-SHR-1: the records come from the most selective source the filters allow, every other filter
 * becomes a condition. A rep always reads its own records, so it can never list someone else's. Staff: a
 * company's employees, an owner's records, the records of one prospect status or one customer status, else the
 * whole collection.
 */
function planPartyList(principal: Principal, filters: ContactFilters, collection: PartySource['collection']): PartyListPlan {
  const ownerIds = unique(filters.ownerId);
  const companyIds = unique(filters.companyId);
  const prospectStatuses = unique(filters.prospectStatus);
  const customerStatuses = unique(filters.customerStatus);
  const rest = { ...filters, ownerId: ownerIds, companyId: companyIds, prospectStatus: prospectStatuses, customerStatus: customerStatuses };
  const query = (by: PartySource, conditions: ContactFilters): PartyListPlan => ({ kind: 'query', by, filters: partyConditions(conditions) });
  if (!seesEverything(principal)) {
    if (ownerIds && !ownerIds.includes(principal.userId)) return EMPTY;
    return query({ collection, pattern: 'ownedBy', ownerId: principal.userId }, { ...rest, ownerId: undefined });
  }
  if (collection === 'contacts' && companyIds?.length === 1) return query({ collection, pattern: 'employeesOf', companyId: companyIds[0]! }, { ...rest, companyId: undefined });
  if (ownerIds?.length === 1) return query({ collection, pattern: 'ownedBy', ownerId: ownerIds[0]! }, { ...rest, ownerId: undefined });
  if (prospectStatuses?.length === 1) return query({ collection, pattern: 'withProspectStatus', status: prospectStatuses[0]! }, { ...rest, prospectStatus: undefined });
  if (customerStatuses?.length === 1) return query({ collection, pattern: 'withCustomerStatus', status: customerStatuses[0]! }, { ...rest, customerStatus: undefined });
  return query({ collection, pattern: 'all' }, rest);
}

export const planContactList = (principal: Principal, filters: ContactFilters) => planPartyList(principal, filters, 'contacts');

export const planCompanyList = (principal: Principal, filters: PartyFilters) => planPartyList(principal, filters, 'companies');

/**
 * The same conditions as `partyConditions`, on a record already read: contacts shared with a rep come from its
 * shared-with partition (BatchGet), where no server-side filter applies (R-SHR-1).
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

/** The filters as conditions that all hold: a comma list is "is in", a tag list "has any of" (case-insensitive), `q` a case-insensitive substring. */
export function partyConditions(filters: ContactFilters): Condition[] {
  return [
    ...isIn('ownerId', filters.ownerId),
    ...isIn('companyId', filters.companyId),
    ...isIn('prospectStatus', filters.prospectStatus),
    ...isIn('customerStatus', filters.customerStatus),
    ...containsAny('tagKeys', filters.tag?.map(searchKey)),
    ...containsAny('searchText', filters.q ? [searchKey(filters.q)] : undefined),
  ];
}
