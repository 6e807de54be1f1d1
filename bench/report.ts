/** Pure figures and formatting shared by every measurement of the bench. */

export type Verdict = 'PASS' | 'FAIL';

export interface LoadSummary {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  requestsPerSecond: number;
}

/** Nearest-rank percentile: always one of the measured values, never an interpolation between two. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('No values to take a percentile of');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

export function summarizeLoad(latenciesMs: readonly number[], elapsedMs: number): LoadSummary {
  return {
    requests: latenciesMs.length,
    p50Ms: percentile(latenciesMs, 50),
    p99Ms: percentile(latenciesMs, 99),
    requestsPerSecond: latenciesMs.length / (elapsedMs / 1000),
  };
}

export const verdict = (value: number, limit: number): Verdict => (value <= limit ? 'PASS' : 'FAIL');

/** How a figure moved over repeated runs: a target within ±20% cannot be judged from one run on a shared machine. */
export interface Spread {
  runs: number;
  min: number;
  median: number;
  max: number;
}

export function spreadOf(values: readonly number[]): Spread {
  return { runs: values.length, min: Math.min(...values), median: median(values), max: Math.max(...values) };
}

/** `1.42x (1.31-1.77x over 5 runs)`, or the one figure when there was one run. */
export const formatSpread = (spread: Spread, unit = 'x', decimals = 2): string =>
  spread.runs === 1
    ? `${fixed(spread.median, decimals)}${unit}`
    : `${fixed(spread.median, decimals)}${unit} (${fixed(spread.min, decimals)}-${fixed(spread.max, decimals)}${unit} over ${spread.runs} runs)`;

export const kilobytes = (bytes: number): number => bytes / 1024;

/** Fixed decimals for the table; the JSON keeps the full numbers. */
export const fixed = (value: number, decimals = 1): string => value.toFixed(decimals);

/** A plain-text table: the first column left-aligned (names), the others right-aligned (figures). */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}
