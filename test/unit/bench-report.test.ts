import { describe, expect, it } from 'vitest';
import { formatTable, median, percentile, summarizeLoad, verdict } from '../../bench/report.ts';

describe('bench report figures', () => {
  it('percentile is the nearest-rank value, whatever the input order', () => {
    // Arrange
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];

    // Act
    const figures = { p10: percentile(values, 10), p50: percentile(values, 50), p99: percentile(values, 99), p100: percentile(values, 100) };

    // Assert
    expect(figures).toEqual({ p10: 1, p50: 5, p99: 10, p100: 10 });
    expect(values).toEqual([5, 1, 4, 2, 3, 10, 9, 8, 7, 6]);
  });

  it('median of an odd number of runs is the middle run', () => {
    expect(median([48.2, 12.5, 30.1, 90.7, 29.9])).toBe(30.1);
  });

  it('percentile of no values is an error, not a silent zero', () => {
    expect(() => percentile([], 50)).toThrow('No values');
  });

  it('summarizeLoad counts requests and turns the elapsed time into requests per second', () => {
    // Arrange
    const latenciesMs = Array.from({ length: 200 }, (_, i) => i + 1);

    // Act
    const summary = summarizeLoad(latenciesMs, 4_000);

    // Assert
    expect(summary).toEqual({ requests: 200, p50Ms: 100, p99Ms: 198, requestsPerSecond: 50 });
  });

  it('verdict passes a figure equal to its limit and fails one above it', () => {
    expect([verdict(250, 250), verdict(250.1, 250), verdict(1.9, 2)]).toEqual(['PASS', 'FAIL', 'PASS']);
  });

  it('formatTable pads names left and figures right under a rule', () => {
    // Act
    const table = formatTable(['function', 'KB'], [['users', '141.2'], ['openapi', '2.0']]);

    // Assert
    expect(table.split('\n')).toEqual(['function     KB', '--------  -----', 'users     141.2', 'openapi     2.0']);
  });
});
