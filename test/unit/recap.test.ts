import { describe, expect, it } from 'vitest';
import { localHour, planRecap, recapDecision, type OverdueLeadEntry, type RecapUser } from '../../shared/domain/recap.ts';

const rome = { hour: 8, timezone: 'Europe/Rome', enabled: true };

const user = (id: string, role: RecapUser['role'], changes: Partial<RecapUser> = {}): RecapUser => ({
  id,
  name: id,
  email: `${id}@example.com`,
  role,
  locale: 'en',
  timezone: 'Europe/Rome',
  active: true,
  dailyRecap: true,
  ...changes,
});

const statuses = {
  open: { id: 'S-OPEN', name: 'Open', order: 20 },
  attempting: { id: 'S-ATTEMPT', name: 'Attempting contact', order: 30 },
  working: { id: 'S-WORK', name: 'Working', order: 40 },
};

const overdueLead = (id: string, ownerId: string, status: OverdueLeadEntry['status'], daysOverdue: number): OverdueLeadEntry => ({
  lead: { id, name: `Lead ${id}`, ownerId },
  status,
  overdue: { dueDate: '2026-11-20', daysOverdue },
});

describe('R-REC-1 when the recap is sent', () => {
  it.each([
    ['winter: 08:00 in Rome is 07:00 UTC', '2026-01-15T07:00:00Z', true],
    ['winter: 06:00 UTC is 07:00 in Rome', '2026-01-15T06:00:00Z', false],
    ['summer: 08:00 in Rome is 06:00 UTC', '2026-07-15T06:00:00Z', true],
    ['summer: 07:00 UTC is 09:00 in Rome', '2026-07-15T07:00:00Z', false],
    ['the Sunday clocks go forward (29 March): 08:00 CEST is 06:00 UTC', '2026-03-29T06:00:00Z', true],
    ['the Sunday clocks go back (25 October): 08:00 CET is 07:00 UTC', '2026-10-25T07:00:00Z', true],
    ['the Sunday clocks go back (25 October): 06:00 UTC is 07:00 CET', '2026-10-25T06:00:00Z', false],
  ])('R-REC-1 a scheduled run sends in the recap hour of Europe/Rome, across DST: %s', (_, now, sends) => {
    expect(recapDecision(rome, new Date(now), 'schedule').send).toBe(sends);
  });

  it('R-REC-1 when the clocks jump over the recap hour, the first run after the jump sends', () => {
    const atTwo = { ...rome, hour: 2 };

    // 29 March 2026 in Rome: 01:59 CET is followed by 03:00 CEST (01:00 UTC).
    expect(recapDecision(atTwo, new Date('2026-03-29T00:00:00Z'), 'schedule').send).toBe(false); // 01:00 CET
    expect(recapDecision(atTwo, new Date('2026-03-29T01:00:00Z'), 'schedule').send).toBe(true); // 03:00 CEST
    expect(recapDecision(atTwo, new Date('2026-03-29T02:00:00Z'), 'schedule').send).toBe(false); // 04:00 CEST
    expect(recapDecision(atTwo, new Date('2026-03-30T01:00:00Z'), 'schedule').send).toBe(false); // 03:00 CEST, a normal day
  });

  it('Issue 13 item 10: when the clocks skip midnight and the recap hour is 0, the first run of that day sends', () => {
    const santiagoMidnight = { hour: 0, timezone: 'America/Santiago', enabled: true };

    // 7 September 2025 in Santiago: 23:59 on the 6th (UTC-4) is followed by 01:00 on the 7th (UTC-3, 04:00 UTC).
    expect(recapDecision(santiagoMidnight, new Date('2025-09-07T03:00:00Z'), 'schedule')).toEqual({ day: '2025-09-06', send: false, reason: 'not_recap_hour' }); // 23:00 on the 6th
    expect(recapDecision(santiagoMidnight, new Date('2025-09-07T04:00:00Z'), 'schedule')).toEqual({ day: '2025-09-07', send: true }); // 01:00 on the 7th
    expect(recapDecision(santiagoMidnight, new Date('2025-09-07T05:00:00Z'), 'schedule').send).toBe(false); // 02:00
    expect(recapDecision(santiagoMidnight, new Date('2025-09-08T03:00:00Z'), 'schedule').send).toBe(true); // 00:00 on a normal day
    expect(recapDecision(santiagoMidnight, new Date('2025-09-08T04:00:00Z'), 'schedule').send).toBe(false); // 01:00 on a normal day
  });

  it('R-REC-3 the day is the calendar date of now in the recap time zone', () => {
    // 23:30 UTC on the 24th is already the 25th in Rome.
    expect(recapDecision(rome, new Date('2026-11-24T23:30:00Z'), 'by-hand').day).toBe('2026-11-25');
    expect(recapDecision({ ...rome, timezone: 'UTC' }, new Date('2026-11-24T23:30:00Z'), 'by-hand').day).toBe('2026-11-24');
  });

  it('R-REC-3 a run by hand sends whatever the hour, but not when the recap is disabled', () => {
    const afternoon = new Date('2026-11-24T15:00:00Z');

    expect(recapDecision(rome, afternoon, 'by-hand')).toEqual({ day: '2026-11-24', send: true });
    expect(recapDecision(rome, afternoon, 'schedule')).toEqual({ day: '2026-11-24', send: false, reason: 'not_recap_hour' });
    expect(recapDecision({ ...rome, enabled: false }, afternoon, 'by-hand')).toEqual({ day: '2026-11-24', send: false, reason: 'disabled' });
    expect(recapDecision({ ...rome, enabled: false }, new Date('2026-11-24T07:00:00Z'), 'schedule')).toMatchObject({ send: false, reason: 'disabled' });
  });

  it('R-REC-1 the local hour runs 0..23 (midnight is 0)', () => {
    expect(localHour(new Date('2026-11-24T23:00:00Z'), 'Europe/Rome')).toBe(0);
    expect(localHour(new Date('2026-11-24T23:00:00Z'), 'UTC')).toBe(23);
    expect(localHour(new Date('2026-11-24T02:30:00Z'), 'Asia/Kolkata')).toBe(8);
  });
});

describe('R-REC-1 who gets a recap and what it lists', () => {
  it('R-REC-1 a rep gets its own overdue leads grouped by status in status order, most overdue first', () => {
    const rep = user('rep', 'rep');
    const overdue = [
      overdueLead('L1', 'rep', statuses.working, 1),
      overdueLead('L2', 'rep', statuses.open, 0),
      overdueLead('L3', 'rep', statuses.working, 5),
      overdueLead('L4', 'other', statuses.working, 9),
    ];

    const plan = planRecap([rep], overdue);

    expect(plan.mails).toEqual([
      {
        user: rep,
        ownCount: 3,
        team: null,
        own: [
          { statusId: 'S-OPEN', statusName: 'Open', leads: [{ id: 'L2', name: 'Lead L2', dueDate: '2026-11-20', daysOverdue: 0 }] },
          {
            statusId: 'S-WORK',
            statusName: 'Working',
            leads: [
              { id: 'L3', name: 'Lead L3', dueDate: '2026-11-20', daysOverdue: 5 },
              { id: 'L1', name: 'Lead L1', dueDate: '2026-11-20', daysOverdue: 1 },
            ],
          },
        ],
      },
    ]);
  });

  it('R-REC-1 managers and admins also get the team totals per status, even with no overdue lead of their own', () => {
    const manager = user('manager', 'manager');
    const admin = user('admin', 'admin');
    const overdue = [
      overdueLead('L1', 'rep', statuses.working, 1),
      overdueLead('L2', 'rep', statuses.attempting, 2),
      overdueLead('L3', 'admin', statuses.working, 3),
    ];

    const plan = planRecap([manager, admin], overdue);

    const team = {
      count: 3,
      perStatus: [
        { statusId: 'S-ATTEMPT', statusName: 'Attempting contact', count: 1 },
        { statusId: 'S-WORK', statusName: 'Working', count: 2 },
      ],
    };
    expect(plan.mails).toEqual([
      { user: manager, own: [], ownCount: 0, team },
      { user: admin, own: [expect.objectContaining({ statusId: 'S-WORK', leads: [expect.objectContaining({ id: 'L3' })] })], ownCount: 1, team },
    ]);
  });

  it('R-REC-1 nobody to tell, no mail: a rep without overdue leads, a manager of a team without any', () => {
    const plan = planRecap([user('rep', 'rep'), user('manager', 'manager')], []);

    expect(plan.mails).toEqual([]);
    expect(plan.skipped).toEqual([
      { userId: 'rep', reason: 'nothing_to_tell' },
      { userId: 'manager', reason: 'nothing_to_tell' },
    ]);
  });

  it('R-REC-1 inactive users and users with the daily recap off get nothing, their leads still count for the team', () => {
    const overdue = [overdueLead('L1', 'gone', statuses.open, 1), overdueLead('L2', 'quiet', statuses.open, 1)];

    const plan = planRecap([user('gone', 'rep', { active: false }), user('quiet', 'manager', { dailyRecap: false }), user('boss', 'admin')], overdue);

    expect(plan.skipped).toEqual([
      { userId: 'gone', reason: 'inactive' },
      { userId: 'quiet', reason: 'recap_off' },
    ]);
    expect(plan.mails.map((mail) => [mail.user.id, mail.team?.count])).toEqual([['boss', 2]]);
  });

  it('R-REC-1 a rep never sees the team totals', () => {
    const plan = planRecap([user('rep', 'rep')], [overdueLead('L1', 'rep', statuses.open, 1), overdueLead('L2', 'other', statuses.open, 1)]);

    expect(plan.mails[0]).toMatchObject({ ownCount: 1, team: null });
  });
});
