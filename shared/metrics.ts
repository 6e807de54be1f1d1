import type { MiddlewareObj } from '@middy/core';
import { endTrace, startTrace } from './tracing.ts';

/**
 * Issue 15 item 4: the tenant's business and health figures as CloudWatch metrics, written in the embedded
 * metric format (EMF: one JSON line on stdout per invocation, which CloudWatch Logs turns into metrics: no
 * PutMetricData call, no permission, no latency). The format is the one Powertools Metrics writes (namespace
 * `PipelineCrm`, dimensions `tenant` and `service`); `@aws-lambda-powertools/metrics` is not installed, and this
 * file is the only place to change to adopt it. Nothing is written unless the stack set the namespace
 * (POWERTOOLS_METRICS_NAMESPACE): local runs and tests stay quiet.
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
interface Figure {
  name: string;
  value: number;
  dimensions: Dimensions;
}

/** Writes the figures of one invocation (each with its own dimension set) as EMF lines. */
export function publishFigures(figures: readonly Figure[], env: NodeJS.ProcessEnv = process.env, write: (line: string) => void = (line) => process.stdout.write(line)): void {
  const namespace = env.POWERTOOLS_METRICS_NAMESPACE;
  if (!namespace || figures.length === 0) return;
  const base = { tenant: env.TENANT ?? 'unknown', service: env.POWERTOOLS_SERVICE_NAME ?? 'unknown' };
  for (const { name, value, dimensions } of figures) {
    const all = { ...base, ...dimensions };
    // Raw stdout, not console.log: the Lambda runtime wraps console lines when the log format is JSON.
    write(
      `${JSON.stringify({
        _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [Object.keys(all)], Metrics: [{ Name: name, Unit: 'Count' }] }] },
        ...all,
        [name]: value,
      })}\n`,
    );
  }
}

/** What an API answer counts: requests by route and status class, and won/lost opportunities. */
export function requestFigures(routeKey: string, statusCode: number): Figure[] {
  const figures: Figure[] = [{ name: METRIC.requests, value: 1, dimensions: { route: routeKey, status: `${Math.floor(statusCode / 100)}xx` } }];
  if (statusCode < 300 && routeKey === 'POST /opportunities/{id}/won') figures.push({ name: METRIC.opportunitiesWon, value: 1, dimensions: {} });
  if (statusCode < 300 && routeKey === 'POST /opportunities/{id}/lost') figures.push({ name: METRIC.opportunitiesLost, value: 1, dimensions: {} });
  return figures;
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

/** What the publisher's batch counts: the outbox events put on the bus, and those refused (retried). */
export function publisherFigures(records: number, response: unknown): Figure[] {
  const refused = (response as { batchItemFailures?: unknown[] } | undefined)?.batchItemFailures?.length ?? 0;
  return [
    { name: METRIC.eventsPublished, value: Math.max(0, records - refused), dimensions: {} },
    { name: METRIC.eventsRefused, value: refused, dimensions: {} },
  ];
}

type Kind = { api: true } | { job: string } | { consumer: string } | { publisher: true };
type Request = { event: unknown; response: unknown };

/**
 * The one middleware every handler wears (one `.use(observed(…))` line): its trace annotated with route and
 * tenant (shared/tracing.ts) and its figures as EMF. Light on purpose (issue 14 measures cold imports): no SDK.
 */
export function observed(kind: Kind): MiddlewareObj {
  const route = (request: Request) => ('api' in kind ? String((request.event as { routeKey?: unknown }).routeKey ?? 'unknown') : ('job' in kind ? kind.job : 'consumer' in kind ? kind.consumer : 'publisher'));
  return {
    before: (request) => startTrace(route(request)),
    after: (request) => {
      endTrace();
      if ('api' in kind) publishFigures(requestFigures(route(request), (request.response as { statusCode?: number } | undefined)?.statusCode ?? 500));
      else if ('publisher' in kind) publishFigures(publisherFigures((request.event as { Records?: unknown[] }).Records?.length ?? 0, request.response));
    },
    onError: (request) => {
      endTrace(request.error ?? undefined);
      if ('consumer' in kind) publishFigures([{ name: METRIC.consumerFailures, value: 1, dimensions: { consumer: kind.consumer } }]);
      if ('api' in kind) publishFigures(requestFigures(route(request), 500));
    },
  };
}
