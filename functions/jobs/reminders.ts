import middy from '@middy/core';
import { jobFigures, observed, publishFigures } from '../../shared/metrics.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { appContext, type AppContext } from '../../shared/app-context.ts';
import { postSaleProcesses } from '../../shared/db/access-patterns.ts';
import { postSaleItemKey, postSaleProcessModel, reminderReceiptKey, reminderSortKey, userModel } from '../../shared/db/keys.ts';
import type { TaskIndexItem } from '../../shared/db/post-sale-items.ts';
import { fromItem } from '../../shared/db/records.ts';
import { batchGetAll, queryOnce, updateItem } from '../../shared/db/store.ts';
import { indexKeys } from '../../shared/db/table-definition.ts';
import { hasPendingReminder } from '../../shared/domain/post-sale.ts';
import { mapLimited } from '../../shared/concurrency.ts';
import { logger } from '../../shared/logger.ts';
import { renderReminderEmail } from '../../shared/mail/reminder-email.ts';
import { DEFAULT_SEND_RETRY, sendOnce, type SendRetry } from '../../shared/mail/send-once.ts';
import type { PostSaleProcess } from '../../shared/schemas/post-sale.ts';
import type { User } from '../../shared/schemas/users.ts';

/**
 * R-PS-8 task reminders: the scheduler runs this every 5 minutes; it reads the sparse index of pending reminders up
 * to now (reads grow with the reminders due, not with the tasks), and mails each due task's assignee (the process's
 * owner for a task nobody is assigned) once: a receipt keyed by task and reminder time is claimed before sending.
 * A task done, deleted or rescheduled leaves the index in the transaction that changes it, and its process, read
 * strongly consistent, is checked again before sending. A reminder handled leaves the index (it is re-added only by
 * a later change of its task, and its receipt then keeps it from being sent twice).
 */

/** `being_sent`: another run holds the reminder's claim (it sends, or releases it for a later run). */
export type ReminderSkip = 'already_sent' | 'being_sent' | 'no_longer_due' | 'no_recipient';

export interface ReminderReport {
  /** Task ids whose reminder was sent by this run. */
  sent: string[];
  skipped: { taskId: string; reason: ReminderSkip }[];
  failed: { taskId: string; error: string }[];
}

export interface ReminderOptions {
  now: Date;
  retry?: SendRetry;
}

/** Receipts outlive any re-run; TTL then removes them. */
const RECEIPT_TTL_SECONDS = 30 * 24 * 60 * 60;
const SEND_CONCURRENCY = 4;
/** The attributes that put a task item in the due-reminders index. */
const DUE_INDEX_KEYS = indexKeys(postSaleProcesses.reminders.index);

/** Every pending reminder due at `now`, oldest first (a Query on the sparse index, bounded by the sort key). */
async function dueReminders(ctx: AppContext, now: Date): Promise<TaskIndexItem[]> {
  const { index, partition } = postSaleProcesses.reminders();
  const keys = indexKeys(index);
  // `reminderAt#taskId` up to now, whatever the task id ('~' sorts after every id character).
  const bound = reminderSortKey(now.toISOString(), '~');
  const due: TaskIndexItem[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await queryOnce(ctx, {
      IndexName: index,
      KeyConditionExpression: '#pk = :pk AND #sk <= :bound',
      ExpressionAttributeNames: { '#pk': keys.partitionKey, '#sk': keys.sortKey },
      ExpressionAttributeValues: { ':pk': partition, ':bound': bound },
      ExclusiveStartKey: startKey,
    });
    due.push(...page.items.map((item) => fromItem<TaskIndexItem>(item)));
    startKey = page.lastKey;
  } while (startKey);
  return due;
}

export async function runReminders(ctx: AppContext, options: ReminderOptions): Promise<ReminderReport> {
  const { now, retry = DEFAULT_SEND_RETRY } = options;
  const due = await dueReminders(ctx, now);
  const report: ReminderReport = { sent: [], skipped: [], failed: [] };
  if (due.length === 0) return report;

  const processes = new Map(
    (await batchGetAll(ctx, due.map((item) => postSaleProcessModel.key(item.processId)), { consistent: true })).map((item) => {
      const process = fromItem<PostSaleProcess>(item);
      return [process.id, process];
    }),
  );
  const recipientOf = (item: TaskIndexItem) => {
    const process = processes.get(item.processId);
    const task = process?.tasks.find((candidate) => candidate.id === item.taskId);
    // The index may lag a change that just committed: the process read now decides.
    if (!process || !task || !hasPendingReminder(task) || task.reminderAt !== item.reminderAt) return undefined;
    // A deactivated assignee's reminder goes to the process's owner, as a task nobody is assigned.
    return { process, task, userIds: [...new Set([task.assigneeId ?? process.ownerId, process.ownerId])] };
  };
  const users = new Map(
    (await batchGetAll(ctx, [...new Set(due.flatMap((item) => recipientOf(item)?.userIds ?? []))].map((userId) => userModel.key(userId)))).map((item) => {
      const user = fromItem<User>(item);
      return [user.id, user];
    }),
  );

  const outcomes = await mapLimited(due, SEND_CONCURRENCY, async (item): Promise<Delivery> => {
    const target = recipientOf(item);
    if (!target) return { kind: 'skipped', reason: 'no_longer_due' };
    const user = target.userIds.map((userId) => users.get(userId)).find((candidate) => candidate?.active);
    if (!user) {
      await leaveIndex(ctx, item);
      return { kind: 'skipped', reason: 'no_recipient' };
    }
    const delivery = await deliver(ctx, item, { user, process: target.process, title: target.task.title, dueAt: target.task.dueAt }, { retry });
    // Claimed by another run: it leaves the index only once that run sent it (`already_sent`, read by sendOnce; a
    // reminder still `being_sent` may fail and stay due).
    if (delivery.kind === 'sent' || (delivery.kind === 'skipped' && delivery.reason === 'already_sent')) await leaveIndex(ctx, item);
    return delivery;
  });
  for (const [index, outcome] of outcomes.entries()) {
    const taskId = due[index]!.taskId;
    if (outcome.kind === 'sent') report.sent.push(taskId);
    else if (outcome.kind === 'skipped') report.skipped.push({ taskId, reason: outcome.reason });
    else report.failed.push({ taskId, error: outcome.error });
  }
  logger.info('Reminders run', { due: due.length, sent: report.sent.length, skipped: report.skipped.length, failed: report.failed });
  return report;
}

type Delivery = { kind: 'sent' } | { kind: 'skipped'; reason: ReminderSkip } | { kind: 'failed'; error: string };

interface Mail {
  user: User;
  process: PostSaleProcess;
  title: string;
  dueAt: string | null;
}

/** One reminder at most once (its receipt, keyed by task and reminder time: shared/mail/send-once.ts). */
async function deliver(ctx: AppContext, item: TaskIndexItem, mail: Mail, run: { retry: SendRetry }): Promise<Delivery> {
  try {
    const rendered = renderReminderEmail(
      { recipientName: mail.user.name, timeZone: mail.user.timezone, appUrl: ctx.config.appUrl, processId: mail.process.id, taskTitle: mail.title, dueAt: mail.dueAt },
      mail.user.locale,
    );
    const receipt = { key: reminderReceiptKey(item.taskId, item.reminderAt!), ttlSeconds: RECEIPT_TTL_SECONDS, label: 'Reminder', about: { taskId: item.taskId, processId: item.processId } };
    const outcome = await sendOnce(ctx, receipt, mail.user.email, rendered, run.retry);
    return outcome === 'sent' ? { kind: 'sent' } : { kind: 'skipped', reason: outcome };
  } catch (error) {
    logger.error('Reminder not sent', { taskId: item.taskId, processId: item.processId, error });
    return { kind: 'failed', error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * A handled reminder leaves the due index (so later runs do not read it again), only while the task item still
 * holds that reminder: a reschedule committed meanwhile keeps its new place.
 */
async function leaveIndex(ctx: AppContext, item: TaskIndexItem): Promise<void> {
  await updateItem(
    ctx,
    postSaleItemKey(item.processId, 'task', item.taskId),
    { expression: 'REMOVE #pk, #sk', names: { '#pk': DUE_INDEX_KEYS.partitionKey, '#sk': DUE_INDEX_KEYS.sortKey }, values: { ':at': item.reminderAt } },
    { expression: 'reminderAt = :at' },
  ).catch((error: unknown) => logger.warn('A handled reminder stays in the due index', { taskId: item.taskId, error }));
}

const scheduledEvent = z.object({ scheduledTime: z.iso.datetime({ offset: true }).optional() });

export const handler = middy<unknown, ReminderReport, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(observed({ job: 'reminders' }))
  .handler(async (event) => {
    const { scheduledTime } = scheduledEvent.parse(event ?? {});
    // The later of the time it was due and now: a retried run sends what became due meanwhile too.
    const now = new Date(Math.max(scheduledTime ? Date.parse(scheduledTime) : 0, Date.now()));
    const report = await runReminders(appContext(), { now });
    publishFigures(jobFigures('reminders', report));
    // A failure makes Lambda retry the invocation (the reminders already sent hold a receipt), then hand it to the DLQ.
    if (report.failed.length > 0) throw new Error(`${report.failed.length} reminder(s) could not be sent`);
    return report;
  });
