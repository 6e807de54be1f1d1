import { afterEach, describe, expect, it, vi } from 'vitest';
import { main, migrationFailure } from '../../scripts/migrate.ts';

afterEach(() => vi.restoreAllMocks());

describe('Issue 15 item 3 npm run migrate: what an operator reads', () => {
  it('Issue 15 item 3 wrong arguments are each named with the usage, and nothing runs (exit 2)', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});

    const code = await main(['--segments', '0']);

    expect(code).toBe(2);
    expect(printed.mock.calls[0]![0]).toMatch(/^--table is required\n--segments must be a whole number from 1 to 64, got "0"\nUsage: npm run migrate/);
  });

  it('Issue 15 item 3 a table that is not there says so (running again would not help); other failures say to run again, in one line', () => {
    const missing = Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' });
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' });

    expect(migrationFailure(missing)).toBe('Migration failed: no such table (check --table and --region, or --endpoint): Requested resource not found');
    expect(migrationFailure(throttled)).toBe('Migration failed (run it again: it resumes where it stopped): ProvisionedThroughputExceededException: Rate exceeded');
  });
});
