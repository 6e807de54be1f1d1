import { describe, expect, it } from 'vitest';
import { tokenBucket } from '../../shared/http/throttle.ts';

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
