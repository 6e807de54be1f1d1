import * as z from 'zod';
import { csv, customFieldValues, email, id, pageQuery, phone, recordFields, singleLine, tags } from './common.ts';
import { searchText } from './search.ts';
import { companySummary, embedded, userSummary } from './expand.ts';

export const PROSPECT_STATUSES = ['current', 'lost', 'none'] as const;
export const CUSTOMER_STATUSES = ['current', 'past', 'none'] as const;
export type ProspectStatus = (typeof PROSPECT_STATUSES)[number];
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];

/** Kept by the system from the opportunities (R-CON-2); never set through create or update bodies. */
const statusFields = {
  prospectStatus: z.enum(PROSPECT_STATUSES),
  customerStatus: z.enum(CUSTOMER_STATUSES),
};

export const contact = z
  .object({
    ...recordFields,
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    companyId: id.nullable(),
    ownerId: id,
    tags: z.array(z.string()),
    customFields: customFieldValues,
    ...statusFields,
  })
  .meta({ id: 'Contact' });
export type Contact = z.infer<typeof contact>;

const name = singleLine(100);

const contactInputFields = {
  firstName: name.nullable().optional(),
  lastName: name.nullable().optional(),
  email: email.nullable().optional(),
  phone: phone.nullable().optional(),
  companyId: id.nullable().optional(),
  ownerId: id.optional(),
  tags: tags.optional(),
  customFields: customFieldValues.optional(),
};

const needsAName = (value: { firstName?: string | null; lastName?: string | null }) => Boolean(value.firstName || value.lastName);

export const createContactBody = z
  .strictObject(contactInputFields)
  .refine(needsAName, { path: ['lastName'], message: 'A contact needs a first or a last name' })
  .meta({ id: 'CreateContact' });
export const updateContactBody = z.strictObject(contactInputFields).meta({ id: 'UpdateContact' });

export const company = z
  .object({
    ...recordFields,
    name: z.string(),
    domain: z.string().nullable(),
    ownerId: id,
    tags: z.array(z.string()),
    customFields: customFieldValues,
    ...statusFields,
  })
  .meta({ id: 'Company' });
export type Company = z.infer<typeof company>;

const companyInputFields = {
  name: singleLine(200),
  domain: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^(?=.{1,253}$)([a-z0-9](-*[a-z0-9])*\.)+[a-z]{2,63}$/, 'A domain name such as example.com')
    .nullable()
    .optional(),
  ownerId: id.optional(),
  tags: tags.optional(),
  customFields: customFieldValues.optional(),
};
export const createCompanyBody = z.strictObject(companyInputFields).meta({ id: 'CreateCompany' });
export const updateCompanyBody = z.strictObject(companyInputFields).partial().meta({ id: 'UpdateCompany' });

/** R-CON-4 filters shared by /contacts and /companies. */
export const partyListQuery = {
  ...pageQuery,
  ownerId: csv(id).optional(),
  tag: csv(z.string().min(1).max(50)).optional(),
  q: searchText.optional(),
  prospectStatus: csv(z.enum(PROSPECT_STATUSES)).optional(),
  customerStatus: csv(z.enum(CUSTOMER_STATUSES)).optional(),
};
export const contactListQuery = z.strictObject({ ...partyListQuery, companyId: csv(id).optional() });
export const companyListQuery = z.strictObject(partyListQuery);

/**
 * R-CON-3: a status set by hand (409 where the opportunities forbid it). A manual status holds until the party's
 * opportunities change (R-CON-2 recomputes them then); a manual `past` customer is remembered until a later win.
 */
export const setStatusBody = z
  .strictObject({
    prospectStatus: z.enum(PROSPECT_STATUSES).optional(),
    customerStatus: z.enum(CUSTOMER_STATUSES).optional(),
  })
  .refine((value) => value.prospectStatus !== undefined || value.customerStatus !== undefined, {
    path: ['prospectStatus'],
    message: 'Give prospectStatus, customerStatus or both',
  })
  .meta({ id: 'SetPartyStatus' });

/** A contact with the relations `?expand=` embeds (SPEC §1 "Related records", shared/schemas/expand.ts). */
export const expandedContact = contact
  .extend({
    company: embedded(companySummary).describe('With expand=company: its employer, null when none or not visible to the caller'),
    owner: embedded(userSummary).describe('With expand=owner'),
  })
  .meta({ id: 'ExpandedContact' });
