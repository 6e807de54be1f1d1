import * as z from 'zod';
import { defineContracts } from '../http/contract.ts';
import { EVERYONE } from '../domain/principal.ts';
import { calendarFeed } from '../schemas/post-sale.ts';

/**
 * R-PS-8 the calendar feed of a user's open post-sale tasks. API Gateway's path parameters are whole segments, so
 * the feed's route is `/calendar/{file}` and `file` must be `<token>.ics` (anything else is the 404 of an unknown token).
 */
export const calendarFeedFile = z.strictObject({
  file: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}\.ics$/)
    .meta({ description: '`<token>.ics`, the token of POST /me/calendar-feed' }),
});

export const calendarContracts = defineContracts({
  createCalendarFeed: {
    method: 'POST',
    path: '/me/calendar-feed',
    summary:
      "A new secret calendar URL for the caller's open post-sale tasks (`<api>/calendar/<token>.ics`); calling it again rotates the token and the old URL answers 404. Its answer holds a secret, so it is never stored to be replayed: an Idempotency-Key is ignored",
    roles: EVERYONE,
    response: calendarFeed,
    successStatus: 201,
    secretResponse: true,
  },
  getCalendarFeed: {
    method: 'GET',
    path: '/calendar/{file}',
    summary:
      "GET /calendar/{token}.ics: the open post-sale tasks of the token's user as iCalendar (one VEVENT per task with a due date or a reminder, UID `<taskId>@pipeline-crm`, times in UTC, a VALARM at the reminder). No bearer: the token is the secret; an unknown, rotated or malformed one is a 404",
    roles: 'public',
    params: calendarFeedFile,
    response: z.string().meta({ description: 'An iCalendar (RFC 5545) document' }),
    responseType: 'text/calendar',
    statuses: [404],
  },
});
