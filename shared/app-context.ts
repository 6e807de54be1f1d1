import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { createCursorCodec, type CursorCodec } from './http/cursor.ts';
import { directoryFromEnv, type UserDirectory } from './auth/user-directory.ts';
import { sesMailer, type Mailer } from './mail/mailer.ts';

/**
 * Everything with a side effect that handlers use. Production code takes `appContext()`; tests build
 * their own with fake clocks, ids or directories, without mocking modules.
 */
export interface AppContext {
  db: DynamoDBDocumentClient;
  tableName: string;
  now: () => Date;
  newId: () => string;
  cursors: CursorCodec;
  directory: UserDirectory;
  mailer: Mailer;
  config: StackConfig;
}

export interface StackConfig {
  /** ISO 4217 code used when a money object omits its currency. */
  defaultCurrency: string;
  /** IANA time zone of the tenant: default for new users and for the recap. */
  timezone: string;
  /** Base URL of the web app, for links in emails (e.g. `${appUrl}/leads/<id>`). */
  appUrl: string;
  /** Base URL of this API, for addresses it serves itself (R-PS-8 calendar feeds: `${apiUrl}/calendar/<token>.ics`). */
  apiUrl: string;
  /** Sender of the product's emails (a verified SES identity in AWS). */
  mailFrom: string;
  /** The tenant's company name, shown to buyers as the seller of a buy-now offer (issue 12, R-BUY-2). */
  sellerName: string;
}

/**
 * What an SDK client needs to reach DynamoDB Local: its endpoint, any region, and an access key, which names the
 * database when DynamoDB Local runs without `-sharedDb` (the secret is never checked).
 */
export const localEndpointConfig = (endpoint: string, accessKeyId = 'local') => ({ endpoint, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey: 'local' } });

/**
 * A document client; `endpoint` points it at DynamoDB Local (where, unless it runs with `-sharedDb`, each access key
 * has a database of its own), otherwise the SDK's own resolution applies.
 */
export function documentClient(endpoint?: string, accessKeyId = 'local'): DynamoDBDocumentClient {
  const client = new DynamoDBClient(endpoint ? localEndpointConfig(endpoint, accessKeyId) : {});
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export function stackConfigFromEnv(env: NodeJS.ProcessEnv = process.env): StackConfig {
  return {
    defaultCurrency: env.DEFAULT_CURRENCY ?? 'EUR',
    timezone: env.STACK_TIMEZONE ?? 'UTC',
    appUrl: env.APP_URL ?? 'http://localhost:5173',
    apiUrl: env.API_URL ?? 'http://127.0.0.1:3000',
    mailFrom: env.MAIL_FROM ?? 'crm@example.com',
    sellerName: env.SELLER_NAME ?? 'Pipeline CRM',
  };
}

/** Ids made in the same millisecond still sort in creation order, so "newest first" holds. */
export const newUlid: () => string = monotonicFactory();

/** A context from production defaults, with any part replaced (the local runtime, scripts and tests do). */
export function createAppContext(parts: Partial<AppContext> & Pick<AppContext, 'tableName'>): AppContext {
  const config = parts.config ?? stackConfigFromEnv();
  return {
    db: parts.db ?? documentClient(),
    now: parts.now ?? (() => new Date()),
    newId: parts.newId ?? newUlid,
    cursors: parts.cursors ?? createCursorCodec(),
    directory: parts.directory ?? directoryFromEnv(),
    mailer: parts.mailer ?? sesMailer(config.mailFrom),
    ...parts,
    config,
  };
}

let cached: AppContext | undefined;

/** The Lambda's context, made once per container from its environment. */
export function appContext(): AppContext {
  cached ??= createAppContext({ tableName: requiredEnv('TABLE_NAME') });
  return cached;
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}
