import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureReminderReads } from '../../bench/reminder-reads.ts';
import { TestApi } from '../support/api.ts';

/**
 * R-PS-8 / issue 11 "Tests and figures": the reminder job reads the due part of the sparse reminders index, so its
 * DynamoDB reads grow with the reminders due, never with the tasks (the bench, bench/reminder-reads.ts, measures
 * 100 and 5,000 tasks; here fewer, for time).
 */
let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(() => api?.stop());

describe('R-PS-8 the reminder job reads only due reminders', () => {
  it('R-PS-8 its DynamoDB reads are the same with 20 due reminders among 100 and among 1,000 tasks', async () => {
    const [small, large] = await measureReminderReads(api.runtime.ctx, { taskCounts: [100, 1_000], dueReminders: 20, now: new Date('2030-05-06T07:00:00Z') });

    expect(small!.tasks).toBe(100);
    expect(large!.tasks).toBe(1_000);
    expect([small!.report.sent.length, large!.report.sent.length]).toEqual([20, 20]);
    expect(small!.readUnits).toBeGreaterThan(0);
    expect(large!.readUnits).toBe(small!.readUnits);
    expect(large!.readCalls).toBe(small!.readCalls);
  }, 120_000);
});
