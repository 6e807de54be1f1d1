import type { BaseRecord } from './record.ts';
import type { CustomFieldDefinition } from '../schemas/custom-fields.ts';
import type {
  ConversionTarget,
  CreateLeadInput,
  CreateLeadStatusInput,
  Lead,
  LeadChange,
  LeadHistoryChange,
  LeadHistoryKind,
  LeadStatus,
  LeadStatusType,
} from '../schemas/leads.ts';
import { seesEverything } from './access.ts';
import { applyCustomFields, type CustomFieldValues } from './custom-fields.ts';
import { containsAny, EMPTY, isIn, type Condition, type ListPlan } from './list-plan.ts';
import type { CompanyInput, ContactInput } from './parties.ts';
import { missingReasonError } from './reasons.ts';
import { normalizeTags, searchKey } from './tags.ts';
import { conflict, type DomainError, type FieldError, throwIfInvalid, validationFailed } from './errors.ts';
import type { Principal } from './principal.ts';

/** Leads and lead statuses (SPEC R-LEAD-1..6): building, moving, concluding, converting, losing and listing them, without I/O. */

type Fields<T> = Omit<T, keyof BaseRecord>;

// ---------------------------------------------------------------------------------------------------------------
// Lead statuses (R-LEAD-1)

/** The types a lead is worked through: it is created in, and moved between, statuses of these types. */
export const PROGRESS_TYPES: readonly LeadStatusType[] = ['open', 'frozen', 'abandoned'];
/** R-LEAD-4: the types that end a lead's progress; a lead reaches them only by being concluded. */
export const CONCLUDING_TYPES: readonly LeadStatusType[] = ['qualified', 'not_interested'];
/** New leads start in the default status: one where work starts (open) or waits (frozen). */
export const DEFAULT_STATUS_TYPES: readonly LeadStatusType[] = ['open', 'frozen'];

const MAX_ORDER = 9999;
const ORDER_STEP = 10;

export const defaultStatusOf = (statuses: readonly LeadStatus[]) => statuses.find((status) => status.isDefault);

/** A new status without an order goes after the last one. */
export const nextStatusOrder = (statuses: readonly LeadStatus[]) => Math.min(MAX_ORDER, Math.max(0, ...statuses.map((status) => status.order)) + ORDER_STEP);

/**
 * R-LEAD-1 exactly one default status, always active and of a type a lead starts in.
 * - The current default cannot stop being the default, be deactivated or change to another type of status
 *   (409 `default_lead_status`): another status is made the default instead, which takes the flag over.
 * - A status becoming the default while inactive or of another type is a request that contradicts itself (400).
 */
export function checkDefaultStatusRules(current: LeadStatus | undefined, next: Fields<LeadStatus>): void {
  if (current?.isDefault) {
    if (!next.isDefault) throw conflict('default_lead_status', 'New leads start in this status; make another status the default instead');
    if (!next.active || !DEFAULT_STATUS_TYPES.includes(next.type)) {
      throw conflict('default_lead_status', 'The default status stays active and of type open or frozen; make another status the default first');
    }
    return;
  }
  if (next.isDefault && (!next.active || !DEFAULT_STATUS_TYPES.includes(next.type))) {
    throwIfInvalid([{ path: 'isDefault', message: 'Only an active status of type open or frozen can be the default' }]);
  }
}

export function buildLeadStatus(input: CreateLeadStatusInput, statuses: readonly LeadStatus[]): Fields<LeadStatus> {
  const fields = { ...input, order: input.order ?? nextStatusOrder(statuses) };
  checkDefaultStatusRules(undefined, fields);
  return fields;
}

/** The status that stops being the default when `next` becomes it; both change in one transaction. */
export const replacedDefault = (statuses: readonly LeadStatus[], next: LeadStatus): LeadStatus | undefined =>
  next.isDefault ? statuses.find((status) => status.isDefault && status.id !== next.id) : undefined;

export const withoutDefault = (status: LeadStatus, now: string): LeadStatus => ({ ...status, isDefault: false, version: status.version + 1, updatedAt: now });

export function checkStatusDeletable(status: LeadStatus): void {
  if (status.isDefault) throw conflict('default_lead_status', 'New leads start in this status; make another status the default before deleting it');
}

function statusChoiceErrors(status: LeadStatus | undefined, types: readonly LeadStatusType[], wrongType: string): FieldError[] {
  if (!status) return [{ path: 'statusId', message: 'No such lead status' }];
  if (!status.active) return [{ path: 'statusId', message: 'This lead status is inactive and cannot be chosen' }];
  if (!types.includes(status.type)) return [{ path: 'statusId', message: wrongType }];
  return [];
}

/** A status a lead is created in or moved to (R-LEAD-2): active, and not one that concludes it. */
export const progressStatusErrors = (status: LeadStatus | undefined) =>
  statusChoiceErrors(status, PROGRESS_TYPES, 'A qualified or not-interested status is reached by concluding the lead');

/** R-LEAD-4: the status a lead is concluded with: active, of type qualified or not_interested. */
export const concludingStatusErrors = (status: LeadStatus | undefined) =>
  statusChoiceErrors(status, CONCLUDING_TYPES, 'Conclude with a status of type qualified or not_interested');

// ---------------------------------------------------------------------------------------------------------------
// Leads (R-LEAD-2)

/**
 * Lower-cased copies the list filters match on (DynamoDB compares strings case-sensitively), stored with the
 * lead and never answered.
 */
export interface LeadSearchKeys {
  tagKeys: string[];
  searchText: string;
}

export type StoredLead = Lead & LeadSearchKeys;


export function withLeadSearchKeys<T extends Fields<Lead>>(lead: T): T & LeadSearchKeys {
  const parts = [lead.name, lead.email, lead.phone, lead.companyName].filter((part): part is string => Boolean(part));
  return { ...lead, tagKeys: lead.tags.map(searchKey), searchText: parts.map(searchKey).join(' ') };
}

export interface NewLeadFacts {
  ownerId: string;
  statusId: string;
  /** The body's custom fields, already checked against the definitions. */
  customFields: CustomFieldValues;
  now: string;
}

export function newLeadFields(input: CreateLeadInput, facts: NewLeadFacts): Fields<StoredLead> {
  return withLeadSearchKeys({
    name: input.name,
    email: input.email ?? null,
    phone: input.phone ?? null,
    companyName: input.companyName ?? null,
    source: input.source ?? null,
    ownerId: facts.ownerId,
    statusId: facts.statusId,
    statusEnteredAt: facts.now,
    tags: normalizeTags(input.tags ?? []),
    customFields: facts.customFields,
    concludedAt: null,
    lost: false,
    lostReasonId: null,
    closingNote: null,
    lostAt: null,
    convertedTo: null,
  });
}

/** A PATCH: an absent field keeps its value, `null` clears an optional one; `customFields` are the merged values. */
export function patchLead<T extends StoredLead>(current: T, change: Omit<LeadChange, 'customFields'>, customFields: CustomFieldValues): T {
  const named = Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined)) as Omit<LeadChange, 'customFields'>;
  const { tags, ...fields } = named;
  return withLeadSearchKeys({ ...current, ...fields, tags: tags ? normalizeTags(tags) : current.tags, customFields });
}

// ---------------------------------------------------------------------------------------------------------------
// History and transitions (R-LEAD-2, R-LEAD-4, R-LEAD-5, R-LEAD-6)

/** A history entry before it gets its id, time and actor. */
export interface LeadHistoryDraft {
  kind: LeadHistoryKind;
  changes: LeadHistoryChange[];
}

/** A lead after a transition, with what its history records about it. */
export interface LeadTransition {
  lead: StoredLead;
  entry: LeadHistoryDraft;
}

export const creationEntry = (lead: Pick<Lead, 'statusId' | 'ownerId'>): LeadHistoryDraft => ({
  kind: 'created',
  changes: [
    { field: 'statusId', from: null, to: lead.statusId },
    { field: 'ownerId', from: null, to: lead.ownerId },
  ],
});

export const reassignmentEntry = (current: Pick<Lead, 'ownerId'>, next: Pick<Lead, 'ownerId'>): LeadHistoryDraft | undefined =>
  current.ownerId === next.ownerId ? undefined : { kind: 'reassigned', changes: [{ field: 'ownerId', from: current.ownerId, to: next.ownerId }] };

const leadLost = () => conflict('lead_lost', 'The lead is lost; restore it first');
const leadConcluded = () => conflict('lead_concluded', 'The lead is concluded; its status no longer changes');

/**
 * R-LEAD-2 `POST /leads/{id}/status`: the lead enters the status now (its overdue clock restarts, R-LEAD-3).
 * Moving a lead to the status it is in changes nothing (undefined), so its clock keeps running. A lost lead is
 * restored first, a concluded one stays where it was concluded (409).
 */
export function moveToStatus(current: StoredLead, status: LeadStatus | undefined, now: string): LeadTransition | undefined {
  throwIfInvalid(progressStatusErrors(status));
  if (current.lost) throw leadLost();
  if (current.concludedAt) throw leadConcluded();
  if (current.statusId === status!.id) return undefined;
  return {
    lead: { ...current, statusId: status!.id, statusEnteredAt: now },
    entry: { kind: 'moved', changes: [{ field: 'statusId', from: current.statusId, to: status!.id }] },
  };
}

/**
 * R-LEAD-4: the lead ends its progress in a qualified or not-interested status (leaving the in-progress index).
 * Concluding again with the status it was concluded with changes nothing (undefined); with another one it is a 409.
 */
export function concludeLead(current: StoredLead, status: LeadStatus | undefined, now: string): LeadTransition | undefined {
  throwIfInvalid(concludingStatusErrors(status));
  if (current.lost) throw leadLost();
  if (current.concludedAt) {
    if (current.statusId === status!.id) return undefined;
    throw leadConcluded();
  }
  const moves = current.statusId !== status!.id;
  return {
    lead: { ...current, statusId: status!.id, statusEnteredAt: moves ? now : current.statusEnteredAt, concludedAt: now },
    entry: {
      kind: 'concluded',
      changes: [
        ...(moves ? [{ field: 'statusId' as const, from: current.statusId, to: status!.id }] : []),
        { field: 'concludedAt', from: null, to: now },
      ],
    },
  };
}

/**
 * Why the lead cannot be converted (R-LEAD-5), checked after a lead already converted is answered as it is:
 * a lost lead is restored first; only a lead in a qualified status converts.
 */
export function conversionRefusal(lead: Lead, status: LeadStatus | undefined): DomainError | undefined {
  if (lead.lost) return leadLost();
  if (status?.type !== 'qualified') return conflict('lead_not_qualified', 'Only a lead in a qualified status can be converted; conclude it as qualified first');
  return undefined;
}

/**
 * R-LEAD-5: converting again answers the records the lead became when they are what the body asks for (a retry);
 * a body asking for something the conversion did not make (the other kind of record, or an opportunity it was
 * converted without) is a 409 `already_converted` naming what it became, rather than a 200 that silently ignores it.
 */
export function reconversionRefusal(done: ConvertedTo, body: { into: ConversionTarget; createOpportunity?: unknown }): DomainError | undefined {
  const into: ConversionTarget = done.contactId ? 'contact' : 'company';
  if (body.into !== into) return conflict('already_converted', `This lead was converted into a ${into} already`, { convertedTo: done });
  if (body.createOpportunity && !done.opportunityId) {
    return conflict('already_converted', 'This lead was converted without an opportunity; create one with POST /opportunities', { convertedTo: done });
  }
  return undefined;
}

/**
 * A person's name as first and last name: the first word is the first name, the rest the last name
 * ("Maria De Luca" → Maria / De Luca); a single word is a last name, which a contact needs at least.
 */
export function splitPersonName(name: string): { firstName: string | null; lastName: string } {
  const [first, ...rest] = name.trim().split(/\s+/);
  return rest.length === 0 ? { firstName: null, lastName: first! } : { firstName: first!, lastName: rest.join(' ') };
}

/**
 * The lead's custom field values that the target entity defines too (same key) and accepts as they are;
 * the others stay on the lead only.
 */
export function carriedCustomFields(values: CustomFieldValues, definitions: readonly CustomFieldDefinition[]): CustomFieldValues {
  const carried: CustomFieldValues = {};
  for (const [key, value] of Object.entries(values)) {
    const applied = applyCustomFields({}, { [key]: value }, definitions);
    if (applied.errors.length === 0) Object.assign(carried, applied.values);
  }
  return carried;
}

export type ConversionInput = { into: 'contact'; contact: ContactInput } | { into: 'company'; company: CompanyInput };

/**
 * What the lead becomes (R-LEAD-5), owned by the lead's owner with its tags. A contact takes the name split in
 * two, the email and the phone; the company name stays on the lead (no company is created for it). A company is
 * named after the lead's company name, else the lead's name.
 */
export function conversionInput(lead: Lead, into: ConversionTarget, customFields: CustomFieldValues): ConversionInput {
  const common = { ownerId: lead.ownerId, tags: lead.tags, customFields };
  if (into === 'company') return { into, company: { ...common, name: lead.companyName ?? lead.name } };
  return { into, contact: { ...common, ...splitPersonName(lead.name), email: lead.email, phone: lead.phone } };
}

export interface ConvertedTo {
  contactId: string | null;
  companyId: string | null;
  opportunityId: string | null;
}

/** R-LEAD-5: the lead links what it became, and is concluded if it was not yet (a qualified status set by an admin). */
export function convertLead(current: StoredLead, convertedTo: ConvertedTo, now: string): LeadTransition {
  const changes: LeadHistoryChange[] = [
    { field: 'convertedTo.contactId', from: null, to: convertedTo.contactId },
    { field: 'convertedTo.companyId', from: null, to: convertedTo.companyId },
    { field: 'convertedTo.opportunityId', from: null, to: convertedTo.opportunityId },
  ];
  if (!current.concludedAt) changes.push({ field: 'concludedAt', from: null, to: now });
  return {
    lead: { ...current, convertedTo, concludedAt: current.concludedAt ?? now },
    entry: { kind: 'converted', changes: changes.filter((change) => change.to !== null) },
  };
}

export interface Loss {
  lostReasonId: string | null;
  closingNote: string | null;
}

/**
 * R-LEAD-6 (with R-OPP-4's rules): a lost lead leaves the in-progress index; `requireLossReason` applies. A
 * converted lead has become something else and cannot be lost.
 */
export function markLeadLost(current: StoredLead, loss: Loss, rules: { requireLossReason: boolean }, now: string): LeadTransition {
  const missing = missingReasonError(rules.requireLossReason, loss.lostReasonId !== null, 'lostReasonId', 'loss');
  if (missing) throw validationFailed([missing]);
  if (current.lost) throw conflict('already_lost', 'The lead is already lost');
  if (current.convertedTo) throw conflict('lead_converted', 'The lead was converted; it can no longer be lost');
  return {
    lead: { ...current, lost: true, lostReasonId: loss.lostReasonId, closingNote: loss.closingNote, lostAt: now },
    entry: {
      kind: 'lost',
      changes: [
        { field: 'lost', from: false, to: true },
        ...(loss.lostReasonId ? [{ field: 'lostReasonId' as const, from: null, to: loss.lostReasonId }] : []),
        ...(loss.closingNote ? [{ field: 'closingNote' as const, from: null, to: loss.closingNote }] : []),
      ],
    },
  };
}

/**
 * R-LEAD-6 restore: the lead is back in its status with reason and note cleared (the history keeps them), and
 * its overdue clock starts again: a restored lead is worked from now on, not overdue for the time it was lost.
 */
export function restoreLead(current: StoredLead, now: string): LeadTransition {
  if (!current.lost) throw conflict('lead_not_lost', 'Only a lost lead can be restored');
  return {
    lead: { ...current, lost: false, lostReasonId: null, closingNote: null, lostAt: null, statusEnteredAt: now },
    entry: {
      kind: 'restored',
      changes: [
        { field: 'lost', from: true, to: false },
        ...(current.lostReasonId ? [{ field: 'lostReasonId' as const, from: current.lostReasonId, to: null }] : []),
        ...(current.closingNote ? [{ field: 'closingNote' as const, from: current.closingNote, to: null }] : []),
        { field: 'statusEnteredAt', from: current.statusEnteredAt, to: now },
      ],
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Listing (R-LEAD-3, R-LEAD-6, R-SHR-1 owner case)

export interface LeadListFilters {
  overdue?: true | undefined;
  lost?: boolean | undefined;
  statusId?: readonly string[] | undefined;
  ownerId?: readonly string[] | undefined;
  lostReasonId?: readonly string[] | undefined;
  tag?: readonly string[] | undefined;
  q?: string | undefined;
}

/** The leads a listing reads before its conditions: each one is an index partition (shared/db/access-patterns.ts). */
export type LeadSource = { pattern: 'all'; lost: boolean } | { pattern: 'ownedBy'; ownerId: string; lost: boolean } | { pattern: 'withStatus'; statusId: string };

/**
 * How `GET /leads` is read: the leads of one source that meet the conditions; the overdue leads of the statuses
 * that can be overdue (see shared/db/overdue-leads.ts) that meet them; or nothing at all.
 */
export type LeadListPlan = ListPlan<LeadSource> | { kind: 'overdue'; statusIds?: string[]; filters: Condition[] };

const unique = (values: readonly string[] | undefined) => (values ? [...new Set(values)] : undefined);
const single = (values: readonly string[] | undefined) => (values?.length === 1 ? values[0] : undefined);

/**
 * - Lost leads are listed apart (`lost=true`); without `lost`, a `lostReasonId` filter lists lost leads, else the
 *   others are listed.
 * - A rep reads its own leads (lost or not), so it never lists another's; an `ownerId` filter naming only others
 *   is an empty page.
 * - A manager or admin reads the narrowest source a single-valued filter names: a status's leads (`lost` then a
 *   condition), an owner's; otherwise all leads, lost or not.
 * - `overdue=true` reads the leads in progress per status (never lost ones: `lost=true` or a reason is empty).
 * Every other filter is a condition.
 */
export function planLeadList(principal: Principal, filters: LeadListFilters): LeadListPlan {
  const lost = filters.lost ?? filters.lostReasonId !== undefined;
  const ownerIds = unique(filters.ownerId);
  const statusIds = unique(filters.statusId);
  if (!seesEverything(principal) && ownerIds && !ownerIds.includes(principal.userId)) return EMPTY;
  // A rep sees only its own leads, whatever else it names.
  const visibleOwnerIds = seesEverything(principal) ? ownerIds : [principal.userId];

  if (filters.overdue) {
    if (lost) return EMPTY;
    return { kind: 'overdue', ...(statusIds ? { statusIds } : {}), filters: leadConditions({ ownerId: visibleOwnerIds, tag: filters.tag, q: filters.q }) };
  }

  const rest: LeadFilterValues = { ownerId: visibleOwnerIds, statusId: statusIds, lostReasonId: unique(filters.lostReasonId), tag: filters.tag, q: filters.q };
  const statusId = single(statusIds);
  const ownerId = single(visibleOwnerIds);
  if (!seesEverything(principal) || ownerId) {
    return query({ pattern: 'ownedBy', ownerId: ownerId!, lost }, { ...rest, ownerId: undefined });
  }
  if (statusId) return query({ pattern: 'withStatus', statusId }, { ...rest, statusId: undefined, lost });
  return query({ pattern: 'all', lost }, rest);
}

const query = (by: LeadSource, values: LeadFilterValues): LeadListPlan => ({ kind: 'query', by, filters: leadConditions(values) });

export interface LeadFilterValues {
  ownerId?: readonly string[] | undefined;
  statusId?: readonly string[] | undefined;
  lostReasonId?: readonly string[] | undefined;
  lost?: boolean | undefined;
  tag?: readonly string[] | undefined;
  q?: string | undefined;
}

/**
 * The filters as conditions that all hold (a list is "is in", tags "has any of", `q` a case-insensitive substring
 * of name, email, phone or company name).
 */
export function leadConditions(values: LeadFilterValues): Condition[] {
  return [
    ...isIn('ownerId', values.ownerId),
    ...isIn('statusId', values.statusId),
    ...isIn('lostReasonId', values.lostReasonId),
    ...isIn('lost', values.lost === undefined ? undefined : [values.lost]),
    ...containsAny('tagKeys', values.tag?.map(searchKey)),
    ...containsAny('searchText', values.q ? [searchKey(values.q)] : undefined),
  ];
}
