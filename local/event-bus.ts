import { randomUUID } from 'node:crypto';
import type { PutEventsRequestEntry, PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import type { AppContext } from '../shared/app-context.ts';
import type { PutEvents } from '../shared/events/bus.ts';
import { eventPattern } from '../shared/events/catalogue.ts';
import { consumeBusEvent, type BusEvent, type Consumer } from '../shared/events/consumer.ts';
import { logger } from '../shared/logger.ts';
import type { Deliveries } from './stream-poller.ts';

/**
 * EventBridge on one machine: PutEvents routes each entry to every consumer whose rule pattern (the same
 * `eventPattern` the stack deploys) matches, and delivers it asynchronously like a rule's Lambda target: a
 * consumer that fails is retried a few times, then the event lands in the dead letters (`GET /_local/dead-letters`).
 */

export interface DeadLetter {
  consumer: string;
  type: string;
  eventId: string | undefined;
  error: string;
  failedAt: string;
}

export interface LocalEventBus extends Deliveries {
  putEvents: PutEvents;
  deadLetters(): readonly DeadLetter[];
  /** Refuses new events and waits for the deliveries in flight. */
  stop(): Promise<void>;
}

export interface DeliveryRetry {
  /** Attempts in all (Lambda's asynchronous invocation: 1 + 2 retries). */
  attempts: number;
  /** Wait before the second attempt; doubled before each further one. */
  backoffMs: number;
}

export const LOCAL_DELIVERY_RETRY: DeliveryRetry = { attempts: 3, backoffMs: 20 };

type Pattern = { [field: string]: readonly unknown[] | Pattern };

/** EventBridge matching for the patterns the catalogue builds: each field of the pattern lists the values it accepts. */
export function matchesPattern(pattern: Pattern, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([field, accepted]) => {
    const value = event[field];
    if (Array.isArray(accepted)) return accepted.includes(value);
    return typeof value === 'object' && value !== null && matchesPattern(accepted as Pattern, value as Record<string, unknown>);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createLocalEventBus(options: { ctx: AppContext; busName: string; consumers: readonly Consumer[]; retry?: DeliveryRetry }): LocalEventBus {
  const { ctx, busName, consumers, retry = LOCAL_DELIVERY_RETRY } = options;
  const rules = consumers.map((consumer) => ({ consumer, pattern: eventPattern(consumer.events) as Pattern }));
  const inFlight = new Set<Promise<void>>();
  const deadLetters: DeadLetter[] = [];
  let finished = 0;
  let stopped = false;

  async function deliver(consumer: Consumer, event: BusEvent & { id: string }): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await consumeBusEvent(ctx, consumer, event);
        return;
      } catch (error) {
        if (attempt >= retry.attempts || stopped) {
          const detail = event.detail as { id?: string };
          deadLetters.push({ consumer: consumer.name, type: event['detail-type'], eventId: detail?.id, error: String(error), failedAt: new Date().toISOString() });
          logger.error('Event delivery failed for good', { consumer: consumer.name, type: event['detail-type'], error });
          return;
        }
        await sleep(retry.backoffMs * 2 ** (attempt - 1));
      }
    }
  }

  function accept(entry: PutEventsRequestEntry): PutEventsResultEntry {
    if (stopped) return { ErrorCode: 'InternalFailure', ErrorMessage: 'The local bus is stopped' };
    if (entry.EventBusName !== busName || !entry.Source || !entry.DetailType || !entry.Detail) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'An entry needs the bus name, Source, DetailType and Detail' };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not JSON' };
    }
    const id = randomUUID();
    const event = {
      version: '0',
      id,
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: 'local',
      time: (entry.Time ?? new Date()).toISOString(),
      region: 'local',
      resources: [],
      detail,
    };
    for (const { consumer, pattern } of rules) {
      if (!matchesPattern(pattern, event)) continue;
      const delivery = deliver(consumer, event).finally(() => {
        inFlight.delete(delivery);
        finished++;
      });
      inFlight.add(delivery);
    }
    return { EventId: id };
  }

  return {
    putEvents: async (entries) => {
      const results = entries.map(accept);
      return { FailedEntryCount: results.filter((result) => result.ErrorCode).length, Entries: results };
    },
    idle: async () => {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    inFlight: () => inFlight.size,
    finished: () => finished,
    deadLetters: () => deadLetters,
    stop: async () => {
      stopped = true;
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}
