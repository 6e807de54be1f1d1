import type { PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRedriveArgs, redriveEvents, summary, UsageError } from '../../scripts/redrive-events.ts';
import { outboxKey } from '../../shared/db/keys.ts';
import { sqsDeadLetterQueue, UNPUBLISHED_OUTBOX_ITEMS } from '../../shared/events/dead-letter-queue.ts';
import { writeAll } from '../../shared/db/store.ts';
import type { PutEvents } from '../../shared/events/bus.ts';
import { defineConsumer } from '../../shared/events/consumer.ts';
import { newEvent, outboxWrite } from '../../shared/events/outbox.ts';
import { LOCAL_STREAM_RETRY } from '../../local/stream-poller.ts';
import { TestApi } from '../support/api.ts';

/** Events produced the way every producer does: an outbox item committed in a transaction. */
async function commitEvents(api: TestApi, count: number, type: 'opportunity.created' | 'buynow.clicked' = 'opportunity.created') {
  const { ctx } = api.runtime;
  const events = Array.from({ length: count }, () =>
    type === 'opportunity.created'
      ? newEvent(ctx, type, null, { opportunityId: ctx.newId(), contactId: null, companyId: ctx.newId(), ownerId: ctx.newId(), stageId: ctx.newId() })
      : newEvent(ctx, type, null, { opportunityId: ctx.newId(), linkId: ctx.newId(), contactId: null, ownerId: ctx.newId() }),
  );
  // A transaction holds at most 100 writes.
  for (let start = 0; start < events.length; start += 100) await writeAll(ctx, events.slice(start, start + 100).map((event) => outboxWrite(ctx, event)));
  return events.map((event) => event.detail.id);
}

/** A consumer that records the ids of the events its handler ran for. */
function recorder(name: string, failFirst = 0) {
  const handled: string[] = [];
  let failures = 0;
  const consumer = defineConsumer({
    name,
    description: `test: records ${name}`,
    events: ['opportunity.created'],
    access: { items: [], queryIndexes: [] },
    async handle(event) {
      if (failures < failFirst) {
        failures++;
        throw new Error('the consumer is down');
      }
      handled.push(event.detail.id);
    },
  });
  return { consumer, handled };
}

/** The stream's retries of a failed batch, as many as in AWS, with short pauses: an outage outlasts them in milliseconds. */
const QUICK_STREAM_RETRY = { ...LOCAL_STREAM_RETRY, backoffMs: 1, maxBackoffMs: 20 };

const countOf = (ids: readonly string[]) => ids.reduce((counts, id) => counts.set(id, (counts.get(id) ?? 0) + 1), new Map<string, number>());

describe('R-EVT-2 the outbox path: stream → publisher → bus → consumers', () => {
  const seen = recorder('test-recorder');
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start({ events: { extraConsumers: [seen.consumer] } });
  });
  afterAll(() => api.stop());

  it('R-EVT-2 an event committed with its outbox item reaches its consumer once; settle answers after that', async () => {
    const [eventId] = await commitEvents(api, 1);

    const settled = await api.post('/_local/settle');

    expect(settled.status).toBe(200);
    expect(settled.body).toEqual({ settled: true });
    expect(seen.handled).toEqual([eventId]);
  });

  it('R-EVT-3 a consumer only receives the types its rule pattern names', async () => {
    const before = seen.handled.length;

    await commitEvents(api, 3, 'buynow.clicked');
    await api.post('/_local/settle');

    expect(seen.handled).toHaveLength(before);
  });

  it('R-EVT-2 settle with nothing pending answers at once', async () => {
    const started = Date.now();

    expect((await api.post('/_local/settle')).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('R-EVT-2 fault injection: the bus refuses, later accepts', () => {
  const seen = recorder('test-recorder');
  const attempts: string[][] = [];
  let calls = 0;
  /** Call 1 throws, call 2 refuses every other entry, call 3 refuses all with FailedEntryCount; then all is accepted. */
  const flaky = (putEvents: PutEvents): PutEvents => async (entries) => {
    calls++;
    attempts.push(entries.map((entry) => JSON.parse(entry.Detail!).id));
    if (calls === 1) throw new Error('EventBridge is unavailable');
    if (calls === 2) {
      const accepted = await putEvents(entries.filter((_, index) => index % 2 === 0));
      const answers: PutEventsResultEntry[] = entries.map((_, index) =>
        index % 2 === 0 ? accepted.Entries![index / 2]! : { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' },
      );
      return { FailedEntryCount: answers.filter((answer) => answer.ErrorCode).length, Entries: answers };
    }
    if (calls === 3) return { FailedEntryCount: entries.length, Entries: entries.map(() => ({ ErrorCode: 'InternalFailure' })) };
    return putEvents(entries);
  };
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start({ events: { extraConsumers: [seen.consumer], wrapPutEvents: flaky, streamRetry: QUICK_STREAM_RETRY } });
  });
  afterAll(() => api.stop());

  it('R-EVT-2 every event committed while the bus refuses arrives exactly once at the consumer', async () => {
    const eventIds = await commitEvents(api, 25);

    await api.post('/_local/settle');

    expect(calls).toBeGreaterThan(3);
    expect(attempts[0]).toHaveLength(10);
    expect(new Set(seen.handled)).toEqual(new Set(eventIds));
    expect([...countOf(seen.handled).values()].every((count) => count === 1)).toBe(true);
    expect((await api.get('/_local/dead-letters')).body).toEqual({ items: [] });
  });
});

describe('R-EVT-2 a failing consumer is retried, then dead-lettered', () => {
  const recovering = recorder('test-recovering', 2);
  const broken = recorder('test-broken', Number.POSITIVE_INFINITY);
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start({ events: { extraConsumers: [recovering.consumer, broken.consumer] } });
  });
  afterAll(() => api.stop());

  it('R-EVT-2 a consumer failing twice gets the event on its third attempt; one that keeps failing lands in the dead letters', async () => {
    const [eventId] = await commitEvents(api, 1);

    await api.post('/_local/settle');
    const deadLetters = await api.get('/_local/dead-letters');

    expect(recovering.handled).toEqual([eventId]);
    expect(broken.handled).toEqual([]);
    expect(deadLetters.body.items).toEqual([
      expect.objectContaining({ consumer: 'test-broken', type: 'opportunity.created', eventId, error: expect.stringContaining('the consumer is down') }),
    ]);
  });
});

describe('Issue 13 item 4: the bus refuses for longer than the retries, then recovers; a redrive republishes', () => {
  const seen = recorder('test-redriven');
  const bus = { down: false, refusals: 0 };
  /** While `down`, every entry is refused (as EventBridge does when throttled or unavailable). */
  const outage = (putEvents: PutEvents): PutEvents => async (entries) => {
    if (!bus.down) return putEvents(entries);
    bus.refusals++;
    return { FailedEntryCount: entries.length, Entries: entries.map(() => ({ ErrorCode: 'InternalFailure' })) };
  };
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start({ events: { extraConsumers: [seen.consumer], wrapPutEvents: outage, streamRetry: QUICK_STREAM_RETRY } });
  });
  afterAll(() => api.stop());

  it('item 4 events given up by the stream stay parked; after the bus recovers the redrive delivers each once, and a second redrive has nothing left', async () => {
    bus.down = true;
    const eventIds = await commitEvents(api, 12);
    await api.post('/_local/settle');
    const givenUp = (await api.get('/_local/dead-letters')).body.items;
    const handledDuringOutage = [...seen.handled];
    bus.down = false;

    const redriven = await api.post('/_local/redrive-events');
    const again = await api.post('/_local/redrive-events');

    expect(bus.refusals).toBeGreaterThan(10);
    expect(givenUp).toEqual([expect.objectContaining({ consumer: 'publisher', type: 'stream-batch' })]);
    expect(handledDuringOutage).toEqual([]);
    expect(redriven.status).toBe(200);
    expect(new Set(redriven.body.republished)).toEqual(new Set(eventIds));
    expect(redriven.body.refused).toEqual([]);
    expect(again.body).toEqual({ republished: [], refused: [] });
    expect(new Set(seen.handled)).toEqual(new Set(eventIds));
    expect([...countOf(seen.handled).values()].every((count) => count === 1)).toBe(true);
  });

  it('item 4 events parked during a short refusal that the stream then published are delivered again by a redrive, and handled once (receipts)', async () => {
    const before = seen.handled.length;
    const refusedBefore = bus.refusals;
    bus.down = true;
    const eventIds = await commitEvents(api, 3);
    // The stream retries while the bus refuses it twice more (whatever the machine's speed), then it accepts.
    const recover = setInterval(() => {
      if (bus.refusals >= refusedBefore + 2) bus.down = false;
    }, 5);
    await api.post('/_local/settle');
    clearInterval(recover);
    bus.down = false;

    const redriven = await api.post('/_local/redrive-events');

    expect(new Set(redriven.body.republished)).toEqual(new Set(eventIds));
    expect(seen.handled.slice(before).sort()).toEqual([...eventIds].sort());
  });
});

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/PipelineCrm-acme-PublisherDeadLetters';

/** SQS cannot run here: a client mocked to keep the queue in memory (send, receive hides, delete, release shows again). */
function inMemorySqs() {
  const client = new SQSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const messages = new Map<string, { body: string; visible: boolean }>();
  const sqs = mockClient(client);
  sqs.on(SendMessageCommand).callsFake(({ MessageBody }: { MessageBody: string }) => {
    const id = `m${messages.size + 1}-${Math.random()}`;
    messages.set(id, { body: MessageBody, visible: true });
    return { MessageId: id };
  });
  sqs.on(ReceiveMessageCommand).callsFake(({ MaxNumberOfMessages }: { MaxNumberOfMessages: number }) => {
    const taken = [...messages].filter(([, message]) => message.visible).slice(0, MaxNumberOfMessages);
    for (const [, message] of taken) message.visible = false;
    return { Messages: taken.map(([id, message]) => ({ MessageId: id, ReceiptHandle: id, Body: message.body })) };
  });
  const eachEntry = (apply: (receiptHandle: string) => void) => ({ Entries }: { Entries: { Id: string; ReceiptHandle: string }[] }) => {
    for (const { ReceiptHandle } of Entries) apply(ReceiptHandle);
    return { Successful: Entries.map(({ Id }) => ({ Id })), Failed: [] };
  };
  sqs.on(DeleteMessageBatchCommand).callsFake(eachEntry((handle) => messages.delete(handle)));
  sqs.on(ChangeMessageVisibilityBatchCommand).callsFake(eachEntry((handle) => void (messages.get(handle)!.visible = true)));
  /** The event ids the queue's messages name (a message that names none, e.g. a stream pointer, adds nothing). */
  const namedEventIds = () => [...messages.values()].flatMap(({ body }) => (JSON.parse(body).items ?? []).map((item: { eventId: string }) => item.eventId));
  return { client, messages, namedEventIds };
}

describe('Issue 13 item 4 (as worded): the dead-letter queue names the outbox items; a --queue redrive republishes them', () => {
  const seen = recorder('test-queue-redriven');
  const sqs = inMemorySqs();
  /** The local bus as the publisher and the redrive see it: while `down`, every entry is refused. */
  const bus = { down: false, refusals: 0, putEvents: undefined as PutEvents | undefined };
  const outage = (putEvents: PutEvents): PutEvents => {
    bus.putEvents = async (entries) => {
      if (!bus.down) return putEvents(entries);
      bus.refusals++;
      return { FailedEntryCount: entries.length, Entries: entries.map(() => ({ ErrorCode: 'InternalFailure' })) };
    };
    return bus.putEvents;
  };
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start({ events: { extraConsumers: [seen.consumer], wrapPutEvents: outage, streamRetry: QUICK_STREAM_RETRY, deadLetterQueue: sqsDeadLetterQueue(QUEUE_URL, sqs.client) } });
  });
  afterAll(() => api.stop());

  it('issue 13 item 4 the bus refuses every put for longer than the retries: the queue names every event; after recovery the redrive route delivers each once and empties the queue', async () => {
    bus.down = true;
    const eventIds = await commitEvents(api, 12);
    await api.post('/_local/settle');
    const givenUp = (await api.get('/_local/dead-letters')).body.items;
    const namedDuringOutage = new Set(sqs.namedEventIds());
    const messagesDuringOutage = sqs.messages.size;
    bus.down = false;

    const redriven = await api.post('/_local/redrive-events');
    const again = await api.post('/_local/redrive-events');

    expect(bus.refusals).toBeGreaterThan(10);
    expect(givenUp).toEqual([expect.objectContaining({ consumer: 'publisher', type: 'stream-batch' })]);
    expect(namedDuringOutage).toEqual(new Set(eventIds));
    expect(redriven.status).toBe(200);
    expect(redriven.body).toMatchObject({ refused: [], missing: [], unidentified: 0, deletedMessages: messagesDuringOutage });
    expect(new Set(redriven.body.republished)).toEqual(new Set(eventIds));
    expect(redriven.body.republished).toHaveLength(eventIds.length);
    expect(sqs.messages.size).toBe(0);
    expect(again.body).toEqual({ republished: [], refused: [], missing: [], unidentified: 0, deletedMessages: 0 });
    expect(new Set(seen.handled)).toEqual(new Set(eventIds));
    expect([...countOf(seen.handled).values()].every((count) => count === 1)).toBe(true);
  });

  it('issue 13 item 4 npm run redrive-events -- --table … --queue …: keeps every message while the bus refuses; then deletes a message only when all it names is republished', async () => {
    const before = seen.handled.length;
    bus.down = true;
    const eventIds = await commitEvents(api, 3);
    await api.post('/_local/settle');
    // What the stream's own failure record looks like (no outbox item named), and a message naming an expired outbox item.
    await sqs.client.send(new SendMessageCommand({ QueueUrl: QUEUE_URL, MessageBody: JSON.stringify({ requestContext: { condition: 'RetryAttemptsExhausted' }, DDBStreamBatchInfo: { batchSize: 3 } }) }));
    const expiredId = api.runtime.ctx.newId();
    await sqs.client.send(new SendMessageCommand({ QueueUrl: QUEUE_URL, MessageBody: JSON.stringify({ kind: UNPUBLISHED_OUTBOX_ITEMS, busName: 'b', reason: 'r', items: [{ eventId: expiredId, eventType: 'opportunity.created', outboxKey: outboxKey(expiredId) }] }) }));
    const options = parseRedriveArgs(['--table', api.runtime.ctx.tableName, '--queue', QUEUE_URL]);
    const clients = { db: api.runtime.ctx.db, sqs: sqs.client, putEvents: bus.putEvents! };

    const messagesBefore = sqs.messages.size;
    const whileDown = await redriveEvents(options, clients);
    const messagesWhileDown = sqs.messages.size;
    bus.down = false;
    const recovered = await redriveEvents(options, clients);
    await api.post('/_local/settle');

    expect(whileDown).toMatchObject({ republished: [], deletedMessages: 0, missing: [expiredId], unidentified: 1 });
    expect(new Set(whileDown.refused)).toEqual(new Set(eventIds));
    expect(summary(whileDown).complete).toBe(false);
    expect(messagesWhileDown).toBe(messagesBefore);
    expect(new Set(recovered.republished)).toEqual(new Set(eventIds));
    expect(recovered).toMatchObject({ refused: [], missing: [expiredId], unidentified: 1, deletedMessages: messagesWhileDown - 2 });
    expect(sqs.messages.size).toBe(2);
    expect(seen.handled.slice(before).sort()).toEqual([...eventIds].sort());
  });
});

describe('Issue 13 item 4: the redrive script arguments', () => {
  it('issue 13 item 4 --table with --queue (bus from the messages, or --bus) or with --bus alone (the table partition); anything else is a usage error', () => {
    expect(parseRedriveArgs(['--table', 't', '--queue', QUEUE_URL])).toEqual({ tableName: 't', queueUrl: QUEUE_URL, busName: undefined, region: undefined });
    expect(parseRedriveArgs(['--table', 't', '--bus', 'b', '--region', 'eu-west-1'])).toEqual({ tableName: 't', queueUrl: undefined, busName: 'b', region: 'eu-west-1' });
    expect(() => parseRedriveArgs(['--table', 't'])).toThrow(UsageError);
    expect(() => parseRedriveArgs(['--queue', QUEUE_URL])).toThrow(UsageError);
    expect(() => parseRedriveArgs(['--table', 't', '--queue', QUEUE_URL, '--stream', 'x'])).toThrow(UsageError);
  });
});
