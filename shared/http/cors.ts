/**
 * CORS for the web clients. The HTTP API's CORS configuration (infra) and the local server are both built
 * from this policy; only the allowed origins differ per deployment (cdk context `corsOrigins`, or CORS_ORIGINS
 * locally).
 */
export const CORS_POLICY = {
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  allowHeaders: ['authorization', 'content-type', 'idempotency-key', 'if-match'],
  // What a web client must read to act: the version for If-Match, a replay, and how long to wait after a 429 or 503.
  exposeHeaders: ['etag', 'idempotent-replayed', 'retry-after'],
  maxAgeSeconds: 600,
} as const;

/** Headers to add to an answer for `origin`, or none when the origin is not allowed. */
export function corsHeaders(origin: string | undefined, allowedOrigins: readonly string[], preflight: boolean): Record<string, string> {
  if (!origin || !(allowedOrigins.includes('*') || allowedOrigins.includes(origin))) return {};
  const headers: Record<string, string> = {
    'access-control-allow-origin': allowedOrigins.includes('*') ? '*' : origin,
    'access-control-expose-headers': CORS_POLICY.exposeHeaders.join(','),
    vary: 'origin',
  };
  if (preflight) {
    headers['access-control-allow-methods'] = CORS_POLICY.allowMethods.join(',');
    headers['access-control-allow-headers'] = CORS_POLICY.allowHeaders.join(',');
    headers['access-control-max-age'] = String(CORS_POLICY.maxAgeSeconds);
  }
  return headers;
}
