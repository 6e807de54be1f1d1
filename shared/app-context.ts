import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { createCursorCodec, type CursorCodec } from './http/cursor.ts';
import { directoryFromEnv, type UserDirectory } from './auth/user-directory.ts';

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
  config: StackConfig;
}

export interface StackConfig {
  /** ISO 4217 code used when a money object omits its currency. */
  defaultCurrency: string;
  /** IANA time zone of the tenant: default for new users and for the recap. */
  timezone: string;
}

/** A document client; `endpoint` points it at DynamoDB Local, otherwise the SDK's own resolution applies. */
export function documentClient(endpoint?: string): DynamoDBDocumentClient {
  const client = endpoint
    ? new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } })
    : new DynamoDBClient({});
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export function stackConfigFromEnv(env: NodeJS.ProcessEnv = process.env): StackConfig {
  return {
    defaultCurrency: env.DEFAULT_CURRENCY ?? 'EUR',
    timezone: env.STACK_TIMEZONE ?? 'UTC',
  };
}

/** Ids made in the same millisecond still sort in creation order, so "newest first" holds. */
export const newUlid: () => string = monotonicFactory();

let cached: AppContext | undefined;

export function appContext(): AppContext {
  cached ??= {
    db: documentClient(),
    tableName: requiredEnv('TABLE_NAME'),
    now: () => new Date(),
    newId: newUlid,
    cursors: createCursorCodec(),
    directory: directoryFromEnv(),
    config: stackConfigFromEnv(),
  };
  return cached;
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}
