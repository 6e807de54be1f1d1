import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addToCounters } from '../../shared/db/board-totals.ts';
import { opportunityModel } from '../../shared/db/keys.ts';
import { contracts } from '../../shared/contracts/index.ts';
import type { BoardSummary } from '../../shared/schemas/expand.ts';
import { TestApi } from '../support/api.ts';
import { as, type Caller, created, expectNothingWritten, newContact, newOpportunity, settle, usersOf } from '../support/fixtures.ts';

/**
 * Numbers the API takes must be numbers DynamoDB and the AWS SDK store (QA: a custom number field of
 * 9007199254740993, 1e200 or 1e-200 was a 500 on every entity), and a deal the API takes must be counted on the board
 * exactly (QA: amount × probability of a 2 × 10^14 IDR deal broke the `board-totals` consumer, the deal went missing
 * from the summary).
 */

let api: TestApi;
let rep: Caller;
let manager: Caller;
let stages: { id: string; name: string }[];

beforeAll(async () => {
  api = await TestApi.start();
  [rep, manager] = await usersOf(api, 'rep', 'manager');
  stages = (await api.get('/stages')).body.items;
  for (const entity of ['contact', 'company', 'lead', 'opportunity']) {
    const answer = await api.post('/custom-fields', { entity, key: 'size', label: 'Size', type: 'number' });
    expect(answer.status).toBe(201);
  }
});
afterAll(() => api?.stop());

const stageId = (name: string) => stages.find((stage) => stage.name === name)!.id;

const RANGE = 'A number from -9007199254740991 to 9007199254740991';
const NEAR_ZERO = 'A number from -9007199254740991 to 9007199254740991: 0, or at least 1e-130 away from 0';
const AMOUNT_BOUND = 'Minor units: at most 10000000000000 (100000000000.00)';

/** JSON texts of numbers no DynamoDB number of the SDK holds (sent as text: JSON.stringify would round the first). */
const OUT_OF_RANGE: [string, string][] = [
  ['9007199254740993', RANGE],
  ['-9007199254740993', RANGE],
  ['1e200', RANGE],
  ['-1.5e300', RANGE],
  ['1e-200', NEAR_ZERO],
  ['-1e-131', NEAR_ZERO],
];

/** Numbers at the edges that are stored and answered as sent. */
const IN_RANGE = [9007199254740991, -9007199254740991, 1e-130, -1e-130, 0, 0.1, -2.5, 123456.789, 1.7976931348623157e-100];

const send = (method: string, path: string, json: string, caller?: Caller) =>
  api.request(method, path, { rawBody: json, headers: { 'content-type': 'application/json' }, ...(caller ? as(caller) : {}) });

const errorsOf = (answer: { body: { errors?: { path: string; message: string }[] } }) => answer.body.errors;

async function summary(caller: Caller = manager): Promise<BoardSummary> {
  await settle(api);
  const answer = await api.call(contracts.getOpportunitySummary, { query: {}, ...as(caller) });
  expect(answer.status).toBe(200);
  return answer.body;
}

const totalOf = (body: BoardSummary, stage: string, currency: string) =>
  body.stages.find((column) => column.stageId === stageId(stage))!.totals.find((total) => total.currency === currency);

async function expectNoDeadLetters() {
  expect((await api.get('/_local/dead-letters')).body).toEqual({ items: [] });
}

describe('R-CFG-4 a number custom field holds what DynamoDB stores', () => {
  it('R-CFG-4 a number beyond ±9007199254740991 or closer to 0 than 1e-130 is a 400 at customFields.size on POST /contacts, /companies, /leads, /opportunities, and writes nothing', async () => {
    const contactId = await newContact(api, rep);
    for (const [number, message] of OUT_OF_RANGE) {
      const bodies: [string, string][] = [
        ['/contacts', `{"firstName":"A","lastName":"B","customFields":{"size":${number}}}`],
        ['/companies', `{"name":"Acme","customFields":{"size":${number}}}`],
        ['/leads', `{"name":"Lead","customFields":{"size":${number}}}`],
        ['/opportunities', `{"title":"Deal","contactId":"${contactId}","customFields":{"size":${number}}}`],
      ];
      for (const [path, json] of bodies) {
        await expectNothingWritten(api, async () => {
          const answer = await send('POST', path, json, rep);

          expect(answer.status, `POST ${path} ${number}`).toBe(400);
          expect(errorsOf(answer), `POST ${path} ${number}`).toEqual([{ path: 'customFields.size', message }]);
        });
      }
    }
  });

  it('R-CFG-4 the same on PATCH /contacts/{id}, /companies/{id}, /leads/{id}, /opportunities/{id}: a 400 and the record unchanged', async () => {
    const contact = await created(api, '/contacts', { lastName: 'Rossi', customFields: { size: 7 } }, rep);
    const company = await created(api, '/companies', { name: 'Acme', customFields: { size: 7 } }, rep);
    const lead = await created(api, '/leads', { name: 'Lead', customFields: { size: 7 } }, rep);
    const opportunity = await newOpportunity(api, rep, { customFields: { size: 7 } });
    await settle(api);
    const paths = [`/contacts/${contact.id}`, `/companies/${company.id}`, `/leads/${lead.id}`, `/opportunities/${opportunity.id}`];

    for (const [number, message] of OUT_OF_RANGE) {
      for (const path of paths) {
        await expectNothingWritten(api, async () => {
          const answer = await send('PATCH', path, `{"customFields":{"size":${number}}}`, rep);

          expect(answer.status, `PATCH ${path} ${number}`).toBe(400);
          expect(errorsOf(answer), `PATCH ${path} ${number}`).toEqual([{ path: 'customFields.size', message }]);
        });
      }
    }
    for (const path of paths) expect((await api.get(path, as(rep))).body.customFields).toEqual({ size: 7 });
  });

  it('R-CFG-4 the edges themselves (±9007199254740991, ±1e-130, 0) and ordinary fractions are stored and answered as sent', async () => {
    for (const size of IN_RANGE) {
      const contact = await api.post('/contacts', { lastName: 'Edge', customFields: { size } }, as(rep));
      const opportunity = await newOpportunity(api, rep, { customFields: { size } });
      const negated = size === 0 ? 0 : -size;
      const patched = await api.patch(`/opportunities/${opportunity.id}`, { customFields: { size: negated } }, as(rep));

      expect(contact.status, String(size)).toBe(201);
      expect((await api.get(`/contacts/${contact.body.id}`, as(rep))).body.customFields).toEqual({ size });
      expect(opportunity.customFields).toEqual({ size });
      expect(patched.status, String(size)).toBe(200);
      expect((await api.get(`/opportunities/${opportunity.id}`, as(rep))).body.customFields).toEqual({ size: negated });
    }
  });
});

describe('R-OPP-11 board totals stay exact for large deals', () => {
  it('R-OPP-11 a deal above 10^13 minor units is a 400 at value.amount on POST and PATCH /opportunities and writes nothing', async () => {
    const opportunity = await newOpportunity(api, rep, { value: { amount: 1_000, currency: 'IDR' } });
    await settle(api);
    const contactId = await newContact(api, rep);

    for (const amount of ['10000000000001', '200000000000000', '9007199254740993', '1e200']) {
      await expectNothingWritten(api, async () => {
        const posted = await send('POST', '/opportunities', `{"title":"Big","contactId":"${contactId}","value":{"amount":${amount},"currency":"IDR"},"probability":50}`, rep);
        const patched = await send('PATCH', `/opportunities/${opportunity.id}`, `{"value":{"amount":${amount},"currency":"IDR"}}`, rep);

        expect(posted.status, amount).toBe(400);
        expect(errorsOf(posted), amount).toEqual([{ path: 'value.amount', message: AMOUNT_BOUND }]);
        expect(patched.status, amount).toBe(400);
        expect(errorsOf(patched), amount).toEqual([{ path: 'value.amount', message: AMOUNT_BOUND }]);
      });
    }
  });

  it('R-OPP-11 many deals at the bound are all counted, exactly (Σ amount × probability passes 2^53), and nothing is dead-lettered', async () => {
    const [seller] = await usersOf(api, 'rep');
    const contactId = await newContact(api, seller);
    const amounts = [10_000_000_000_000, 9_999_999_999_999, 9_999_999_999_997, 10_000_000_000_000, 10_000_000_000_000, 9_999_999_999_999];
    const probabilities = [99, 83, 67, 91, 100, 79];
    for (const [at, amount] of [...amounts, ...amounts].entries()) {
      const answer = await api.post(
        '/opportunities',
        { title: `Big ${at}`, contactId, ownerId: seller.id, stageId: stageId('Negotiation'), value: { amount, currency: 'IDR' }, probability: probabilities[at % 6], allowDuplicate: true },
        as(manager),
      );
      expect(answer.status).toBe(201);
    }
    // Hundredths: 2 × Σ amount × probability, then rounded once.
    const hundredths = 2n * amounts.reduce((sum, amount, at) => sum + BigInt(amount) * BigInt(probabilities[at]!), 0n);
    const weighted = Number((hundredths + 50n) / 100n);
    expect(hundredths > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);

    const ofManager = await summary(manager);
    const ofSeller = await summary(seller);

    const expected = { currency: 'IDR', amount: 2 * amounts.reduce((sum, amount) => sum + amount, 0), weighted };
    expect(totalOf(ofManager, 'Negotiation', 'IDR')).toEqual(expected);
    expect(totalOf(ofSeller, 'Negotiation', 'IDR')).toEqual(expected);
    expect(ofSeller.stages.find((column) => column.stageId === stageId('Negotiation'))!.count).toBe(12);
    await expectNoDeadLetters();
  });

  it('R-OPP-11 a deal stored before the bound (up to 9007199254740991 minor units) is read, counted exactly and moves the totals from its next change on', async () => {
    const [seller] = await usersOf(api, 'rep');
    const opportunity = await newOpportunity(api, seller, { stageId: stageId('Proposition'), value: { amount: 1, currency: 'VND' }, probability: 40 });
    await settle(api);
    const { ctx } = api.runtime;
    // As an earlier version let it in: the record holds the largest amount z.int() took.
    await ctx.db.send(
      new UpdateCommand({ TableName: ctx.tableName, Key: opportunityModel.key(opportunity.id), UpdateExpression: 'SET #value.amount = :amount', ExpressionAttributeNames: { '#value': 'value' }, ExpressionAttributeValues: { ':amount': Number.MAX_SAFE_INTEGER } }),
    );

    const read = await api.get(`/opportunities/${opportunity.id}`, as(seller));
    // A change the board counts brings it in (a title change is no event of the board's).
    const changed = await api.patch(`/opportunities/${opportunity.id}`, { title: 'Renamed', probability: 50 }, as(seller));
    const counted = await summary(seller);
    const moved = await api.patch(`/opportunities/${opportunity.id}`, { probability: 33 }, as(seller));
    const afterMove = await summary(seller);
    const lost = await api.post(`/opportunities/${opportunity.id}/lost`, {}, as(seller));
    const afterLoss = await summary(seller);

    expect(read.status).toBe(200);
    expect(read.body.value).toEqual({ amount: Number.MAX_SAFE_INTEGER, currency: 'VND' });
    expect(changed.status).toBe(200);
    // 9007199254740991 × 50 = 450359962737049550 hundredths: 4503599627370495.5, rounded once.
    expect(totalOf(counted, 'Proposition', 'VND')).toEqual({ currency: 'VND', amount: Number.MAX_SAFE_INTEGER, weighted: 4_503_599_627_370_496 });
    expect(moved.status).toBe(200);
    // 9007199254740991 × 33 = 297237575406452703 hundredths.
    expect(totalOf(afterMove, 'Proposition', 'VND')).toEqual({ currency: 'VND', amount: Number.MAX_SAFE_INTEGER, weighted: 2_972_375_754_064_527 });
    expect(lost.status).toBe(200);
    expect(totalOf(afterLoss, 'Proposition', 'VND')).toBeUndefined();
    await expectNoDeadLetters();
  });

  it('R-OPP-11 counters beyond 2^53 (sums an earlier version left) never fail the summary: kept exact in the table, answered at most 9007199254740991', async () => {
    const [seller] = await usersOf(api, 'rep');
    const { ctx } = api.runtime;
    const huge = 10n ** 30n + 7n;
    await addToCounters(ctx, [
      { scope: { kind: 'all' }, stageId: stageId('Qualified'), currency: 'IRR', count: 3, amount: huge, weighted: huge * 50n },
      { scope: { kind: 'owner', ownerId: seller.id }, stageId: stageId('Qualified'), currency: 'IRR', count: 3, amount: huge, weighted: huge * 50n },
    ]);
    await addToCounters(ctx, [{ scope: { kind: 'owner', ownerId: seller.id }, stageId: stageId('Qualified'), currency: 'IRR', count: 1, amount: 1n, weighted: 100n }]);
    // A deal beside them still moves the count.
    await newOpportunity(api, seller, { stageId: stageId('Qualified'), value: { amount: 5, currency: 'IRR' }, probability: 100 });

    const ofManager = await summary(manager);
    const ofSeller = await summary(seller);
    const counters = (await api.tableSnapshot()).filter((item) => item.recordType === 'Board counter' && item.currency === 'IRR');

    const capped = { currency: 'IRR', amount: Number.MAX_SAFE_INTEGER, weighted: Number.MAX_SAFE_INTEGER };
    expect(totalOf(ofManager, 'Qualified', 'IRR')).toEqual(capped);
    expect(totalOf(ofSeller, 'Qualified', 'IRR')).toEqual(capped);
    expect(ofSeller.stages.find((column) => column.stageId === stageId('Qualified'))!.count).toBe(5);
    expect(counters.map((item) => BigInt(item.amount as bigint)).sort()).toEqual([huge + 5n, huge + 6n]);
    await expectNoDeadLetters();
  });
});

describe('SPEC §1 numbers outside the schemas never reach DynamoDB unsafe', () => {
  it('SPEC §1 an If-Match with more digits than a safe integer is a 412 (compared, never written), not a 500', async () => {
    const contact = await created(api, '/contacts', { lastName: 'Rossi' }, rep);

    const answer = await api.patch(`/contacts/${contact.id}`, { lastName: 'Bianchi' }, { ...as(rep), headers: { 'if-match': '"99999999999999999999999"' } });

    expect(answer.status).toBe(412);
  });
});
