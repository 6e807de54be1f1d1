import * as z from 'zod';
import { booleanQuery, csv, customFieldValues, email, id, isoDate, isoDateTime, pageQuery, phone, recordFields, singleLine, tags } from './common.ts';
import { searchText } from './search.ts';
import { company, contact } from './contacts.ts';
import { opportunity } from './opportunities.ts';
import { embedded, leadStatusSummary, userSummary } from './expand.ts';

export const LEAD_STATUS_TYPES = ['open', 'frozen', 'qualified', 'not_interested', 'abandoned'] as const;
export type LeadStatusType = (typeof LEAD_STATUS_TYPES)[number];

/** R-LEAD-1 */
export const leadStatus = z
  .object({
    ...recordFields,
    name: z.string(),
    order: z.int(),
    active: z.boolean(),
    /** Calendar days in the status before the lead is overdue; 0 = never notify. */
    expiryDays: z.int(),
    type: z.enum(LEAD_STATUS_TYPES),
    isDefault: z.boolean(),
  })
  .meta({ id: 'LeadStatus' });
export type LeadStatus = z.infer<typeof leadStatus>;

/** R-LEAD-2 */
export const lead = z
  .object({
    ...recordFields,
    name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    companyName: z.string().nullable(),
    source: z.string().nullable(),
    ownerId: id,
    statusId: id,
    /** When the lead entered its current status: the start of its overdue clock (R-LEAD-3). */
    statusEnteredAt: isoDateTime,
    tags: z.array(z.string()),
    customFields: customFieldValues,
    /** Set when the lead was concluded (R-LEAD-4): its progress has ended. */
    concludedAt: isoDateTime.nullable(),
    /** R-LEAD-6 */
    lost: z.boolean(),
    lostReasonId: id.nullable(),
    closingNote: z.string().nullable(),
    lostAt: isoDateTime.nullable(),
    /** R-LEAD-5: what the lead became. */
    convertedTo: z
      .object({ contactId: id.nullable(), companyId: id.nullable(), opportunityId: id.nullable() })
      .nullable(),
  })
  .meta({ id: 'Lead' });
export type Lead = z.infer<typeof lead>;

/** R-LEAD-1 */
const leadStatusFields = {
  name: singleLine(100),
  order: z.int().min(0).max(9999),
  active: z.boolean(),
  expiryDays: z.int().min(0).max(365),
  type: z.enum(LEAD_STATUS_TYPES),
  isDefault: z.boolean(),
};

/** Only the name is required: a new status is active, open, never notified and not the default unless said. */
export const createLeadStatusBody = z
  .strictObject({
    name: leadStatusFields.name,
    /** Without an order the status goes after the last one. */
    order: leadStatusFields.order.optional(),
    active: leadStatusFields.active.default(true),
    expiryDays: leadStatusFields.expiryDays.default(0),
    type: leadStatusFields.type.default('open'),
    isDefault: leadStatusFields.isDefault.default(false),
  })
  .meta({ id: 'CreateLeadStatus' });
export type CreateLeadStatusInput = z.output<typeof createLeadStatusBody>;

export const updateLeadStatusBody = z.strictObject(leadStatusFields).partial().meta({ id: 'UpdateLeadStatus' });
export type LeadStatusChange = z.output<typeof updateLeadStatusBody>;

export const leadStatusListQuery = z.strictObject({ ...pageQuery, active: booleanQuery.optional() });

const leadInputFields = {
  /** At most 100 characters, so that the first and last names of a contact converted from it fit (R-LEAD-5). */
  name: singleLine(100),
  email: email.nullable().optional(),
  phone: phone.nullable().optional(),
  companyName: singleLine(200).nullable().optional(),
  source: singleLine(100).nullable().optional(),
  ownerId: id.optional(),
  tags: tags.optional(),
  customFields: customFieldValues.optional(),
};

/** The status is chosen on creation only; afterwards it moves through status, conclude, lost and restore. */
export const createLeadBody = z.strictObject({ ...leadInputFields, statusId: id.optional() }).meta({ id: 'CreateLead' });
export type CreateLeadInput = z.output<typeof createLeadBody>;

export const updateLeadBody = z.strictObject(leadInputFields).partial().meta({ id: 'UpdateLead' });
export type LeadChange = z.output<typeof updateLeadBody>;

export const moveLeadStatusBody = z.strictObject({ statusId: id }).meta({ id: 'MoveLeadStatus' });

/** R-LEAD-4: the concluding status, of type qualified or not_interested. */
export const concludeLeadBody = z.strictObject({ statusId: id }).meta({ id: 'ConcludeLead' });

/** R-LEAD-5 */
export const CONVERSION_TARGETS = ['contact', 'company'] as const;
export type ConversionTarget = (typeof CONVERSION_TARGETS)[number];
export const convertLeadBody = z
  .strictObject({
    into: z.enum(CONVERSION_TARGETS),
    createOpportunity: z.strictObject({ title: singleLine(200), stageId: id.optional() }).optional(),
  })
  .meta({ id: 'ConvertLead' });
export type ConvertLeadInput = z.output<typeof convertLeadBody>;

/** R-LEAD-3 */
export const overdue = z
  .object({
    /** First calendar day (recap time zone) on which the lead is overdue. */
    dueDate: isoDate,
    /** Whole days since the due date: 0 on that day. */
    daysOverdue: z.int().min(0),
  })
  .meta({ id: 'Overdue' });

/** A lead as listed: with `overdue=true` each one says since when it is overdue. */
export const leadListItem = lead.extend({ overdue: overdue.optional() }).meta({ id: 'LeadListItem' });

export const leadListQuery = z.strictObject({
  ...pageQuery,
  /** Only `true`: the leads overdue now, in status order, longest overdue first within a status. */
  overdue: z
    .enum(['true'], 'Only overdue=true is supported')
    .transform(() => true as const)
    .optional(),
  /** Lost leads are listed apart: false (the default) lists the others. */
  lost: booleanQuery.optional(),
  statusId: csv(id).optional(),
  ownerId: csv(id).optional(),
  lostReasonId: csv(id).optional(),
  tag: csv(z.string().min(1).max(50)).optional(),
  q: searchText.optional(),
});
export type LeadListQuery = z.output<typeof leadListQuery>;

/** R-LEAD-2 history: every creation, move, reassignment, conclusion, conversion, loss and restore. */
export const LEAD_HISTORY_KINDS = ['created', 'moved', 'reassigned', 'concluded', 'converted', 'lost', 'restored'] as const;
export type LeadHistoryKind = (typeof LEAD_HISTORY_KINDS)[number];

export const LEAD_HISTORY_FIELDS = [
  'statusId',
  'statusEnteredAt',
  'ownerId',
  'concludedAt',
  'lost',
  'lostReasonId',
  'closingNote',
  'convertedTo.contactId',
  'convertedTo.companyId',
  'convertedTo.opportunityId',
] as const;
export type LeadHistoryField = (typeof LEAD_HISTORY_FIELDS)[number];

const leadHistoryValue = z.union([z.string(), z.boolean(), z.null()]);
export const leadHistoryChange = z.object({ field: z.enum(LEAD_HISTORY_FIELDS), from: leadHistoryValue, to: leadHistoryValue });
export type LeadHistoryChange = z.infer<typeof leadHistoryChange>;

export const leadHistoryEntry = z
  .object({ id, at: isoDateTime, actorId: id, kind: z.enum(LEAD_HISTORY_KINDS), changes: z.array(leadHistoryChange) })
  .meta({ id: 'LeadHistoryEntry' });
export type LeadHistoryEntry = z.infer<typeof leadHistoryEntry>;

export const leadHistoryQuery = z.strictObject(pageQuery);

/** R-LEAD-5: the lead and the records it became (null where the conversion made none, or one was deleted since). */
export const leadConversion = z
  .object({ lead, contact: contact.nullable(), company: company.nullable(), opportunity: opportunity.nullable() })
  .meta({ id: 'LeadConversion' });

/** The relations `?expand=` embeds in a lead (SPEC §1 "Related records", shared/schemas/expand.ts). */
const leadRelations = {
  owner: embedded(userSummary).describe('With expand=owner'),
  status: embedded(leadStatusSummary).describe('With expand=status'),
};
export const expandedLead = lead.extend(leadRelations).meta({ id: 'ExpandedLead' });
export const expandedLeadListItem = leadListItem.extend(leadRelations).meta({ id: 'ExpandedLeadListItem' });
