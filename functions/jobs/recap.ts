import middy from '@middy/core';
import { jobFigures, observed, publishFigures } from '../../shared/metrics.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { appContext, type AppContext } from '../../shared/app-context.ts';
import { recapReceiptKey } from '../../shared/db/keys.ts';
import { findOverdueLeads } from '../../shared/db/overdue-leads.ts';
import { getPipelineSettings } from '../../shared/db/pipeline-config.ts';
import { allUsers } from '../../shared/db/users.ts';
import { planRecap, recapDecision, type RecapMail, type RecapTrigger, type SkipReason } from '../../shared/domain/recap.ts';
import { mapLimited } from '../../shared/concurrency.ts';
import { logger } from '../../shared/logger.ts';
import { renderRecapEmail } from '../../shared/mail/recap-email.ts';
import { DEFAULT_SEND_RETRY, sendOnce, type SendRetry } from '../../shared/mail/send-once.ts';
import { mailSendRateFromEnv, sendRateLimiter, type SendRateLimiter } from '../../shared/mail/send-rate.ts';

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
  /** `being_sent`: another run holds the user's claim for the day (it sends, or releases it for a later run). */
  skipped: { userId: string; reason: SkipReason | 'already_sent' | 'being_sent' }[];
  failed: { userId: string; error: string }[];
}

export interface RecapOptions {
  now: Date;
  /** Default `by-hand`: a direct call is for the day of `now`, whatever the hour. */
  trigger?: RecapTrigger;
  retry?: SendRetry;
  /** Issue 13 item 11: paces the parallel sends to the SES sending rate (default: MAIL_SEND_RATE per second). */
  sendRate?: SendRateLimiter;
}

/** Receipts outlive any re-run of their day; TTL then removes them. */
const RECEIPT_TTL_SECONDS = 7 * 24 * 60 * 60;
/** Mails sent at the same time; their pace is the send rate's (`RecapOptions.sendRate`). */
const SEND_CONCURRENCY = 4;

export async function runRecap(ctx: AppContext, options: RecapOptions): Promise<RecapReport> {
  const { now, trigger = 'by-hand', retry = DEFAULT_SEND_RETRY, sendRate = sendRateLimiter({ perSecond: mailSendRateFromEnv() }) } = options;
  const { recap } = await getPipelineSettings(ctx);
  const decision = recapDecision(recap, now, trigger);
  if (!decision.send) {
    logger.info('Recap not sent', { day: decision.day, reason: decision.reason, trigger });
    return { day: decision.day, outcome: decision.reason, sent: [], skipped: [], failed: [] };
  }

  const [users, overdue] = await Promise.all([allUsers(ctx), findOverdueLeads(ctx, { now, timeZone: recap.timezone })]);
  const plan = planRecap(users, overdue);
  const outcomes = await mapLimited(plan.mails, SEND_CONCURRENCY, (mail) => deliver(ctx, mail, { day: decision.day, timeZone: recap.timezone, now, retry, sendRate }));

  const report: RecapReport = { day: decision.day, outcome: 'done', sent: [], skipped: [...plan.skipped], failed: [] };
  for (const [index, outcome] of outcomes.entries()) {
    const userId = plan.mails[index]!.user.id;
    if (outcome.kind === 'sent') report.sent.push(userId);
    else if (outcome.kind === 'skipped') report.skipped.push({ userId, reason: outcome.reason });
    else report.failed.push({ userId, error: outcome.error });
  }
  logger.info('Recap run', { trigger, day: report.day, sent: report.sent.length, skipped: report.skipped.length, failed: report.failed });
  return report;
}

type Delivery = { kind: 'sent' } | { kind: 'skipped'; reason: 'already_sent' | 'being_sent' } | { kind: 'failed'; error: string };

/** R-REC-3 one user's mail, at most once per day (the day's receipt, shared/mail/send-once.ts). */
async function deliver(ctx: AppContext, mail: RecapMail, run: { day: string; timeZone: string; now: Date; retry: SendRetry; sendRate: SendRateLimiter }): Promise<Delivery> {
  const userId = mail.user.id;
  try {
    const rendered = renderRecapEmail(
      { recipientName: mail.user.name, timeZone: mail.user.timezone, now: run.now, appUrl: ctx.config.appUrl, own: mail.own, ownCount: mail.ownCount, team: mail.team },
      mail.user.locale,
    );
    const receipt = { key: recapReceiptKey(run.day, run.timeZone, userId), ttlSeconds: RECEIPT_TTL_SECONDS, label: 'Recap', about: { userId, day: run.day } };
    const paced: AppContext = { ...ctx, mailer: { send: async (outgoing) => (await run.sendRate.acquire(), ctx.mailer.send(outgoing)) } };
    const outcome = await sendOnce(paced, receipt, mail.user.email, rendered, run.retry);
    return outcome === 'sent' ? { kind: 'sent' } : { kind: 'skipped', reason: outcome };
  } catch (error) {
    logger.error('Recap mail not sent', { userId, day: run.day, error });
    return { kind: 'failed', error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The scheduler's input (infra/constructs/scheduled-job.ts): the time the run was due, so that a run Lambda
 * retries later still counts as the hour it was scheduled for.
 */
const scheduledEvent = z.object({ scheduledTime: z.iso.datetime({ offset: true }).optional() });

export const handler = middy<unknown, RecapReport, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(observed({ job: 'recap' }))
  .handler(async (event) => {
    const { scheduledTime } = scheduledEvent.parse(event ?? {});
    const report = await runRecap(appContext(), { now: scheduledTime ? new Date(scheduledTime) : new Date(), trigger: 'schedule' });
    publishFigures(jobFigures('recap', report));
    // A failure makes Lambda retry the invocation (the users already served hold a receipt), then hand it to the DLQ.
    if (report.failed.length > 0) throw new Error(`The recap of ${report.day} could not be sent to ${report.failed.length} user(s)`);
    return report;
  });
