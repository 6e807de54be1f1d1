import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { startLocalRuntime, type LocalRuntime } from '../local/runtime.ts';
import { addToCounters, contributionItem } from '../shared/db/board-totals.ts';
import { opportunityModel } from '../shared/db/keys.ts';
import { toItem } from '../shared/db/records.ts';
import { batchWriteAll, type WriteRequest } from '../shared/db/store.ts';
import { contributionOf, counterDeltas, NO_CONTRIBUTION } from '../shared/domain/board.ts';
import { buildOpportunity, type StoredOpportunity } from '../shared/domain/opportunities.ts';
import type { Stage } from '../shared/schemas/pipeline.ts';
import { countReads } from './recap-reads.ts';
import { fixed, formatTable } from './report.ts';

/**
 * Issue 16 / R-OPP-11: what a client pays to draw a pipeline board of 50 deals with names and column totals, before
 * (the list, then a read per contact, company and owner of each deal, and the stages) and after (the list with
 * `?expand=`, the summary, the stages: 3 calls); and the summary's read units with 100 and with 10,000 open
 * opportunities (flat: it reads counters per stage and currency, never the opportunities). Read units are what
 * DynamoDB reports (ReturnConsumedCapacity TOTAL) for every read the API's handlers make during the calls.
 *
 * `npm run bench` runs it (bench/run.ts); alone: `npx tsx bench/board.ts` (BOARD_OPEN_COUNTS=100,10000 to change the sizes).
 */

const RESULTS_FILE = new URL('./board-results.json', import.meta.url);
const DEALS = 50;

interface Call {
  method: string;
  path: string;
  body?: unknown;
  token: string;
}

async function send(runtime: LocalRuntime, call: Call): Promise<any> {
  const response = await fetch(`${runtime.url}${call.path}`, {
    method: call.method,
    headers: { authorization: `Bearer ${call.token}`, ...(call.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: call.body === undefined ? undefined : JSON.stringify(call.body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${call.method} ${call.path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const settle = (runtime: LocalRuntime) => send(runtime, { method: 'POST', path: '/_local/settle', token: runtime.adminToken });

/** Runs the calls (each client round trip counted) and sums the read units the handlers consumed. */
async function measured(runtime: LocalRuntime, calls: () => Promise<number>): Promise<{ calls: number; readUnits: number; readCalls: number }> {
  await settle(runtime);
  const { readUnits, readCalls, result } = await countReads(runtime.ctx, calls);
  return { calls: result, readUnits, readCalls };
}

export interface BoardFigures {
  deals: number;
  before: { calls: number; readUnits: number; readCalls: number };
  after: { calls: number; readUnits: number; readCalls: number };
  summary: { openOpportunities: number; managerReadUnits: number; repReadUnits: number; repShares: number }[];
}

/** 50 deals of 3 reps, each with a contact working for one of 10 companies, through the API. */
async function seedBoard(runtime: LocalRuntime, admin: string): Promise<{ reps: { id: string; token: string }[] }> {
  const reps = [];
  for (let at = 0; at < 3; at++) {
    const user = await send(runtime, { method: 'POST', path: '/users', body: { email: `board.rep${at}.${runtime.ctx.newId().toLowerCase()}@example.com`, name: `Rep ${at}`, role: 'rep' }, token: admin });
    const { token } = await send(runtime, { method: 'POST', path: '/_local/token', body: { userId: user.id }, token: admin });
    reps.push({ id: user.id as string, token: token as string });
  }
  const companies = [];
  for (let at = 0; at < 10; at++) companies.push(await send(runtime, { method: 'POST', path: '/companies', body: { name: `Company ${at}` }, token: admin }));
  for (let at = 0; at < DEALS; at++) {
    const contact = await send(runtime, { method: 'POST', path: '/contacts', body: { firstName: 'Ada', lastName: `Byron ${at}`, email: `ada${at}@example.com`, companyId: companies[at % 10].id }, token: admin });
    await send(runtime, {
      method: 'POST',
      path: '/opportunities',
      body: { title: `${at + 1} seats`, contactId: contact.id, ownerId: reps[at % 3]!.id, value: { amount: 100_000 + at * 1_000, currency: at % 5 ? 'EUR' : 'USD' } },
      token: admin,
    });
  }
  return { reps };
}

/** Before: the list, then each deal's contact, company and owner one by one, and the stages (names of empty columns). */
async function drawBefore(runtime: LocalRuntime, token: string): Promise<number> {
  let calls = 0;
  const get = (path: string) => {
    calls++;
    return send(runtime, { method: 'GET', path, token });
  };
  const page = await get(`/opportunities?limit=${DEALS}`);
  for (const deal of page.items) {
    await get(`/contacts/${deal.contactId}`);
    await get(`/companies/${deal.companyId}`);
    await get(`/users/${deal.ownerId}`);
  }
  await get('/stages');
  return calls;
}

/** After: the list with its relations embedded, the column totals, the stages. */
async function drawAfter(runtime: LocalRuntime, token: string): Promise<number> {
  const get = (path: string) => send(runtime, { method: 'GET', path, token });
  const [page] = await Promise.all([get(`/opportunities?limit=${DEALS}&expand=contact,company,owner,stage`), get('/opportunities/summary'), get('/stages')]);
  if (page.items.length !== DEALS || !page.items.every((deal: { contact: unknown; company: unknown }) => deal.contact && deal.company)) throw new Error('The expanded board is incomplete');
  return 3;
}

/**
 * Loads open opportunities straight into the table, as the consumer would leave them: the records, their
 * contributions, and the counters moved by their sum (shared/db/board-totals.ts `addToCounters`).
 */
async function seedOpen(runtime: LocalRuntime, count: number, owners: readonly string[], stages: readonly Stage[]): Promise<void> {
  const { ctx } = runtime;
  const now = ctx.now().toISOString();
  const records: StoredOpportunity[] = Array.from({ length: count }, (_, at) => ({
    id: ctx.newId(),
    version: 1,
    createdAt: now,
    updatedAt: now,
    ...buildOpportunity(
      { title: `Seeded ${at}`, contactId: ctx.newId(), value: { amount: 1_000 + at, currency: at % 3 ? 'EUR' : 'USD' } },
      { ownerId: owners[at % owners.length]!, stage: stages[at % stages.length]!, contactCompanyId: null, customFields: {}, defaultCurrency: 'EUR' },
    ),
  }));
  const requests: WriteRequest[] = records.flatMap((record) => [
    { PutRequest: { Item: toItem(opportunityModel, record) } },
    { PutRequest: { Item: contributionItem(record.id, contributionOf(record), record.version) } },
  ]);
  await batchWriteAll(ctx, requests);
  await addToCounters(ctx, records.flatMap((record) => counterDeltas(NO_CONTRIBUTION, contributionOf(record))));
}

export async function measureBoard(runtime: LocalRuntime, openCounts: readonly number[] = [100, 10_000]): Promise<BoardFigures> {
  const admin = runtime.adminToken;
  const { reps } = await seedBoard(runtime, admin);
  const before = await measured(runtime, () => drawBefore(runtime, admin));
  const after = await measured(runtime, () => drawAfter(runtime, admin));

  // A rep with 5 deals of others shared with it: its summary reads those 5 beside its counters.
  const [rep, colleague] = reps;
  const colleagues = (await send(runtime, { method: 'GET', path: `/opportunities?ownerId=${colleague!.id}&limit=5`, token: admin })).items;
  for (const deal of colleagues) await send(runtime, { method: 'POST', path: `/opportunities/${deal.id}/shares`, body: { userId: rep!.id }, token: admin });

  const stages = ((await send(runtime, { method: 'GET', path: '/stages?limit=100', token: admin })).items as Stage[]).slice(0, 4);
  const summary: BoardFigures['summary'] = [];
  let open = DEALS;
  for (const target of openCounts) {
    if (target > open) await seedOpen(runtime, target - open, reps.map((user) => user.id), stages);
    open = Math.max(open, target);
    const manager = await measured(runtime, async () => (await send(runtime, { method: 'GET', path: '/opportunities/summary', token: admin }), 1));
    const ofRep = await measured(runtime, async () => (await send(runtime, { method: 'GET', path: '/opportunities/summary', token: rep!.token }), 1));
    summary.push({ openOpportunities: open, managerReadUnits: manager.readUnits, repReadUnits: ofRep.readUnits, repShares: colleagues.length });
  }
  return { deals: DEALS, before, after, summary };
}

export function printBoard(figures: BoardFigures): void {
  console.log(`\nPipeline board of ${figures.deals} deals with names and column totals (issue 16; read units: ReturnConsumedCapacity TOTAL)`);
  console.log(
    formatTable(
      ['client', 'HTTP calls', 'read units', 'DynamoDB read calls'],
      [
        ['before: list + contact, company, owner of each deal + stages', String(figures.before.calls), fixed(figures.before.readUnits), String(figures.before.readCalls)],
        ['after: list?expand + summary + stages', String(figures.after.calls), fixed(figures.after.readUnits), String(figures.after.readCalls)],
      ],
    ),
  );
  const [first] = figures.summary;
  console.log('\nGET /opportunities/summary read units (R-OPP-11: grows with stages and a rep’s shares, not with opportunities)');
  console.log(
    formatTable(
      ['open opportunities', 'manager read units', 'ratio', 'rep read units (5 shares)', 'ratio', '<=1.2'],
      figures.summary.map((row) => {
        const managerRatio = row.managerReadUnits / first!.managerReadUnits;
        const repRatio = row.repReadUnits / first!.repReadUnits;
        return [String(row.openOpportunities), fixed(row.managerReadUnits), fixed(managerRatio, 2), fixed(row.repReadUnits), fixed(repRatio, 2), managerRatio <= 1.2 && repRatio <= 1.2 ? 'PASS' : 'FAIL'];
      }),
    ),
  );
}

/** Measures, prints and writes bench/board-results.json (what bench/run.ts calls). */
export async function benchBoard(runtime: LocalRuntime, openCounts?: readonly number[]): Promise<BoardFigures> {
  const figures = await measureBoard(runtime, openCounts);
  printBoard(figures);
  await writeFile(RESULTS_FILE, `${JSON.stringify(figures, null, 2)}\n`);
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const counts = (process.env.BOARD_OPEN_COUNTS ?? '100,10000').split(',').map(Number);
  const runtime = await startLocalRuntime({ throttle: false });
  try {
    await benchBoard(runtime, counts);
  } finally {
    await runtime.stop();
  }
}
