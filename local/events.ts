import { consumers as allConsumers } from '../functions/events/consumer-table.ts';
import { createPublisher } from '../functions/events/publisher.ts';
import type { AppContext } from '../shared/app-context.ts';
import type { PutEvents } from '../shared/events/bus.ts';
import type { Consumer } from '../shared/events/consumer.ts';
import { redriveDeadLetterQueue, reportToDeadLetterQueue, type DeadLetterQueue, type QueueRedriveReport } from '../shared/events/dead-letter-queue.ts';
import { parkEvents, redriveUnpublished, type RedriveReport } from '../shared/events/unpublished.ts';
import type { LocalDatabase } from './dynamodb-local.ts';
import { createLocalEventBus, type DeadLetter } from './event-bus.ts';
import { startStreamPoller, type StreamRetry } from './stream-poller.ts';

/**
 * The stack's event path on one machine (SPEC §10, R-EVT-2): the table's stream → the same publisher handler →
 * a local bus → the same consumers, matched by the same rule patterns. Every event still goes through its
 * outbox item: nothing reaches a consumer that was not committed.
 */

export interface LocalEventsOptions {
  /** Consumers besides the product's (tests add one that records what it receives). */
  extraConsumers?: readonly Consumer[];
  /** Wraps the local bus's PutEvents (tests make it refuse, to prove that nothing is lost). */
  wrapPutEvents?: (putEvents: PutEvents) => PutEvents;
  /**
   * Where the publisher reports what the bus refuses, and the redrive reads it, as in AWS (tests pass SQS on a mocked
   * client). Without it, the local runtime (which has no SQS) parks refused events in the table's UNPUBLISHED partition.
   */
  deadLetterQueue?: DeadLetterQueue;
  /** How the stream retries a batch the publisher failed (as the event source mapping does); tests shorten the pauses. */
  streamRetry?: StreamRetry;
}

export interface LocalEvents {
  /** Resolves once every event committed so far has been published and consumed (`POST /_local/settle`). */
  settle(): Promise<void>;
  /** Deliveries that failed after their retries, and stream batches given up (`GET /_local/dead-letters`). */
  deadLetters(): readonly DeadLetter[];
  /** Republishes the events the bus refused (issue 13 item 4, `POST /_local/redrive-events`), as the redrive script does in AWS. */
  redrive(): Promise<RedriveReport | QueueRedriveReport>;
  stop(): Promise<void>;
}

export const LOCAL_BUS_NAME = 'pipeline-crm-local';

export async function startLocalEvents(ctx: AppContext, database: LocalDatabase, options: LocalEventsOptions = {}): Promise<LocalEvents> {
  const bus = createLocalEventBus({ ctx, busName: LOCAL_BUS_NAME, consumers: [...allConsumers, ...(options.extraConsumers ?? [])] });
  const putEvents = options.wrapPutEvents ? options.wrapPutEvents(bus.putEvents) : bus.putEvents;
  const givenUp: DeadLetter[] = [];
  const queue = options.deadLetterQueue;
  const poller = await startStreamPoller({
    ctx,
    database,
    retry: options.streamRetry,
    handler: createPublisher({
      putEvents,
      busName: LOCAL_BUS_NAME,
      park: queue ? reportToDeadLetterQueue(queue, LOCAL_BUS_NAME) : (parked) => parkEvents(ctx, parked),
    }),
    deliveries: bus,
    onGiveUp: ({ sequenceNumbers }) =>
      givenUp.push({
        consumer: 'publisher',
        type: 'stream-batch',
        eventId: undefined,
        error: `Records ${sequenceNumbers.join(', ')} could not be published after their retries`,
        failedAt: new Date().toISOString(),
      }),
  });
  return {
    settle: () => poller.settle(),
    deadLetters: () => [...givenUp, ...bus.deadLetters()],
    redrive: () => (queue ? redriveDeadLetterQueue(ctx, queue, putEvents) : redriveUnpublished(ctx, putEvents, LOCAL_BUS_NAME)),
    async stop() {
      await poller.stop();
      await bus.stop();
    },
  };
}
