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
 * A route's own limit, declared once in its contract (`throttle`); a public route without one gets
 * PUBLIC_ROUTE_THROTTLE; a route with a bearer has none of its own (the stage's applies). The CDK stage's route
 * settings (infra/constructs/http-api-routes.ts) and the local server (local/server.ts) both read this.
 */
export function routeThrottle(route: { roles: unknown; throttle?: ThrottleLimit | undefined }): ThrottleLimit | undefined {
  return route.throttle ?? (route.roles === 'public' ? PUBLIC_ROUTE_THROTTLE : undefined);
}

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

/**
 * A token bucket: `take()` is false once the burst is spent faster than the rate refills it; `retryAfterSeconds()`
 * is then the whole seconds until the next request would pass (the `Retry-After` of a 429).
 */
export function tokenBucket(limit: ThrottleLimit, now: () => number = Date.now) {
  let tokens = limit.burst;
  let refilledAt = now();
  const refill = () => {
    const current = now();
    tokens = Math.min(limit.burst, tokens + ((current - refilledAt) / 1000) * limit.ratePerSecond);
    refilledAt = current;
  };
  return {
    take(): boolean {
      refill();
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    retryAfterSeconds(): number {
      refill();
      return Math.max(1, Math.ceil((1 - tokens) / limit.ratePerSecond));
    },
  };
}
