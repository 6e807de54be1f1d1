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

/**
 * `LOCAL_THROTTLE` of `npm start` (SPEC §11): unset keeps the stage's limits, `off` lifts them (load tests), and
 * `<rate>/<burst>` (requests per second / burst, e.g. `1000/2000`) sets the API's. Anything else stops the start.
 */
export function localThrottle(value: string | undefined): ThrottleLimit | false {
  if (value === undefined || value.trim() === '') return API_THROTTLE;
  if (value.trim().toLowerCase() === 'off') return false;
  const match = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+)\s*$/.exec(value);
  const [rate, burst] = [Number(match?.[1]), Number(match?.[2])];
  if (!match || rate <= 0 || burst < 1) throw new Error(`LOCAL_THROTTLE must be off or <rate>/<burst> (e.g. 1000/2000), got ${JSON.stringify(value)}`);
  return { ratePerSecond: rate, burst };
}

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
