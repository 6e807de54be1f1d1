/** Calendar arithmetic in a time zone (IANA name), with the platform's Intl data: no I/O, no library. */

export const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** The calendar date of an instant in a time zone, as YYYY-MM-DD. */
export function calendarDate(instant: Date, timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

/** Days since 1970-01-01 of a calendar date (YYYY-MM-DD), and back. */
export const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY_MS;
export const dateOfDayNumber = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** The calendar date `days` after `date` (YYYY-MM-DD): calendar days, whatever the clocks do. */
export const addDays = (date: string, days: number) => dateOfDayNumber(dayNumber(date) + days);

/** The first instant (epoch ms) of a calendar day in a time zone. */
export function startOfCalendarDay(date: string, timeZone: string): number {
  return wallClockInstant(date, 0, timeZone);
}

/**
 * The instant (epoch ms) a time zone's clocks show `hour`:00 on `date`. For an hour the clocks skip, an instant at
 * the edge of the gap (which edge depends on the zone's offset): callers pick hours that exist, like 09:00.
 */
export function wallClockInstant(date: string, hour: number, timeZone: string): number {
  const asUtc = Date.parse(`${date}T00:00:00Z`) + hour * HOUR_MS;
  // Correct by the zone's offset, then once more in case the offset differs at the corrected instant (DST).
  let instant = asUtc - offsetMs(asUtc, timeZone);
  instant = asUtc - offsetMs(instant, timeZone);
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
