import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createAppContext } from '../shared/app-context.ts';
import { eventBridgePutEvents } from '../shared/events/bus.ts';
import { redriveUnpublished, type RedriveReport } from '../shared/events/unpublished.ts';

/**
 * Issue 13 item 4: republishes every event the bus refused (parked by the publisher in the table's UNPUBLISHED
 * partition), once the bus accepts again; each one put on the bus is unparked. Consumers handle each event once
 * (receipts), so running it twice, or after the stream published some of them itself, changes nothing more.
 * The publisher's dead-letter queue then holds only stream pointers of batches whose events are parked: purge it
 * (`aws sqs purge-queue --queue-url <PublisherDeadLettersUrl>`) once this reports `refused: 0`.
 */
export const USAGE = 'Usage: npm run redrive-events -- --table <TableName> --bus <EventBusName> [--region <AWS region>]';

export interface RedriveOptions {
  tableName: string;
  busName: string;
  region: string | undefined;
}

export class UsageError extends Error {}

export function parseRedriveArgs(argv: string[]): RedriveOptions {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: { table: { type: 'string' }, bus: { type: 'string' }, region: { type: 'string' } } }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  const missing = (['table', 'bus'] as const).filter((name) => !values[name]);
  if (missing.length > 0) throw new UsageError(`Missing ${missing.map((name) => `--${name}`).join(', ')}\n${USAGE}`);
  return { tableName: values.table!, busName: values.bus!, region: values.region };
}

export async function redriveEvents(options: RedriveOptions): Promise<RedriveReport> {
  if (options.region) process.env.AWS_REGION = options.region;
  const ctx = createAppContext({ tableName: options.tableName });
  return redriveUnpublished(ctx, eventBridgePutEvents(), options.busName);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const report = await redriveEvents(parseRedriveArgs(process.argv.slice(2)));
    console.log(JSON.stringify({ republished: report.republished.length, refused: report.refused.length, refusedIds: report.refused }, null, 2));
    process.exitCode = report.refused.length > 0 ? 1 : 0;
  } catch (error) {
    console.error(error instanceof UsageError ? error.message : error);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  }
}
