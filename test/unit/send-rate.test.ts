import { describe, expect, it } from 'vitest';
import { DEFAULT_MAIL_SEND_RATE, mailSendRateFromEnv, sendRateLimiter } from '../../shared/mail/send-rate.ts';

/** Issue 13 item 11: the recap's parallel sends respect the SES sending rate. */
describe('Issue 13 item 11: the send rate', () => {
  it('item 11 eight senders asking at once at 4 mails/s leave 250 ms apart, whatever their concurrency', async () => {
    const leftAt: number[] = [];
    const limiter = sendRateLimiter({ perSecond: 4, now: () => 0, sleep: async () => undefined });
    const waits: number[] = [];
    const timed = sendRateLimiter({ perSecond: 4, now: () => 0, sleep: async (ms) => void waits.push(ms) });

    await Promise.all(Array.from({ length: 8 }, async (_, index) => (await limiter.acquire(), leftAt.push(index))));
    await Promise.all(Array.from({ length: 8 }, () => timed.acquire()));

    expect(leftAt).toHaveLength(8);
    expect(waits).toEqual([250, 500, 750, 1000, 1250, 1500, 1750]);
  });

  it('item 11 the slots are spaced by the rate: the nth acquisition waits (n - 1) / rate seconds', async () => {
    const waits: number[] = [];
    const limiter = sendRateLimiter({ perSecond: 14, now: () => 1_000, sleep: async (ms) => void waits.push(ms) });

    for (let index = 0; index < 5; index++) await limiter.acquire();

    expect(waits.map((ms) => Math.round(ms))).toEqual([71, 143, 214, 286]);
  });

  it('item 11 the rate is the stack setting MAIL_SEND_RATE, else the default; a rate of 0 is refused', () => {
    expect([mailSendRateFromEnv({ MAIL_SEND_RATE: '14' }), mailSendRateFromEnv({}), mailSendRateFromEnv({ MAIL_SEND_RATE: 'x' })]).toEqual([14, DEFAULT_MAIL_SEND_RATE, DEFAULT_MAIL_SEND_RATE]);
    expect(() => sendRateLimiter({ perSecond: 0 })).toThrow();
  });
});
