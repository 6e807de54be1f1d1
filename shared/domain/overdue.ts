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
 * The latest status-entry instant that can be overdue at `now` in any time zone: entries after it cannot be,
 * wherever the recap runs. Lets a Query on entry times stop early; `overdueAt` then decides exactly.
 * Calendar days differ from elapsed days by less than one day plus the widest UTC offset gap (26 h).
 */
export function latestPossiblyOverdueEntry(expiryDays: number, now: Date): string {
  const margin = DAY_MS + 26 * 60 * 60 * 1000;
  return new Date(now.getTime() - expiryDays * DAY_MS + margin).toISOString();
}
