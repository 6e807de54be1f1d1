import './quiet-logs.ts';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { startLocalRuntime } from '../local/runtime.ts';
import { BUNDLE_LIMIT_KB } from './bundle-size.ts';
import { COLD_START_LEGEND, formatColdStarts, IMPORT_RATIO_LIMIT, measureColdStarts } from './cold-starts.ts';
import { fixed, formatTable } from './report.ts';
import { eventGate, formatLifecycle, measureLifecycle, type LifecycleFigures } from './lifecycle.ts';
import { formatCosts, measureCosts, PRICES, type RouteFamilyCost } from './cost.ts';
import { formatSearchReads, measureSearchReads, type SearchReadsRow } from './search-reads.ts';
import { measureRecapReads, type RecapReadsRow } from './recap-reads.ts';
import { measureReminderReads, type ReminderReadsRow } from './reminder-reads.ts';
import { DURATION_MS, formatLoad, measureLoad, TURNS, WARMUP_MS, type LoadRow } from './request-path.ts';
import { servedApi } from './scenarios.ts';

/** `npm run bench`: prints the figures and writes them to bench/results.json; a missed target does not fail it. */

const RESULTS_FILE = new URL('./results.json', import.meta.url);

const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  loadAverage1m: loadavg()[0] ?? 0,
  date: new Date().toISOString(),
};

const LEGEND = `Legend
${COLD_START_LEGEND}
  p50 / p99     response-time percentiles in ms over ${DURATION_MS / 1000} s (after a ${WARMUP_MS / 1000} s warm-up), 2xx responses only; the API and
                the bare call take ${TURNS} turns each in that time, so that load from elsewhere falls on both alike.
  non-2xx/err   responses outside 2xx plus connection errors and timeouts; anything but 0 voids the row (exit 1).
  p50 ratio     API p50 / bare DynamoDB Local p50 at the same concurrency: what HTTP, the local gateway (it checks
                the ES256 JWT, as API Gateway does in AWS) and the handler add to one bare call.
  Targets: ratio <= 1.5x (GET) / 2x (POST). The load (autocannon, and the bare
  loop) runs in a Node process of its own, the local API in the bench's, on ${machine.cpus} CPUs shared with DynamoDB Local.`;

const seconds = () => fixed(performance.now() / 1000, 0);
const progress = (step: string) => process.stderr.write(`  [${seconds()} s] ${step}…\n`);

/** R-REC-2: the recap's reads must not grow with the table, only with the overdue leads. */
function printRecapReads(rows: readonly RecapReadsRow[]): void {
  const first = rows[0];
  console.log('\nMorning recap: DynamoDB reads of one run (ReturnConsumedCapacity TOTAL)');
  console.log(
    formatTable(
      ['leads in the table', 'overdue', 'read units', 'read calls', 'read units vs first row'],
      rows.map((row) => [String(row.leads), String(row.overdueLeads), fixed(row.readUnits), String(row.readCalls), `${fixed(row.readUnits / (first?.readUnits || 1))}x`]),
    ),
  );
}

/** R-PS-8: the reminder job's reads must not grow with the tasks, only with the reminders due. */
function printReminderReads(rows: readonly ReminderReadsRow[]): void {
  const first = rows[0];
  console.log('\nPost-sale reminders: DynamoDB reads of one run (ReturnConsumedCapacity TOTAL)');
  console.log(
    formatTable(
      ['tasks in the table', 'due reminders', 'sent', 'read units', 'read calls', 'read units vs first row'],
      rows.map((row) => [String(row.tasks), String(row.dueReminders), String(row.report.sent.length), fixed(row.readUnits), String(row.readCalls), `${fixed(row.readUnits / (first?.readUnits || 1))}x`]),
    ),
  );
}

async function main(): Promise<number> {
  console.log(`Pipeline CRM bench — ${machine.cpus} CPUs (${machine.cpuModel}), Node ${machine.node}, ${machine.platform}`);
  const busy = machine.loadAverage1m > machine.cpus ? ': the machine is busy, every time below is inflated' : '';
  console.log(`Load average (1 min) at start: ${fixed(machine.loadAverage1m, 2)}${busy}\n\n${LEGEND}`);

  const coldStarts = await measureColdStarts(progress);
  console.log(`\n${formatColdStarts(coldStarts).join('\n')}`);

  progress('starting the local runtime (DynamoDB Local in memory, SES emulator, throttle off)');
  // The bench's consumers run as usual, except while a restore phase is measured (bench/lifecycle.ts `eventGate`).
  const gate = eventGate();
  const runtime = await startLocalRuntime({ throttle: false, events: { wrapPutEvents: gate.wrap } });
  const stopOnSignal = () => void runtime.stop().finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal).once('SIGTERM', stopOnSignal);
  let load: LoadRow[];
  let lifecycle: LifecycleFigures;
  let recapReads: RecapReadsRow[];
  let reminderReads: ReminderReadsRow[];
  let searchReads: SearchReadsRow[];
  let costs: RouteFamilyCost[];
  try {
    load = await measureLoad(servedApi(runtime), progress);
    progress('opportunity lifecycle routes: capacity, bulk vs single restore');
    lifecycle = await measureLifecycle(runtime, gate);
    progress('morning recap reads with 50 overdue leads among 100, then 5,000 leads');
    recapReads = await measureRecapReads(runtime.ctx);
    progress('post-sale reminder reads with 20 due reminders among 100, then 5,000 tasks');
    reminderReads = await measureReminderReads(runtime.ctx);
    progress('search reads and p50 with 1 and 20 matches among 100, then 50,000 contacts');
    searchReads = await measureSearchReads(runtime, progress);
    progress('cost per route family');
    costs = await measureCosts(runtime);
    await (await import('./board.ts')).benchBoard(runtime); // issue 16: the pipeline board, before/after, and the summary's reads
  } finally {
    await runtime.stop();
  }
  console.log(`\n${formatLoad(load).join('\n')}`);
  console.log(`\n${formatLifecycle(lifecycle).join('\n')}`);
  printRecapReads(recapReads);
  printReminderReads(reminderReads);
  console.log(`\n${formatSearchReads(searchReads).join('\n')}`);
  console.log(`\n${formatCosts(costs).join('\n')}`);
  await (await import('./synth.ts')).printSynthBench(); // issue 15 item 2 (helper D): synth of 1 vs 20 tenants

  const results = {
    machine,
    targets: { bundleKb: BUNDLE_LIMIT_KB, importVsBareSdk: IMPORT_RATIO_LIMIT, p50Ratio: Object.fromEntries(load.map((row) => [row.route, row.ratioLimit])) },
    bundles: coldStarts.bundles.map(({ dir: _dir, ...figures }) => figures),
    importTimes: coldStarts.imports,
    bareSdkImportMs: coldStarts.bareSdkMs,
    importNode: coldStarts.node,
    load,
    lifecycle,
    recapReads: recapReads.map(({ report: _report, ...figures }) => figures),
    reminderReads: reminderReads.map(({ report, ...figures }) => ({ ...figures, sent: report.sent.length })),
    searchReads,
    costs: { prices: PRICES, routes: costs },
  };
  await writeFile(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nWritten to bench/results.json (the bench took ${seconds()} s)`);

  const failedRequests = load.filter((row) => row.api.non2xx + row.api.errors > 0);
  if (failedRequests.length > 0) {
    console.error(`Measurement invalid: non-2xx responses or errors on ${failedRequests.map((row) => `${row.route} x${row.connections}`).join(', ')}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error('Bench failed:', error);
    process.exit(1);
  },
);
