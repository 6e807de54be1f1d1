import { describe, expect, it } from 'vitest';
import { contracts } from '../../shared/contracts/index.ts';
import { bodyLimit, MAX_BODY_BYTES } from '../../shared/http/request-body.ts';
import { API_THROTTLE, localThrottle, PUBLIC_ROUTE_THROTTLE, routeThrottle, tokenBucket } from '../../shared/http/throttle.ts';

describe('SPEC §1 429 throttling (local twin of the stage throttle)', () => {
  it('SPEC §1 allows the burst, refuses beyond it, and refills at the rate', () => {
    let clock = 0;
    const bucket = tokenBucket({ ratePerSecond: 2, burst: 3 }, () => clock);

    const burst = [bucket.take(), bucket.take(), bucket.take()];
    const beyond = bucket.take();
    clock += 500;
    const afterHalfSecond = bucket.take();

    expect(burst).toEqual([true, true, true]);
    expect(beyond).toBe(false);
    expect(afterHalfSecond).toBe(true);
  });
});

describe('SPEC §11 LOCAL_THROTTLE', () => {
  it('SPEC §11 unset keeps the stage limits, off lifts them, <rate>/<burst> sets them, anything else stops the start', () => {
    expect(localThrottle(undefined)).toEqual(API_THROTTLE);
    expect(localThrottle('OFF')).toBe(false);
    expect(localThrottle('1000/2000')).toEqual({ ratePerSecond: 1000, burst: 2000 });
    expect(localThrottle(' 2.5 / 5 ')).toEqual({ ratePerSecond: 2.5, burst: 5 });
    for (const bad of ['fast', '10', '0/5', '10/0', '-1/5']) expect(() => localThrottle(bad)).toThrow(/LOCAL_THROTTLE/);
  });
});

describe('issue 12 item 5: per-route limits of public routes', () => {
  it('R-BUY-2 a refused request is told when to retry: the whole seconds until the bucket holds a token again', () => {
    let clock = 0;
    const bucket = tokenBucket({ ratePerSecond: 0.5, burst: 1 }, () => clock);
    bucket.take();

    const refused = bucket.take();
    const wait = bucket.retryAfterSeconds();
    clock += 1000;
    const waitLater = bucket.retryAfterSeconds();

    expect(refused).toBe(false);
    expect(wait).toBe(2);
    expect(waitLater).toBe(1);
  });

  it('R-BUY-2 a public route has its contract throttle or the public default; a route with a bearer none of its own', () => {
    expect(routeThrottle(contracts.getBuyNowOffer)).toEqual({ ratePerSecond: 10, burst: 20 });
    expect(routeThrottle(contracts.purchaseBuyNow)).toEqual({ ratePerSecond: 5, burst: 10 });
    expect(routeThrottle(contracts.getCalendarFeed)).toEqual(PUBLIC_ROUTE_THROTTLE);
    expect(routeThrottle(contracts.createBuyNowLink)).toBeUndefined();
  });

  it('R-BUY-2 public bodies are limited to 8 KiB, the Stripe webhook keeps 256 KiB like the routes with a bearer', () => {
    expect(bodyLimit(contracts.purchaseBuyNow)).toBe(8 * 1024);
    expect(bodyLimit(contracts.stripeWebhook)).toBe(MAX_BODY_BYTES);
    expect(bodyLimit(contracts.createBuyNowLink)).toBe(MAX_BODY_BYTES);
  });
});
