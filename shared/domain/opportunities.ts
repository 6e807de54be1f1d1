import type * as z from 'zod';
import { opportunitiesInStage, opportunitiesOfCompany, opportunitiesOfContact, opportunitiesWithStatus, ownedBy } from '../db/keys.ts';
import type { FilterExpression } from '../db/store.ts';
import type { IndexName } from '../db/table-definition.ts';
import type { createOpportunityBody, Opportunity, OpportunityStatus, updateOpportunityBody } from '../schemas/opportunities.ts';
import type { Stage } from '../schemas/pipeline.ts';
import { seesEverything } from './access.ts';
import { FilterBuilder } from './filter-builder.ts';
import type { CustomFieldValues } from './custom-fields.ts';
import { normalizeTags, searchKey } from './tags.ts';
import { conflict, type FieldError, validationFailed } from './errors.ts';
import type { Principal } from './principal.ts';

/**
 * An opportunity as stored: its tags once more, lower-cased, so `?tag=` can match case-insensitively in a
 * server-side filter (`contains(tagKeys, :tag)`). Every write that changes `tags` goes through `withTags`.
 */
export type StoredOpportunity = Opportunity & { tagKeys: string[] };

type CreateOpportunityInput = z.output<typeof createOpportunityBody>;
type OpportunityPatch = z.output<typeof updateOpportunityBody>;
type MoneyInput = { amount: number; currency?: string | undefined };


export function withTags<T extends Opportunity>(opportunity: T, tags: readonly string[]): T & { tagKeys: string[] } {
  const normalized = normalizeTags(tags);
  return { ...opportunity, tags: normalized, tagKeys: normalized.map(searchKey) };
}

const storedMoney = (value: MoneyInput, defaultCurrency: string) => ({ amount: value.amount, currency: value.currency ?? defaultCurrency });

/** The stage a new opportunity starts in (R-OPP-1): the one asked for, else the pipeline's default stage. */
export const initialStageId = (body: Pick<CreateOpportunityInput, 'stageId'>, settings: { defaultStageId: string }) =>
  body.stageId ?? settings.defaultStageId;

export interface NewOpportunityFacts {
  ownerId: string;
  /** The stage named by `initialStageId`, read and checked to exist. */
  stage: Stage;
  /** The company of the contact named in the body, if any. */
  contactCompanyId: string | null;
  /** The body's custom fields, already checked against the definitions. */
  customFields: CustomFieldValues;
  defaultCurrency: string;
}

/** Every field of a new opportunity except id, version and timestamps (R-OPP-1). */
export function buildOpportunity(body: CreateOpportunityInput, facts: NewOpportunityFacts): Omit<StoredOpportunity, 'id' | 'version' | 'createdAt' | 'updatedAt'> {
  const contactId = body.contactId ?? null;
  // An opportunity of a company's employee also belongs to that company: copying the contact's company lets
  // the company-level status rules (R-CON-2) and the per-company duplicate check (R-OPP-2) find it by GSI4.
  const companyId = body.companyId ?? (contactId ? facts.contactCompanyId : null);
  const tags = normalizeTags(body.tags ?? []);
  return {
    title: body.title,
    contactId,
    companyId,
    ownerId: facts.ownerId,
    stageId: facts.stage.id,
    value: body.value ? storedMoney(body.value, facts.defaultCurrency) : null,
    probability: body.probability ?? facts.stage.probability,
    expectedCloseDate: body.expectedCloseDate ?? null,
    tags,
    tagKeys: tags.map(searchKey),
    customFields: facts.customFields,
    status: 'open',
    active: true,
    closedAt: null,
    winReasonIds: [],
    lostReasonId: null,
    closingNote: null,
    lostFromStageId: null,
    closedFromStageId: null,
    mergedIds: [],
  };
}

export interface PatchFacts {
  /** The stage named by the patch, read and checked to exist. */
  stage?: Stage;
  /** The company of the contact named by the patch, if it names one. */
  contactCompanyId?: string | null;
  /** The stored custom fields merged with the patch's, already checked. */
  customFields: CustomFieldValues;
  defaultCurrency: string;
}

/**
 * Applies a PATCH (R-OPP-1). A closed (won/lost) opportunity keeps its stage: moving it is what restore
 * (R-OPP-6) is for, so a stage change there is a 409 `opportunity_closed`.
 */
export function applyOpportunityPatch(current: StoredOpportunity, patch: OpportunityPatch, facts: PatchFacts): StoredOpportunity {
  const stageChanges = patch.stageId !== undefined && patch.stageId !== current.stageId;
  if (stageChanges && current.status !== 'open') {
    throw conflict('opportunity_closed', `The opportunity is ${current.status}; restore it before moving it to another stage`);
  }
  const next: StoredOpportunity = { ...current, customFields: facts.customFields };
  if (patch.title !== undefined) next.title = patch.title;
  if (patch.ownerId !== undefined) next.ownerId = patch.ownerId;
  if (patch.expectedCloseDate !== undefined) next.expectedCloseDate = patch.expectedCloseDate;
  if (patch.value !== undefined) next.value = patch.value === null ? null : storedMoney(patch.value, facts.defaultCurrency);
  if (patch.companyId !== undefined) next.companyId = patch.companyId;
  if (patch.contactId !== undefined) {
    next.contactId = patch.contactId;
    // Same rule as on creation: a company-less opportunity given an employee joins the employee's company.
    if (patch.companyId === undefined && next.companyId === null && patch.contactId !== null) next.companyId = facts.contactCompanyId ?? null;
  }
  if (stageChanges && facts.stage) {
    next.stageId = facts.stage.id;
    next.probability = facts.stage.probability;
  }
  if (patch.probability !== undefined) next.probability = patch.probability;
  return patch.tags !== undefined ? withTags(next, patch.tags) : next;
}

/** R-OPP-1: an opportunity always names a contact or a company. */
export function missingPartyErrors(opportunity: Pick<Opportunity, 'contactId' | 'companyId'>): FieldError[] {
  return opportunity.contactId || opportunity.companyId ? [] : [{ path: 'contactId', message: 'Give a contactId or a companyId' }];
}

export interface OpportunityListFilters {
  status?: OpportunityStatus[] | undefined;
  active?: boolean | undefined;
  ownerId?: string[] | undefined;
  stageId?: string[] | undefined;
  contactId?: string[] | undefined;
  companyId?: string[] | undefined;
  tag?: string[] | undefined;
  lostReasonId?: string[] | undefined;
  winReasonId?: string[] | undefined;
}

export interface ListingPlan {
  index: IndexName;
  partition: string;
  filter?: FilterExpression;
}

type KeyedBy = 'status' | 'ownerId' | 'contactId' | 'companyId' | 'stageId';

/**
 * Which index answers `GET /opportunities` and which conditions become a server-side filter (R-OPP-5, R-SHR-1).
 * Returns null when the caller can see nothing that matches (a rep asking for someone else's opportunities).
 *
 * - Status is part of the status (GSI1) and owner (GSI2) partitions, so a request names one status at a time
 *   (`open` when none is given; the other indexes filter on it). Without `status` and `active`, the listing is
 *   the open active pipeline.
 * - A rep reads its own partition, GSI2 owner+status: it sees only what it owns, and its pipeline is one Query.
 * - A manager or admin reads the narrowest partition the filters name with a single value: a contact's
 *   opportunities (GSI3), a company's (GSI4), a stage's (GSI5), an owner's for the status (GSI2); otherwise
 *   every opportunity of the status (GSI1).
 * - Whatever the partition does not already guarantee (comma lists, `active`, tags through the lower-cased
 *   `tagKeys`, reasons, status on the contact/company/stage indexes) is a FilterExpression on that Query.
 */
export function planOpportunityListing(principal: Principal, filters: OpportunityListFilters): ListingPlan | null {
  if (filters.status && filters.status.length > 1) {
    throw validationFailed([{ path: 'query.status', message: 'One status at a time: ask for open, won and lost separately' }]);
  }
  const status: OpportunityStatus = filters.status?.[0] ?? 'open';
  const active = filters.active ?? (filters.status === undefined ? true : undefined);

  const key = seesEverything(principal) ? keyForStaff(filters, status) : keyForRep(principal, filters, status);
  if (!key) return null;

  const filter = new FilterBuilder();
  if (!key.keyedBy.includes('status')) filter.isIn('status', [status]);
  if (active !== undefined) filter.isIn('active', [active]);
  for (const attribute of ['ownerId', 'contactId', 'companyId', 'stageId'] as const) {
    const wanted = filters[attribute];
    if (wanted && !key.keyedBy.includes(attribute)) filter.isIn(attribute, wanted);
  }
  if (filters.tag) filter.containsAny('tagKeys', filters.tag.map(searchKey));
  if (filters.lostReasonId) filter.isIn('lostReasonId', filters.lostReasonId);
  if (filters.winReasonId) filter.containsAny('winReasonIds', filters.winReasonId);
  const expression = filter.build();
  return { index: key.index, partition: key.partition, ...(expression ? { filter: expression } : {}) };
}

/**
 * The same conditions as `planOpportunityListing`, on a record already read: opportunities shared with a rep
 * come from its shared-with partition (BatchGet), where no FilterExpression applies (R-SHR-1).
 */
export function matchesOpportunityFilters(record: StoredOpportunity, filters: OpportunityListFilters): boolean {
  const status: OpportunityStatus = filters.status?.[0] ?? 'open';
  const active = filters.active ?? (filters.status === undefined ? true : undefined);
  const isIn = <V>(value: V, wanted: readonly V[] | undefined) => wanted === undefined || wanted.includes(value);
  const wantedTags = filters.tag?.map(searchKey);
  return (
    record.status === status &&
    (active === undefined || record.active === active) &&
    isIn(record.ownerId, filters.ownerId) &&
    isIn(record.stageId, filters.stageId) &&
    (filters.contactId === undefined || (record.contactId !== null && filters.contactId.includes(record.contactId))) &&
    (filters.companyId === undefined || (record.companyId !== null && filters.companyId.includes(record.companyId))) &&
    (wantedTags === undefined || wantedTags.some((tag) => record.tagKeys.includes(tag))) &&
    (filters.lostReasonId === undefined || (record.lostReasonId !== null && filters.lostReasonId.includes(record.lostReasonId))) &&
    (filters.winReasonId === undefined || filters.winReasonId.some((reason) => record.winReasonIds.includes(reason)))
  );
}

interface ListingKey {
  index: IndexName;
  partition: string;
  /** The filters this partition already satisfies. */
  keyedBy: KeyedBy[];
}

function keyForRep(principal: Principal, filters: OpportunityListFilters, status: OpportunityStatus): ListingKey | null {
  if (filters.ownerId && !filters.ownerId.includes(principal.userId)) return null;
  return { index: 'GSI2', partition: ownedBy(principal.userId, opportunitiesWithStatus(status)), keyedBy: ['status', 'ownerId'] };
}

function keyForStaff(filters: OpportunityListFilters, status: OpportunityStatus): ListingKey {
  const contactId = single(filters.contactId);
  if (contactId) return { index: 'GSI3', partition: opportunitiesOfContact(contactId), keyedBy: ['contactId'] };
  const companyId = single(filters.companyId);
  if (companyId) return { index: 'GSI4', partition: opportunitiesOfCompany(companyId), keyedBy: ['companyId'] };
  const stageId = single(filters.stageId);
  if (stageId) return { index: 'GSI5', partition: opportunitiesInStage(stageId), keyedBy: ['stageId'] };
  const ownerId = single(filters.ownerId);
  if (ownerId) return { index: 'GSI2', partition: ownedBy(ownerId, opportunitiesWithStatus(status)), keyedBy: ['status', 'ownerId'] };
  return { index: 'GSI1', partition: opportunitiesWithStatus(status), keyedBy: ['status'] };
}

const single = (values: string[] | undefined) => (values?.length === 1 ? values[0] : undefined);

