import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createAppContext } from '../shared/app-context.ts';
import { eventBridgePutEvents, type PutEvents } from '../shared/events/bus.ts';
import { redriveDeadLetterQueue, sqsDeadLetterQueue, type QueueRedriveReport } from '../shared/events/dead-letter-queue.ts';
import { redriveUnpublished, type RedriveReport } from '../shared/events/unpublished.ts';

/**
 * Issue 13 item 4: republishes the events the bus refused, once it accepts again. With `--queue` (the stack output
 * `RedriveEventsCommand`), from the publisher's dead-letter queue: each message names outbox items, which are read
 * from the table and put on the bus (on the bus the message names, or `--bus`); a message is deleted once all its
 * events are accepted. With `--bus` alone, from the table's UNPUBLISHED partition (where the local runtime, and
 * stacks deployed before the queue messages, park them). Consumers handle each event once (receipts), so running
 * it twice, or after the stream published some of them itself, changes nothing more.
 */
export const USAGE =
  'Usage: npm run redrive-events -- --table <TableName> --queue <PublisherDeadLettersUrl> [--bus <EventBusName>] [--region <AWS region>]\n' +
  '       npm run redrive-events -- --table <TableName> --bus <EventBusName> [--region <AWS region>]   (events parked in the table)';

export interface RedriveOptions {
  tableName: string;
  queueUrl: string | undefined;
  busName: string | undefined;
  region: string | undefined;
}

export class UsageError extends Error {}

export function parseRedriveArgs(argv: string[]): RedriveOptions {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { table: { type: 'string' }, queue: { type: 'string' }, bus: { type: 'string' }, region: { type: 'string' } },
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  if (!values.table) throw new UsageError(`Missing --table\n${USAGE}`);
  if (!values.queue && !values.bus) throw new UsageError(`Missing --queue (or --bus for events parked in the table)\n${USAGE}`);
  return { tableName: values.table, queueUrl: values.queue, busName: values.bus, region: values.region };
}

/** The clients the redrive calls; production defaults from the environment (tests pass DynamoDB Local and fakes). */
export interface RedriveClients {
  db?: DynamoDBDocumentClient;
  sqs?: SQSClient;
  putEvents?: PutEvents;
}

export async function redriveEvents(options: RedriveOptions, clients: RedriveClients = {}): Promise<RedriveReport | QueueRedriveReport> {
  if (options.region) process.env.AWS_REGION = options.region;
  const ctx = createAppContext({ tableName: options.tableName, ...(clients.db ? { db: clients.db } : {}) });
  const putEvents = clients.putEvents ?? eventBridgePutEvents();
  if (options.queueUrl) {
    const queue = sqsDeadLetterQueue(options.queueUrl, ...(clients.sqs ? [clients.sqs] : []));
    return redriveDeadLetterQueue(ctx, queue, putEvents, options.busName ? { busName: options.busName } : {});
  }
  return redriveUnpublished(ctx, putEvents, options.busName!);
}

/** What the script prints, and whether it is done: nothing refused, no outbox item missing, no message it cannot read. */
export function summary(report: RedriveReport | QueueRedriveReport): { printed: Record<string, unknown>; complete: boolean } {
  const { republished, refused, ...rest } = report;
  const complete = refused.length === 0 && (!('missing' in report) || (report.missing.length === 0 && report.unidentified === 0));
  return { printed: { republished: republished.length, refused: refused.length, refusedIds: refused, ...rest }, complete };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const { printed, complete } = summary(await redriveEvents(parseRedriveArgs(process.argv.slice(2))));
    console.log(JSON.stringify(printed, null, 2));
    process.exitCode = complete ? 0 : 1;
  } catch (error) {
    console.error(error instanceof UsageError ? error.message : error);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  }
}
