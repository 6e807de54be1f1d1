import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PUBLISHER_ITERATOR_AGE_ALARM } from '../../infra/constructs/event-bus.ts';
import { XRAY_ACTIONS } from '../../infra/constructs/tenant-function.ts';
import { TenantStack } from '../../infra/tenant-stack.ts';
import { tenantConfigFromContext } from '../../infra/tenants.ts';
import { METRIC, METRICS_NAMESPACE } from '../../shared/metrics.ts';

type Resource = { Type: string; Properties: Record<string, any> };

let template: Template;
beforeAll(() => {
  const config = tenantConfigFromContext((key) => ({ tenant: 'acme', alarmEmail: 'ops@acme.example' })[key]);
  template = Template.fromStack(new TenantStack(new App(), 'PipelineCrm-acme', { config }));
}, 180_000);

const resources = (type: string) => Object.entries(template.findResources(type) as Record<string, Resource>);
const functions = () => resources('AWS::Lambda::Function');

describe('Issue 15 item 4: traces', () => {
  it('Issue 15 item 4 every function has X-Ray active tracing and a Tracing policy with exactly the two X-Ray actions', () => {
    const policies = resources('AWS::IAM::Policy').filter(([id]) => /Tracing[0-9A-F]{8}$/.test(id));

    expect(functions().length).toBeGreaterThan(10);
    for (const [id, fn] of functions()) {
      expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
      const roleId = fn.Properties.Role['Fn::GetAtt'][0];
      const tracing = policies.filter(([, policy]) => policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId));
      expect(tracing, id).toHaveLength(1);
      expect(tracing[0]![1].Properties.PolicyDocument.Statement).toEqual([{ Action: [...XRAY_ACTIONS], Effect: 'Allow', Resource: '*' }]);
      // Powertools Tracer (shared/metrics.ts) copies no response body into traces.
      expect(fn.Properties.Environment.Variables.POWERTOOLS_TRACER_CAPTURE_RESPONSE, id).toBe('false');
    }
  });
});

describe('Issue 15 item 4: metrics', () => {
  it('Issue 15 item 4 every function writes its figures under the PipelineCrm namespace and its tenant', () => {
    for (const [id, fn] of functions()) {
      expect(fn.Properties.Environment.Variables, id).toMatchObject({ POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE, TENANT: 'acme' });
      // The `service` dimension of every figure (Powertools Metrics reads it from POWERTOOLS_SERVICE_NAME).
      expect(fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME, id).toMatch(/^pipeline-crm-/);
    }
  });

  it('Issue 15 item 4 metrics need no permission: no role may call PutMetricData (EMF goes through the function’s own log group)', () => {
    const actions = resources('AWS::IAM::Policy').flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement.flatMap((statement: { Action: string | string[] }) => [statement.Action].flat()));

    expect(actions.filter((action) => action.startsWith('cloudwatch:'))).toEqual([]);
  });
});

describe('Issue 15 item 4: dashboard and alarms', () => {
  it('Issue 15 item 4 one dashboard for the tenant with API latency p50/p99, 4xx/5xx, function, DynamoDB, stream, DLQ and business figures', () => {
    const [, dashboard] = resources('AWS::CloudWatch::Dashboard')[0]!;
    // The body is JSON inside a CloudFormation join: quotes come escaped once or twice; read them as plain quotes.
    const body = JSON.stringify(dashboard!.Properties.DashboardBody).replace(/\\+"/g, '"');

    expect(resources('AWS::CloudWatch::Dashboard')).toHaveLength(1);
    expect(dashboard!.Properties.DashboardName).toBe('PipelineCrm-acme');
    for (const needed of ['Latency', '"p50"', '"p99"', '4xx', '5xx', 'Errors', 'Throttles', 'Duration', 'ReadThrottleEvents', 'WriteThrottleEvents', 'IteratorAge']) {
      expect(body, needed).toContain(needed);
    }
    expect(body.split('ApproximateNumberOfMessagesVisible').length - 1).toBe(resources('AWS::SQS::Queue').length);
    for (const name of Object.values(METRIC)) expect(body, name).toContain(`MetricName="${name}" tenant="acme"`);
    expect(body).toContain(`{${METRICS_NAMESPACE},`);
  });

  it('Issue 15 item 4 alarms on DynamoDB throttles and on the publisher falling behind the stream, to the alarm topic', () => {
    const alarms = resources('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    const behind = alarms.find((alarm) => /publisher is more than/.test(alarm.AlarmDescription));

    expect(behind).toMatchObject({ MetricName: 'IteratorAge', Threshold: PUBLISHER_ITERATOR_AGE_ALARM.toMilliseconds(), Statistic: 'Maximum' });
    expect(alarms.find((alarm) => /DynamoDB throttled/.test(alarm.AlarmDescription))?.Metrics).toHaveLength(3);
    for (const alarm of alarms) expect(alarm.AlarmActions, alarm.AlarmDescription).toHaveLength(1);
  });

  it('Issue 15 item 4 every kind of alarm has its runbook line in README "For ops"', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const runbook = readme.slice(readme.indexOf('## For ops'), readme.indexOf('\n## ', readme.indexOf('## For ops') + 5));
    const label: Record<string, string> = {
      errors: 'errors',
      deadletters: 'dead-letters',
      api5xx: 'api-5xx',
      dynamodbthrottles: 'dynamodb-throttles',
      publisherrefusals: 'publisher-refusals',
      publisheriteratorage: 'publisher-iterator-age',
    };
    const kinds = new Set(resources('AWS::CloudWatch::Alarm').map(([id]) => /(publisherrefusals|publisheriteratorage|errors|deadletters|api5xx|dynamodbthrottles)[0-9A-F]{8}$/i.exec(id)?.[1]?.toLowerCase() ?? id));

    expect(kinds.size).toBe(6);
    for (const kind of kinds) expect(runbook, kind).toContain(`Alarm **${label[kind]}**`);
  });
});
