import type { AppContext } from '../app-context.ts';
import { OUTBOX_PREFIX, outboxKey } from '../db/keys.ts';
import type { ExtraWrite } from '../db/store.ts';
import { eventDefinition, parseEvent, type DomainEvent, type EventData, type EventType } from './catalogue.ts';

/**
 * R-EVT-2 transactional outbox: an event is an item written in the same transaction as the state change it
 * reports, so either both commit or neither does; the publisher reads it from the table's stream and puts it
 * on the bus. It expires (TTL) well after the stream (24 h) and any republishing could need it.
 */
export const OUTBOX_TTL_SECONDS = 7 * 24 * 60 * 60;

const OUTBOX_RECORD_TYPE = 'Outbox event';

/**
 * A new event of `type`: its data is checked against the catalogue here, so a producer cannot emit what no
 * consumer could parse (a mismatch is a bug and throws before anything is written).
 */
export function newEvent<T extends EventType>(ctx: AppContext, type: T, actorId: string | null, data: EventData<T>): DomainEvent<T> {
  const definition = eventDefinition(type);
  const detail = { id: ctx.newId(), occurredAt: ctx.now().toISOString(), actorId, version: definition.version, data: definition.data.parse(data) };
  return { type, detail } as DomainEvent<T>;
}

/** The outbox item of `event`, to commit with the change it reports (`writeAll`, `createRecord`, `extra` of an update). */
export function outboxWrite(ctx: AppContext, event: DomainEvent): ExtraWrite {
  return {
    write: {
      Put: {
        TableName: ctx.tableName,
        Item: {
          ...outboxKey(event.detail.id),
          recordType: OUTBOX_RECORD_TYPE,
          eventType: event.type,
          detail: event.detail,
          expiresAt: Math.floor(ctx.now().getTime() / 1000) + OUTBOX_TTL_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
  };
}

/** Whether a table item (as unmarshalled from a stream image) is an outbox item. */
export const isOutboxItem = (item: Record<string, unknown>) => typeof item.PK === 'string' && item.PK.startsWith(OUTBOX_PREFIX) && item.SK === 'OUTBOX';

/** The event an outbox item holds, checked against the catalogue. */
export function eventOfOutboxItem(item: Record<string, unknown>): DomainEvent {
  return parseEvent(String(item.eventType), item.detail);
}
