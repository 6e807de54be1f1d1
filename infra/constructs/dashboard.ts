import { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE } from '../../shared/metrics.ts';
import { ALARM_PERIOD, type OpsAlarms } from './ops-alarms.ts';

export interface TenantDashboardProps {
  tenant: string;
  httpApi: apigwv2.HttpApi;
  table: dynamodb.ITable;
  /** Every function of the stack (route groups, publisher, consumers, jobs). */
  functions: lambda.Function[];
  publisher: lambda.IFunction;
  /** Every dead-letter queue of the stack. */
  deadLetterQueues: sqs.IQueue[];
  alarms: OpsAlarms;
}

const PERIOD = Duration.minutes(5);

/**
 * Issue 15 item 4: one CloudWatch dashboard per tenant (`PipelineCrm-<tenant>`), read top to bottom: the API
 * (latency p50/p99, 4xx/5xx, requests by route and status), the functions (errors, throttles, duration p99), the
 * data (DynamoDB throttles, stream iterator age, dead-letter queue depths), the business figures (emails
 * sent/failed/skipped, events published/refused, consumer failures, opportunities won/lost). Also the alarms
 * the other constructs do not raise: DynamoDB throttles and a publisher falling behind.
 */
export class TenantDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: TenantDashboardProps) {
    super(scope, id);
    const { tenant, httpApi, table, functions, publisher, deadLetterQueues, alarms } = props;
    const labelled = (fn: lambda.Function) => fn.node.path.split('/').slice(1, -1).join('/');
    const perFunction = (metric: (fn: lambda.Function) => cloudwatch.Metric) => functions.map((fn) => metric(fn).with({ label: labelled(fn) }));
    /** A figure of shared/metrics.ts, every dimension value of this tenant (SEARCH over the metric's dimension set). */
    const figure = (name: string, dimensions: string[], label: string) =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{${[METRICS_NAMESPACE, ...dimensions].join(',')}} MetricName="${name}" tenant="${tenant}"', 'Sum', ${PERIOD.toSeconds()})`,
        usingMetrics: {},
        label,
        period: PERIOD,
      });
    const tableMetric = (metricName: string) =>
      new cloudwatch.Metric({ namespace: 'AWS/DynamoDB', metricName, dimensionsMap: { TableName: table.tableName }, statistic: 'Sum', period: PERIOD });
    const graph = (title: string, left: cloudwatch.IMetric[], width = 8) => new cloudwatch.GraphWidget({ title, left, width, height: 6 });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `PipelineCrm-${tenant}`,
      defaultInterval: Duration.hours(6),
      widgets: [
        [new cloudwatch.TextWidget({ markdown: `# ${tenant}\nWhat each alarm means and what to do: README, "For ops".`, width: 24, height: 1 })],
        [
          graph('API latency (ms)', [httpApi.metricLatency({ statistic: 'p50', period: PERIOD, label: 'p50' }), httpApi.metricLatency({ statistic: 'p99', period: PERIOD, label: 'p99' })]),
          graph('API 4xx / 5xx', [httpApi.metricClientError({ statistic: 'Sum', period: PERIOD, label: '4xx' }), httpApi.metricServerError({ statistic: 'Sum', period: PERIOD, label: '5xx' })]),
          graph('Requests by route and status', [figure(METRIC.requests, ['route', 'service', 'status', 'tenant'], '')]),
        ],
        [
          graph('Function errors', perFunction((fn) => fn.metricErrors({ statistic: 'Sum', period: PERIOD }))),
          graph('Function throttles', perFunction((fn) => fn.metricThrottles({ statistic: 'Sum', period: PERIOD }))),
          graph('Function duration p99 (ms)', perFunction((fn) => fn.metricDuration({ statistic: 'p99', period: PERIOD }))),
        ],
        [
          graph('DynamoDB throttled reads / writes', [tableMetric('ReadThrottleEvents').with({ label: 'reads' }), tableMetric('WriteThrottleEvents').with({ label: 'writes' })]),
          graph('Stream iterator age (ms, publisher)', [publisher.metric('IteratorAge', { statistic: 'Maximum', period: PERIOD, label: 'max' })]),
          graph(
            'Dead-letter queue depths',
            deadLetterQueues.map((queue) => queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: PERIOD, label: queue.node.path.split('/').slice(1, -1).join('/') })),
          ),
        ],
        [
          graph('Emails sent / failed / skipped', [
            figure(METRIC.emailsSent, ['job', 'service', 'tenant'], 'sent'),
            figure(METRIC.emailsFailed, ['job', 'service', 'tenant'], 'failed'),
            figure(METRIC.emailsSkipped, ['job', 'service', 'tenant'], 'skipped'),
          ], 6),
          graph('Events published / refused', [figure(METRIC.eventsPublished, ['service', 'tenant'], 'published'), figure(METRIC.eventsRefused, ['service', 'tenant'], 'refused')], 6),
          graph('Consumer failures', [figure(METRIC.consumerFailures, ['consumer', 'service', 'tenant'], '')], 6),
          graph('Opportunities won / lost', [figure(METRIC.opportunitiesWon, ['service', 'tenant'], 'won'), figure(METRIC.opportunitiesLost, ['service', 'tenant'], 'lost')], 6),
        ],
      ],
    });

    const sumOf = (metrics: cloudwatch.IMetric[]) =>
      new cloudwatch.MathExpression({
        expression: metrics.map((_, index) => `m${index}`).join(' + '),
        usingMetrics: Object.fromEntries(metrics.map((metric, index) => [`m${index}`, metric])),
        period: ALARM_PERIOD,
      });
    alarms.alarmOnAny('dynamodb-throttles', sumOf([tableMetric('ReadThrottleEvents').with({ period: ALARM_PERIOD }), tableMetric('WriteThrottleEvents').with({ period: ALARM_PERIOD })]), `${tenant}: DynamoDB throttled requests of the table`);
    // Function throttles are on the dashboard, not alarmed one by one (an alarm takes at most 10 metrics): a
    // throttled route shows as API 5xx, a throttled consumer or job as its errors and dead letters, all alarmed.
    // The publisher falling behind its stream is alarmed by the event bus construct (publisher-iterator-age).
  }
}
