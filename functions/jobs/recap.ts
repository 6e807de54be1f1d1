import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { appContext, type AppContext } from '../../shared/app-context.ts';
import { users } from '../../shared/db/access-patterns.ts';
import { recapReceiptKey } from '../../shared/db/keys.ts';
import { findOverdueLeads } from '../../shared/db/overdue-leads.ts';
import { getPipelineSettings } from '../../shared/db/pipeline-config.ts';
import { deleteItem, putItem, queryPage, updateItem } from '../../shared/db/store.ts';
import { planRecap, recapDecision, type RecapMail, type RecapTrigger, type SkipReason } from '../../shared/domain/recap.ts';
import { logger } from '../../shared/logger.ts';
import { renderRecapEmail } from '../../shared/mail/recap-email.ts';
import type { User } from '../../shared/schemas/users.ts';

/**
 * The morning overdue-lead recap (R-REC-1..3). The scheduler calls `handler` every hour; `runRecap` sends only
 * in the recap hour of `settings.recap` (a run by hand: whatever the hour), once per user and day.
 */

export interface RecapReport {
  /** The calendar date of `now` in the recap time zone. */
  day: string;
  /** `done`: the recap ran (see each user's lot below); otherwise why it did nothing. */
  outcome: 'done' | 'disabled' | 'not_recap_hour';
  sent: string[];
  skipped: { userId: string; reason: SkipReason | 'already_sent' }[];
  failed: { userId: string; error: string }[];
}

export interface SendRetry {
  attempts: number;
  /** Wait before the second attempt; doubled before each further one. */
  backoffMs: number;
}

export interface RecapOptions {
  now: Date;
  /** Default `by-hand`: a direct call is for the day of `now`, whatever the hour. */
  trigger?: RecapTrigger;
  retry?: SendRetry;
}

export const DEFAULT_SEND_RETRY: SendRetry = { attempts: 3, backoffMs: 200 };

/** Receipts outlive any re-run of their day; TTL then removes them. */
const RECEIPT_TTL_SECONDS = 7 * 24 * 60 * 60;
/** A claim older than this belongs to a run that died while sending (Lambda stops any run after 15 minutes). */
const CLAIM_LEASE_MS = 15 * 60 * 1000;
/** Mails sent at the same time: well under SES's default sending rate. */
const SEND_CONCURRENCY = 4;

export async function runRecap(ctx: AppContext, options: RecapOptions): Promise<RecapReport> {
  const { now, trigger = 'by-hand', retry = DEFAULT_SEND_RETRY } = options;
  const { recap } = await getPipelineSettings(ctx);
  const decision = recapDecision(recap, now, trigger);
  if (!decision.send) {
    logger.info('Recap not sent', { day: decision.day, reason: decision.reason, trigger });
    return { day: decision.day, outcome: decision.reason, sent: [], skipped: [], failed: [] };
  }

  const [users, overdue] = await Promise.all([listUsers(ctx), findOverdueLeads(ctx, { now, timeZone: recap.timezone })]);
  const plan = planRecap(users, overdue);
  const outcomes = await mapLimited(plan.mails, SEND_CONCURRENCY, (mail) => deliver(ctx, mail, { day: decision.day, now, retry }));

  const report: RecapReport = { day: decision.day, outcome: 'done', sent: [], skipped: [...plan.skipped], failed: [] };
  for (const [index, outcome] of outcomes.entries()) {
    const userId = plan.mails[index]!.user.id;
    if (outcome.kind === 'sent') report.sent.push(userId);
    else if (outcome.kind === 'already_sent') report.skipped.push({ userId, reason: 'already_sent' });
    else report.failed.push({ userId, error: outcome.error });
  }
  logger.info('Recap run', { trigger, day: report.day, sent: report.sent.length, skipped: report.skipped.length, failed: report.failed });
  return report;
}

/** Every user, a page at a time (the users collection on GSI1; never a Scan). */
async function listUsers(ctx: AppContext): Promise<User[]> {
  const listed: User[] = [];
  let cursor: string | undefined;
  do {
    const page = await queryPage<User>(ctx, { ...users.all(), limit: 100, cursor, ascending: true });
    listed.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return listed;
}

type Delivery = { kind: 'sent' } | { kind: 'already_sent' } | { kind: 'failed'; error: string };

/**
 * R-REC-3 one user's mail, at most once per day: claim the day's receipt (a conditional put, so a second run or
 * a concurrent retried Lambda finds it taken), send with retries, then mark it sent; when every attempt failed the
 * claim is deleted so that a later run can send.
 */
async function deliver(ctx: AppContext, mail: RecapMail, run: { day: string; now: Date; retry: SendRetry }): Promise<Delivery> {
  const userId = mail.user.id;
  try {
    const rendered = renderRecapEmail(
      { recipientName: mail.user.name, timeZone: mail.user.timezone, now: run.now, appUrl: ctx.config.appUrl, own: mail.own, ownCount: mail.ownCount, team: mail.team },
      mail.user.locale,
    );
    const claimId = await claimReceipt(ctx, run.day, userId, run.now);
    if (!claimId) return { kind: 'already_sent' };
    try {
      await withRetry(run.retry, (attempt) => {
        if (attempt > 1) logger.warn('Retrying a recap mail', { userId, attempt });
        return ctx.mailer.send({ to: mail.user.email, ...rendered });
      });
    } catch (error) {
      await releaseReceipt(ctx, run.day, userId, claimId).catch((releaseError: unknown) =>
        logger.error('A failed recap claim could not be released; it lapses after its lease', { userId, day: run.day, error: releaseError }),
      );
      throw error;
    }
    // The mail is out: a receipt left as `sending` still keeps live runs from sending it again.
    await markReceiptSent(ctx, run.day, userId, run.now).catch((error: unknown) =>
      logger.error('Recap mail sent, but its receipt was not marked sent', { userId, day: run.day, error }),
    );
    return { kind: 'sent' };
  } catch (error) {
    logger.error('Recap mail not sent', { userId, day: run.day, error });
    return { kind: 'failed', error: error instanceof Error ? error.message : String(error) };
  }
}

/** The claim's id, or undefined when the day's receipt is already taken (sent, or being sent by a live run). */
async function claimReceipt(ctx: AppContext, day: string, userId: string, now: Date): Promise<string | undefined> {
  const claimId = ctx.newId();
  const claimed = await putItem(
    ctx,
    {
      ...recapReceiptKey(day, userId),
      state: 'sending',
      claimId,
      claimedAt: now.toISOString(),
      expiresAt: Math.floor(now.getTime() / 1000) + RECEIPT_TTL_SECONDS,
    },
    {
      expression: 'attribute_not_exists(PK) OR (#state = :sending AND claimedAt < :staleBefore)',
      names: { '#state': 'state' },
      values: { ':sending': 'sending', ':staleBefore': new Date(now.getTime() - CLAIM_LEASE_MS).toISOString() },
    },
  );
  return claimed ? claimId : undefined;
}

async function markReceiptSent(ctx: AppContext, day: string, userId: string, now: Date): Promise<void> {
  await updateItem(ctx, recapReceiptKey(day, userId), {
    expression: 'SET #state = :sent, sentAt = :now',
    names: { '#state': 'state' },
    values: { ':sent': 'sent', ':now': now.toISOString() },
  });
}

/** Deletes this run's claim only (not deleted otherwise): after a lease takeover the receipt is another run's. */
async function releaseReceipt(ctx: AppContext, day: string, userId: string, claimId: string): Promise<void> {
  await deleteItem(ctx, recapReceiptKey(day, userId), { expression: 'claimId = :mine', values: { ':mine': claimId } });
}

async function withRetry<T>(retry: SendRetry, attempt: (number: number) => Promise<T>): Promise<T> {
  for (let number = 1; ; number++) {
    try {
      return await attempt(number);
    } catch (error) {
      if (number >= retry.attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, retry.backoffMs * 2 ** (number - 1)));
    }
  }
}

/** `work` over `items` with at most `limit` at a time; results in the order of `items`. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * The scheduler's input (infra/constructs/scheduled-job.ts): the time the run was due, so that a run Lambda
 * retries later still counts as the hour it was scheduled for.
 */
const scheduledEvent = z.object({ scheduledTime: z.iso.datetime({ offset: true }).optional() });

export const handler = middy<unknown, RecapReport, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const { scheduledTime } = scheduledEvent.parse(event ?? {});
    const report = await runRecap(appContext(), { now: scheduledTime ? new Date(scheduledTime) : new Date(), trigger: 'schedule' });
    // A failure makes Lambda retry the invocation (the users already served hold a receipt), then hand it to the DLQ.
    if (report.failed.length > 0) throw new Error(`The recap of ${report.day} could not be sent to ${report.failed.length} user(s)`);
    return report;
  });
