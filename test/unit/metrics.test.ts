import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { jobFigures, METRIC, observed, publishFigures, publisherFigures, requestFigures } from '../../shared/metrics.ts';
import { sampledTrace } from '../../shared/tracing.ts';

const env = { POWERTOOLS_METRICS_NAMESPACE: 'PipelineCrm', TENANT: 'acme', POWERTOOLS_SERVICE_NAME: 'pipeline-crm-opportunity-lifecycle' };

describe('Issue 15 item 4: metrics in the embedded metric format', () => {
  it('Issue 15 item 4 a won opportunity counts a request by route and status class and a won opportunity, as EMF lines', () => {
    const lines: string[] = [];

    publishFigures(requestFigures('POST /opportunities/{id}/won', 200), env, (line) => lines.push(line));

    const [request, won] = lines.map((line) => JSON.parse(line));
    expect(request).toMatchObject({ tenant: 'acme', service: env.POWERTOOLS_SERVICE_NAME, route: 'POST /opportunities/{id}/won', status: '2xx', Requests: 1 });
    expect(request._aws.CloudWatchMetrics).toEqual([{ Namespace: 'PipelineCrm', Dimensions: [['tenant', 'service', 'route', 'status']], Metrics: [{ Name: 'Requests', Unit: 'Count' }] }]);
    expect(won).toMatchObject({ OpportunitiesWon: 1, tenant: 'acme' });
  });

  it('Issue 15 item 4 a refused win counts the request only; nothing is written without the namespace (local runs, tests)', () => {
    expect(requestFigures('POST /opportunities/{id}/won', 409).map((figure) => figure.name)).toEqual([METRIC.requests]);
    const lines: string[] = [];
    publishFigures(requestFigures('GET /contacts', 200), {}, (line) => lines.push(line));
    expect(lines).toEqual([]);
  });

  it('Issue 15 item 4 job reports count emails sent/failed/skipped; publisher batches count events published/refused', () => {
    expect(jobFigures('recap', { sent: ['u1', 'u2'], failed: [{}], skipped: [] }).map(({ name, value }) => [name, value])).toEqual([
      [METRIC.emailsSent, 2],
      [METRIC.emailsFailed, 1],
      [METRIC.emailsSkipped, 0],
    ]);
    expect(publisherFigures(5, { batchItemFailures: [{ itemIdentifier: '3' }] }).map(({ name, value }) => [name, value])).toEqual([
      [METRIC.eventsPublished, 4],
      [METRIC.eventsRefused, 1],
    ]);
  });
});

describe('Issue 15 item 4: traces annotated with route and tenant', () => {
  it('Issue 15 item 4 only a sampled invocation is traced', () => {
    expect(sampledTrace('Root=1-abc-def;Parent=0123456789abcdef;Sampled=1')).toEqual({ traceId: '1-abc-def', parentId: '0123456789abcdef' });
    expect(sampledTrace('Root=1-abc-def;Parent=0123456789abcdef;Sampled=0')).toBeUndefined();
    expect(sampledTrace(undefined)).toBeUndefined();
  });

  it('Issue 15 item 4 an API invocation sends the X-Ray daemon a subsegment annotated with its route and tenant', async () => {
    const daemon = createSocket('udp4');
    daemon.bind(0, '127.0.0.1');
    await once(daemon, 'listening');
    const saved = { ...process.env };
    Object.assign(process.env, { TENANT: 'acme', AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`, _X_AMZN_TRACE_ID: 'Root=1-abc-def;Parent=0123456789abcdef;Sampled=1' });
    try {
      const middleware = observed({ api: true });
      const request = { event: { routeKey: 'GET /contacts' }, response: { statusCode: 200 } } as never;

      await middleware.before!(request);
      await middleware.after!(request);
      const [message] = (await once(daemon, 'message')) as [Buffer];

      const [header, body] = message.toString().split('\n');
      expect(JSON.parse(header!)).toEqual({ format: 'json', version: 1 });
      expect(JSON.parse(body!)).toMatchObject({ name: '## handler', type: 'subsegment', trace_id: '1-abc-def', parent_id: '0123456789abcdef', annotations: { route: 'GET /contacts', tenant: 'acme' } });
    } finally {
      process.env = saved;
      daemon.close();
    }
  });
});
