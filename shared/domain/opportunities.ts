import type * as z from 'zod';
import type { createOpportunityBody, Opportunity, OpportunityStatus, updateOpportunityBody } from '../schemas/opportunities.ts';
import type { Stage } from '../schemas/pipeline.ts';
import { seesEverything } from './access.ts';
import { containsAny, EMPTY, isIn, type Condition, type ListPlan } from './list-plan.ts';
import type { CustomFieldValues } from './custom-fields.ts';
import { MAX_TAGS, normalizeTags, searchKey } from './tags.ts';
import { conflict, type FieldError } from './errors.ts';
import type { Principal } from './principal.ts';

/**
 * An opportunity as stored: its tags once more, lower-cased, so `?tag=` can match case-insensitively in a
 * server-side filter (`contains(tagKeys, :tag)`). Every write that changes `tags` goes through `withTags`.
 */
export type StoredOpportunity = Opportunity & { tagKeys: string[] };

type CreateOpportunityInput = z.output<typeof createOpportunityBody>;
type OpportunityPatch = z.output<typeof updateOpportunityBody>;
type MoneyInput = { amount: number; currency?: string | undefined };


/** Its tags normalized, at most MAX_TAGS, the first ones kept (a merge combines up to 10 deals' tags, the survivor's first). */
export function withTags<T extends Opportunity>(opportunity: T, tags: readonly string[]): T & { tagKeys: string[] } {
  const normalized = normalizeTags(tags).slice(0, MAX_TAGS);
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
  // the company-level status rules (R-CON-2) and the per-company duplicate check (R-OPP-2) find it among the company's opportunities.
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
 * R-OPP-3, R-OPP-4: an open deal does not sit in the win or loss stage (open at that column's 100% or 0%): it gets
 * there by being won or lost. A stage named on creation or by a PATCH that is one of them is a 400 on `stageId`.
 */
export function closingStageErrors(stageId: string | undefined, settings: { winStageId: string | null; lossStageId: string | null }, path = 'stageId'): FieldError[] {
  if (stageId === undefined || (stageId !== settings.winStageId && stageId !== settings.lossStageId)) return [];
  const [stage, verb, route] = stageId === settings.winStageId ? ['win', 'winning', 'won'] : ['loss', 'losing', 'lost'];
  return [{ path, message: `The ${stage} stage is reached by ${verb} the deal (POST /opportunities/{id}/${route})` }];
}

/**
 * Applies a PATCH (R-OPP-1). A closed (won/lost) opportunity keeps its stage and its probability (100 or 0 by
 * R-OPP-3/4): changing them is what restore (R-OPP-6) is for, so such a change is a 409 `opportunity_closed`.
 */
export function applyOpportunityPatch(current: StoredOpportunity, patch: OpportunityPatch, facts: PatchFacts): StoredOpportunity {
  const stageChanges = patch.stageId !== undefined && patch.stageId !== current.stageId;
  const probabilityChanges = patch.probability !== undefined && patch.probability !== current.probability;
  if ((stageChanges || probabilityChanges) && current.status !== 'open') {
    throw conflict('opportunity_closed', `The opportunity is ${current.status}; restore it before changing its ${stageChanges ? 'stage' : 'probability'}`);
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

/** The opportunities a listing reads before its conditions: each one is an index partition (shared/db/access-patterns.ts). */
export type OpportunitySource =
  | { pattern: 'withStatus'; status: OpportunityStatus }
  | { pattern: 'ownedBy'; ownerId: string; status: OpportunityStatus }
  | { pattern: 'ofContact'; contactId: string }
  | { pattern: 'ofCompany'; companyId: string }
  | { pattern: 'inStage'; stageId: string };

/** One source, or one per status asked for where the status is part of the source (read together, newest first). */
export type OpportunityListPlan = ListPlan<readonly OpportunitySource[]>;

type KeyedBy = 'status' | 'ownerId' | 'contactId' | 'companyId' | 'stageId';

/**
 * Which opportunities `GET /opportunities` reads and which conditions they must then meet (R-OPP-5, R-SHR-1).
 * Empty when the caller can see nothing that matches (a rep asking for someone else's opportunities).
 *
 * - Status is part of the status and owner sources: `status=won,lost` reads one such partition per status, merged
 *   newest first (`open` when none is given; the other sources are conditioned on it). Without `status` and
 *   `active`, the listing is the open active pipeline.
 * - A rep reads its own opportunities of the status: it sees only what it owns, and its pipeline is one Query.
 * - A manager or admin reads the narrowest source the filters name with a single value: a contact's
 *   opportunities, a company's, a stage's, an owner's of the status; otherwise every opportunity of the status.
 * - Whatever the source does not already guarantee (comma lists, `active`, tags through the lower-cased
 *   `tagKeys`, reasons, status on the contact/company/stage sources) is a condition (a server-side filter).
 */
export function planOpportunityListing(principal: Principal, filters: OpportunityListFilters): OpportunityListPlan {
  const statuses = statusesOf(filters);
  const active = filters.active ?? (filters.status === undefined ? true : undefined);

  const source = seesEverything(principal) ? sourceForStaff(filters, statuses) : sourceForRep(principal, filters, statuses);
  if (!source) return EMPTY;

  const conditions: Condition[] = [];
  if (!source.keyedBy.includes('status')) conditions.push(...isIn('status', statuses));
  if (active !== undefined) conditions.push(...isIn('active', [active]));
  for (const field of ['ownerId', 'contactId', 'companyId', 'stageId'] as const) {
    if (!source.keyedBy.includes(field)) conditions.push(...isIn(field, filters[field]));
  }
  conditions.push(...containsAny('tagKeys', filters.tag?.map(searchKey)), ...isIn('lostReasonId', filters.lostReasonId), ...containsAny('winReasonIds', filters.winReasonId));
  return { kind: 'query', by: source.by, filters: conditions };
}

/**
 * The same conditions as `planOpportunityListing`, on a record already read: opportunities shared with a rep
 * come from its shared-with partition (BatchGet), where no server-side filter applies (R-SHR-1).
 */
export function matchesOpportunityFilters(record: StoredOpportunity, filters: OpportunityListFilters): boolean {
  const active = filters.active ?? (filters.status === undefined ? true : undefined);
  const isIn = <V>(value: V, wanted: readonly V[] | undefined) => wanted === undefined || wanted.includes(value);
  const wantedTags = filters.tag?.map(searchKey);
  return (
    statusesOf(filters).includes(record.status) &&
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

/** The statuses a listing asks for, each once (`open` when none is given). */
const statusesOf = (filters: OpportunityListFilters): OpportunityStatus[] => [...new Set<OpportunityStatus>(filters.status ?? ['open'])];

interface ChosenSource {
  by: readonly OpportunitySource[];
  /** The filters this source already satisfies. */
  keyedBy: KeyedBy[];
}

function sourceForRep(principal: Principal, filters: OpportunityListFilters, statuses: readonly OpportunityStatus[]): ChosenSource | null {
  if (filters.ownerId && !filters.ownerId.includes(principal.userId)) return null;
  return { by: statuses.map((status) => ({ pattern: 'ownedBy', ownerId: principal.userId, status })), keyedBy: ['status', 'ownerId'] };
}

function sourceForStaff(filters: OpportunityListFilters, statuses: readonly OpportunityStatus[]): ChosenSource {
  const contactId = single(filters.contactId);
  if (contactId) return { by: [{ pattern: 'ofContact', contactId }], keyedBy: ['contactId'] };
  const companyId = single(filters.companyId);
  if (companyId) return { by: [{ pattern: 'ofCompany', companyId }], keyedBy: ['companyId'] };
  const stageId = single(filters.stageId);
  if (stageId) return { by: [{ pattern: 'inStage', stageId }], keyedBy: ['stageId'] };
  const ownerId = single(filters.ownerId);
  if (ownerId) return { by: statuses.map((status) => ({ pattern: 'ownedBy', ownerId, status })), keyedBy: ['status', 'ownerId'] };
  return { by: statuses.map((status) => ({ pattern: 'withStatus', status })), keyedBy: ['status'] };
}

const single = (values: string[] | undefined) => (values?.length === 1 ? values[0] : undefined);

