import type { AppContext } from '../app-context.ts';
import { outboxKey, UNPUBLISHED_PARTITION, unpublishedKey } from '../db/keys.ts';
import { batchWriteAll, deleteItem, queryOnce } from '../db/store.ts';
import { logger } from '../logger.ts';
import { busEntry, PUT_EVENTS_MAX_ENTRIES, type PutEvents } from './bus.ts';
import { parseEvent, type DomainEvent } from './catalogue.ts';

/**
 * Issue 13 item 4: no event is lost after the publisher's retries. Each time the bus refuses events, the publisher
 * parks them (their whole event and outbox key) in the table's `UNPUBLISHED` partition before handing the batch back
 * to the stream; the stream's retries may still publish them, and when they are exhausted (after which the stream
 * batch goes to the dead-letter queue, holding only stream pointers) the parked copies remain. A redrive
 * (`npm run redrive-events`, locally `POST /_local/redrive-events`) puts every parked event on the bus again and
 * unparks it; consumers handle each event once whatever the number of deliveries (their receipts).
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
    for (let index = 0; index < events.length; index += PUT_EVENTS_MAX_ENTRIES) {
      const batch = events.slice(index, index + PUT_EVENTS_MAX_ENTRIES);
      let accepted: boolean[];
      try {
        const answer = await putEvents(batch.map((event) => busEntry(event, busName)));
        accepted = batch.map((_, position) => Boolean(answer.Entries?.[position]?.EventId) && !answer.Entries?.[position]?.ErrorCode);
      } catch (error) {
        logger.warn('events_refused: the bus refused a redrive', { error });
        accepted = batch.map(() => false);
      }
      for (const [position, event] of batch.entries()) {
        if (!accepted[position]) {
          report.refused.push(event.detail.id);
          continue;
        }
        await deleteItem(ctx, unpublishedKey(event.detail.id));
        report.republished.push(event.detail.id);
      }
    }
  } while (start);
  return report;
}
