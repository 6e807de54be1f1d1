import * as z from 'zod';
import { booleanQuery, csv, customFieldValues, id, isoDate, isoDateTime, money, pageQuery, problem, recordFields, singleLine, storedMoney, tags } from './common.ts';
import { searchText } from './search.ts';
import { companySummary, contactSummary, embedded, stageSummary, userSummary } from './expand.ts';
import { HISTORY_FIELDS, HISTORY_KINDS } from '../domain/opportunity-history.ts';

export const OPPORTUNITY_STATUSES = ['open', 'won', 'lost'] as const;
export type OpportunityStatus = (typeof OPPORTUNITY_STATUSES)[number];

export const opportunity = z
  .object({
    ...recordFields,
    title: z.string(),
    contactId: id.nullable(),
    companyId: id.nullable(),
    ownerId: id,
    stageId: id,
    value: storedMoney.nullable(),
    probability: z.int(),
    expectedCloseDate: isoDate.nullable(),
    tags: z.array(z.string()),
    customFields: customFieldValues,
    status: z.enum(OPPORTUNITY_STATUSES),
    active: z.boolean(),
    closedAt: isoDateTime.nullable(),
    winReasonIds: z.array(id),
    lostReasonId: id.nullable(),
    closingNote: z.string().nullable(),
    /** Stage the opportunity was in when it was lost, for restore (R-OPP-6). */
    lostFromStageId: id.nullable(),
    /** Stage the opportunity was in when it was won or lost, for restore (R-OPP-6). */
    closedFromStageId: id.nullable(),
    /** Every opportunity ever merged into this one (R-OPP-8): their notes and history are read with its own. */
    mergedIds: z.array(id),
  })
  .meta({ id: 'Opportunity' });
export type Opportunity = z.infer<typeof opportunity>;

const title = singleLine(200);

export const createOpportunityBody = z
  .strictObject({
    title,
    contactId: id.optional(),
    companyId: id.optional(),
    ownerId: id.optional(),
    stageId: id.optional(),
    value: money.optional(),
    probability: z.int().min(0).max(100).optional(),
    expectedCloseDate: isoDate.optional(),
    tags: tags.optional(),
    customFields: customFieldValues.optional(),
    /** R-OPP-2: admins and managers may knowingly create a second open opportunity for a contact. */
    allowDuplicate: z.boolean().optional(),
  })
  .refine((value) => value.contactId || value.companyId, {
    path: ['contactId'],
    message: 'Give a contactId or a companyId',
  })
  .meta({ id: 'CreateOpportunity' });

export const updateOpportunityBody = z
  .strictObject({
    title: title.optional(),
    contactId: id.nullable().optional(),
    companyId: id.nullable().optional(),
    ownerId: id.optional(),
    stageId: id.optional(),
    value: money.nullable().optional(),
    probability: z.int().min(0).max(100).optional(),
    expectedCloseDate: isoDate.nullable().optional(),
    tags: tags.optional(),
    customFields: customFieldValues.optional(),
    allowDuplicate: z.boolean().optional().describe('Admins and managers: move it to a contact (or into an active stage) despite R-OPP-2'),
  })
  .meta({ id: 'UpdateOpportunity' });

export const opportunityListQuery = z.strictObject({
  ...pageQuery,
  status: csv(z.enum(OPPORTUNITY_STATUSES)).optional(),
  active: booleanQuery.optional(),
  ownerId: csv(id).optional(),
  stageId: csv(id).optional(),
  contactId: csv(id).optional(),
  companyId: csv(id).optional(),
  tag: csv(z.string().min(1).max(50)).optional(),
  lostReasonId: csv(id).optional(),
  winReasonId: csv(id).optional(),
  /** Issue 14: words of the title, each matching the start of a word (see README "Search"). */
  q: searchText.optional(),
});

/** R-OPP-3: the won answer tells the client whether to ask about a post-sale process (R-PS-2 sets more than `none`). */
export const wonOpportunity = opportunity.extend({ postSale: z.enum(['none', 'ask', 'created', 'exists']) }).meta({ id: 'WonOpportunity' });

const closingNote = z.string().trim().min(1).max(2000);
const MAX_WIN_REASONS = 10;

export const wonBody = z
  .strictObject({
    winReasonIds: z.array(id).max(MAX_WIN_REASONS).optional(),
    closingNote: closingNote.optional(),
    /** R-PS-2: the template of the post-sale process, when the winner's preference creates one (else the default). */
    postSaleTemplateId: id.optional(),
  })
  .meta({ id: 'MarkWon' });

/**
 * R-OPP-4 (and R-LEAD-6): an existing loss reason by id, or a typed-in one that is reused or created; not both.
 */
export const lostBody = z
  .strictObject({
    lostReasonId: id.optional(),
    lostReason: singleLine(200).optional(),
    closingNote: closingNote.optional(),
  })
  .refine((value) => value.lostReasonId === undefined || value.lostReason === undefined, {
    path: ['lostReason'],
    message: 'Give lostReasonId or lostReason, not both',
  })
  .meta({ id: 'MarkLost' });

const uniqueIds = (ids: readonly string[]) => new Set(ids).size === ids.length;

/**
 * R-OPP-6 / R-LEAD-6 bulk restore: 1 to 100 ids. Each id is only bounded here (a non-empty string of at most
 * BULK_ID_MAX_LENGTH characters): one that is not a ULID is answered in its own result as an unknown id (404), and a
 * repeated id is restored once and answered like its first occurrence, so one bad id does not stop the others.
 */
export const BULK_ID_MAX_LENGTH = 100;
export const bulkRestoreBody = z
  .strictObject({
    ids: z
      .array(z.string().min(1).max(BULK_ID_MAX_LENGTH))
      .min(1)
      .max(100)
      .meta({ description: 'Ids to restore, in the order of the results. An id that is not a ULID gets a 404 result like an unknown one; a repeated id is restored once and each repeat gets the same result.' }),
  })
  .meta({ id: 'BulkRestore' });

export const bulkRestoreResult = z
  .object({ results: z.array(z.object({ id: z.string(), ok: z.boolean(), error: problem.optional() })) })
  .meta({ id: 'BulkRestoreResult' });
export type BulkRestoreResult = z.infer<typeof bulkRestoreResult>;

/** R-OPP-8: 2 to 10 distinct ids; the target, when given, is one of them. */
export const mergeBody = z
  .strictObject({
    ids: z.array(id).min(2).max(10).refine(uniqueIds, 'Ids must be distinct'),
    targetId: id.optional(),
  })
  .refine((value) => value.targetId === undefined || value.ids.includes(value.targetId), {
    path: ['targetId'],
    message: 'Must be one of ids',
  })
  .meta({ id: 'MergeOpportunities' });

const historyValue = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]);
export const historyChange = z.object({ field: z.enum(HISTORY_FIELDS), from: historyValue, to: historyValue });
export type HistoryChange = z.infer<typeof historyChange>;

/**
 * One entry of an opportunity's history (R-OPP-10). `opportunityId` is the opportunity the change happened to:
 * after a merge (R-OPP-8) the survivor's history also lists the entries of the ones merged into it.
 */
export const opportunityHistoryEntry = z
  .object({
    id,
    opportunityId: id,
    at: isoDateTime,
    actorId: id,
    kind: z.enum(HISTORY_KINDS),
    changes: z.array(historyChange),
  })
  .meta({ id: 'OpportunityHistoryEntry' });
export type OpportunityHistoryEntry = z.infer<typeof opportunityHistoryEntry>;

export const createNoteBody = z.strictObject({ body: z.string().trim().min(1).max(10_000) }).meta({ id: 'CreateNote' });

export const opportunityNote = z
  .object({ id, opportunityId: id, body: z.string(), authorId: id, createdAt: isoDateTime })
  .meta({ id: 'OpportunityNote' });
export type OpportunityNote = z.infer<typeof opportunityNote>;

/** An opportunity with the relations `?expand=` embeds (SPEC §1 "Related records", shared/schemas/expand.ts). */
export const expandedOpportunity = opportunity
  .extend({
    contact: embedded(contactSummary).describe('With expand=contact: its contact, null when none or not visible to the caller'),
    company: embedded(companySummary).describe('With expand=company: its company, null when none or not visible to the caller'),
    owner: embedded(userSummary).describe('With expand=owner'),
    stage: embedded(stageSummary).describe('With expand=stage'),
  })
  .meta({ id: 'ExpandedOpportunity' });
