import * as z from 'zod';
import { MAX_TAGS } from '../domain/tags.ts';
import './messages.ts';

export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export const id = z.string().regex(ULID_PATTERN, 'Must be a ULID');
export const isoDateTime = z.iso.datetime({ offset: false });
/**
 * A time a client sends, stored and answered in one form (`toISOString`: UTC, milliseconds, `Z`), whatever precision
 * or offset it came with (a phone sends its local time as `…T10:00:00+01:00`): stored times are compared as strings
 * (index sort keys, receipts), so `…08:00:00Z`, `…08:00:00.000Z` and `…09:00:00+01:00` must not be three times.
 */
export const isoDateTimeInput = z.iso
  .datetime({ offset: true, error: 'An ISO 8601 date and time, such as 2026-12-01T09:00:00Z or 2026-12-01T10:00:00+01:00' })
  .transform((value) => new Date(value).toISOString());
export const isoDate = z.iso.date({ error: 'A date as YYYY-MM-DD, such as 2026-12-31' });

/** Fields every stored record carries (SPEC §1). */
export const recordFields = {
  id,
  version: z.int().positive(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
};

export const idParams = z.strictObject({ id });

/** The ISO 4217 codes the runtime's Intl knows (the data that formats amounts): `XYZ` has three letters but is no currency. */
const CURRENCY_CODES = new Set(Intl.supportedValuesOf('currency'));
export const isCurrencyCode = (code: string): boolean => CURRENCY_CODES.has(code);

/**
 * The largest amount a money input takes: 10^13 minor units (100 000 000 000.00 in a currency with cents; in a
 * currency of small value, such as IDR, that is a few million US dollars). The board (R-OPP-11) sums amount × probability per stage and currency, and its
 * totals are answered as JSON numbers, exact only up to Number.MAX_SAFE_INTEGER (≈ 9 × 10^15): with this bound
 * amount × 100 stays below 10^15, and a column holds 900 deals at the bound before its total could leave that range.
 */
export const MAX_MINOR_UNITS = 10 ** 13;

/** An amount in minor units (cents), at most MAX_MINOR_UNITS; each money input sets its own lower bound. */
export const minorUnits = z
  .number('Minor units: an integer')
  // First, and alone: 1e200 or 9007199254740993 is too big, not "not an integer".
  .max(MAX_MINOR_UNITS, { error: `Minor units: at most ${MAX_MINOR_UNITS} (100000000000.00)`, abort: true })
  .int('Minor units: an integer');

export const money = z
  .strictObject({
    amount: minorUnits.min(0, 'Minor units: zero or more'),
    currency: z.string().refine(isCurrencyCode, 'ISO 4217 code, e.g. EUR').optional(),
  })
  .meta({ id: 'MoneyInput' });

export const storedMoney = z.object({ amount: z.int(), currency: z.string() }).meta({ id: 'Money' });

/**
 * Tags as sent (contacts, companies, opportunities, leads): normalised (trimmed, case-insensitively unique) by the
 * domain before storage. No comma in a tag: in a filter a comma means "is in" (SPEC §1, `?tag=a,b`), so a tag holding
 * one could never be found.
 */
export const tags = z.array(z.string().trim().min(1).max(50).regex(/^[^,]*$/, 'A tag cannot contain a comma')).max(MAX_TAGS);

/** Custom field values, checked against the definitions by shared/domain/custom-fields.ts. */
export const customFieldValues = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()], { error: 'A text, a number, true or false, or null' }));

/**
 * Control characters (line breaks, tabs, escapes, C1 controls, line and paragraph separators) out of one-line
 * text: each run becomes one space. A name never breaks a plain-text mail or a log line into lines of its own.
 */
export const withoutControlCharacters = (text: string) => text.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ');

/** A name or a title as people type it, on one line (issue 13 item 9): one made only of control characters is empty, so refused. */
export const singleLine = (max: number) => z.string().overwrite(withoutControlCharacters).trim().min(1).max(max);

export const email = z.email({ error: 'An email address, such as ada@example.com' }).max(254);

/** A phone number as people write it (contacts, leads). */
export const phone = z.string().trim().min(3).max(40).regex(/^[0-9+()\-.\s/]+$/, 'Digits, spaces and + ( ) - . / only');

/** `a,b,c` in a query string: "is in". */
export function csv<T extends z.ZodType<unknown, string>>(item: T) {
  return z
    .string()
    .transform((value) => value.split(',').map((part) => part.trim()).filter(Boolean))
    .pipe(z.array(item).min(1).max(25));
}

export const booleanQuery = z.enum(['true', 'false']).transform((value) => value === 'true');

const PAGE_SIZE = 'An integer from 1 to 100';

export const pageQuery = {
  // One message for every way a limit is wrong ("abc", "0", "1.5", a repeated `limit` joined into "1,2"), and
  // digits only: a number coerced from "0x10", "1e1" or " 1" is not the integer the document promises.
  limit: z
    .string({ error: PAGE_SIZE })
    .regex(/^[0-9]+$/, { error: PAGE_SIZE })
    .transform(Number)
    .pipe(z.int({ error: PAGE_SIZE }).min(1, { error: PAGE_SIZE }).max(100, { error: PAGE_SIZE }))
    .default(50)
    // The document shows what a client sends: an integer (the digits of the query string).
    .meta({ type: 'integer', minimum: 1, maximum: 100, default: 50 }),
  cursor: z.string().min(1).max(2048).optional(),
};

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** An RFC 9457 problem (SPEC §1): every error answer, and the error of one id of a bulk request. Some codes add members. */
export const problem = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    code: z.string(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details; some codes add members of their own' });
