import { ulid } from 'ulid';
import { startLocalRuntime, type LocalRuntime } from '../local/runtime.ts';
import { client, eventGate, installMeter, meteredRequest, type CallTotals } from './lifecycle.ts';
import { fixed, formatTable } from './report.ts';

/**
 * Issue 14 item 6, cost on paper: per route family, the DynamoDB units of one call (ReturnConsumedCapacity; a
 * transaction's write units counted as AWS bills them, 2 per item of up to 1 KB, since DynamoDB Local reports one flat
 * figure per transaction) and its duration on the local runtime (p50, standing in for the Lambda's billed duration),
 * priced per million calls with the on-demand prices below.
 */

/** us-east-1 list prices, as of 2026-12-02 (the date of this bench's figures); check them before quoting. */
export const PRICES = {
  date: '2026-12-02',
  region: 'us-east-1',
  httpApiPerMillion: 1.0,
  lambdaRequestsPerMillion: 0.2,
  lambdaArmGbSecond: 0.0000133334,
  lambdaMemoryGb: 0.5,
  dynamoReadUnitPerMillion: 0.125,
  dynamoWriteUnitPerMillion: 0.625,
  sesPerThousandMails: 0.1,
  eventBridgePerMillionEvents: 1.0,
} as const;

export interface RouteFamilyCost {
  family: string;
  route: string;
  readUnits: number;
  writeUnits: number;
  p50Ms: number;
  /** USD per million calls: HTTP API, Lambda (requests and GB-s), DynamoDB, and their total. */
  httpApi: number;
  lambda: number;
  dynamo: number;
  total: number;
}

const RUNS = 21;
const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Write units as AWS bills them: a transaction's items count 2 each (items here are under 1 KB), other writes as reported. */
const billedWriteUnits = (totals: CallTotals) => (totals.transactionItems > 0 ? totals.transactionItems * 2 : totals.writeUnits);

export function priced(family: string, route: string, readUnits: number, writeUnits: number, p50Ms: number): RouteFamilyCost {
  const httpApi = PRICES.httpApiPerMillion;
  const lambda = PRICES.lambdaRequestsPerMillion + PRICES.lambdaMemoryGb * (Math.max(1, Math.ceil(p50Ms)) / 1000) * PRICES.lambdaArmGbSecond * 1e6;
  const dynamo = readUnits * PRICES.dynamoReadUnitPerMillion + writeUnits * PRICES.dynamoWriteUnitPerMillion;
  return { family, route, readUnits, writeUnits, p50Ms, httpApi, lambda, dynamo, total: httpApi + lambda + dynamo };
}

/**
 * Runs on a table and a DynamoDB Local of its own (a new table among the stream history of the bench's other parts
 * writes several times slower: `DynamoDbLocalOptions.sharedDb`); the event consumers run after each measured call
 * (other Lambdas in AWS).
 */
export async function measureCosts(bench: LocalRuntime): Promise<RouteFamilyCost[]> {
  const gate = eventGate();
  const runtime = await startLocalRuntime({
    sesEndpoint: bench.sesEndpoint,
    tableName: `bench-cost-${ulid()}`,
    throttle: false,
    events: { wrapPutEvents: gate.wrap },
  });
  try {
    const call = client(runtime);
    const contact = async (lastName = 'Cost') => (await call('POST', '/contacts', { firstName: 'Ada', lastName, email: `${ulid().toLowerCase()}@example.com` }, 201)).id as string;
    const opportunity = async () => (await call('POST', '/opportunities', { title: 'Cost deal', contactId: await contact() }, 201)) as { id: string };
    const many = await Promise.all(Array.from({ length: 60 }, () => opportunity()));
    const meter = installMeter(runtime);
    const rows: RouteFamilyCost[] = [];
    const measure = async (family: string, route: string, request: (run: number) => Promise<unknown>) => {
      const reads: number[] = [];
      const writes: number[] = [];
      const times: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const { totals, ms } = await meteredRequest(runtime, meter, gate, () => request(run));
        times.push(ms);
        reads.push(totals.readUnits);
        writes.push(billedWriteUnits(totals));
      }
      rows.push(priced(family, route, median(reads), median(writes), median(times)));
    };
    await measure('read one record', 'GET /opportunities/{id}', (run) => call('GET', `/opportunities/${many[run % many.length]!.id}`));
    await measure('list a page', 'GET /opportunities?limit=50', () => call('GET', '/opportunities?limit=50'));
    await measure('search', 'GET /contacts?q=ada&limit=20', () => call('GET', '/contacts?q=ada&limit=20'));
    await measure('create', 'POST /contacts', () => contact());
    await measure('update', 'PATCH /opportunities/{id}', (run) => call('PATCH', `/opportunities/${many[run]!.id}`, { title: `Renamed deal ${run}` }));
    await measure('lifecycle transition', 'POST /opportunities/{id}/lost', (run) => call('POST', `/opportunities/${many[run + 30]!.id}/lost`, {}));
    meter.remove();
    return rows;
  } finally {
    gate.open();
    await runtime.stop();
  }
}

export function formatCosts(rows: readonly RouteFamilyCost[]): string[] {
  const usd = (value: number) => `$${fixed(value, 2)}`;
  return [
    `Cost per million calls (USD, ${PRICES.region} on-demand prices of ${PRICES.date}; Lambda arm64 ${PRICES.lambdaMemoryGb * 1024} MB, billed duration = local p50)`,
    formatTable(
      ['family', 'route measured', 'RRU', 'WRU', 'p50 ms', 'HTTP API', 'Lambda', 'DynamoDB', 'total'],
      rows.map((row) => [row.family, row.route, fixed(row.readUnits), fixed(row.writeUnits), fixed(row.p50Ms), usd(row.httpApi), usd(row.lambda), usd(row.dynamo), usd(row.total)]),
    ),
  ];
}
