import * as z from 'zod';
import { booleanQuery, csv, customFieldValues, id, isoDate, isoDateTime, money, pageQuery, recordFields, storedMoney, tags } from './common.ts';

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
  })
  .meta({ id: 'Opportunity' });
export type Opportunity = z.infer<typeof opportunity>;

const title = z.string().trim().min(1).max(200);

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
});
