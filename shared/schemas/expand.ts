import * as z from 'zod';
import { id, ULID_PATTERN } from './common.ts';

/**
 * SPEC §1 "Batch reads" and "Related records" (issue 16): `?id=a,b,…` on the lists, `?expand=` on opportunities,
 * contacts and leads, and the summaries an expansion embeds. An expanded relation is `null` when there is none or the
 * caller may not see it; a relation not asked for is absent. Each entity's expanded shape is declared beside the
 * entity (`expandedOpportunity`, `expandedContact`, `expandedLead`), so that a function builds the schemas of its
 * own entities only (zod builds every schema of a module it imports, at cold start).
 */

/** The most ids one batch read names (one BatchGetItem of records). */
export const MAX_BATCH_IDS = 100;

const parts = (value: string) => value.split(',').map((part) => part.trim()).filter(Boolean);

/** `?id=a,b,…`: 1 to 100 ULIDs, duplicates dropped (the first one kept), in the order given; one issue at `query.id` otherwise. */
export const idListQuery = z
  .string()
  .transform((value, ctx) => {
    const ids = [...new Set(parts(value))];
    const malformed = ids.filter((part) => !ULID_PATTERN.test(part));
    if (ids.length === 0 || ids.length > MAX_BATCH_IDS || malformed.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: malformed.length > 0 ? `Not ULIDs: ${malformed.slice(0, 5).join(', ')}` : `Give 1 to ${MAX_BATCH_IDS} ids, comma-separated`,
      });
      return z.NEVER;
    }
    return ids;
  })
  .optional()
  .describe(`Batch read: up to ${MAX_BATCH_IDS} comma-separated ids; the records the caller may see, in the order given. Combines with expand only (other filters or a cursor: 400); limit does not apply; nextCursor is null.`);

/** `?expand=a,b`: relations of the resource; an unknown one is a 400 at `query.expand` naming the known ones. */
export function expandQuery<const R extends readonly [string, ...string[]]>(relations: R) {
  return z
    .string()
    .transform((value, ctx) => {
      const asked = [...new Set(parts(value))];
      const unknown = asked.filter((relation) => !relations.includes(relation));
      if (asked.length === 0 || unknown.length > 0) {
        ctx.addIssue({ code: 'custom', message: `Unknown relation${unknown.length > 1 ? 's' : ''} ${unknown.join(', ') || '(none)'}: expand any of ${relations.join(', ')}` });
        return z.NEVER;
      }
      return asked as R[number][];
    })
    .optional()
    .describe(`Related records to embed, comma-separated: ${relations.join(', ')}`);
}

export const OPPORTUNITY_RELATIONS = ['contact', 'company', 'owner', 'stage'] as const;
export const CONTACT_RELATIONS = ['company', 'owner'] as const;
export const LEAD_RELATIONS = ['owner', 'status'] as const;
export type Relation = (typeof OPPORTUNITY_RELATIONS)[number] | (typeof CONTACT_RELATIONS)[number] | (typeof LEAD_RELATIONS)[number];

export const contactSummary = z.object({ id, name: z.string(), email: z.string().nullable() }).meta({ id: 'ContactSummary' });
export const companySummary = z.object({ id, name: z.string() }).meta({ id: 'CompanySummary' });
export const userSummary = z.object({ id, name: z.string() }).meta({ id: 'UserSummary' });
export const stageSummary = z.object({ id, name: z.string(), probability: z.int() }).meta({ id: 'StageSummary' });
export const leadStatusSummary = z.object({ id, name: z.string() }).meta({ id: 'LeadStatusSummary' });

/** A relation as an expanded record holds it: absent unless asked for, null when none or not visible. */
export const embedded = <T extends z.ZodType>(summary: T) => summary.nullable().optional();

// ---------------------------------------------------------------------------------------------------------------
// R-OPP-11 the pipeline board's column totals

export const boardSummaryQuery = z.strictObject({
  ownerId: z
    .string()
    .transform((value, ctx) => {
      const ids = [...new Set(parts(value))];
      if (ids.length === 0 || ids.length > 25 || ids.some((part) => !ULID_PATTERN.test(part))) {
        ctx.addIssue({ code: 'custom', message: 'Give 1 to 25 comma-separated user ids' });
        return z.NEVER;
      }
      return ids;
    })
    .optional()
    .describe('Only the opportunities of these owners (comma-separated); a rep sees its own and those shared with it'),
});

export const currencyTotal = z
  .object({
    currency: z.string(),
    amount: z.int().describe('Σ amount, minor units'),
    weighted: z.int().describe('Σ amount × probability / 100, rounded once to minor units'),
  })
  .meta({ id: 'CurrencyTotal' });

export const boardSummary = z
  .object({
    stages: z.array(
      z.object({
        stageId: id,
        count: z.int(),
        totals: z.array(currencyTotal).describe('One per currency with at least one opportunity in the stage, by currency code'),
      }),
    ),
  })
  .meta({ id: 'BoardSummary' });
export type BoardSummary = z.infer<typeof boardSummary>;
