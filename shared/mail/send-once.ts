import type { AppContext } from '../app-context.ts';
import { deleteItem, getItem, putItem, updateItem } from '../db/store.ts';
import { logger } from '../logger.ts';
import type { RenderedEmail } from './recap-email.ts';

/**
 * A mail sent at most once per receipt (R-REC-3, R-PS-8): claim the receipt (a conditional put, so a second run or
 * a concurrent retried Lambda finds it taken), send with retries, then mark it sent; when every attempt failed the
 * claim is deleted so that a later run can send. A claim whose run died is taken over once its lease has passed,
 * judged by the clock (`ctx.now()`), never by the time a run was scheduled for: Lambda retries reuse that time.
 */

export interface SendRetry {
  attempts: number;
  /** Wait before the second attempt; doubled before each further one. */
  backoffMs: number;
}

export const DEFAULT_SEND_RETRY: SendRetry = { attempts: 3, backoffMs: 200 };

/** A claim older than this belongs to a run that died while sending (Lambda stops any run after 15 minutes). */
export const CLAIM_LEASE_MS = 15 * 60 * 1000;

export interface Receipt {
  key: { PK: string; SK: string };
  /** How long the receipt outlives the send (DynamoDB TTL), beyond any re-run that could send it again. */
  ttlSeconds: number;
  /** What the mail is, for logs ("recap", "reminder"), and the receipt's `recordType`. */
  label: string;
  /** Fields logged with what happens to it (a user id, a task id …). */
  about: Record<string, unknown>;
}

/** `sent`; `already_sent`; `being_sent`: another run holds a live claim (it sends, or releases and a later run does). */
export type SendOutcome = 'sent' | 'already_sent' | 'being_sent';

export async function sendOnce(ctx: AppContext, receipt: Receipt, to: string, mail: RenderedEmail, retry: SendRetry = DEFAULT_SEND_RETRY): Promise<SendOutcome> {
  const claimId = await claim(ctx, receipt);
  if (!claimId) return (await getItem(ctx, receipt.key, { consistent: true }))?.state === 'sent' ? 'already_sent' : 'being_sent';
  try {
    await withRetry(retry, (attempt) => {
      if (attempt > 1) logger.warn(`Retrying a ${receipt.label} mail`, { ...receipt.about, attempt });
      return ctx.mailer.send({ to, ...mail });
    });
  } catch (error) {
    await deleteItem(ctx, receipt.key, { expression: 'claimId = :mine', values: { ':mine': claimId } }).catch((releaseError: unknown) =>
      logger.error(`A failed ${receipt.label} claim could not be released; it lapses after its lease`, { ...receipt.about, error: releaseError }),
    );
    throw error;
  }
  // The mail is out: a receipt left as `sending` still keeps live runs from sending it again.
  await updateItem(ctx, receipt.key, {
    expression: 'SET #state = :sent, sentAt = :now',
    names: { '#state': 'state' },
    values: { ':sent': 'sent', ':now': ctx.now().toISOString() },
  }).catch((error: unknown) => logger.error(`${receipt.label} mail sent, but its receipt was not marked sent`, { ...receipt.about, error }));
  return 'sent';
}

/** The claim's id, or undefined when the receipt is taken (sent, or being sent by a live run). */
async function claim(ctx: AppContext, receipt: Receipt): Promise<string | undefined> {
  const claimId = ctx.newId();
  const now = ctx.now();
  const claimed = await putItem(
    ctx,
    {
      ...receipt.key,
      recordType: `${receipt.label} receipt`,
      state: 'sending',
      claimId,
      claimedAt: now.toISOString(),
      expiresAt: Math.floor(now.getTime() / 1000) + receipt.ttlSeconds,
    },
    {
      expression: 'attribute_not_exists(PK) OR (#state = :sending AND claimedAt < :staleBefore)',
      names: { '#state': 'state' },
      values: { ':sending': 'sending', ':staleBefore': new Date(now.getTime() - CLAIM_LEASE_MS).toISOString() },
    },
  );
  return claimed ? claimId : undefined;
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
