import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contracts } from '../../shared/contracts/index.ts';
import { userCalendarFeedKey } from '../../shared/db/keys.ts';
import { TestApi } from '../support/api.ts';
import { as, created, newOpportunity, usersOf, type Caller } from '../support/fixtures.ts';

/**
 * R-PS-8 / issue 11 item 7, the calendar feed over HTTP: POST /me/calendar-feed issues (and rotates) a secret URL,
 * GET /calendar/{token}.ics serves the owner's open tasks as iCalendar without a bearer. The feed is parsed back
 * with ical.js, a parser independent of the generator.
 */

let api: TestApi;
let rep: Caller;
let otherRep: Caller;
beforeAll(async () => {
  api = await TestApi.start();
  [rep, otherRep] = await usersOf(api, 'rep', 'rep');
});
afterAll(() => api?.stop());

const issue = async (caller: Caller) => {
  const answer = await api.call(contracts.createCalendarFeed, { token: caller.token });
  expect(answer.status).toBe(201);
  return answer.body;
};

/** The feed's path, as its URL names it (the URL's origin is the API's: the test runtime's own). */
const pathOf = (url: string) => new URL(url).pathname;

const fetchFeed = (url: string) => api.get(pathOf(url), { token: null });

interface ParsedEvent {
  uid: string;
  summary: string;
  start: string;
  alarms: string[];
}

function parseFeed(text: string): ParsedEvent[] {
  const calendar = new ICAL.Component(ICAL.parse(text));
  return calendar.getAllSubcomponents('vevent').map((event) => ({
    uid: String(event.getFirstPropertyValue('uid')),
    summary: String(event.getFirstPropertyValue('summary')),
    start: (event.getFirstPropertyValue('dtstart') as ICAL.Time).toJSDate().toISOString(),
    alarms: event.getAllSubcomponents('valarm').map((alarm) => (alarm.getFirstPropertyValue('trigger') as ICAL.Time).toJSDate().toISOString()),
  }));
}

describe('R-PS-8 issue 11 item 7: POST /me/calendar-feed', () => {
  it('R-PS-8 answers a secret URL on the API whose token is 256 random bits in base64url, and stores only its hash', async () => {
    const feed = await issue(rep);

    expect(feed.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(feed.url).toBe(`${api.url}/calendar/${feed.token}.ics`);
    const table = JSON.stringify(await api.tableSnapshot());
    expect(table).not.toContain(feed.token);
    expect(table).toContain(userCalendarFeedKey(rep.id).PK);
  });

  it('R-PS-8 calling it again rotates the token: the old URL answers 404, the new one 200', async () => {
    const old = await issue(rep);
    const rotated = await issue(rep);

    expect(rotated.token).not.toBe(old.token);
    expect((await fetchFeed(old.url)).status).toBe(404);
    expect((await fetchFeed(rotated.url)).status).toBe(200);
  });

  it('R-PS-8 two rotations at once leave exactly one working URL (the token items and the user feed move in one transaction)', async () => {
    const [first, second] = await Promise.all([issue(otherRep), issue(otherRep)]);

    const statuses = [(await fetchFeed(first.url)).status, (await fetchFeed(second.url)).status];

    expect(statuses.sort()).toEqual([200, 404]);
  });

  it('R-PS-8 an Idempotency-Key does not replay the secret (it is never stored): a repeated call rotates again', async () => {
    const headers = { 'idempotency-key': 'calendar-feed-key' };
    const first = await api.call(contracts.createCalendarFeed, { token: rep.token, headers });
    const second = await api.call(contracts.createCalendarFeed, { token: rep.token, headers });

    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body.token).not.toBe(first.body.token);
    expect(JSON.stringify(await api.tableSnapshot())).not.toContain(second.body.token);
  });

  it('R-PS-8 needs a bearer (401 without)', async () => {
    expect((await api.call(contracts.createCalendarFeed, { token: null })).status).toBe(401);
  });
});

describe('R-PS-8 issue 11 item 7: GET /calendar/{token}.ics', () => {
  const DUE = '2030-03-04T09:30:00.000Z';
  const REMINDER = '2030-03-03T16:00:00.000Z';
  const ONLY_REMINDER = '2030-03-05T07:15:00.000Z';
  let feedUrl: string;
  let taskIds: Record<string, string>;

  beforeAll(async () => {
    const deal = await newOpportunity(api, rep, { title: 'Acme seats' });
    const process = await created(api, '/post-sale-processes', {
      opportunityId: deal.id,
      tasks: [
        { title: 'Kick-off call', assigneeId: rep.id, dueAt: DUE, reminderAt: REMINDER },
        { title: 'Send invoice', assigneeId: rep.id, reminderAt: ONLY_REMINDER },
        { title: 'Archive contract', assigneeId: rep.id, status: 'done', dueAt: DUE },
        { title: 'Someday', assigneeId: rep.id },
        { title: 'Colleague task', assigneeId: otherRep.id, dueAt: DUE },
      ],
    }, rep);
    taskIds = Object.fromEntries(process.tasks.map((task: { id: string; title: string }) => [task.title, task.id]));
    feedUrl = (await issue(rep)).url;
  });

  it('R-PS-8 needs no bearer and answers text/calendar', async () => {
    const answer = await fetchFeed(feedUrl);

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/calendar/);
    expect(answer.body).toMatch(/^BEGIN:VCALENDAR/);
  });

  it('R-PS-8 one VEVENT per open task of the user with a date, DTSTART at the due date (else the reminder), a VALARM at the reminder, done tasks absent', async () => {
    const events = parseFeed((await fetchFeed(feedUrl)).body);

    expect(events).toEqual([
      { uid: `${taskIds['Kick-off call']}@pipeline-crm`, summary: 'Kick-off call — Acme seats', start: DUE, alarms: [REMINDER] },
      { uid: `${taskIds['Send invoice']}@pipeline-crm`, summary: 'Send invoice — Acme seats', start: ONLY_REMINDER, alarms: [ONLY_REMINDER] },
    ]);
  });

  it('R-PS-8 times are UTC instants in the text (…Z)', async () => {
    const text: string = (await fetchFeed(feedUrl)).body;

    expect(text).toContain('DTSTART:20300304T093000Z');
    expect(text).toMatch(/TRIGGER;VALUE=DATE-TIME:20300303T160000Z/);
  });

  it('R-PS-8 the UID of a task is stable across fetches and changes; a task done leaves the feed', async () => {
    const before = parseFeed((await fetchFeed(feedUrl)).body);
    const processId = (await api.call(contracts.listPostSaleProcesses, { query: { assigneeId: rep.id }, token: rep.token })).body.items[0]!.id;
    const later = '2030-04-01T10:00:00.000Z';
    await api.call(contracts.updatePostSaleTask, { params: { id: processId, taskId: taskIds['Kick-off call']! }, body: { dueAt: later }, token: rep.token });
    await api.call(contracts.updatePostSaleTask, { params: { id: processId, taskId: taskIds['Send invoice']! }, body: { status: 'done' }, token: rep.token });

    const after = parseFeed((await fetchFeed(feedUrl)).body);

    expect(after).toEqual([{ ...before[0], start: later }]);
  });

  it('R-PS-8 a malformed token is a 404 exactly like an unknown one', async () => {
    const unknown = await api.get(`/calendar/${'A'.repeat(43)}.ics`, { token: null });
    const answers = [
      unknown,
      await api.get('/calendar/short.ics', { token: null }),
      await api.get(`/calendar/${'A'.repeat(43)}`, { token: null }),
      await api.get(`/calendar/${'A'.repeat(42)}*.ics`, { token: null }),
      await api.get(`${pathOf(feedUrl)}x`, { token: null }),
    ];

    expect(answers.map((answer) => answer.status)).toEqual([404, 404, 404, 404, 404]);
    for (const answer of answers) expect(answer.body).toEqual(unknown.body);
  });

  it('R-PS-8 the feed of a user deactivated since is a 404', async () => {
    const [leaving] = await usersOf(api, 'rep');
    const { url } = await issue(leaving);
    expect((await api.call(contracts.updateUser, { params: { id: leaving.id }, body: { active: false } })).status).toBe(200);

    expect((await fetchFeed(url)).status).toBe(404);
  });

  it('R-PS-8 another user (with a bearer or not) sees only its own tasks in its own feed', async () => {
    const mine = parseFeed((await api.get(pathOf((await issue(otherRep)).url), as(otherRep))).body);

    expect(mine.map((event) => event.summary)).toEqual(['Colleague task — Acme seats']);
  });
});
