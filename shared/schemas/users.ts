import * as z from 'zod';
import { email, id, recordFields, singleLine } from './common.ts';
import { ROLES } from '../domain/principal.ts';
import { LOCALES } from '../i18n/locales.ts';

export const POST_SALE_ON_WIN = ['ask', 'always', 'never'] as const;

/** An IANA time zone, stored as its canonical name ("europe/rome" is Europe/Rome), so clients can match it to a list. */
export const timezone = z
  .string()
  .min(1)
  .max(64)
  .refine(isIanaTimeZone, 'Must be an IANA time zone, e.g. Europe/Rome')
  .overwrite(canonicalTimeZone);

export function isIanaTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** The zone names the runtime lists, by their lower-case spelling. */
const listedZones = new Map(Intl.supportedValuesOf('timeZone').map((zone) => [zone.toLowerCase(), zone]));

/**
 * The zone's name with its case corrected (`europe/rome` → `Europe/Rome`), and nothing else: the runtime resolves
 * some current names to legacy aliases (`Asia/Kolkata` → `Asia/Calcutta` on Node 20), which a client's list of
 * zones would not hold, so a name is never swapped for another. A name it does not know is left as it is.
 */
export function canonicalTimeZone(value: string): string {
  if (!isIanaTimeZone(value)) return value;
  const resolved = new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone;
  if (resolved.toLowerCase() === value.toLowerCase()) return resolved;
  return listedZones.get(value.toLowerCase()) ?? value;
}

export const role = z.enum(ROLES);
export const locale = z.enum(LOCALES);

export const user = z
  .object({
    ...recordFields,
    email,
    name: z.string(),
    role,
    locale,
    timezone: z.string(),
    active: z.boolean(),
    dailyRecap: z.boolean(),
    postSaleOnWin: z.enum(POST_SALE_ON_WIN),
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof user>;

export const createUserBody = z
  .strictObject({
    email,
    name: singleLine(200),
    role,
    locale: locale.optional(),
    timezone: timezone.optional(),
    active: z.boolean().optional(),
  })
  .meta({ id: 'CreateUser' });

export const updateUserBody = z
  .strictObject({
    name: singleLine(200).optional(),
    role: role.optional(),
    locale: locale.optional(),
    timezone: timezone.optional(),
    active: z.boolean().optional(),
  })
  .meta({ id: 'UpdateUser' });

export const mySettingsBody = z
  .strictObject({
    locale: locale.optional(),
    timezone: timezone.optional(),
    dailyRecap: z.boolean().optional(),
    postSaleOnWin: z.enum(POST_SALE_ON_WIN).optional(),
  })
  .meta({ id: 'UpdateMySettings' });

export const group = z
  .object({ ...recordFields, name: z.string(), memberIds: z.array(id) })
  .meta({ id: 'Group' });
export type Group = z.infer<typeof group>;

export const createGroupBody = z
  .strictObject({ name: singleLine(200), memberIds: z.array(id).max(500).default([]) })
  .meta({ id: 'CreateGroup' });

export const updateGroupBody = z
  .strictObject({ name: singleLine(200).optional(), memberIds: z.array(id).max(500).optional() })
  .meta({ id: 'UpdateGroup' });
