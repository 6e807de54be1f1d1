import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createAppContext, stackConfigFromEnv } from '../shared/app-context.ts';
import { cognitoDirectory, type UserDirectory } from '../shared/auth/user-directory.ts';
import { seedTenant } from '../shared/db/seed.ts';
import { createUserBody, isIanaTimeZone, type User } from '../shared/schemas/users.ts';

/**
 * Gives a freshly deployed tenant its default pipeline and first admin, who gets Cognito's invitation mail.
 * The table and pool ids are the stack outputs TableName and UserPoolId. Running it again changes nothing.
 */
export const USAGE = `Usage: npm run create-admin -- --table <TableName> --user-pool <UserPoolId> --email <email> --name <name>
         [--timezone <IANA time zone, the stack's -c timezone; default UTC>] [--region <AWS region; default: the pool's>]`;

export interface CreateAdminOptions {
  tableName: string;
  userPoolId: string;
  email: string;
  name: string;
  /** The tenant's time zone: the default pipeline's recap runs in it and the admin starts with it. */
  timezone: string;
  region: string;
}

export class UsageError extends Error {}

/** Cognito pool ids start with their region: `eu-west-1_AbCdEf123`. */
const USER_POOL_ID = /^([a-z]{2}(?:-[a-z]+)+-\d+)_[0-9A-Za-z]+$/;

/** Reads the command line; every problem is reported at once as a UsageError. */
export function parseCreateAdminArgs(argv: string[]): CreateAdminOptions {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        table: { type: 'string' },
        'user-pool': { type: 'string' },
        email: { type: 'string' },
        name: { type: 'string' },
        timezone: { type: 'string' },
        region: { type: 'string' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }

  const problems: string[] = [];
  for (const flag of ['table', 'user-pool', 'email', 'name']) {
    if (!values[flag]?.trim()) problems.push(`--${flag} is required`);
  }
  // The same rules as POST /users; a flag that is missing altogether was reported above.
  const user = createUserBody.safeParse({ email: values.email, name: values.name, role: 'admin' });
  for (const issue of user.error?.issues ?? []) {
    const flag = String(issue.path[0]);
    if (values[flag]?.trim()) problems.push(`--${flag}: ${issue.message}`);
  }
  const timezone = values.timezone ?? stackConfigFromEnv().timezone;
  if (!isIanaTimeZone(timezone)) problems.push(`--timezone must be an IANA time zone such as Europe/Rome, got ${JSON.stringify(timezone)}`);
  const poolRegion = values['user-pool']?.match(USER_POOL_ID)?.[1];
  if (values['user-pool'] && !poolRegion) problems.push(`--user-pool must be a user pool id such as eu-west-1_AbC123, got ${JSON.stringify(values['user-pool'])}`);
  const region = values.region ?? poolRegion;
  if (values.region && poolRegion && values.region !== poolRegion) {
    problems.push(`--region ${values.region} differs from the user pool's region ${poolRegion}: the table and the pool live in the same stack`);
  }
  if (problems.length > 0 || !user.success || !region) throw new UsageError(problems.join('\n'));

  return {
    tableName: values.table!.trim(),
    userPoolId: values['user-pool']!,
    email: user.data.email,
    name: user.data.name,
    timezone,
    region,
  };
}

/** Seeds the tenant through the same code the API uses; tests pass their own table client and directory. */
export function createAdmin(
  options: CreateAdminOptions,
  services: { db?: DynamoDBDocumentClient; directory?: UserDirectory } = {},
): Promise<User> {
  const ctx = createAppContext({
    ...(services.db ? { db: services.db } : {}),
    tableName: options.tableName,
    directory: services.directory ?? cognitoDirectory(options.userPoolId),
    config: { ...stackConfigFromEnv(), timezone: options.timezone },
  });
  return seedTenant(ctx, { email: options.email, name: options.name });
}

async function main(argv: string[]): Promise<void> {
  let options: CreateAdminOptions;
  try {
    options = parseCreateAdminArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  // The SDK clients resolve their region when they first send, so this reaches the table and the pool alike.
  process.env.AWS_REGION = options.region;
  try {
    const admin = await createAdmin(options);
    console.log(
      `Tenant seeded in ${options.tableName}. Admin ${admin.email} (${admin.id}): a new admin gets Cognito's invitation mail, an existing one is left as it was.`,
    );
  } catch (error) {
    console.error(`create-admin failed: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));
