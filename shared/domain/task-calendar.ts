import ical, { ICalAlarmType } from 'ical-generator';
import type { PostSaleProcess, PostSaleTask } from '../schemas/post-sale.ts';
import { isOpenTask } from './post-sale.ts';

/**
 * R-PS-8 the calendar feed of a user's open post-sale tasks, as pure rules: which tasks are events, and the
 * iCalendar (RFC 5545) text, built with ical-generator. Times are UTC instants (`…Z`), whatever the zone of whoever
 * reads the feed: a task due at 09:00 in Rome is 08:00Z in winter, and the calendar app shows it in its own zone.
 */

/** One event of the feed: a task with a due date (else its reminder time) and, when it has one, an alarm at its reminder. */
export interface TaskEvent {
  /** Stable across fetches and changes of the task: `<taskId>@pipeline-crm`, so calendar apps update it in place. */
  uid: string;
  start: string;
  reminderAt: string | null;
  summary: string;
  /** When the task last changed: the event's DTSTAMP (stable while the task does not change). */
  stamp: string;
  processId: string;
}

export const TASK_UID_DOMAIN = 'pipeline-crm';
export const taskUid = (taskId: string) => `${taskId}@${TASK_UID_DOMAIN}`;

/**
 * The events of the tasks assigned to `userId` that are open, from the processes read (strongly consistent: an
 * index entry that lags behind a change is checked against the record). A task without a due date is placed at
 * its reminder; one with neither has no place in a calendar and is left out. Sorted by start, then id.
 */
export function taskEvents(userId: string, processes: readonly PostSaleProcess[], opportunityTitles: ReadonlyMap<string, string>): TaskEvent[] {
  const events = processes.flatMap((process) =>
    process.tasks
      .filter((task) => task.assigneeId === userId && isOpenTask(task))
      .flatMap((task): TaskEvent[] => {
        const start = task.dueAt ?? task.reminderAt;
        if (!start) return [];
        return [{ uid: taskUid(task.id), start, reminderAt: task.reminderAt, summary: eventSummary(task, opportunityTitles.get(process.opportunityId)), stamp: task.updatedAt, processId: process.id }];
      }),
  );
  return events.sort((a, b) => (a.start === b.start ? a.uid.localeCompare(b.uid) : a.start.localeCompare(b.start)));
}

/** The task's title, then the opportunity it is for when known: "Kick-off call — Acme seats". */
function eventSummary(task: Pick<PostSaleTask, 'title'>, opportunityTitle: string | undefined): string {
  return opportunityTitle ? `${task.title} — ${opportunityTitle}` : task.title;
}

export interface CalendarView {
  /** The web app's link of a process (`<appUrl>/post-sale-processes/<id>`), put on each event. */
  processUrl: (processId: string) => string;
}

/** The feed as iCalendar text: one VEVENT per event (DTSTART in UTC, no end: a due time is an instant), a display VALARM at the reminder. */
export function renderTaskCalendar(events: readonly TaskEvent[], view: CalendarView): string {
  const calendar = ical({ name: 'Pipeline CRM tasks', prodId: { company: 'pipeline-crm', product: 'tasks', language: 'EN' } });
  for (const event of events) {
    calendar.createEvent({
      id: event.uid,
      start: new Date(event.start),
      stamp: new Date(event.stamp),
      summary: event.summary,
      url: view.processUrl(event.processId),
      alarms: event.reminderAt ? [{ type: ICalAlarmType.display, trigger: new Date(event.reminderAt), description: event.summary }] : [],
    });
  }
  return calendar.toString();
}
