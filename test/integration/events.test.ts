import type { PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAll } from '../../shared/db/store.ts';
import type { PutEvents } from '../../shared/events/bus.ts';
import { defineConsumer } from '../../shared/events/consumer.ts';
import { newEvent, outboxWrite } from '../../shared/events/outbox.ts';
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
    api = await TestApi.start({ events: { extraConsumers: [seen.consumer], wrapPutEvents: flaky } });
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
    api = await TestApi.start({ events: { extraConsumers: [seen.consumer], wrapPutEvents: outage } });
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
