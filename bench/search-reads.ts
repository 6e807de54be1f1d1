import { ulid } from 'ulid';
import { startLocalRuntime, type LocalRuntime } from '../local/runtime.ts';
import { mapLimited } from '../shared/concurrency.ts';
import { contactModel } from '../shared/db/keys.ts';
import { toItem } from '../shared/db/records.ts';
import { searchTermsOf } from '../shared/db/search-index.ts';
import { batchWriteAll, newRecord, type WriteRequest } from '../shared/db/store.ts';
import { newContactFields, type ContactInput } from '../shared/domain/parties.ts';
import { countReads } from './recap-reads.ts';
import { fixed, formatTable } from './report.ts';

/**
 * Issue 14 item 1: `GET /contacts?q=…&limit=20` served by the search index reads in proportion to its matches, not
 * to the table. The same two queries (one matching 1 contact, one matching 20) among 100 contacts, then among 50,000
 * (the contacts are written straight through the store with their index items, in batches, as the writers would;
 * a tenth of them share the first letters of the queries' words, so the queried partitions are crowded too).
 */

export const SEARCH_SIZES = [100, 50_000] as const;
const RUNS = 31;
const WRITE_PARALLEL = 8;
export const SEARCH_TARGETS = { readRatio: 1.2, p50Ratio: 1.5 } as const;

export interface SearchReadsRow {
  contacts: number;
  query: string;
  matches: number;
  returned: number;
  /** Every match was on the first page (and no next page was offered). */
  firstPage: boolean;
  readUnits: number;
  readCalls: number;
  p50Ms: number;
}

const SYLLABLES = ['ba', 'ce', 'di', 'fo', 'gu', 'la', 'me', 'ni', 'ro', 'sa', 'te', 'vi', 'ze', 'mar', 'lo', 'we', 'bu', 'on'];
const word = (at: number, length = 3) => {
  let text = '';
  for (let part = 0, rest = at; part < length; part++, rest = Math.floor(rest / SYLLABLES.length) + part * 7) text += SYLLABLES[rest % SYLLABLES.length];
  return text[0]!.toUpperCase() + text.slice(1);
};

/** A contact that matches neither query; one in ten starts like them ("Zeb…", "Marl…"). */
function filler(at: number): ContactInput {
  const near = at % 10 === 0 ? (at % 20 === 0 ? 'Zeb' : 'Marl') : '';
  // Syllables can spell a query's word ("mar"+"lo"+"we"): such a name would be one more match, so it is changed.
  const unlike = (name: string) => (/^(zebulon|marlowe)/i.test(name) ? `X${name}` : name);
  return { firstName: unlike(word(at, 2)), lastName: unlike(`${near}${word(at * 31 + 7)}`) };
}

async function seed(ctx: LocalRuntime['ctx'], ownerId: string, inputs: readonly ContactInput[], progress: (step: string) => void = () => {}): Promise<void> {
  const requests: WriteRequest[] = [];
  for (const input of inputs) {
    const record = newRecord(ctx, newContactFields(input, ownerId, {}));
    for (const Item of [toItem(contactModel, record), ...searchTermsOf('contacts', record)]) requests.push({ PutRequest: { Item } });
  }
  const chunks = Array.from({ length: Math.ceil(requests.length / 500) }, (_, at) => requests.slice(at * 500, (at + 1) * 500));
  let written = 0;
  await mapLimited(chunks, WRITE_PARALLEL, async (chunk) => {
    await batchWriteAll(ctx, chunk);
    written += chunk.length;
    if (chunks.length > 20 && written % 20_000 < chunk.length) progress(`search: ${written.toLocaleString('en')} of ${requests.length.toLocaleString('en')} items written`);
  });
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Runs on tables of its own, so "among 100" holds exactly 100 contacts, in a DynamoDB Local of its own: a table
 * created in a database that already holds the stream history of the bench's other parts writes 5–15× slower
 * (`DynamoDbLocalOptions.sharedDb`), and seeding 50,000 contacts there took over 15 minutes.
 */
export async function measureSearchReads(bench: LocalRuntime, progress: (step: string) => void = () => {}): Promise<SearchReadsRow[]> {
  const runtime = await startLocalRuntime({ sesEndpoint: bench.sesEndpoint, tableName: `bench-search-${ulid()}`, throttle: false });
  try {
    const ctx = runtime.ctx;
    const admin = (await (await fetch(`${runtime.url}/me`, { headers: { authorization: `Bearer ${runtime.adminToken}` } })).json()) as { id: string };
    const queries = [
      { query: 'zebulon', matches: 1, inputs: [{ firstName: 'Zebulon', lastName: 'Quux' }] },
      { query: 'marlowe', matches: 20, inputs: Array.from({ length: 20 }, (_, at) => ({ firstName: word(at + 500, 2), lastName: 'Marlowe' })) },
    ];
    await seed(ctx, admin.id, queries.flatMap((query) => query.inputs));
    let seeded = queries.reduce((sum, query) => sum + query.matches, 0);
    const rows: SearchReadsRow[] = [];
    for (const size of SEARCH_SIZES) {
      progress(`search: ${size} contacts`);
      await seed(ctx, admin.id, Array.from({ length: size - seeded }, (_, at) => filler(seeded + at)), progress);
      seeded = size;
      for (const { query, matches } of queries) {
        const call = async () => {
          const response = await fetch(`${runtime.url}/contacts?q=${query}&limit=20`, { headers: { authorization: `Bearer ${runtime.adminToken}` } });
          if (response.status !== 200) throw new Error(`Search bench: ${query} answered ${response.status}: ${await response.text()}`);
          return (await response.json()) as { items: unknown[]; nextCursor: string | null };
        };
        for (let warm = 0; warm < 5; warm++) await call();
        const counted = await countReads(ctx, call);
        const times: number[] = [];
        for (let run = 0; run < RUNS; run++) {
          const start = performance.now();
          await call();
          times.push(performance.now() - start);
        }
        const page = counted.result;
        rows.push({
          contacts: size,
          query,
          matches,
          returned: page.items.length,
          firstPage: page.items.length === matches && page.nextCursor === null,
          readUnits: counted.readUnits,
          readCalls: counted.readCalls,
          p50Ms: median(times),
        });
      }
    }
    return rows;
  } finally {
    await runtime.stop();
  }
}

/** Printable lines: the rows, then the ratios of the largest size to the smallest for each query, against the targets. */
export function formatSearchReads(rows: readonly SearchReadsRow[]): string[] {
  const table = formatTable(
    ['contacts', 'q', 'matches', 'on first page', 'read units', 'read calls', 'p50 ms'],
    rows.map((row) => [String(row.contacts), row.query, String(row.matches), row.firstPage ? `yes (${row.returned})` : `NO (${row.returned})`, fixed(row.readUnits), String(row.readCalls), fixed(row.p50Ms, 2)]),
  );
  const ratios = [...new Set(rows.map((row) => row.query))].map((query) => {
    const [small, large] = [rows.find((row) => row.query === query && row.contacts === SEARCH_SIZES[0])!, rows.find((row) => row.query === query && row.contacts === SEARCH_SIZES[1])!];
    const reads = large.readUnits / (small.readUnits || 1);
    const p50 = large.p50Ms / (small.p50Ms || 1);
    return `  q=${query}: reads ${fixed(reads)}x (target <= ${SEARCH_TARGETS.readRatio}x: ${reads <= SEARCH_TARGETS.readRatio ? 'met' : 'NOT met'}), p50 ${fixed(p50)}x (target <= ${SEARCH_TARGETS.p50Ratio}x: ${p50 <= SEARCH_TARGETS.p50Ratio ? 'met' : 'NOT met'})`;
  });
  return [`Search (GET /contacts?q=…&limit=20, an admin): among ${SEARCH_SIZES[0]} and ${SEARCH_SIZES[1].toLocaleString('en')} contacts`, table, `${SEARCH_SIZES[1].toLocaleString('en')} vs ${SEARCH_SIZES[0]}:`, ...ratios];
}
