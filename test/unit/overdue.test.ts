import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calendarDate } from '../../shared/domain/calendar.ts';
import { latestPossiblyOverdueEntry, overdueAt } from '../../shared/domain/overdue.ts';

const open = (expiryDays: number) => ({ type: 'open' as const, expiryDays });

describe('R-LEAD-3 overdue leads', () => {
  it.each([
    ['the day before the due date', '2026-11-20T15:00:00Z', '2026-11-22T23:59:59Z', 3, undefined],
    ['exactly expiryDays calendar days later, at midnight', '2026-11-20T15:00:00Z', '2026-11-23T00:00:00Z', 3, { dueDate: '2026-11-23', daysOverdue: 0 }],
    ['two days after the due date', '2026-11-20T23:59:00Z', '2026-11-25T08:00:00Z', 3, { dueDate: '2026-11-23', daysOverdue: 2 }],
  ])('R-LEAD-3 UTC: %s', (_, entered, now, expiryDays, expected) => {
    expect(overdueAt(open(expiryDays), entered, new Date(now), 'UTC')).toEqual(expected);
  });

  it('R-LEAD-3 calendar days are those of the recap time zone', () => {
    // 23:30 UTC on the 20th is already the 21st in Rome: the lead is due a day later there.
    const entered = '2026-11-20T23:30:00Z';
    const now = new Date('2026-11-23T07:00:00Z');

    expect(overdueAt(open(3), entered, now, 'UTC')).toEqual({ dueDate: '2026-11-23', daysOverdue: 0 });
    expect(overdueAt(open(3), entered, now, 'Europe/Rome')).toBeUndefined();
  });

  it('R-LEAD-3 a daylight-saving change does not move the due day', () => {
    // Rome leaves summer time on 2026-10-25: the day has 25 hours, calendar days still count as one each.
    const entered = '2026-10-24T22:30:00Z'; // 00:30 on the 25th in Rome
    expect(overdueAt(open(1), entered, new Date('2026-10-25T22:59:00Z'), 'Europe/Rome')).toBeUndefined(); // 23:59 on the 25th
    expect(overdueAt(open(1), entered, new Date('2026-10-25T23:00:00Z'), 'Europe/Rome')).toEqual({ dueDate: '2026-10-26', daysOverdue: 0 });
  });

  it.each([
    ['expiryDays 0 (never notify)', { type: 'open' as const, expiryDays: 0 }],
    ['a frozen status', { type: 'frozen' as const, expiryDays: 1 }],
    ['a qualified status', { type: 'qualified' as const, expiryDays: 1 }],
    ['a not-interested status', { type: 'not_interested' as const, expiryDays: 1 }],
    ['an abandoned status', { type: 'abandoned' as const, expiryDays: 1 }],
  ])('R-LEAD-3 is never overdue: %s', (_, status) => {
    expect(overdueAt(status, '2020-01-01T00:00:00Z', new Date('2026-11-23T12:00:00Z'), 'UTC')).toBeUndefined();
  });

  it('R-REC-2 no overdue lead entered its status after the query bound, in any time zone', () => {
    const zones = ['UTC', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Europe/Rome', 'America/Los_Angeles', 'Asia/Kolkata'];
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: Date.parse('2026-01-01'), max: Date.parse('2027-12-31') }),
        fc.integer({ min: 0, max: 70 * 24 * 3600 * 1000 }),
        fc.constantFrom(...zones),
        (expiryDays, nowMs, ageMs, zone) => {
          const now = new Date(nowMs);
          const entered = new Date(nowMs - ageMs).toISOString();
          if (overdueAt(open(expiryDays), entered, now, zone)) expect(entered <= latestPossiblyOverdueEntry(expiryDays, now, zone)).toBe(true);
        },
      ),
    );
  });

  it('R-REC-2 the query bound is tight: a lead that entered its status after today minus expiry days is not read', () => {
    // Rome, 23 Nov 2026 07:00 local; expiry 2 days: overdue are entries of 21 Nov (local) or before.
    const bound = latestPossiblyOverdueEntry(2, new Date('2026-11-23T06:00:00Z'), 'Europe/Rome');

    expect(bound).toBe('2026-11-22T00:00:00.000Z'); // 22 Nov 00:00 in Rome is 23:00 UTC on the 21st, + 1 h of slack
  });

  it('R-LEAD-3 calendar dates are formatted YYYY-MM-DD', () => {
    expect(calendarDate(new Date('2026-03-05T23:30:00Z'), 'Asia/Tokyo')).toBe('2026-03-06');
  });
});
