import * as z from 'zod';
import { customFieldValues, id, isoDateTime, recordFields } from './common.ts';

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
