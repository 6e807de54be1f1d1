import { calendarContracts as contracts } from '../../shared/contracts/calendar.ts';
import { calendarFeedOf, issueCalendarFeed } from '../../shared/db/calendar-feeds.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { implement } from '../../shared/http/route.ts';

/**
 * R-PS-8 calendar feeds (issue 11 item 7): the caller's secret URL (issued and rotated), and the public feed it names.
 * The rules are in shared/domain/task-calendar.ts, the token and the reads in shared/db/calendar-feeds.ts.
 */
export const calendarRoutes = [
  implement(contracts.createCalendarFeed, ({ ctx, principal }) => issueCalendarFeed(ctx, principal.userId)),
  implement(contracts.getCalendarFeed, ({ ctx, params }) => calendarFeedOf(ctx, params.file.slice(0, -'.ics'.length))),
];

export const handler = createApiHandler(calendarRoutes);
