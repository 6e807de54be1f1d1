import type { AppContext } from '../app-context.ts';
import { consumerReceiptKey } from '../db/keys.ts';
import type { FunctionAccess, ItemAction } from '../function-access.ts';
import { getItem, putItem } from '../db/store.ts';
import { parseEvent, type DomainEvent, type EventType } from './catalogue.ts';

/**
 * A consumer of domain events (R-EVT-2, R-EVT-3): the types it handles (its EventBridge rule's pattern comes
 * from them), what it may touch in the table (the stack grants exactly that), and its handler. Delivery is at
 * least once, in any order: `consume` skips an event the consumer already handled (a receipt item per event),
 * and handlers recompute from the current state, so a redelivered or late event changes nothing.
 */
export interface ConsumerSpec<T extends EventType> {
  /** kebab-case; its Lambda handler lives in `functions/events/<name>.ts`. */
  name: string;
  description: string;
  events: readonly T[];
  /** What its handler calls (receipts come on top: `RECEIPT_ACTIONS`); test/integration/consumer-grants.test.ts checks it. */
  access: FunctionAccess;
  handle(event: DomainEvent<T>, ctx: AppContext): Promise<void>;
}

/** A consumer as the bus, the stack and `consume` see it: `handle` is only called with one of its `events`. */
export interface Consumer extends Omit<ConsumerSpec<EventType>, 'handle'> {
  handle(event: DomainEvent, ctx: AppContext): Promise<void>;
}

/** `consume` reads and writes the consumer's receipt of each event. */
export const RECEIPT_ACTIONS: readonly ItemAction[] = ['GetItem', 'PutItem'];

export function defineConsumer<const T extends EventType>(spec: ConsumerSpec<T>): Consumer {
  return { ...spec, handle: (event, ctx) => spec.handle(event as DomainEvent<T>, ctx) };
}

/** Longer than any redelivery: the bus retries for a day at most, the outbox keeps an event 7 days. */
const RECEIPT_TTL_SECONDS = 10 * 24 * 60 * 60;

export type Consumption = 'handled' | 'duplicate' | 'ignored';

/**
 * Hands one event to the consumer unless it already handled it. The receipt is written after the handler
 * succeeded: a failure leaves none, so the redelivery runs the handler again (which must therefore be safe to
 * run twice, as a recompute is). A type the consumer does not handle is ignored.
 */
export async function consume(ctx: AppContext, consumer: Consumer, event: DomainEvent): Promise<Consumption> {
  if (!consumer.events.includes(event.type)) return 'ignored';
  const receipt = consumerReceiptKey(consumer.name, event.detail.id);
  const handled = await getItem(ctx, receipt, { consistent: true });
  if (handled) return 'duplicate';
  await consumer.handle(event, ctx);
  // A receipt already there (not written): a concurrent delivery of the same event finished first; handled either way.
  await putItem(
    ctx,
    {
      ...receipt,
      recordType: 'Consumer receipt',
      eventType: event.type,
      handledAt: ctx.now().toISOString(),
      expiresAt: Math.floor(ctx.now().getTime() / 1000) + RECEIPT_TTL_SECONDS,
    },
    { expression: 'attribute_not_exists(PK)' },
  );
  return 'handled';
}

/** What a rule target delivers (the EventBridge event; only these fields are read). */
export interface BusEvent {
  'detail-type': string;
  detail: unknown;
}

/** Parses what the bus delivered against the catalogue (a mismatch throws: retried, then dead-lettered) and consumes it. */
export const consumeBusEvent = (ctx: AppContext, consumer: Consumer, delivered: BusEvent) => consume(ctx, consumer, parseEvent(delivered['detail-type'], delivered.detail));
