import type { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import type { AppContext } from '../app-context.ts';
import { outboxKey } from '../db/keys.ts';
import { batchGetAll } from '../db/store.ts';
import { putOnBus, type PutEvents } from './bus.ts';
import { eventOfOutboxItem } from './outbox.ts';
import type { DomainEvent } from './catalogue.ts';
import type { ParkedEvent, RedriveReport } from './unpublished.ts';

/**
 * Issue 13 item 4, as the issue words it: what reaches the publisher's dead-letter queue identifies the outbox items.
 * Each time the bus refuses events, the publisher (in AWS) sends one message naming their outbox items (key, event id
 * and type) and the bus, before handing the records back to the stream; the stream's own failure records (batch
 * pointers, useless once the stream has trimmed them) land in the same queue only for a batch the publisher itself
 * failed on. `npm run redrive-events -- --table … --queue …` reads the messages, puts the named outbox items (read
 * from the table, as committed) on the bus, and deletes a message only once every event it names is accepted.
 * Consumers apply each effect once (receipts), so duplicates (one message per refused retry) are harmless.
 */

export const UNPUBLISHED_OUTBOX_ITEMS = 'unpublished-outbox-items';

const outboxItemsMessage = z.object({
  kind: z.literal(UNPUBLISHED_OUTBOX_ITEMS),
  busName: z.string().min(1),
  reason: z.string(),
  items: z.array(z.object({ eventId: z.string().min(1), eventType: z.string(), outboxKey: z.object({ PK: z.string(), SK: z.string() }) })).min(1),
});
export type OutboxItemsMessage = z.infer<typeof outboxItemsMessage>;

export interface QueueMessage {
  receiptHandle: string;
  body: string;
}

/** The calls made on the queue; production is SQS (`sqsDeadLetterQueue`), tests inject a fake or a mocked client. */
export interface DeadLetterQueue {
  send(body: string): Promise<void>;
  /** Up to 10 messages, hidden from other readers for the rest of a redrive run. */
  receive(): Promise<QueueMessage[]>;
  delete(receiptHandles: readonly string[]): Promise<void>;
  /** Makes messages kept by a run visible again at once, for the next run. */
  release(receiptHandles: readonly string[]): Promise<void>;
}

/** Long enough for a run to finish before a message it keeps shows up again; `release` ends it earlier. */
const RUN_VISIBILITY_SECONDS = 300;
const SQS_BATCH_MAX = 10;

// Loaded on first use: the publisher reaches the queue only when the bus refuses events, so its cold start skips SQS.
const sqsSdk = () => import('@aws-sdk/client-sqs');
let sharedClient: Promise<SQSClient> | undefined;
const defaultClient = () => (sharedClient ??= sqsSdk().then((sdk) => new sdk.SQSClient({})));

export function sqsDeadLetterQueue(queueUrl: string, client?: SQSClient): DeadLetterQueue {
  const sqs = async () => ({ sdk: await sqsSdk(), client: client ?? (await defaultClient()) });
  const inBatches = async (handles: readonly string[], call: (entries: { Id: string; ReceiptHandle: string }[]) => Promise<{ Failed?: { Id?: string; Message?: string }[] | undefined }>) => {
    for (let start = 0; start < handles.length; start += SQS_BATCH_MAX) {
      const entries = handles.slice(start, start + SQS_BATCH_MAX).map((ReceiptHandle, index) => ({ Id: String(index), ReceiptHandle }));
      const answer = await call(entries);
      if (answer.Failed?.length) throw new Error(`SQS failed on ${answer.Failed.length} messages: ${answer.Failed.map((failed) => failed.Message).join('; ')}`);
    }
  };
  return {
    async send(body) {
      const { sdk, client } = await sqs();
      await client.send(new sdk.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    },
    async receive() {
      const { sdk, client } = await sqs();
      const answer = await client.send(
        new sdk.ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: SQS_BATCH_MAX, WaitTimeSeconds: 1, VisibilityTimeout: RUN_VISIBILITY_SECONDS }),
      );
      return (answer.Messages ?? []).map((message) => ({ receiptHandle: message.ReceiptHandle!, body: message.Body ?? '' }));
    },
    async delete(handles) {
      const { sdk, client } = await sqs();
      await inBatches(handles, (Entries) => client.send(new sdk.DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries })));
    },
    async release(handles) {
      const { sdk, client } = await sqs();
      await inBatches(handles, (entries) =>
        client.send(new sdk.ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries.map((entry) => ({ ...entry, VisibilityTimeout: 0 })) })),
      );
    },
  };
}

/** The publisher's production `park`: one message naming the refused outbox items; throws if SQS does not take it. */
export function reportToDeadLetterQueue(queue: DeadLetterQueue, busName: string): (parked: ParkedEvent[]) => Promise<void> {
  return async (parked) => {
    if (parked.length === 0) return;
    const message: OutboxItemsMessage = {
      kind: UNPUBLISHED_OUTBOX_ITEMS,
      busName,
      reason: parked[0]!.reason,
      items: parked.map(({ event }) => ({ eventId: event.detail.id, eventType: event.type, outboxKey: outboxKey(event.detail.id) })),
    };
    await queue.send(JSON.stringify(message));
  };
}

export interface QueueRedriveReport extends RedriveReport {
  /** Event ids whose outbox item is gone (it lives 7 days): their messages are kept. */
  missing: string[];
  /** Messages that name no outbox item (the stream's batch pointers, for a batch the publisher failed on): kept. */
  unidentified: number;
  /** Messages deleted because every event they name was put on the bus. */
  deletedMessages: number;
}

/**
 * Drains the queue once: every outbox item its messages name is read from the table and put on the bus (each at
 * most once per run), on the bus the message names unless `busName` overrides it. A message is deleted only when
 * all its events were accepted; the others are released for the next run.
 */
export async function redriveDeadLetterQueue(ctx: AppContext, queue: DeadLetterQueue, putEvents: PutEvents, options: { busName?: string } = {}): Promise<QueueRedriveReport> {
  const report: QueueRedriveReport = { republished: [], refused: [], missing: [], unidentified: 0, deletedMessages: 0 };
  const republished = new Set<string>();
  const failed = new Set<string>();
  const kept: string[] = [];
  for (let messages = await queue.receive(); messages.length > 0; messages = await queue.receive()) {
    const done: string[] = [];
    for (const message of messages) {
      const named = parseMessage(message.body);
      if (!named) {
        report.unidentified++;
        kept.push(message.receiptHandle);
        continue;
      }
      const pending = named.items.filter(({ eventId }) => !republished.has(eventId) && !failed.has(eventId));
      const events = await outboxEvents(ctx, pending.map(({ eventId }) => eventId));
      for (const { eventId } of pending.filter(({ eventId }) => !events.has(eventId))) {
        failed.add(eventId);
        report.missing.push(eventId);
      }
      const accepted = await putOnBus([...events.values()], putEvents, options.busName ?? named.busName);
      for (const event of events.values()) {
        const eventId = event.detail.id;
        if (accepted.has(eventId)) {
          republished.add(eventId);
          report.republished.push(eventId);
        } else {
          failed.add(eventId);
          report.refused.push(eventId);
        }
      }
      if (named.items.every(({ eventId }) => republished.has(eventId))) done.push(message.receiptHandle);
      else kept.push(message.receiptHandle);
    }
    await queue.delete(done);
    report.deletedMessages += done.length;
  }
  await queue.release(kept);
  return report;
}

function parseMessage(body: string): OutboxItemsMessage | undefined {
  try {
    const parsed = outboxItemsMessage.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The events of the outbox items still in the table, by event id (read strongly consistent). */
async function outboxEvents(ctx: AppContext, eventIds: readonly string[]): Promise<Map<string, DomainEvent>> {
  if (eventIds.length === 0) return new Map();
  const items = await batchGetAll(ctx, eventIds.map(outboxKey), { consistent: true });
  return new Map(items.map((item) => eventOfOutboxItem(item)).map((event) => [event.detail.id, event]));
}
