/**
 * R-LEAD-3: a lead is overdue when its status is of type `open`, has `expiryDays > 0`, and the calendar day
 * (in the recap time zone) is at least the day it entered the status plus `expiryDays`.
 */
export interface OverdueStatus {
  type: 'open' | 'frozen' | 'qualified' | 'not_interested' | 'abandoned';
  expiryDays: number;
}

export interface Overdue {
  /** The first calendar day (YYYY-MM-DD, recap time zone) on which the lead is overdue. */
  dueDate: string;
  /** Whole calendar days since the due date: 0 on the day the lead becomes overdue. */
  daysOverdue: number;
}

/** The calendar date of an instant in a time zone, as YYYY-MM-DD. */
export function calendarDate(instant: Date, timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

const DAY_MS = 24 * 60 * 60 * 1000;
const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY_MS;
const dateOfDayNumber = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

export const canBecomeOverdue = (status: OverdueStatus) => status.type === 'open' && status.expiryDays > 0;

/** The lead's overdue state at `now`, or undefined when it is not overdue. */
export function overdueAt(status: OverdueStatus, statusEnteredAt: string, now: Date, timeZone: string): Overdue | undefined {
  if (!canBecomeOverdue(status)) return undefined;
  const due = dayNumber(calendarDate(new Date(statusEnteredAt), timeZone)) + status.expiryDays;
  const today = dayNumber(calendarDate(now, timeZone));
  return today >= due ? { dueDate: dateOfDayNumber(due), daysOverdue: today - due } : undefined;
}

/**
 * A bound on status-entry instants for a Query: every lead overdue at `now` in `timeZone` entered its status at or
 * before it. Overdue means the entry's calendar day is at most today − expiryDays, i.e. the entry came before the
 * first instant of day (today − expiryDays + 1); one hour of slack covers zones whose clocks jump at midnight.
 * `overdueAt` then decides exactly, so the slack costs at most an hour of entries.
 */
export function latestPossiblyOverdueEntry(expiryDays: number, now: Date, timeZone: string): string {
  const firstDayNotOverdue = dateOfDayNumber(dayNumber(calendarDate(now, timeZone)) - expiryDays + 1);
  return new Date(startOfCalendarDay(firstDayNotOverdue, timeZone) + HOUR_MS).toISOString();
}

const HOUR_MS = 60 * 60 * 1000;

/** The first instant (epoch ms) of a calendar day in a time zone. */
function startOfCalendarDay(date: string, timeZone: string): number {
  const midnightUtc = Date.parse(`${date}T00:00:00Z`);
  // Correct by the zone's offset, then once more in case the offset differs at the corrected instant (DST).
  let instant = midnightUtc - offsetMs(midnightUtc, timeZone);
  instant = midnightUtc - offsetMs(instant, timeZone);
  return instant;
}

/** How far the zone's wall clock is ahead of UTC at an instant. */
function offsetMs(instant: number, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(new Date(instant))
      .map((part) => [part.type, part.value]),
  );
  const wallClock = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return wallClock - Math.floor(instant / 1000) * 1000;
}
