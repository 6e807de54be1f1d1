import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';

/** The Lambda environment the stack gives a function (TENANT and the namespace, tenant-stack.ts). */
const env = { POWERTOOLS_METRICS_NAMESPACE: 'PipelineCrm', TENANT: 'acme', POWERTOOLS_SERVICE_NAME: 'pipeline-crm-opportunity-lifecycle' };
const saved = { ...process.env };

/** shared/metrics.ts loaded afresh under `extra` env (its Metrics instance and its tracer are per module). */
async function metricsModule(extra: Record<string, string>) {
  process.env = { ...saved, ...extra };
  vi.resetModules();
  return import('../../shared/metrics.ts');
}

/** What Powertools writes to stdout (its own Console over process.stdout), and any warning on stderr/console. */
function captureOutput() {
  const stdout: string[] = [];
  const warnings: unknown[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (stdout.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (warnings.push(String(chunk)), true));
  vi.spyOn(console, 'warn').mockImplementation((...args) => void warnings.push(args));
  return { emf: () => stdout.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line)), stdout, warnings };
}

afterEach(() => {
  vi.restoreAllMocks();
  process.env = saved;
});

describe('Issue 15 item 4: Powertools Metrics in the embedded metric format', () => {
  it('Issue 15 item 4 an API answer writes one EMF line: Requests by route and status class, with the service and tenant dimensions', async () => {
    const { observed } = await metricsModule(env);
    const output = captureOutput();

    await observed({ api: true }).after!({ event: { routeKey: 'POST /opportunities/{id}/won' }, response: { statusCode: 200 } } as never);

    const [line, ...more] = output.emf();
    expect(more).toEqual([]);
    expect(line).toMatchObject({ service: env.POWERTOOLS_SERVICE_NAME, tenant: 'acme', route: 'POST /opportunities/{id}/won', status: '2xx', Requests: 1 });
    expect(line._aws.CloudWatchMetrics).toEqual([{ Namespace: 'PipelineCrm', Dimensions: [['service', 'tenant', 'route', 'status']], Metrics: [{ Name: 'Requests', Unit: 'Count' }] }]);
    expect(output.warnings).toEqual([]);
  });

  it('Issue 15 item 4 a failing consumer counts a failure under its name; a failing API call a 5xx', async () => {
    const { observed, METRIC } = await metricsModule(env);
    const output = captureOutput();

    await observed({ consumer: 'contact-status' }).onError!({ event: {}, error: new Error('boom') } as never);
    await observed({ api: true }).onError!({ event: { routeKey: 'GET /contacts' }, error: new Error('boom') } as never);

    const [failure, request] = output.emf();
    expect(failure).toMatchObject({ consumer: 'contact-status', [METRIC.consumerFailures]: 1, tenant: 'acme' });
    expect(failure._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'tenant', 'consumer']]);
    expect(request).toMatchObject({ route: 'GET /contacts', status: '5xx', Requests: 1 });
  });

  it('Issue 15 item 4 a job report is one line (sent/failed/skipped by job); a publisher batch one line (published/refused, won/lost by event type)', async () => {
    const { jobFigures, publishFigures, publisherFigures } = await metricsModule(env);
    const output = captureOutput();

    publishFigures(jobFigures('recap', { sent: ['u1', 'u2'], failed: [{}], skipped: [] }));
    publishFigures(publisherFigures([{ type: 'opportunity.won' }, { type: 'opportunity.won' }, { type: 'opportunity.lost' }, { type: 'contact.created' }], 1));

    const [job, publisher] = output.emf();
    expect(job).toMatchObject({ job: 'recap', EmailsSent: 2, EmailsFailed: 1, EmailsSkipped: 0 });
    expect(job._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'tenant', 'job']]);
    expect(publisher).toMatchObject({ EventsPublished: 4, EventsRefused: 1, OpportunitiesWon: 2, OpportunitiesLost: 1 });
    expect(publisher._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'tenant']]);
  });

  it('Issue 15 item 4 without the namespace (local runs, tests) nothing is written and Powertools warns about nothing; no tracer outside Lambda', async () => {
    const { observed, publishFigures, requestFigures } = await metricsModule({ TENANT: 'acme' });
    const output = captureOutput();
    const middleware = observed({ api: true });
    const request = { event: { routeKey: 'GET /contacts' }, response: { statusCode: 200 } } as never;

    await middleware.before!(request);
    await middleware.after!(request);
    publishFigures(requestFigures('GET /contacts', 200));

    expect(output.stdout).toEqual([]);
    expect(output.warnings).toEqual([]);
  });
});

describe('Issue 15 item 4: Powertools Tracer, annotated with route and tenant', () => {
  it('Issue 15 item 4 in Lambda, an invocation sends X-Ray its handler subsegment annotated with route and tenant, without the response', async () => {
    const daemon = createSocket('udp4');
    daemon.bind(0, '127.0.0.1');
    await once(daemon, 'listening');
    try {
      const { observed } = await metricsModule({
        TENANT: 'acme',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
        AWS_LAMBDA_FUNCTION_NAME: 'PipelineCrm-acme-contacts',
        LAMBDA_TASK_ROOT: '/var/task',
        _HANDLER: 'index.handler',
        AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
        _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
      });
      const middleware = observed({ api: true });
      const request = { event: { routeKey: 'GET /contacts' }, response: { statusCode: 200, body: '{"secret":true}' }, internal: {} } as never;

      await middleware.before!(request);
      await middleware.after!(request);
      const [message] = (await once(daemon, 'message')) as [Buffer];

      const [header, body] = message.toString().split('\n');
      expect(JSON.parse(header!)).toEqual({ format: 'json', version: 1 });
      const subsegment = JSON.parse(body!);
      expect(subsegment).toMatchObject({ name: '## index.handler', type: 'subsegment', trace_id: '1-5759e988-bd862e3fe1be46a994272793', parent_id: '53995c3f42cd8ad8' });
      expect(subsegment.annotations).toMatchObject({ route: 'GET /contacts', tenant: 'acme' });
      expect(JSON.stringify(subsegment)).not.toContain('secret');
    } finally {
      daemon.close();
    }
  });
});
