/**
 * Request rate limits. In AWS they are the HTTP API stage's default throttle and a per-route throttle on
 * public routes (which anyone on the internet can call); the local server enforces the same numbers with
 * token buckets, answering 429 as problem+json.
 */
export interface ThrottleLimit {
  ratePerSecond: number;
  burst: number;
}

export const API_THROTTLE: ThrottleLimit = { ratePerSecond: 200, burst: 400 };
export const PUBLIC_ROUTE_THROTTLE: ThrottleLimit = { ratePerSecond: 10, burst: 20 };

/** A token bucket: `take()` is false once the burst is spent faster than the rate refills it. */
export function tokenBucket(limit: ThrottleLimit, now: () => number = Date.now) {
  let tokens = limit.burst;
  let refilledAt = now();
  return {
    take(): boolean {
      const current = now();
      tokens = Math.min(limit.burst, tokens + ((current - refilledAt) / 1000) * limit.ratePerSecond);
      refilledAt = current;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
