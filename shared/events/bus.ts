import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry, type PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { logger } from '../logger.ts';
import { EVENT_SOURCE, type DomainEvent } from './catalogue.ts';

/**
 * The one call the publisher makes on a bus: EventBridge PutEvents (at most 10 entries). It may refuse some
 * entries (`ErrorCode` on their result, `FailedEntryCount` > 0) or throw; the publisher then retries them.
 * Production uses EventBridge; the local runtime a bus that routes to the consumers in process; tests inject
 * a bus that refuses.
 */
export type PutEvents = (entries: PutEventsRequestEntry[]) => Promise<{ FailedEntryCount?: number | undefined; Entries?: PutEventsResultEntry[] | undefined }>;

/** PutEvents accepts at most this many entries per call. */
export const PUT_EVENTS_MAX_ENTRIES = 10;

export function eventBridgePutEvents(client: EventBridgeClient = new EventBridgeClient({})): PutEvents {
  return (entries) => client.send(new PutEventsCommand({ Entries: entries }));
}

/** The bus entry of an event: `source` the product, `detail-type` the event type, `detail` `{ id, occurredAt, actorId, version, data }`. */
export function busEntry(event: DomainEvent, busName: string): PutEventsRequestEntry {
  return {
    EventBusName: busName,
    Source: EVENT_SOURCE,
    DetailType: event.type,
    Detail: JSON.stringify(event.detail),
    Time: new Date(event.detail.occurredAt),
  };
}

/** Puts `events` on the bus in batches (a redrive's way): the ids of those the bus accepted; a failed call accepts none of its batch. */
export async function putOnBus(events: readonly DomainEvent[], putEvents: PutEvents, busName: string): Promise<Set<string>> {
  const accepted = new Set<string>();
  for (let start = 0; start < events.length; start += PUT_EVENTS_MAX_ENTRIES) {
    const batch = events.slice(start, start + PUT_EVENTS_MAX_ENTRIES);
    try {
      const answer = await putEvents(batch.map((event) => busEntry(event, busName)));
      batch.forEach((event, index) => {
        if (answer.Entries?.[index]?.EventId && !answer.Entries[index].ErrorCode) accepted.add(event.detail.id);
      });
    } catch (error) {
      logger.warn('events_refused: the bus refused a redrive', { error });
    }
  }
  return accepted;
}
