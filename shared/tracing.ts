import { randomBytes } from 'node:crypto';

/**
 * Issue 15 item 4: X-Ray. The stack turns on active tracing for every function (Lambda then records each
 * invocation's segment); this adds, under it, one `## handler` subsegment annotated with the route (or job,
 * consumer) and the tenant, so traces can be searched by `annotation.route` and `annotation.tenant` — what
 * Powertools Tracer's `captureLambdaHandler` does, without the X-Ray SDK (`@aws-lambda-powertools/tracer` is not
 * installed; it would add ~1 MB and its own import time). The subsegment goes to the X-Ray daemon over UDP, as
 * the SDK sends it; nothing is sent when the invocation is not sampled or outside Lambda.
 */
interface Open {
  id: string;
  traceId: string;
  parentId: string;
  start: number;
  route: string;
}

let open: Open | undefined;

/** `Root=1-…;Parent=…;Sampled=1` → its parts, when sampled. */
export function sampledTrace(header: string | undefined): { traceId: string; parentId: string } | undefined {
  if (!header) return undefined;
  const parts = Object.fromEntries(header.split(';').map((part) => part.split('=') as [string, string]));
  if (parts.Sampled !== '1' || !parts.Root || !parts.Parent) return undefined;
  return { traceId: parts.Root, parentId: parts.Parent };
}

export function startTrace(route: string, env: NodeJS.ProcessEnv = process.env): void {
  const trace = sampledTrace(env._X_AMZN_TRACE_ID);
  open = trace && env.AWS_XRAY_DAEMON_ADDRESS ? { ...trace, id: randomBytes(8).toString('hex'), start: Date.now() / 1000, route } : undefined;
}

/** The subsegment document X-Ray receives for the open trace. */
export function subsegment(trace: Open, end: number, tenant: string, error?: unknown): Record<string, unknown> {
  return {
    name: '## handler',
    id: trace.id,
    trace_id: trace.traceId,
    parent_id: trace.parentId,
    type: 'subsegment',
    start_time: trace.start,
    end_time: end,
    annotations: { route: trace.route, tenant },
    ...(error ? { fault: true, cause: { exceptions: [{ message: error instanceof Error ? error.message : String(error) }] } } : {}),
  };
}

export function endTrace(error?: unknown, env: NodeJS.ProcessEnv = process.env): void {
  const trace = open;
  open = undefined;
  if (!trace) return;
  const daemon = (env.AWS_XRAY_DAEMON_ADDRESS ?? '').split(' ').find((part) => !part.startsWith('tcp:'))?.replace(/^udp:/, '');
  const [host, port] = (daemon ?? '').split(':');
  if (!host || !port) return;
  const message = Buffer.from(`{"format":"json","version":1}\n${JSON.stringify(subsegment(trace, Date.now() / 1000, env.TENANT ?? 'unknown', error))}`);
  // node:dgram is loaded on the first sampled invocation only, never at import (cold start).
  void import('node:dgram').then(({ createSocket }) => {
    const socket = createSocket('udp4');
    socket.send(message, Number(port), host, () => socket.close());
  });
}
