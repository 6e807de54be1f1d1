import type { LocalRuntime } from '../local/runtime.ts';
import type { PutEvents } from '../shared/events/bus.ts';
import { fixed, formatTable } from './report.ts';

/**
 * Opportunity lifecycle figures (R-OPP-2..R-OPP-10): the DynamoDB capacity each lifecycle route consumes for one
 * call, and bulk restore of 100 lost opportunities against 100 single restores, end to end over HTTP.
 */

export interface RouteCapacity extends CallTotals {
  route: string;
}

export interface RestoreComparison {
  count: number;
  bulkMs: number;
  singlesMs: number;
  /** singlesMs / bulkMs: how many times faster one bulk request is. */
  speedup: number;
}

export interface LifecycleFigures {
  capacity: RouteCapacity[];
  restore: RestoreComparison;
}

/** What the DynamoDB calls of one request add up to. */
export interface CallTotals {
  /** DynamoDB calls sent. */
  calls: number;
  /** Capacity units of the reads (GetItem, BatchGetItem, Query). */
  readUnits: number;
  /** Capacity units of the writes (TransactWriteItems, PutItem …), as the DynamoDB endpoint reports them. */
  writeUnits: number;
  /** Items in the TransactWriteItems calls: the size of the transactions, against DynamoDB's limit of 100. */
  transactionItems: number;
}

export const NO_CALLS: CallTotals = { calls: 0, readUnits: 0, writeUnits: 0, transactionItems: 0 };

type Consumed = { CapacityUnits?: number } | readonly { CapacityUnits?: number }[] | undefined;

const READ_COMMANDS = /^(GetItem|BatchGetItem|Query|Scan|TransactGetItems)Command$/;

/** Adds one DynamoDB call (its input and what it consumed with `ReturnConsumedCapacity: TOTAL`) to the totals. */
export function addCall(totals: CallTotals, commandName: string, input: { TransactItems?: readonly unknown[] }, consumed: Consumed): CallTotals {
  const units = [consumed ?? []].flat().reduce((sum, part) => sum + (part.CapacityUnits ?? 0), 0);
  const read = READ_COMMANDS.test(commandName);
  return {
    calls: totals.calls + 1,
    readUnits: totals.readUnits + (read ? units : 0),
    writeUnits: totals.writeUnits + (read ? 0 : units),
    transactionItems: totals.transactionItems + (input.TransactItems?.length ?? 0),
  };
}

const METER = 'benchConsumedCapacity';

/**
 * Counts the capacity of every command the runtime's handlers send, on their own document client. Requests are
 * measured one at a time, so what is counted between two calls of `take` belongs to one request.
 */
export function installMeter(runtime: LocalRuntime) {
  let totals = NO_CALLS;
  runtime.ctx.db.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { ReturnConsumedCapacity?: string; TransactItems?: unknown[] };
      input.ReturnConsumedCapacity = 'TOTAL';
      const answer = await next(args);
      totals = addCall(totals, context.commandName ?? '', input, (answer.output as { ConsumedCapacity?: Consumed }).ConsumedCapacity);
      return answer;
    },
    { step: 'initialize', name: METER },
  );
  return {
    take(): CallTotals {
      const taken = totals;
      totals = NO_CALLS;
      return taken;
    },
    remove: () => runtime.ctx.db.middlewareStack.remove(METER),
  };
}
export type Meter = ReturnType<typeof installMeter>;

/**
 * The DynamoDB work and duration of one request alone. The event consumers share the runtime's client: those of
 * earlier requests are let finish first (`/_local/settle`), and the gate holds those of this request's own events
 * until it is counted (without it, a consumer the stream poller started before the response was read was counted
 * with the request: a restore once showed 11 calls instead of 6).
 */
export async function meteredRequest(runtime: LocalRuntime, meter: Meter, gate: EventGate, request: () => Promise<unknown>): Promise<{ totals: CallTotals; ms: number }> {
  await client(runtime)('POST', '/_local/settle');
  gate.close();
  try {
    meter.take();
    const start = performance.now();
    await request();
    const ms = performance.now() - start;
    return { totals: meter.take(), ms };
  } finally {
    gate.open();
  }
}

type Json = Record<string, any>;

export function client(runtime: LocalRuntime) {
  return async (method: string, path: string, body?: unknown, expected = 200): Promise<Json> => {
    const response = await fetch(`${runtime.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${runtime.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status !== expected) throw new Error(`Lifecycle bench: ${method} ${path} answered ${response.status}: ${text}`);
    return text ? (JSON.parse(text) as Json) : {};
  };
}

/** Runs `make` for each index, `parallel` at a time. */
async function inBatches<T>(count: number, parallel: number, make: (index: number) => Promise<T>): Promise<T[]> {
  const made: T[] = [];
  for (let start = 0; start < count; start += parallel) {
    made.push(...(await Promise.all(Array.from({ length: Math.min(parallel, count - start) }, (_, offset) => make(start + offset)))));
  }
  return made;
}

const RESTORE_COUNT = 100;
const SETUP_PARALLEL = 10;

export async function measureLifecycle(runtime: LocalRuntime, gate: EventGate): Promise<LifecycleFigures> {
  const call = client(runtime);
  const contact = async () => (await call('POST', '/contacts', { lastName: 'Bench' }, 201)).id as string;
  const opportunity = async (fields: Json = {}) => (await call('POST', '/opportunities', { title: 'Bench deal', contactId: await contact(), ...fields }, 201)) as Json;
  const lost = async () => {
    const created = await opportunity();
    return (await call('POST', `/opportunities/${created.id}/lost`, {})) as Json;
  };
  const [winReason, lossReason] = await Promise.all([
    call('POST', '/reasons', { kind: 'win', description: `Bench win ${Date.now()}` }, 201),
    call('POST', '/reasons', { kind: 'loss', description: `Bench loss ${Date.now()}` }, 201),
  ]);

  const meter = installMeter(runtime);
  const capacity: RouteCapacity[] = [];
  const measure = async (route: string, request: () => Promise<unknown>) => {
    capacity.push({ route, ...(await meteredRequest(runtime, meter, gate, request)).totals });
  };
  try {
    const contactId = await contact();
    await measure('POST /opportunities (duplicate check)', () => call('POST', '/opportunities', { title: 'Bench deal', contactId }, 201));
    await measure('POST /opportunities (409 duplicate)', () => call('POST', '/opportunities', { title: 'Bench deal', contactId }, 409));
    const toWin = await opportunity();
    await measure('POST /opportunities/{id}/won', () => call('POST', `/opportunities/${toWin.id}/won`, { winReasonIds: [winReason.id] }));
    const toLose = await opportunity();
    await measure('POST /opportunities/{id}/lost (reason id)', () => call('POST', `/opportunities/${toLose.id}/lost`, { lostReasonId: lossReason.id }));
    const toLoseTyped = await opportunity();
    await measure('POST /opportunities/{id}/lost (new typed-in reason)', () =>
      call('POST', `/opportunities/${toLoseTyped.id}/lost`, { lostReason: `Typed in ${Date.now()}` }),
    );
    await measure('POST /opportunities/{id}/restore', () => call('POST', `/opportunities/${toLose.id}/restore`));
    const tenLost = await inBatches(10, SETUP_PARALLEL, lost);
    await measure('POST /opportunities/restore (10 ids)', () => call('POST', '/opportunities/restore', { ids: tenLost.map((record) => record.id) }));
    const toArchive = await opportunity();
    await measure('POST /opportunities/{id}/archive', () => call('POST', `/opportunities/${toArchive.id}/archive`));
    await measure('POST /opportunities/{id}/unarchive', () => call('POST', `/opportunities/${toArchive.id}/unarchive`));
    const [target, merged] = await Promise.all([opportunity(), opportunity()]);
    await measure('POST /opportunities/merge (2 ids)', () => call('POST', '/opportunities/merge', { ids: [target!.id, merged!.id] }));
    const tenToMerge = await inBatches(10, SETUP_PARALLEL, () => opportunity());
    await measure('POST /opportunities/merge (10 ids)', () => call('POST', '/opportunities/merge', { ids: tenToMerge.map((record) => record.id) }));
    const anotherStage = ((await call('GET', '/stages')).items as Json[]).find((stage) => stage.id !== toArchive.stageId)!;
    await measure('PATCH /opportunities/{id} (stage)', () => call('PATCH', `/opportunities/${toArchive.id}`, { stageId: anotherStage.id }));
    await measure('POST /opportunities/{id}/notes', () => call('POST', `/opportunities/${target!.id}/notes`, { body: 'Bench note' }, 201));
    await measure('GET /opportunities/{id}/notes', () => call('GET', `/opportunities/${target!.id}/notes`));
    await measure('GET /opportunities/{id}/history (after a merge)', () => call('GET', `/opportunities/${target!.id}/history`));
    await measure('DELETE /opportunities/{id}', () => call('DELETE', `/opportunities/${toWin.id}`, undefined, 204));
  } finally {
    meter.remove();
  }

  return { capacity, restore: await measureRestore(runtime, gate) };
}

/**
 * Holds the local bus's deliveries while closed. In AWS the event consumers are other Lambda functions; locally they
 * share the process and DynamoDB Local with the API, so a measured phase holds them and they run after it.
 */
export function eventGate() {
  let opened: Promise<void> = Promise.resolve();
  let open = () => {};
  return {
    wrap: (putEvents: PutEvents): PutEvents => async (entries) => {
      await opened;
      return putEvents(entries);
    },
    close() {
      opened = new Promise((resolve) => (open = resolve));
    },
    open: () => open(),
  };
}
export type EventGate = ReturnType<typeof eventGate>;

/**
 * Issue 14 item 5: one bulk restore of 100 lost opportunities against 100 single restores one after the other. Through
 * the gate (the runtime's `events.wrapPutEvents`), the consumers of each phase's events run after that phase, for both.
 */
export async function measureRestore(runtime: LocalRuntime, gate: EventGate): Promise<RestoreComparison> {
  const call = client(runtime);
  const lost = async () => {
    const contact = (await call('POST', '/contacts', { lastName: 'Bench' }, 201)).id as string;
    const created = await call('POST', '/opportunities', { title: 'Bench deal', contactId: contact }, 201);
    return (await call('POST', `/opportunities/${created.id}/lost`, {})) as Json;
  };
  const forBulk = await inBatches(RESTORE_COUNT, SETUP_PARALLEL, lost);
  const forSingles = await inBatches(RESTORE_COUNT, SETUP_PARALLEL, lost);
  // Let the consumers of the setup's events finish, so they do not run during either measurement.
  await call('POST', '/_local/settle');
  gate.close();
  const bulkStart = performance.now();
  const bulk = await call('POST', '/opportunities/restore', { ids: forBulk.map((record) => record.id) });
  const bulkMs = performance.now() - bulkStart;
  gate.open();
  if (!bulk.results.every((outcome: { ok: boolean }) => outcome.ok)) throw new Error(`Lifecycle bench: bulk restore refused some ids: ${JSON.stringify(bulk.results)}`);
  await call('POST', '/_local/settle');
  gate.close();
  const singlesStart = performance.now();
  for (const record of forSingles) await call('POST', `/opportunities/${record.id}/restore`);
  const singlesMs = performance.now() - singlesStart;
  gate.open();
  await call('POST', '/_local/settle');
  return { count: RESTORE_COUNT, bulkMs, singlesMs, speedup: singlesMs / bulkMs };
}

/** Printable lines: the capacity table, then the bulk restore comparison. */
export function formatLifecycle(figures: LifecycleFigures): string[] {
  const table = formatTable(
    ['lifecycle route (one call)', 'DynamoDB calls', 'read units', 'write units', 'transaction items'],
    figures.capacity.map((row) => [row.route, String(row.calls), fixed(row.readUnits), fixed(row.writeUnits), String(row.transactionItems)]),
  );
  const { count, bulkMs, singlesMs, speedup } = figures.restore;
  return [
    'Opportunity lifecycle: DynamoDB work of one call of each route (ReturnConsumedCapacity TOTAL)',
    ...table.split('\n'),
    '  write units are as the endpoint reports them: DynamoDB Local reports one flat figure per transaction, whatever',
    '  its items; transaction items is the exact size of the transactions.',
    '',
    `Restore of ${count} lost opportunities: one bulk request ${fixed(bulkMs, 0)} ms, ${count} single requests one after the other ${fixed(singlesMs, 0)} ms (bulk ${fixed(speedup)}x faster)`,
  ];
}
