import type { PutEventsRequestEntry, PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { ulid } from 'ulid';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { createPublisher } from '../../functions/events/publisher.ts';
import { outboxKey } from '../../shared/db/keys.ts';
import { reportToDeadLetterQueue, sqsDeadLetterQueue, UNPUBLISHED_OUTBOX_ITEMS } from '../../shared/events/dead-letter-queue.ts';
import type { AppContext } from '../../shared/app-context.ts';
import type { PutEvents } from '../../shared/events/bus.ts';
import { newEvent, outboxWrite } from '../../shared/events/outbox.ts';

let counter = 0;
const nextId = () => ulid();
const ctx = { tableName: 'crm', now: () => new Date('2026-11-23T10:00:00.000Z'), newId: nextId } as unknown as AppContext;

type Item = Record<string, unknown>;

/** A stream record as Lambda delivers it, for an item written to the table. */
function streamRecord(item: Item, eventName: 'INSERT' | 'MODIFY' | 'REMOVE' = 'INSERT'): DynamoDBRecord {
  const image = marshall(item, { removeUndefinedValues: true }) as never;
  return { eventName, dynamodb: { SequenceNumber: String(++counter).padStart(21, '0'), Keys: image, NewImage: eventName === 'REMOVE' ? undefined : image } };
}

function outboxRecord(): { record: DynamoDBRecord; eventId: string } {
  const event = newEvent(ctx, 'opportunity.won', null, { opportunityId: nextId(), contactId: null, companyId: nextId(), ownerId: nextId(), winReasonIds: [] });
  return { record: streamRecord(outboxWrite(ctx, event).write.Put!.Item as Item), eventId: event.detail.id };
}

/** A bus that records each call and answers with `answer(entries, call)`. */
function fakeBus(answer: (entries: PutEventsRequestEntry[], call: number) => PutEventsResultEntry[] | Error) {
  const calls: string[][] = [];
  const putEvents: PutEvents = async (entries) => {
    calls.push(entries.map((entry) => JSON.parse(entry.Detail!).id));
    const result = answer(entries, calls.length);
    if (result instanceof Error) throw result;
    return { FailedEntryCount: result.filter((entry) => entry.ErrorCode).length, Entries: result };
  };
  return { putEvents, calls };
}

const accepted = (entries: PutEventsRequestEntry[]): PutEventsResultEntry[] => entries.map((_, index) => ({ EventId: `bus-${index}` }));
const sequenceOf = (record: DynamoDBRecord) => record.dynamodb!.SequenceNumber!;
const noPark = async () => undefined;

describe('R-EVT-2 publisher', () => {
  it('R-EVT-2 puts every outbox INSERT on the bus in batches of at most 10, with the bus name', async () => {
    const outbox = Array.from({ length: 23 }, outboxRecord);
    const sent: PutEventsRequestEntry[] = [];
    const bus = fakeBus((entries) => {
      sent.push(...entries);
      return accepted(entries);
    });

    const answer = await createPublisher({ putEvents: bus.putEvents, busName: 'acme-bus', park: noPark })({ Records: outbox.map(({ record }) => record) });

    expect(answer).toEqual({ batchItemFailures: [] });
    expect(bus.calls.map((call) => call.length)).toEqual([10, 10, 3]);
    expect(bus.calls.flat()).toEqual(outbox.map(({ eventId }) => eventId));
    expect(sent.every((entry) => entry.EventBusName === 'acme-bus' && entry.Source === 'pipeline-crm' && entry.DetailType === 'opportunity.won')).toBe(true);
  });

  it('R-EVT-2 ignores what is not an outbox INSERT (other items, updates, TTL removals)', async () => {
    const outbox = outboxRecord();
    const bus = fakeBus(accepted);
    const others = [
      streamRecord({ PK: 'CONTACT#1', SK: 'CONTACT', name: 'x' }),
      streamRecord(outbox.record.dynamodb!.NewImage as never, 'REMOVE'),
      { ...outboxRecord().record, eventName: 'MODIFY' as const },
    ];

    await createPublisher({ putEvents: bus.putEvents, busName: 'bus', park: noPark })({ Records: [...others, outbox.record] });

    expect(bus.calls).toEqual([[outbox.eventId]]);
  });

  it('R-EVT-2 a partial failure reports the first refused record and every one after it (the stream retries from there)', async () => {
    const outbox = Array.from({ length: 15 }, outboxRecord);
    const bus = fakeBus((entries) => entries.map((_, index) => (index === 3 || index === 5 ? { ErrorCode: 'ThrottlingException' } : { EventId: `bus-${index}` })));

    const answer = await createPublisher({ putEvents: bus.putEvents, busName: 'bus', park: noPark })({ Records: outbox.map(({ record }) => record) });

    expect(bus.calls).toHaveLength(1);
    expect(answer.batchItemFailures).toEqual(outbox.slice(3).map(({ record }) => ({ itemIdentifier: sequenceOf(record) })));
  });

  it('R-EVT-2 a failing PutEvents call reports its whole batch and the rest, after the batches already accepted', async () => {
    const outbox = Array.from({ length: 25 }, outboxRecord);
    const bus = fakeBus((entries, call) => (call === 2 ? new Error('EventBridge is unavailable') : accepted(entries)));

    const answer = await createPublisher({ putEvents: bus.putEvents, busName: 'bus', park: noPark })({ Records: outbox.map(({ record }) => record) });

    expect(bus.calls.map((call) => call.length)).toEqual([10, 10]);
    expect(answer.batchItemFailures).toEqual(outbox.slice(10).map(({ record }) => ({ itemIdentifier: sequenceOf(record) })));
  });

  it('R-EVT-2 FailedEntryCount without per-entry answers counts as all refused', async () => {
    const outbox = Array.from({ length: 2 }, outboxRecord);
    const putEvents: PutEvents = async () => ({ FailedEntryCount: 2 });

    const answer = await createPublisher({ putEvents, busName: 'bus', park: noPark })({ Records: outbox.map(({ record }) => record) });

    expect(answer.batchItemFailures).toHaveLength(2);
  });

  it('R-EVT-2 an outbox item that does not match the catalogue is reported failed after the events before it are published', async () => {
    const [first, second] = [outboxRecord(), outboxRecord()];
    const broken = streamRecord({ PK: `OUTBOX#${nextId()}`, SK: 'OUTBOX', eventType: 'opportunity.won', detail: { id: 'x' } });
    const bus = fakeBus(accepted);

    const answer = await createPublisher({ putEvents: bus.putEvents, busName: 'bus', park: noPark })({ Records: [first.record, broken, second.record] });

    expect(bus.calls).toEqual([[first.eventId]]);
    expect(answer.batchItemFailures).toEqual([broken, second.record].map((record) => ({ itemIdentifier: sequenceOf(record) })));
  });
});

describe('Issue 13 item 4: refused events are parked for a redrive', () => {
  it('issue 13 item 4 in AWS the parking is one dead-letter queue message naming each refused outbox item (key, event id, type) and the bus', async () => {
    const outbox = Array.from({ length: 3 }, outboxRecord);
    const refuseFrom1 = fakeBus((entries) => entries.map((_, index) => (index >= 1 ? { ErrorCode: 'InternalFailure' } : { EventId: `bus-${index}` })));
    const client = new SQSClient({ region: 'eu-west-1' });
    const sqs = mockClient(client);
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    const queueUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/PublisherDeadLetters';

    const answer = await createPublisher({ putEvents: refuseFrom1.putEvents, busName: 'pipeline-crm-acme', park: reportToDeadLetterQueue(sqsDeadLetterQueue(queueUrl, client), 'pipeline-crm-acme') })({
      Records: outbox.map(({ record }) => record),
    });

    expect(answer.batchItemFailures).toEqual(outbox.slice(1).map(({ record }) => ({ itemIdentifier: sequenceOf(record) })));
    const sent = sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.QueueUrl).toBe(queueUrl);
    expect(JSON.parse(sent[0]!.MessageBody!)).toEqual({
      kind: UNPUBLISHED_OUTBOX_ITEMS,
      busName: 'pipeline-crm-acme',
      reason: 'refused by the bus',
      items: outbox.slice(1).map(({ eventId }) => ({ eventId, eventType: 'opportunity.won', outboxKey: outboxKey(eventId) })),
    });
  });

  it('issue 13 item 4 a dead-letter queue that does not take the message fails the invocation (the stream retries the batch)', async () => {
    const outbox = Array.from({ length: 2 }, outboxRecord);
    const refuseAll = fakeBus((entries) => entries.map(() => ({ ErrorCode: 'InternalFailure' })));
    const client = new SQSClient({ region: 'eu-west-1' });
    mockClient(client).on(SendMessageCommand).rejects(new Error('SQS unavailable'));

    const publishing = createPublisher({ putEvents: refuseAll.putEvents, busName: 'bus', park: reportToDeadLetterQueue(sqsDeadLetterQueue('https://queue', client), 'bus') });

    await expect(publishing({ Records: outbox.map(({ record }) => record) })).rejects.toThrow('SQS unavailable');
  });

  it('item 4 the events handed back to the stream are parked first (by their whole event); a parking failure fails the invocation', async () => {
    const outbox = Array.from({ length: 4 }, outboxRecord);
    const refuseFrom2 = fakeBus((entries) => entries.map((_, index) => (index >= 2 ? { ErrorCode: 'ThrottlingException' } : { EventId: `bus-${index}` })));
    const parked: string[] = [];

    const answer = await createPublisher({ putEvents: refuseFrom2.putEvents, busName: 'bus', park: async (events) => void parked.push(...events.map(({ event }) => event.detail.id)) })({
      Records: outbox.map(({ record }) => record),
    });
    const failing = createPublisher({ putEvents: refuseFrom2.putEvents, busName: 'bus', park: async () => Promise.reject(new Error('table throttled')) });

    expect(answer.batchItemFailures).toHaveLength(2);
    expect(parked).toEqual(outbox.slice(2).map(({ eventId }) => eventId));
    await expect(failing({ Records: outbox.map(({ record }) => record) })).rejects.toThrow('table throttled');
  });
});
