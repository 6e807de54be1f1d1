import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { MiddlewareObj } from '@middy/core';

/**
 * Issue 15 item 4: the tenant's business and health figures as CloudWatch metrics, written by Powertools Metrics
 * in the embedded metric format (EMF: JSON lines on stdout, which CloudWatch Logs turns into metrics: no
 * PutMetricData call, no permission, no latency), under the namespace POWERTOOLS_METRICS_NAMESPACE with the
 * default dimensions `service` (POWERTOOLS_SERVICE_NAME) and `tenant` (TENANT). Nothing is written, and no
 * Powertools warning either, unless the stack set the namespace: local runs and tests stay quiet.
 */
export const METRICS_NAMESPACE = 'PipelineCrm';

/** Every metric name, declared once (the dashboard and the alarms read the same names). */
export const METRIC = {
  requests: 'Requests',
  opportunitiesWon: 'OpportunitiesWon',
  opportunitiesLost: 'OpportunitiesLost',
  eventsPublished: 'EventsPublished',
  eventsRefused: 'EventsRefused',
  consumerFailures: 'ConsumerFailures',
  emailsSent: 'EmailsSent',
  emailsFailed: 'EmailsFailed',
  emailsSkipped: 'EmailsSkipped',
} as const;

type Dimensions = Record<string, string>;
export interface Figure {
  name: string;
  value: number;
  dimensions: Dimensions;
}

/** The module's one Metrics instance, made on first use, and only when the stack set the namespace. */
let metrics: Metrics | undefined;
function enabledMetrics(): Metrics | undefined {
  if (!process.env.POWERTOOLS_METRICS_NAMESPACE) return undefined;
  return (metrics ??= new Metrics({ defaultDimensions: { tenant: process.env.TENANT ?? 'unknown' } }));
}

/**
 * Writes the figures of one invocation: one EMF line per dimension set (EMF gives every metric of a line the same
 * dimensions, so figures with other dimensions are published apart, as the Powertools docs recommend).
 */
export function publishFigures(figures: readonly Figure[]): void {
  const metrics = enabledMetrics();
  if (!metrics || figures.length === 0) return;
  const bySet = new Map<string, Figure[]>();
  for (const figure of figures) {
    const key = JSON.stringify(Object.entries(figure.dimensions).sort(([a], [b]) => a.localeCompare(b)));
    bySet.set(key, [...(bySet.get(key) ?? []), figure]);
  }
  for (const same of bySet.values()) {
    for (const [name, value] of Object.entries(same[0]!.dimensions)) metrics.addDimension(name, value);
    for (const { name, value } of same) metrics.addMetric(name, MetricUnit.Count, value);
    metrics.publishStoredMetrics();
  }
}

/** What an API answer counts: requests by route and status class. (Won/lost deals are counted where they are
 * published, `publisherFigures`: the single routes, bulk close and buy-now purchases all win deals.) */
export function requestFigures(routeKey: string, statusCode: number): Figure[] {
  return [{ name: METRIC.requests, value: 1, dimensions: { route: routeKey, status: `${Math.floor(statusCode / 100)}xx` } }];
}

/** What a job's report counts: its mails sent, failed and skipped (recap, reminders). A job publishes these itself
 * (`publishFigures(jobFigures(…))`), since a run with failures throws, and the middleware never sees its report. */
export function jobFigures(job: string, report: unknown): Figure[] {
  const counted = report as { sent?: unknown[]; failed?: unknown[]; skipped?: unknown[] } | undefined;
  if (!counted || !Array.isArray(counted.sent)) return [];
  return [
    { name: METRIC.emailsSent, value: counted.sent.length, dimensions: { job } },
    { name: METRIC.emailsFailed, value: counted.failed?.length ?? 0, dimensions: { job } },
    { name: METRIC.emailsSkipped, value: counted.skipped?.length ?? 0, dimensions: { job } },
  ];
}

/**
 * What the publisher's batch counts: the outbox events put on the bus for good (`published`: those before the
 * first refused one; the stream hands the rest back), those refused (retried), and among the published ones the
 * opportunities won and lost, by event type: every way a deal is won or lost (the single routes, bulk close, a
 * buy-now purchase) writes an `opportunity.won`/`opportunity.lost` event, and each is counted once, when published.
 */
export function publisherFigures(published: readonly { type: string }[], refused: number): Figure[] {
  const count = (type: string) => published.filter((event) => event.type === type).length;
  return [
    { name: METRIC.eventsPublished, value: published.length, dimensions: {} },
    { name: METRIC.eventsRefused, value: refused, dimensions: {} },
    { name: METRIC.opportunitiesWon, value: count('opportunity.won'), dimensions: {} },
    { name: METRIC.opportunitiesLost, value: count('opportunity.lost'), dimensions: {} },
  ];
}

/**
 * Powertools Tracer, only where it can trace: in Lambda (AWS_EXECUTION_ENV and AWS_LAMBDA_FUNCTION_NAME; ECS also
 * sets the former) unless POWERTOOLS_TRACE_ENABLED is `false`. It is imported at init there (in the init phase, not
 * in the first invocation), and never elsewhere. With aws-xray-sdk-core it weighs ~135 KB: the dynamic import keeps
 * it in a chunk of its own (infra/bundles.ts splits the code), so local runs and tests neither load nor parse it;
 * the bench's import probe runs with the Lambda environment and counts it (README "Benchmarks").
 */
const tracing = process.env.AWS_EXECUTION_ENV && process.env.AWS_LAMBDA_FUNCTION_NAME && process.env.POWERTOOLS_TRACE_ENABLED?.toLowerCase() !== 'false' ? await loadTracer() : undefined;

async function loadTracer(): Promise<{ tracer: Tracer; middleware: MiddlewareObj }> {
  const [{ Tracer }, { captureLambdaHandler }] = await Promise.all([import('@aws-lambda-powertools/tracer'), import('@aws-lambda-powertools/tracer/middleware')]);
  const tracer = new Tracer();
  // Responses (API bodies, reports) are not copied into traces: POWERTOOLS_TRACER_CAPTURE_RESPONSE=false too.
  return { tracer, middleware: captureLambdaHandler(tracer, { captureResponse: false }) as MiddlewareObj };
}

type Kind = { api: true } | { job: string } | { consumer: string } | { publisher: true };
type Request = { event: unknown; response: unknown };

/**
 * The one middleware every handler wears (one `.use(observed(…))` line): Powertools Tracer's handler subsegment
 * (`captureLambdaHandler`) annotated with `route` (the API route key, or the job, consumer, `publisher`) and
 * `tenant`, and the request and consumer-failure figures.
 */
export function observed(kind: Kind): MiddlewareObj {
  const route = (request: Request) => ('api' in kind ? String((request.event as { routeKey?: unknown }).routeKey ?? 'unknown') : 'job' in kind ? kind.job : 'consumer' in kind ? kind.consumer : 'publisher');
  return {
    before: async (request) => {
      if (!tracing) return;
      await tracing.middleware.before?.(request);
      tracing.tracer.putAnnotation('route', route(request));
      tracing.tracer.putAnnotation('tenant', process.env.TENANT ?? 'unknown');
    },
    after: async (request) => {
      if ('api' in kind) publishFigures(requestFigures(route(request), (request.response as { statusCode?: number } | undefined)?.statusCode ?? 500));
      await tracing?.middleware.after?.(request);
    },
    onError: async (request) => {
      if ('consumer' in kind) publishFigures([{ name: METRIC.consumerFailures, value: 1, dimensions: { consumer: kind.consumer } }]);
      if ('api' in kind) publishFigures(requestFigures(route(request), 500));
      await tracing?.middleware.onError?.(request);
    },
  };
}
