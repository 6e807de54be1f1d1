import type { AppContext } from '../app-context.ts';
import { outboxKey, UNPUBLISHED_PARTITION, unpublishedKey } from '../db/keys.ts';
import { batchWriteAll, deleteItem, queryOnce } from '../db/store.ts';
import { putOnBus, type PutEvents } from './bus.ts';
import { parseEvent, type DomainEvent } from './catalogue.ts';

/**
 * Issue 13 item 4: no event is lost after the publisher's retries. Each time the bus refuses events, the publisher
 * keeps a trace of them before handing the batch back to the stream, so that when the stream's retries are exhausted
 * a redrive can republish them: in AWS a message naming their outbox items in its dead-letter queue
 * (shared/events/dead-letter-queue.ts); in the local runtime, which has no SQS, the whole event parked here, in the
 * table's `UNPUBLISHED` partition (also where stacks deployed before the queue messages parked them). A redrive
 * (`npm run redrive-events -- --table … --bus …`, locally `POST /_local/redrive-events`) puts every parked event on
 * the bus again and unparks it; consumers handle each event once whatever the number of deliveries (their receipts).
 */

/** Parked events outlive the outbox items (7 days) by a week: time enough for a redrive after a long outage. */
export const UNPUBLISHED_TTL_SECONDS = 14 * 24 * 60 * 60;

export interface ParkedEvent {
  event: DomainEvent;
  reason: string;
}

/** Parks refused events (a put per event, idempotent: a second refusal of the same event overwrites its copy). */
export async function parkEvents(ctx: AppContext, parked: readonly ParkedEvent[]): Promise<void> {
  const now = ctx.now();
  await batchWriteAll(
    ctx,
    parked.map(({ event, reason }) => ({
      PutRequest: {
        Item: {
          ...unpublishedKey(event.detail.id),
          recordType: 'Unpublished event',
          outboxKey: outboxKey(event.detail.id),
          eventType: event.type,
          detail: event.detail,
          reason,
          parkedAt: now.toISOString(),
          expiresAt: Math.floor(now.getTime() / 1000) + UNPUBLISHED_TTL_SECONDS,
        },
      },
    })),
  );
}

export interface RedriveReport {
  /** Event ids put on the bus again and unparked. */
  republished: string[];
  /** Event ids the bus refused again: still parked, for the next redrive. */
  refused: string[];
}

/** Republishes every parked event, oldest first, in PutEvents batches; what the bus accepts is unparked. */
export async function redriveUnpublished(ctx: AppContext, putEvents: PutEvents, busName: string): Promise<RedriveReport> {
  const report: RedriveReport = { republished: [], refused: [] };
  let start: Record<string, unknown> | undefined;
  do {
    const page = await queryOnce(ctx, {
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': UNPUBLISHED_PARTITION },
      ConsistentRead: true,
      Limit: 100,
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
    start = page.lastKey;
    const events = page.items.map((item) => parseEvent(String(item.eventType), item.detail));
    const accepted = await putOnBus(events, putEvents, busName);
    for (const event of events) {
      if (!accepted.has(event.detail.id)) {
        report.refused.push(event.detail.id);
        continue;
      }
      await deleteItem(ctx, unpublishedKey(event.detail.id));
      report.republished.push(event.detail.id);
    }
  } while (start);
  return report;
}
