import ICAL from 'ical.js';
import { afterEach, describe, expect, it } from 'vitest';
import { renderTaskCalendar, taskEvents } from '../../shared/domain/task-calendar.ts';
import type { PostSaleProcess, PostSaleTask } from '../../shared/schemas/post-sale.ts';

/** R-PS-8 / issue 11 item 7: the feed's events and their iCalendar text (pure rules; the HTTP side is calendar-feed.test.ts). */

const USER = '01JAAAAAAAAAAAAAAAAAAAAAAA';
const STAMP = '2030-01-01T00:00:00.000Z';
const task = (id: string, fields: Partial<PostSaleTask>): PostSaleTask => ({
  id, title: `Task ${id}`, status: 'todo', assigneeId: USER, dueAt: null, reminderAt: null, createdAt: STAMP, updatedAt: STAMP, ...fields,
});
const processOf = (tasks: PostSaleTask[]): PostSaleProcess => ({
  id: 'P1', version: 1, createdAt: STAMP, updatedAt: STAMP, opportunityId: 'O1', templateId: null, assigneeId: null,
  opportunityOwnerId: USER, ownerId: USER, labels: [], status: 'todo', tasks,
});
const view = { processUrl: (id: string) => `https://crm.example/post-sale-processes/${id}` };
const originalZone = process.env.TZ;
afterEach(() => {
  process.env.TZ = originalZone;
});

describe('R-PS-8 task calendar', () => {
  it('R-PS-8 keeps open tasks of the user with a due date or a reminder, at the due date else the reminder, sorted by start', () => {
    const events = taskEvents(USER, [processOf([
      task('T1', { dueAt: '2030-03-02T10:00:00.000Z', reminderAt: '2030-03-01T10:00:00.000Z' }),
      task('T2', { reminderAt: '2030-03-01T08:00:00.000Z' }),
      task('T3', {}),
      task('T4', { status: 'done', dueAt: '2030-03-02T10:00:00.000Z' }),
      task('T5', { assigneeId: 'someone-else', dueAt: '2030-03-02T10:00:00.000Z' }),
      task('T6', { status: 'waiting', dueAt: '2030-03-03T10:00:00.000Z' }),
    ])], new Map([['O1', 'Acme seats']]));

    expect(events.map((event) => [event.uid, event.start, event.reminderAt, event.summary])).toEqual([
      ['T2@pipeline-crm', '2030-03-01T08:00:00.000Z', '2030-03-01T08:00:00.000Z', 'Task T2 — Acme seats'],
      ['T1@pipeline-crm', '2030-03-02T10:00:00.000Z', '2030-03-01T10:00:00.000Z', 'Task T1 — Acme seats'],
      ['T6@pipeline-crm', '2030-03-03T10:00:00.000Z', null, 'Task T6 — Acme seats'],
    ]);
  });

  it.each(['UTC', 'Europe/Rome', 'America/Los_Angeles', 'Asia/Kolkata'])('R-PS-8 writes UTC instants whatever the process zone (%s)', (zone) => {
    process.env.TZ = zone;
    const events = taskEvents(USER, [processOf([task('T1', { dueAt: '2030-07-02T10:00:00.000Z', reminderAt: '2030-07-01T22:30:00.000Z' })])], new Map());

    const text = renderTaskCalendar(events, view);

    expect(text).toContain('DTSTART:20300702T100000Z');
    expect(text).toContain('TRIGGER;VALUE=DATE-TIME:20300701T223000Z');
    const event = new ICAL.Component(ICAL.parse(text)).getFirstSubcomponent('vevent')!;
    expect((event.getFirstPropertyValue('dtstart') as ICAL.Time).toJSDate().toISOString()).toBe('2030-07-02T10:00:00.000Z');
    expect(event.getFirstPropertyValue('uid')).toBe('T1@pipeline-crm');
    expect(event.getFirstPropertyValue('url')).toBe('https://crm.example/post-sale-processes/P1');
  });

  it('R-PS-8 the same tasks give the same text (DTSTAMP is the task change time, not the clock)', () => {
    const events = taskEvents(USER, [processOf([task('T1', { dueAt: '2030-07-02T10:00:00.000Z' })])], new Map());

    expect(renderTaskCalendar(events, view)).toBe(renderTaskCalendar(events, view));
  });
});
