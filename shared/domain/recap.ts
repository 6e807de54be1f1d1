import { calendarDate } from './calendar.ts';
import type { Overdue } from './overdue.ts';
import type { Locale } from '../i18n/locales.ts';
import type { Role } from './principal.ts';

/**
 * The morning recap's rules (R-REC-1, R-REC-3): when it runs, who gets a mail and what it lists. Pure: the job
 * (functions/jobs/recap.ts) reads the data, sends and records.
 */

export interface RecapSettings {
  hour: number;
  timezone: string;
  enabled: boolean;
}

/** The scheduler runs the job every hour; a run by hand (`/_local/run/recap`) is for the day of its `now`. */
export type RecapTrigger = 'schedule' | 'by-hand';

export type RecapDecision =
  | { day: string; send: true }
  | { day: string; send: false; reason: 'disabled' | 'not_recap_hour' };

const HOUR_MS = 60 * 60 * 1000;

/** The hour (0..23) on the clocks of a time zone at an instant. */
export function localHour(instant: Date, timeZone: string): number {
  const hour = new Intl.DateTimeFormat('en-GB', { timeZone, hour: 'numeric', hourCycle: 'h23' })
    .formatToParts(instant)
    .find((part) => part.type === 'hour');
  return Number(hour?.value);
}

/**
 * Whether a run at `now` sends the recap, and for which day (the calendar date of `now` in the recap time zone,
 * the key of the receipts that keep a second run from sending twice). A scheduled run sends in the hour
 * `recap.hour` of the recap time zone, computed at each run so daylight saving time needs no schedule change;
 * when the clocks jump over that hour (spring forward), the first run after the jump sends. A run by hand
 * ignores the hour. Both honour `enabled`.
 */
export function recapDecision(recap: RecapSettings, now: Date, trigger: RecapTrigger): RecapDecision {
  const day = calendarDate(now, recap.timezone);
  if (!recap.enabled) return { day, send: false, reason: 'disabled' };
  if (trigger === 'by-hand') return { day, send: true };
  const hour = localHour(now, recap.timezone);
  const hourBefore = new Date(now.getTime() - HOUR_MS);
  // Past the recap hour, and the previous run was before it: on the day before (the clocks skipped midnight) or earlier today.
  const jumpedOver =
    recap.hour < hour && (calendarDate(hourBefore, recap.timezone) !== day || localHour(hourBefore, recap.timezone) < recap.hour);
  return hour === recap.hour || jumpedOver ? { day, send: true } : { day, send: false, reason: 'not_recap_hour' };
}

export interface RecapUser {
  id: string;
  name: string;
  email: string;
  role: Role;
  locale: Locale;
  timezone: string;
  active: boolean;
  dailyRecap: boolean;
}

/** One overdue lead as the overdue query returns it (shared/db/overdue-leads.ts). */
export interface OverdueLeadEntry {
  lead: { id: string; name: string; ownerId: string };
  status: { id: string; name: string; order: number };
  overdue: Overdue;
}

export interface RecapLead {
  id: string;
  name: string;
  dueDate: string;
  daysOverdue: number;
}

/** The overdue leads of one status, most overdue first. */
export interface StatusGroup {
  statusId: string;
  statusName: string;
  leads: RecapLead[];
}

export interface TeamTotals {
  perStatus: { statusId: string; statusName: string; count: number }[];
  count: number;
}

export interface RecapMail {
  user: RecapUser;
  /** The user's own overdue leads by status, in status order. */
  own: StatusGroup[];
  ownCount: number;
  /** Managers and admins: every overdue lead of the tenant, counted per status. */
  team: TeamTotals | null;
}

export type SkipReason = 'inactive' | 'recap_off' | 'nothing_to_tell';

export interface RecapPlan {
  mails: RecapMail[];
  skipped: { userId: string; reason: SkipReason }[];
}

const seesTheTeam = (role: Role) => role === 'admin' || role === 'manager';

/**
 * R-REC-1 who gets which mail: each active user with the daily recap on gets its own overdue leads grouped by
 * status; managers and admins also get the team's totals per status, so they get a mail when the team has
 * overdue leads even if they have none. Nobody to tell, no mail.
 */
export function planRecap(users: readonly RecapUser[], overdue: readonly OverdueLeadEntry[]): RecapPlan {
  const team = teamTotals(overdue);
  const byOwner = groupBy(overdue, (entry) => entry.lead.ownerId);
  const plan: RecapPlan = { mails: [], skipped: [] };
  for (const user of users) {
    if (!user.active) {
      plan.skipped.push({ userId: user.id, reason: 'inactive' });
      continue;
    }
    if (!user.dailyRecap) {
      plan.skipped.push({ userId: user.id, reason: 'recap_off' });
      continue;
    }
    const own = groupByStatus(byOwner.get(user.id) ?? []);
    const ownCount = own.reduce((sum, group) => sum + group.leads.length, 0);
    const userTeam = seesTheTeam(user.role) && team.count > 0 ? team : null;
    if (ownCount === 0 && !userTeam) {
      plan.skipped.push({ userId: user.id, reason: 'nothing_to_tell' });
      continue;
    }
    plan.mails.push({ user, own, ownCount, team: userTeam });
  }
  return plan;
}

const byStatusOrder = (a: OverdueLeadEntry['status'], b: OverdueLeadEntry['status']) => a.order - b.order || a.id.localeCompare(b.id);

export function groupByStatus(entries: readonly OverdueLeadEntry[]): StatusGroup[] {
  const groups = [...groupBy(entries, (entry) => entry.status.id).values()];
  return groups
    .map((group) => ({ status: group[0]!.status, entries: group }))
    .sort((a, b) => byStatusOrder(a.status, b.status))
    .map(({ status, entries: inStatus }) => ({
      statusId: status.id,
      statusName: status.name,
      leads: inStatus
        .map(({ lead, overdue }) => ({ id: lead.id, name: lead.name, dueDate: overdue.dueDate, daysOverdue: overdue.daysOverdue }))
        .sort((a, b) => b.daysOverdue - a.daysOverdue || a.name.localeCompare(b.name) || a.id.localeCompare(b.id)),
    }));
}

export function teamTotals(entries: readonly OverdueLeadEntry[]): TeamTotals {
  const perStatus = groupByStatus(entries).map((group) => ({ statusId: group.statusId, statusName: group.statusName, count: group.leads.length }));
  return { perStatus, count: entries.length };
}

/** Map.groupBy arrives with Node 21; the runtime is Node 20. */
function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
