import { describe, expect, it } from 'vitest';
import { API_THROTTLE, localThrottle, tokenBucket } from '../../shared/http/throttle.ts';

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
