import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { OUTBOX_PREFIX } from '../../shared/db/keys.ts';
import type { Consumer } from '../../shared/events/consumer.ts';
import { TenantFunction } from './tenant-function.ts';
import type { CrmTable } from './crm-table.ts';
import { deadLetterQueue, EventConsumer } from './event-consumer.ts';
import { ALARM_PERIOD, type OpsAlarms } from './ops-alarms.ts';

/**
 * How the stream feeds the publisher (R-EVT-2). Batches of up to 100 records, split in two on an error to
 * isolate a bad record, retried a bounded number of times within a day (the stream keeps records 24 h; the
 * outbox items stay 7 days for a replay), then reported to the dead-letter queue. With
 * ReportBatchItemFailures the retry starts at the first record the bus refused, so no accepted event is lost
 * and few are put twice.
 */
export const PUBLISHER_STREAM = {
  batchSize: 100,
  retryAttempts: 10,
  maxRecordAge: Duration.hours(24),
  /** One batch per shard at a time: the events of an item are put in the order they were written. */
  parallelizationFactor: 1,
} as const;

/**
 * Issue 13 item 4: the publisher's iterator age above this means the stream is retrying refused events (or the
 * publisher cannot keep up): well before the stream's 24 h, and the refused events are parked meanwhile.
 */
export const PUBLISHER_ITERATOR_AGE_ALARM = Duration.minutes(15);

/** The log line the publisher writes each time the bus refuses events (functions/events/publisher.ts). */
export const EVENTS_REFUSED_LOG = 'events_refused';

/** Lambda reads the stream with these calls, on this table's stream only. */
const STREAM_READ_ACTIONS = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'];

export interface DomainEventsProps {
  tenant: string;
  table: CrmTable;
  alarms: OpsAlarms;
  /** The publisher's module (`functions/events/publisher.ts`). */
  publisherEntry: string;
  consumers: readonly Consumer[];
  /** The module of a consumer (`functions/events/<name>.ts`). */
  consumerEntry: (consumer: Consumer) => string;
  /** Settings every function of the stack gets (time zone, currency …). */
  environment: Record<string, string>;
}

/**
 * The tenant's domain events: its EventBridge bus, the publisher that puts the outbox items of the table's
 * stream on it, and one rule and function per consumer (R-EVT-1..3). Every dead-letter queue is encrypted,
 * refuses plain HTTP, and raises an alarm as soon as it holds a message.
 */
export class DomainEvents extends Construct {
  readonly bus: events.EventBus;
  readonly publisher: NodejsFunction;
  readonly publisherDeadLetters: sqs.Queue;
  readonly consumers: EventConsumer[];

  constructor(scope: Construct, id: string, props: DomainEventsProps) {
    super(scope, id);
    const { table } = props.table;
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: `pipeline-crm-${props.tenant}`, description: `Domain events of the ${props.tenant} CRM` });

    // Issue 13 item 4: the queue takes the publisher's own messages naming the outbox items the bus refused (the
    // publisher sends them: DEAD_LETTER_QUEUE_URL) and the stream's failure records; nothing is parked in the table.
    this.publisherDeadLetters = deadLetterQueue(this, 'PublisherDeadLetters');
    Validations.of(this.publisherDeadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter queue: the on-failure destination of the publisher stream mapping, which ' +
        'cdk-nag does not recognise as such (it only looks at redrive policies and function DeadLetterConfig).',
    });
    const publisher = new TenantFunction(this, 'Publisher', {
      entry: props.publisherEntry,
      description: `${props.tenant}: publishes the outbox events of the table stream to the bus`,
      environment: {
        ...props.environment,
        EVENT_BUS_NAME: this.bus.eventBusName,
        DEAD_LETTER_QUEUE_URL: this.publisherDeadLetters.queueUrl,
        POWERTOOLS_SERVICE_NAME: 'pipeline-crm-publisher',
      },
    });
    this.publisher = publisher.function;
    this.bus.grantPutEventsTo(this.publisher);
    iam.Grant.addToPrincipal({ grantee: this.publisher, actions: STREAM_READ_ACTIONS, resourceArns: [table.tableStreamArn!] });

    this.publisher.addEventSourceMapping('OutboxStream', {
      eventSourceArn: table.tableStreamArn!,
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      ...PUBLISHER_STREAM,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      onFailure: new SqsDlq(this.publisherDeadLetters),
      // Only the outbox items' INSERTs invoke the publisher; every other write of the table is filtered out.
      filters: [
        lambda.FilterCriteria.filter({
          eventName: lambda.FilterRule.isEqual('INSERT'),
          dynamodb: { Keys: { PK: { S: lambda.FilterRule.beginsWith(OUTBOX_PREFIX) } } },
        }),
      ],
    });
    // Issue 13 item 4: each refusal by the bus (a log line of the publisher) and a stream falling behind raise an alarm.
    const refusals = new logs.MetricFilter(this, 'EventsRefused', {
      logGroup: publisher.logGroup,
      filterPattern: logs.FilterPattern.stringValue('$.message', '=', `${EVENTS_REFUSED_LOG}*`),
      metricNamespace: `PipelineCrm/${props.tenant}`,
      metricName: 'EventsRefused',
      metricValue: '1',
      defaultValue: 0,
    });
    props.alarms.alarmOnAny(
      'publisher-refusals',
      refusals.metric({ period: ALARM_PERIOD, statistic: 'Sum' }),
      `${props.tenant}: the bus refused events; they are parked and retried (runbook: README "For ops", alarm publisher-refusals)`,
    );
    props.alarms.alarmAbove(
      'publisher-iterator-age',
      new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName: 'IteratorAge', dimensionsMap: { FunctionName: this.publisher.functionName }, period: ALARM_PERIOD, statistic: 'Maximum' }),
      PUBLISHER_ITERATOR_AGE_ALARM.toMilliseconds(),
      `${props.tenant}: the event publisher is more than ${PUBLISHER_ITERATOR_AGE_ALARM.toMinutes()} minutes behind the table stream`,
    );
    props.alarms.alarmOnAny('publisher-errors', this.publisher.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }), `${props.tenant}: the event publisher failed`);
    props.alarms.alarmOnAny(
      'publisher-dead-letters',
      this.publisherDeadLetters.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: 'Maximum' }),
      `${props.tenant}: the publisher dead-letter queue names events the bus refused; redrive them (runbook: README "For ops", alarm publisher-dead-letters)`,
    );

    this.consumers = props.consumers.map(
      (consumer) =>
        new EventConsumer(this, `consumer-${consumer.name}`, {
          tenant: props.tenant,
          consumer,
          entry: props.consumerEntry(consumer),
          bus: this.bus,
          table: props.table,
          alarms: props.alarms,
          environment: props.environment,
        }),
    );
  }
}
