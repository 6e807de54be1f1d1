import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createAppContext, documentClient } from '../shared/app-context.ts';
import { CURRENT_SHAPE_VERSION } from '../shared/db/migrations/index.ts';
import { DEFAULT_SEGMENTS, migrateTable, type MigrationProgress } from '../shared/db/migrations/runner.ts';

/**
 * Issue 15 item 3: brings a tenant's table to the item shapes of this commit (shared/db/migrations/), after each
 * `cdk deploy` (README "For ops"). Idempotent and resumable: run it again after an interruption.
 */
export const USAGE = `Usage: npm run migrate -- --table <TableName> [--region <AWS region>] [--segments <parallel Scan segments; default ${DEFAULT_SEGMENTS}>]
         [--endpoint <DynamoDB endpoint, e.g. DynamoDB Local>]`;

export const progressLine = (progress: MigrationProgress) =>
  `${progress.migration}: ${progress.scanned} items read, ${progress.changed} changed, ${progress.segmentsDone}/${progress.segments} segments done`;

/** One line an operator can act on: a table that is not there is not fixed by running again; other failures are. */
export function migrationFailure(error: unknown): string {
  const { name, message } = error as Error;
  if (name === 'ResourceNotFoundException') return `Migration failed: no such table (check --table and --region, or --endpoint): ${message}`;
  return `Migration failed (run it again: it resumes where it stopped): ${name}: ${message}`;
}

export async function main(argv: string[]): Promise<number> {
  let values: { table?: string; region?: string; segments?: string; endpoint?: string };
  try {
    ({ values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: { table: { type: 'string' }, region: { type: 'string' }, segments: { type: 'string' }, endpoint: { type: 'string' } } }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const segments = Number(values.segments ?? DEFAULT_SEGMENTS);
  const problems = [
    ...(values.table ? [] : ['--table is required']),
    ...(Number.isInteger(segments) && segments >= 1 && segments <= 64 ? [] : [`--segments must be a whole number from 1 to 64, got ${JSON.stringify(values.segments)}`]),
  ];
  if (problems.length > 0 || !values.table) {
    console.error(`${problems.join('\n')}\n${USAGE}`);
    return 2;
  }
  const db = values.endpoint
    ? documentClient(values.endpoint)
    : DynamoDBDocumentClient.from(new DynamoDBClient(values.region ? { region: values.region } : {}), { marshallOptions: { removeUndefinedValues: true } });
  const ctx = createAppContext({ tableName: values.table, db });
  const result = await migrateTable(ctx, { segments, report: (progress) => console.log(progressLine(progress)) });
  console.log(
    result.applied.length === 0
      ? `${values.table} is at shape version ${result.to} (current: ${CURRENT_SHAPE_VERSION}): nothing to migrate`
      : `${values.table}: shape version ${result.from} → ${result.to} (${result.applied.join(', ')})`,
  );
  return result.stopped ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(migrationFailure(error));
      process.exit(1);
    },
  );
}
