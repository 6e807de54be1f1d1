import { calendarDate, dateOfDayNumber, dayNumber, HOUR_MS, startOfCalendarDay } from './calendar.ts';

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
