import middy from '@middy/core';
import { observed, publishFigures, publisherFigures } from '../../shared/metrics.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { busEntry, eventBridgePutEvents, PUT_EVENTS_MAX_ENTRIES, type PutEvents } from '../../shared/events/bus.ts';
import type { DomainEvent } from '../../shared/events/catalogue.ts';
import { eventOfOutboxItem, isOutboxItem } from '../../shared/events/outbox.ts';
import { reportToDeadLetterQueue, sqsDeadLetterQueue } from '../../shared/events/dead-letter-queue.ts';
import type { ParkedEvent } from '../../shared/events/unpublished.ts';
import { logger } from '../../shared/logger.ts';

/**
 * R-EVT-2 publisher: reads the table's stream (in AWS an event source mapping that only passes INSERTs of
 * outbox items) and puts each outbox event on the bus, in batches of at most 10. Whatever the bus refuses (an
 * entry with an ErrorCode, or the whole call failing) is answered as `batchItemFailures` from the first refused
 * record: the stream hands that record and the ones after it to the next invocation, so nothing is lost and,
 * at worst, an event already accepted is put again (consumers are idempotent). An outbox item that does not
 * parse is a failure too: after the bounded retries its batch goes to the publisher's dead-letter queue.
 *
 * Issue 13 item 4: before handing refused events back to the stream, the publisher logs `events_refused` with their
 * ids (the refusals alarm counts those lines) and parks them: in AWS a message naming their outbox items in its
 * dead-letter queue (shared/events/dead-letter-queue.ts), locally the table's UNPUBLISHED partition. If the stream's
 * retries run out, those remain for `npm run redrive-events`; if parking fails, the invocation fails (the errors
 * alarm) and the stream retries the batch.
 */

export interface PublisherOptions {
  putEvents: PutEvents;
  busName: string;
  /** Keeps refused events for a redrive (the dead-letter queue in AWS, the table locally); throws when it cannot. */
  park: (parked: ParkedEvent[]) => Promise<void>;
}

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

interface Publishable {
  sequenceNumber: string;
  event: DomainEvent | undefined;
}

export function createPublisher({ putEvents, busName, park }: PublisherOptions): StreamHandler {
  return async ({ Records: records }) => {
    const outbox = records.flatMap(publishable);
    for (let start = 0; start < outbox.length; start += PUT_EVENTS_MAX_ENTRIES) {
      const batch = outbox.slice(start, start + PUT_EVENTS_MAX_ENTRIES);
      const refused = await refusedIndexes(batch, putEvents, busName);
      if (refused.length > 0) {
        const firstRefused = start + refused[0]!;
        const retried = outbox.slice(firstRefused).flatMap(({ event }) => (event ? [{ event, reason: 'refused by the bus' }] : []));
        logger.warn('events_refused: events not published; parked for a redrive, and the stream will retry them', {
          refused: refused.length,
          retried: outbox.length - firstRefused,
          eventIds: refused.map((index) => batch[index]!.event?.detail.id),
          parkedEventIds: retried.map(({ event }) => event.detail.id),
        });
        await park(retried);
        published(outbox.slice(0, firstRefused), outbox.length - firstRefused);
        return { batchItemFailures: outbox.slice(firstRefused).map(({ sequenceNumber }) => ({ itemIdentifier: sequenceNumber })) };
      }
    }
    published(outbox, 0);
    return { batchItemFailures: [] };
  };
}

/** Issue 15 item 4: the batch's figures (events published and refused, opportunities won and lost). */
function published(events: Publishable[], refused: number): void {
  publishFigures(publisherFigures(events.flatMap(({ event }) => (event ? [event] : [])), refused));
}

/** The outbox INSERTs of the batch (other records only reach the handler locally, where no filter applies). */
function publishable(record: DynamoDBRecord): Publishable[] {
  const image = record.dynamodb?.NewImage;
  const sequenceNumber = record.dynamodb?.SequenceNumber;
  if (record.eventName !== 'INSERT' || !image || !sequenceNumber) return [];
  const item = unmarshall(image as Record<string, AttributeValue>);
  if (!isOutboxItem(item)) return [];
  try {
    return [{ sequenceNumber, event: eventOfOutboxItem(item) }];
  } catch (error) {
    logger.error('An outbox item does not match the event catalogue', { key: item.PK, error });
    return [{ sequenceNumber, event: undefined }];
  }
}

/** Indexes (in `batch`) of the events the bus did not accept, in order. */
async function refusedIndexes(batch: Publishable[], putEvents: PutEvents, busName: string): Promise<number[]> {
  const firstUnreadable = batch.findIndex(({ event }) => event === undefined);
  const sendable = firstUnreadable === -1 ? batch : batch.slice(0, firstUnreadable);
  const unreadable = firstUnreadable === -1 ? [] : [firstUnreadable];
  if (sendable.length === 0) return unreadable;
  try {
    const answer = await putEvents(sendable.map(({ event }) => busEntry(event!, busName)));
    if (!answer.FailedEntryCount) return unreadable;
    const refused = sendable.flatMap((_, index) => (answer.Entries?.[index]?.EventId && !answer.Entries[index].ErrorCode ? [] : [index]));
    return [...refused, ...unreadable];
  } catch (error) {
    logger.warn('PutEvents failed', { error });
    return sendable.map((_, index) => index);
  }
}

let production: StreamHandler | undefined;

/** The Lambda: the stack sets EVENT_BUS_NAME to the tenant's bus and DEAD_LETTER_QUEUE_URL to the publisher's dead-letter queue. */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(observed({ publisher: true }))
  .handler((event) => {
    production ??= productionPublisher();
    return production(event);
  });

function productionPublisher(): StreamHandler {
  const busName = requiredEnv('EVENT_BUS_NAME');
  return createPublisher({ putEvents: eventBridgePutEvents(), busName, park: reportToDeadLetterQueue(sqsDeadLetterQueue(requiredEnv('DEAD_LETTER_QUEUE_URL')), busName) });
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}
