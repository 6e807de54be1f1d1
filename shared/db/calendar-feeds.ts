import { createHash, randomBytes } from 'node:crypto';
import type { AppContext } from '../app-context.ts';
import { conflict, notFound } from '../domain/errors.ts';
import { renderTaskCalendar, taskEvents } from '../domain/task-calendar.ts';
import { processUrl } from '../mail/reminder-email.ts';
import type { PostSaleProcess } from '../schemas/post-sale.ts';
import { postSaleProcesses } from './access-patterns.ts';
import { calendarTokenKey, opportunityModel, postSaleProcessModel, userCalendarFeedKey, userModel } from './keys.ts';
import { fromItem } from './records.ts';
import { batchGetAll, getItem, indexPartitionItems, retryOnRace, writeAll, type ExtraWrite } from './store.ts';

/**
 * R-PS-8 calendar feeds: a secret URL per user serving its open post-sale tasks as iCalendar. The token is 256
 * random bits (base64url, 43 characters) and is never stored: only its SHA-256 is, as the key of an item naming the
 * user. Issuing a token again rotates it: the old hash's item goes in the same transaction, so the old URL is a 404.
 */

/** 32 random bytes as base64url: 43 characters of `[A-Za-z0-9_-]`. */
export const CALENDAR_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
export const newCalendarToken = (): string => randomBytes(32).toString('base64url');
const tokenHash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** `${apiUrl}/calendar/<token>.ics`: the API serves it, so the address is the API's. */
export const calendarFeedUrl = (apiUrl: string, token: string) => `${apiUrl.replace(/\/+$/, '')}/calendar/${token}.ics`;

export interface CalendarFeed {
  url: string;
  token: string;
}

export interface IssueOptions {
  /** Where the token's randomness comes from (tests may fix it); node:crypto's randomBytes otherwise. */
  newToken?: () => string;
}

const feedRotated = () => conflict('concurrent_update', 'The calendar feed was rotated meanwhile; retry');

/**
 * POST /me/calendar-feed: a new secret URL for `userId`. In one transaction: the new token's item (must be new),
 * the user's feed pointing at it (conditioned on the hash read, so two concurrent rotations cannot both keep their
 * token: the loser reads again and rotates after the winner), and the previous token's item deleted.
 */
export async function issueCalendarFeed(ctx: AppContext, userId: string, options: IssueOptions = {}): Promise<CalendarFeed> {
  const newToken = options.newToken ?? newCalendarToken;
  return retryOnRace(async () => {
    const token = newToken();
    const hash = tokenHash(token);
    const current = await getItem(ctx, userCalendarFeedKey(userId), { consistent: true });
    const previousHash = current?.tokenHash as string | undefined;
    const now = ctx.now().toISOString();
    const writes: ExtraWrite[] = [
      {
        write: { Put: { TableName: ctx.tableName, Item: { ...calendarTokenKey(hash), recordType: 'Calendar feed token', userId, createdAt: now }, ConditionExpression: 'attribute_not_exists(PK)' } },
        onConditionFailed: feedRotated(),
      },
      {
        write: {
          Put: {
            TableName: ctx.tableName,
            Item: { ...userCalendarFeedKey(userId), recordType: 'Calendar feed', userId, tokenHash: hash, createdAt: now },
            ...(previousHash
              ? { ConditionExpression: 'tokenHash = :previous', ExpressionAttributeValues: { ':previous': previousHash } }
              : { ConditionExpression: 'attribute_not_exists(PK)' }),
          },
        },
        onConditionFailed: feedRotated(),
      },
      ...(previousHash ? [{ write: { Delete: { TableName: ctx.tableName, Key: calendarTokenKey(previousHash) } } }] : []),
    ];
    await writeAll(ctx, writes);
    return { url: calendarFeedUrl(ctx.config.apiUrl, token), token };
  });
}

// The same answer as a path the route's parameter schema refuses (shared/http/api-handler.ts): nothing tells them apart.
const unknownFeed = () => notFound();

/**
 * GET /calendar/{token}.ics: the iCalendar text of the open tasks assigned to the token's user (the open-tasks
 * index, then the processes in one batched read, strongly consistent, and their opportunities' titles). A token
 * malformed, unknown, rotated out, or of a user deactivated since, is the same 404.
 */
export async function calendarFeedOf(ctx: AppContext, token: string): Promise<string> {
  if (!CALENDAR_TOKEN_PATTERN.test(token)) throw unknownFeed();
  const feed = await getItem(ctx, calendarTokenKey(tokenHash(token)), { consistent: true });
  if (!feed) throw unknownFeed();
  const userId = feed.userId as string;
  const [user, openTasks] = await Promise.all([
    getItem(ctx, userModel.key(userId), { consistent: true }),
    indexPartitionItems<{ processId: string }>(ctx, postSaleProcesses.openTasksOf(userId), ['processId']),
  ]);
  if (!user || user.active !== true) throw unknownFeed();
  const processIds = [...new Set(openTasks.map((task) => task.processId))];
  const processes = (await batchGetAll(ctx, processIds.map((id) => postSaleProcessModel.key(id)), { consistent: true })).map((item) => fromItem<PostSaleProcess>(item));
  const opportunityIds = [...new Set(processes.map((process) => process.opportunityId))];
  const opportunities = await batchGetAll(ctx, opportunityIds.map((id) => opportunityModel.key(id)), { attributes: ['id', 'title'] });
  const titles = new Map(opportunities.map((item) => [item.id as string, item.title as string]));
  return renderTaskCalendar(taskEvents(userId, processes, titles), { processUrl: (processId) => processUrl(ctx.config.appUrl, processId) });
}
