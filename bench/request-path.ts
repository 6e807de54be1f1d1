import { measureDynamo } from './dynamo-load.ts';
import type { HttpLoadResult, LoadPhases } from './http-load.ts';
import type { PairJob } from './load-client.ts';
import { inLoadProcess } from './load-process.ts';
import { fixed, formatSpread, formatTable, spreadOf, verdict, type LoadSummary, type Verdict } from './report.ts';
import { prepareScenarios, type ServedApi } from './scenarios.ts';

/**
 * Issue 14 item 2: p50 of an API route against the bare DynamoDB call it stands on, at 1 and 20 connections, both
 * loaded from processes of their own against the same DynamoDB Local in the same run.
 */

export const CONNECTIONS = [1, 20] as const;
export const WARMUP_MS = 3_000;
export const DURATION_MS = 5_000;
/** The API and the bare call take turns of DURATION_MS / TURNS each, from one load process. */
export const TURNS = 5;

export interface LoadRow {
  route: string;
  connections: number;
  api: HttpLoadResult;
  bare: LoadSummary & { operation: string };
  p50Ratio: number;
  /** The route's own DynamoDB work made bare (POST /contacts: its transaction), and the API's p50 over it. */
  ownWork?: LoadSummary & { operation: string };
  ownWorkRatio?: number;
  ratioLimit: number;
  verdict: Verdict;
}

async function settle(runtime: ServedApi): Promise<void> {
  const response = await fetch(`${runtime.url}/_local/settle`, { method: 'POST' });
  if (!response.ok) throw new Error(`POST /_local/settle answered ${response.status}`);
}

export async function measureLoad(runtime: ServedApi, progress: (step: string) => void = () => {}): Promise<LoadRow[]> {
  const rows: LoadRow[] = [];
  for (const scenario of await prepareScenarios(runtime)) {
    for (const connections of CONNECTIONS) {
      const phases: LoadPhases = { connections, warmupMs: WARMUP_MS, durationMs: DURATION_MS, turns: TURNS };
      const operation = scenario.bare.call.operation;
      progress(`${scenario.route} and ${operation} at ${connections} connection(s)`);
      const { api, bare } = await inLoadProcess<{ api: HttpLoadResult; bare: LoadSummary }, PairJob>({ kind: 'pair', api: scenario.api, bare: scenario.bare, phases });
      // The events of the API's writes are consumed before the next measurement, not during it.
      await settle(runtime);
      const ownWork = scenario.ownWork ? { operation: scenario.ownWork.call.operation, ...(await measureDynamo(scenario.ownWork, phases)) } : undefined;
      const p50Ratio = api.p50Ms / bare.p50Ms;
      rows.push({
        route: scenario.route,
        connections,
        api,
        bare: { operation, ...bare },
        p50Ratio,
        ...(ownWork ? { ownWork, ownWorkRatio: api.p50Ms / ownWork.p50Ms } : {}),
        ratioLimit: scenario.ratioLimit,
        verdict: verdict(p50Ratio, scenario.ratioLimit),
      });
    }
  }
  return rows;
}

export function formatLoad(rows: readonly LoadRow[]): string[] {
  const headers = ['route', 'conn', 'p50 ms', 'p99 ms', 'req/s', 'non-2xx/err', 'bare op', 'p50 ms', 'p99 ms', 'req/s', 'p50 ratio', 'target', 'verdict'];
  const table = rows.map((row) => [
    row.route,
    String(row.connections),
    fixed(row.api.p50Ms, 2),
    fixed(row.api.p99Ms, 2),
    fixed(row.api.requestsPerSecond, 0),
    String(row.api.non2xx + row.api.errors),
    row.bare.operation,
    fixed(row.bare.p50Ms, 2),
    fixed(row.bare.p99Ms, 2),
    fixed(row.bare.requestsPerSecond, 0),
    `${fixed(row.p50Ratio, 2)}x`,
    `<=${row.ratioLimit}x`,
    row.verdict,
  ]);
  const own = rows.filter((row) => row.ownWork).map((row) => `  ${row.route} x${row.connections}: its own ${row.ownWork!.operation} bare p50 ${fixed(row.ownWork!.p50Ms, 2)} ms (${fixed(row.ownWork!.p50Ms / row.bare.p50Ms, 2)}x the ${row.bare.operation}); API ${fixed(row.ownWorkRatio!, 2)}x it`);
  return [
    'API on the local runtime vs bare DynamoDB Local (same table, same SDK client setup, load from other processes)',
    formatTable(headers, table),
    ...(own.length > 0 ? ['The route\'s own DynamoDB work, bare (its floor):', ...own] : []),
  ];
}

/** The p50 ratio of each row over repeated runs (`RUNS=n tsx bench/load-only.ts`), and in how many it met its target. */
export function formatLoadSpread(runs: readonly (readonly LoadRow[])[]): string[] {
  const rows = runs[0] ?? [];
  const table = rows.map((row, index) => {
    const same = runs.map((run) => run[index]!);
    return [row.route, String(row.connections), formatSpread(spreadOf(same.map((one) => one.p50Ratio))), `<=${row.ratioLimit}x`, `${same.filter((one) => one.verdict === 'PASS').length}/${same.length}`];
  });
  return [`API/bare p50 ratio over ${runs.length} runs: median (least-most)`, formatTable(['route', 'conn', 'p50 ratio', 'target', 'runs met'], table)];
}
