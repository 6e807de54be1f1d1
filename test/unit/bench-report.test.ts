import { describe, expect, it } from 'vitest';
import { formatSpread, formatTable, median, percentile, spreadOf, summarizeLoad, verdict } from '../../bench/report.ts';

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

  it('issue 14 the spread of a figure over repeated runs: its median, least and most, and how many runs', () => {
    // Arrange
    const ratios = [1.77, 1.42, 1.31, 1.5, 1.44];

    // Act
    const spread = spreadOf(ratios);

    // Assert
    expect(spread).toEqual({ runs: 5, min: 1.31, median: 1.44, max: 1.77 });
    expect(formatSpread(spread)).toBe('1.44x (1.31-1.77x over 5 runs)');
    expect(formatSpread(spreadOf([3.3]))).toBe('3.30x');
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
