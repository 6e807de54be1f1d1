/**
 * Issue 13 item 11: mails leave no faster than the account's SES sending rate (mails per second; SES answers
 * throttling errors above it). Parallel senders each `acquire` a slot before sending; slots are spaced
 * 1000 / rate ms apart, in the order asked. The clock and the pause are injected (tests).
 */
export interface SendRateLimiter {
  acquire(): Promise<void>;
}

export interface SendRateOptions {
  perSecond: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** A new SES account's rate outside the sandbox is 14/s; below it by default, and set per stack (MAIL_SEND_RATE). */
export const DEFAULT_MAIL_SEND_RATE = 10;

export function sendRateLimiter({ perSecond, now = Date.now, sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)) }: SendRateOptions): SendRateLimiter {
  if (!(perSecond > 0)) throw new Error(`A send rate must be above 0 mails per second, got ${perSecond}`);
  const spacing = 1000 / perSecond;
  let nextSlot = -Infinity;
  return {
    async acquire() {
      const current = now();
      const slot = Math.max(current, nextSlot);
      nextSlot = slot + spacing;
      if (slot > current) await sleep(slot - current);
    },
  };
}

/** The stack's setting (environment MAIL_SEND_RATE, mails per second), else the default. */
export function mailSendRateFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const rate = Number(env.MAIL_SEND_RATE);
  return Number.isFinite(rate) && rate > 0 ? rate : DEFAULT_MAIL_SEND_RATE;
}
