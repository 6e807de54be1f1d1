import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { email, isCurrencyCode } from '../shared/schemas/common.ts';
import { isIanaTimeZone } from '../shared/schemas/users.ts';

/**
 * The tenants, declared once in `tenants.json` (one entry per customer company) and checked here at synth.
 * Every key of an entry is also a `-c` flag that overrides it for a one-off (`-c tenant=acme -c mfa=required`).
 */
export const TENANTS_FILE = fileURLToPath(new URL('../tenants.json', import.meta.url));

export const TENANT_PATTERN = /^[a-z][a-z0-9-]{1,30}$/;

/** Placeholders for a tenant without `mailFrom`/`appUrl`; a real tenant sets both. */
export const defaultMailFrom = (tenant: string) => `crm@${tenant}.example.com`;
export const defaultAppUrl = (tenant: string) => `https://${tenant}.example.com`;

const isWebUrl = (value: string) => {
  try {
    return ['https:', 'http:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
};
const isOrigin = (value: string) => {
  if (value === '*') return true;
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
};
/** `-c` flags arrive as strings: `a,b` is a list, `true`/`false` a switch. */
const listOrCommaString = (value: unknown) =>
  typeof value === 'string' ? value.split(',').map((origin) => origin.trim()).filter(Boolean) : value;
const switchOrString = (value: unknown) => (value === 'true' ? true : value === 'false' ? false : value);

export const tenantEntrySchema = z.strictObject({
  tenant: z.string('is required and must match /^[a-z][a-z0-9-]{1,30}$/ (e.g. -c tenant=acme)').regex(TENANT_PATTERN, 'is required and must match /^[a-z][a-z0-9-]{1,30}$/ (e.g. -c tenant=acme)'),
  /** Where the stack goes; without them, the deploying credentials decide (synth stays offline either way). */
  account: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id').optional(),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region like eu-west-1').optional(),
  /** IANA time zone: default for new users and for the morning recap. */
  timezone: z.string('must be an IANA time zone (e.g. Europe/Rome)').refine(isIanaTimeZone, 'must be an IANA time zone (e.g. Europe/Rome)').default('UTC'),
  /** ISO 4217 code used when a money object omits its currency. */
  defaultCurrency: z.string('must be an ISO 4217 code (e.g. EUR)').refine(isCurrencyCode, 'must be an ISO 4217 code (e.g. EUR)').default('EUR'),
  /** Origins of the web clients allowed by CORS (a list, or a comma-separated string as a flag). */
  corsOrigins: z.preprocess(
    listOrCommaString,
    z.array(z.string().refine(isOrigin, 'is not an origin like https://app.example.com'), 'must be a list of origins or a comma-separated string'),
  ).default([]),
  /** Who gets the alarm mails; without it the alarm topic has no subscription. */
  alarmEmail: email.optional(),
  /** Sender of the product's mails (the recap); its domain becomes the stack's SES identity. */
  mailFrom: email.optional(),
  /** Base URL of the web app, for links in mails. */
  appUrl: z.string().refine(isWebUrl, 'must be an http(s) URL like https://crm.acme.example').optional(),
  /** Whether every user (admins included) must sign in with a second factor (TOTP). */
  mfa: z.enum(['optional', 'required'], 'must be optional or required').default('optional'),
  /** Whether the API sits behind the edge protection (WAF, issue 13). */
  edgeProtection: z.preprocess(switchOrString, z.boolean('must be true or false')).default(false),
  /** A CLOUDFRONT-scope web ACL made in us-east-1, for an edge-protected tenant stack in another region. */
  edgeWebAclArn: z.string().startsWith('arn:aws:wafv2:us-east-1:', 'must be the ARN of a web ACL in us-east-1').optional(),
  /**
   * Restore runbook (README "Restore a tenant's table"): the stack uses this existing table (restored to a point
   * in time, with its stream enabled) instead of the one it created. Absent: the stack's own table.
   */
  table: z
    .strictObject({
      name: z.string().regex(/^[a-zA-Z0-9_.-]{3,255}$/, 'must be a DynamoDB table name'),
      streamArn: z.string().regex(/^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/[a-zA-Z0-9_.-]+\/stream\/.+$/, 'must be the ARN of the table stream'),
    })
    .optional(),
}).superRefine((entry, context) => {
  // Caught here, with the tenant's name, rather than by the construct after a long build (infra/constructs/edge-protection.ts).
  if (entry.edgeProtection && !entry.edgeWebAclArn && entry.region && entry.region !== 'us-east-1') {
    context.addIssue({ code: 'custom', path: ['edgeWebAclArn'], message: `is required with edgeProtection outside us-east-1 (a CloudFront web ACL lives in us-east-1; this tenant is in ${entry.region})` });
  }
});

export type TenantEntry = z.input<typeof tenantEntrySchema>;

/** What differs between tenants, checked: the stack is built from this. */
export interface TenantConfig {
  tenant: string;
  account?: string | undefined;
  region?: string | undefined;
  timezone: string;
  defaultCurrency: string;
  corsOrigins: string[];
  alarmEmail?: string | undefined;
  mailFrom?: string;
  appUrl?: string;
  mfa?: 'optional' | 'required';
  edgeProtection?: boolean;
  edgeWebAclArn?: string | undefined;
  table?: { name: string; streamArn: string } | undefined;
}

const KEYS = Object.keys(tenantEntrySchema.shape) as (keyof typeof tenantEntrySchema.shape)[];

/** Every problem of one entry, each naming its field, e.g. `timezone must be an IANA time zone …, got "Mars"`. */
function problemsOf(error: z.ZodError, input: Record<string, unknown>): string[] {
  return error.issues.map((issue) => {
    const field = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue.path.map(String).join('.') || '(entry)';
    if (issue.code === 'unrecognized_keys') return `${field}: unknown setting (known: ${KEYS.join(', ')})`;
    // A list given as a comma-separated flag is reported by its item, not by a character of the string.
    const listed = { ...input, corsOrigins: listOrCommaString(input.corsOrigins) };
    const value = issue.path.reduce<unknown>((at, key) => (at as Record<PropertyKey, unknown> | undefined)?.[key as string], listed);
    const message = issue.code === 'invalid_format' && issue.format === 'email' ? 'must be an email address' : issue.message;
    return `${field} ${message}, got ${JSON.stringify(value)}`;
  });
}

function toConfig(entry: z.output<typeof tenantEntrySchema>): TenantConfig {
  return {
    ...entry,
    mailFrom: entry.mailFrom ?? defaultMailFrom(entry.tenant),
    appUrl: entry.appUrl ?? defaultAppUrl(entry.tenant),
  };
}

/** One tenant from `-c` flags alone (a one-off with no entry in the file). Every problem is reported at once. */
export function tenantConfigFromContext(context: (key: string) => unknown): TenantConfig {
  const input = Object.fromEntries(KEYS.flatMap((key) => (context(key) === undefined ? [] : [[key, context(key)]])));
  const parsed = tenantEntrySchema.safeParse(input);
  if (!parsed.success) {
    const problems = problemsOf(parsed.error, input).map((problem) => `context ${problem}`);
    throw new Error(`Invalid tenant configuration:\n- ${problems.join('\n- ')}`);
  }
  return toConfig(parsed.data);
}

/**
 * The tenants of the file, checked: a bad file fails naming each bad tenant and every bad field of it.
 * `text` is the file's content (tests pass their own).
 */
export function tenantsFromFile(text: string, fileName = 'tenants.json'): TenantConfig[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new Error(`${fileName} is not JSON: ${(error as Error).message}`);
  }
  const entries = (document as { tenants?: unknown })?.tenants;
  if (!Array.isArray(entries)) throw new Error(`${fileName} must be an object with a "tenants" list`);
  const problems: string[] = [];
  const configs: TenantConfig[] = [];
  const seen = new Set<string>();
  entries.forEach((entry: Record<string, unknown>, index) => {
    const name = typeof entry?.tenant === 'string' ? `tenant "${entry.tenant}"` : `tenant #${index + 1}`;
    const parsed = tenantEntrySchema.safeParse(entry);
    if (!parsed.success) {
      problems.push(`${name}: ${problemsOf(parsed.error, entry ?? {}).join('; ')}`);
      return;
    }
    if (seen.has(parsed.data.tenant)) problems.push(`${name}: declared twice`);
    seen.add(parsed.data.tenant);
    configs.push(toConfig(parsed.data));
  });
  if (problems.length > 0) throw new Error(`Invalid ${fileName}:\n- ${problems.join('\n- ')}`);
  return configs;
}

/**
 * The tenants one synth builds: with `-c tenant=acme`, that tenant (its entry, with any other `-c` flag
 * overriding its settings; a tenant absent from the file is a one-off made of flags); without it, every tenant
 * of the file (`npx cdk deploy --all`).
 */
export function tenantsToSynthesize(context: (key: string) => unknown, fileText: string = readFileSync(TENANTS_FILE, 'utf8')): TenantConfig[] {
  const declared = tenantsFromFile(fileText);
  const wanted = context('tenant');
  if (wanted === undefined) {
    const overrides = KEYS.filter((key) => context(key) !== undefined);
    if (overrides.length > 0) throw new Error(`-c ${overrides.join(', -c ')} override one tenant: add -c tenant=<name>`);
    return declared;
  }
  const entry = declared.find((config) => config.tenant === wanted) as Record<string, unknown> | undefined;
  return [tenantConfigFromContext((key) => context(key) ?? entry?.[key])];
}
