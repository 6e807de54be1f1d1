import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../shared/app-context.ts';
import { createAggregate, transition } from '../../shared/db/aggregate-writer.ts';
import { opportunityModel, outboxKey, stageModel, useKey } from '../../shared/db/keys.ts';
import { commitOpportunityChange, opportunities } from '../../shared/db/opportunity-writes.ts';
import { batchGetAll, getItem, newRecord, updateRecord } from '../../shared/db/store.ts';
import { conflict, isRefusal } from '../../shared/domain/errors.ts';
import { buildOpportunity, type StoredOpportunity } from '../../shared/domain/opportunities.ts';
import { archive, create } from '../../shared/domain/opportunity-lifecycle.ts';
import type { PipelineSettings, Stage } from '../../shared/schemas/pipeline.ts';
import { TestApi } from '../support/api.ts';

/**
 * Issue 10 item 1: the aggregate writer against DynamoDB Local (the opportunities' declaration: record, history,
 * uses, duplicate guard and outbox in one transaction), and issue 10 item 5: a party with more than 100 open
 * opportunities (R-OPP-2's BatchGet of the guard's holders is chunked).
 */

let api: TestApi;
let ctx: AppContext;
let ownerId: string;
let settings: PipelineSettings;
let stages: Stage[];

beforeAll(async () => {
  api = await TestApi.start();
  ctx = api.runtime.ctx;
  ownerId = (await api.get('/me')).body.id;
  settings = (await api.get('/settings/pipeline')).body;
  // A stage outside the active ones, where open opportunities wait without counting as duplicates.
  await api.post('/stages', { name: 'Parking', order: 150, probability: 5 });
  stages = (await api.get('/stages')).body.items;
});
afterAll(() => api?.stop());

const activeStage = () => stages.find((stage) => settings.activeStageIds.includes(stage.id))!;
const parkingStage = () => stages.find((stage) => !settings.activeStageIds.includes(stage.id) && stage.id !== settings.winStageId && stage.id !== settings.lossStageId)!;

function newOpportunity(party: { contactId?: string; companyId?: string }, stage: Stage): StoredOpportunity {
  return newRecord(ctx, buildOpportunity({ title: 'Deal', ...party }, { ownerId, stage, contactCompanyId: null, customFields: {}, defaultCurrency: 'EUR' }));
}

/** The context with every transaction it sends recorded (what was committed together). */
function recording(): { ctx: AppContext; transactions: NonNullable<TransactWriteCommand['input']['TransactItems']>[] } {
  const transactions: NonNullable<TransactWriteCommand['input']['TransactItems']>[] = [];
  const db = Object.create(ctx.db) as AppContext['db'];
  db.send = ((command: unknown) => {
    if (command instanceof TransactWriteCommand) transactions.push(command.input.TransactItems ?? []);
    return ctx.db.send(command as never);
  }) as AppContext['db']['send'];
  return { ctx: { ...ctx, db }, transactions };
}

const keyOf = (item: NonNullable<TransactWriteCommand['input']['TransactItems']>[number]) =>
  (item.Put ? { PK: item.Put.Item!.PK, SK: item.Put.Item!.SK } : (item.Delete?.Key ?? item.ConditionCheck?.Key ?? item.Update?.Key)) as { PK: string; SK: string };

describe('issue 10 item 1 the aggregate writer', () => {
  it('R-EVT-2 commits the record, its history entry, its uses and its outbox event in one transaction', async () => {
    const companyId = (await api.post('/companies', { name: 'Together Ltd' })).body.id;
    const record = newOpportunity({ companyId }, parkingStage());
    const recorder = recording();

    await createAggregate(recorder.ctx, opportunities, record, ownerId, create(record));

    expect(recorder.transactions).toHaveLength(1);
    const [items] = recorder.transactions;
    const puts = items!.filter((item) => item.Put).map((item) => item.Put!.Item!);
    const outbox = puts.find((item) => String(item.PK).startsWith('OUTBOX#'));
    expect(puts.map((item) => item.recordType)).toEqual(expect.arrayContaining(['Opportunity', 'Opportunity history', 'Use', 'Outbox event']));
    expect(outbox?.eventType).toBe('opportunity.created');
    const written = await batchGetAll(ctx, puts.map((item) => ({ PK: item.PK, SK: item.SK })), { consistent: true });
    expect(written).toHaveLength(puts.length);
    expect(await getItem(ctx, useKey(stageModel.key(record.stageId), opportunityModel.key(record.id)))).toBeDefined();
    expect(await getItem(ctx, outboxKey((outbox!.detail as { id: string }).id))).toBeDefined();
  });

  it('writes nothing when a condition of the transaction is refused (a stage gone meanwhile)', async () => {
    const companyId = (await api.post('/companies', { name: 'Refused Ltd' })).body.id;
    const gone: Stage = { ...parkingStage(), id: ctx.newId() };
    const record = newOpportunity({ companyId }, gone);
    const recorder = recording();
    const stageGone = conflict('stage_gone', 'The stage was deleted');

    await expect(createAggregate(recorder.ctx, opportunities, record, ownerId, { ...create(record), stageGone })).rejects.toBe(stageGone);

    const attempted = recorder.transactions.flat().filter((item) => item.Put || item.Delete).map(keyOf);
    expect(attempted.length).toBeGreaterThanOrEqual(4);
    expect(await batchGetAll(ctx, attempted, { consistent: true })).toEqual([]);
  });

  it('SPEC §1 If-Match: a record changed since the version the client holds is a 412, and nothing is written', async () => {
    const companyId = (await api.post('/companies', { name: 'Stale Ltd' })).body.id;
    const record = newOpportunity({ companyId }, parkingStage());
    await createAggregate(ctx, opportunities, record, ownerId, create(record));

    // Changed by someone else while this change was being decided: the commit's version condition refuses it.
    const change = transition(ctx, opportunities, record.id, { actorId: ownerId, ifMatch: 1 }, async (current) => {
      await updateRecord<StoredOpportunity>(ctx, opportunityModel, record.id, (stored) => ({ ...stored, title: 'Renamed' }));
      return archive(current);
    });
    await expect(change).rejects.toSatisfy((error) => isRefusal(error, 'stale'));
    // And a client holding an old version is refused before anything is decided.
    await expect(transition(ctx, opportunities, record.id, { actorId: ownerId, ifMatch: 1 }, archive)).rejects.toSatisfy((error) => isRefusal(error, 'stale'));

    const stored = await getItem(ctx, opportunityModel.key(record.id), { consistent: true });
    expect(stored).toMatchObject({ version: 2, title: 'Renamed', active: true });
  });

  it('SPEC §1 a lost race without If-Match is decided again on the current record and then committed', async () => {
    const companyId = (await api.post('/companies', { name: 'Race Ltd' })).body.id;
    const record = newOpportunity({ companyId }, parkingStage());
    await createAggregate(ctx, opportunities, record, ownerId, create(record));

    const seen: number[] = [];
    const archived = await transition(ctx, opportunities, record.id, { actorId: ownerId }, async (current) => {
      seen.push(current.version);
      if (seen.length === 1) await updateRecord<StoredOpportunity>(ctx, opportunityModel, record.id, (stored) => ({ ...stored, title: 'Renamed' }));
      return archive(current);
    });

    expect(seen).toEqual([1, 2]);
    expect(archived).toMatchObject({ version: 3, title: 'Renamed', active: false });
  });
});

describe('issue 10 item 5 a party with more than 100 open opportunities', () => {
  it('R-OPP-2 120 open opportunities of one company parked in non-active stages, then a creation in an active stage is answered (201), and a duplicate is still refused (409)', async () => {
    const companyId = (await api.post('/companies', { name: 'Many Deals Inc' })).body.id;
    const parked: StoredOpportunity[] = [];
    for (let index = 0; index < 120; index++) {
      const record = newOpportunity({ companyId }, parkingStage());
      await commitOpportunityChange(ctx, { records: [{ after: record }], ...create(record), actorId: ownerId });
      parked.push(record);
    }

    const first = await api.post('/opportunities', { title: 'The active one', companyId, stageId: activeStage().id });
    expect(first.status).toBe(201);

    const duplicate = await api.post('/opportunities', { title: 'A duplicate', companyId, stageId: activeStage().id });
    expect([duplicate.status, duplicate.body.code, duplicate.body.existingId]).toEqual([409, 'duplicate_active_opportunity', first.body.id]);
    // 120 commits one after the other (each moves the one guard): slow on a busy 2-core machine, not a figure.
  }, 180_000);
});
