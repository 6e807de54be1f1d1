import { describe, expect, it } from 'vitest';
import { addCall, formatLifecycle, NO_CALLS } from '../../bench/lifecycle.ts';

describe('bench lifecycle figures', () => {
  it('reads and writes are told apart by command; transaction sizes and calls are counted', () => {
    // Arrange
    const calls = [
      ['GetItemCommand', {}, { CapacityUnits: 0.5 }],
      ['QueryCommand', {}, { CapacityUnits: 1 }],
      ['BatchGetItemCommand', {}, [{ CapacityUnits: 1.5 }, { CapacityUnits: 0.5 }]],
      ['TransactWriteItemsCommand', { TransactItems: [{}, {}, {}] }, [{ CapacityUnits: 12 }]],
      ['PutItemCommand', {}, undefined],
    ] as const;

    // Act
    const totals = calls.reduce((sum, [name, input, consumed]) => addCall(sum, name, input, consumed), NO_CALLS);

    // Assert
    expect(totals).toEqual({ calls: 5, readUnits: 3.5, writeUnits: 12, transactionItems: 3 });
  });

  it('formats one row per route and the bulk restore comparison', () => {
    // Arrange
    const figures = {
      capacity: [{ route: 'POST /opportunities/{id}/won', calls: 5, readUnits: 2.5, writeUnits: 12, transactionItems: 3 }],
      restore: { count: 100, bulkMs: 1500.4, singlesMs: 3000.9, speedup: 2.0001 },
    };

    // Act
    const lines = formatLifecycle(figures);

    // Assert
    expect(lines.find((line) => line.startsWith('POST /opportunities/{id}/won'))?.split(/\s{2,}/)).toEqual(['POST /opportunities/{id}/won', '5', '2.5', '12.0', '3']);
    expect(lines.at(-1)).toBe('Restore of 100 lost opportunities: one bulk request 1500 ms, 100 single requests one after the other 3001 ms (bulk 2.0x faster)');
  });
});
