import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { eventPattern } from '../../shared/events/catalogue.ts';
import { RECEIPT_ACTIONS, type Consumer } from '../../shared/events/consumer.ts';
import type { CrmTable } from './crm-table.ts';
import { grantAccess } from './grant-access.ts';
import { ALARM_PERIOD, type OpsAlarms } from './ops-alarms.ts';
import { TenantFunction } from './tenant-function.ts';

/**
 * Delivery of an event to a consumer, in two hops that each retry and then dead-letter (R-EVT-2):
 * the rule retries an invocation it could not make (throttled, …) for a day; Lambda retries a consumer that
 * failed twice, within 6 hours. A recompute (R-CON-2) still means something a day late, so events are kept that long.
 */
export const RULE_TARGET_RETRY = { retryAttempts: 20, maxEventAge: Duration.hours(24) } as const;
export const CONSUMER_INVOKE_RETRY = { retryAttempts: 2, maxEventAge: Duration.hours(6) } as const;
/** A company's recompute queries each employee's opportunities: more than an API call's 10 s may be needed. */
const CONSUMER_TIMEOUT = Duration.seconds(60);

/** A dead-letter queue: encrypted, TLS only, messages kept the longest SQS allows so they can be looked at and replayed. */
export function deadLetterQueue(scope: Construct, id: string): sqs.Queue {
  return new sqs.Queue(scope, id, { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
}

export interface EventConsumerProps {
  tenant: string;
  consumer: Consumer;
  entry: string;
  bus: events.IEventBus;
  table: CrmTable;
  alarms: OpsAlarms;
  environment: Record<string, string>;
}

/**
 * One consumer of functions/events/consumer-table.ts: its function (allowed the table access it declares and its
 * receipts, nothing else), its rule on the bus with the pattern generated from its event types, and one
 * dead-letter queue for both hops, with an alarm when it is not empty.
 */
export class EventConsumer extends Construct {
  readonly function: NodejsFunction;
  readonly rule: events.Rule;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: EventConsumerProps) {
    super(scope, id);
    const { consumer, table } = props;
    this.function = new TenantFunction(this, 'Function', {
      entry: props.entry,
      description: `${props.tenant}: ${consumer.description}`,
      environment: { ...props.environment, TABLE_NAME: table.table.tableName, POWERTOOLS_SERVICE_NAME: `pipeline-crm-${consumer.name}` },
    }).function;
    const cfnFunction = this.function.node.defaultChild as lambda.CfnFunction;
    cfnFunction.timeout = CONSUMER_TIMEOUT.toSeconds();

    grantAccess(this.function, { ...consumer.access, items: [...consumer.access.items, ...RECEIPT_ACTIONS] }, { table });

    // The function's own dead-letter queue receives the invocations Lambda gave up on (as for scheduled jobs).
    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetters');
    cfnFunction.deadLetterConfig = { targetArn: this.deadLetterQueue.queueArn };
    this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }));
    this.function.configureAsyncInvoke(CONSUMER_INVOKE_RETRY);

    const pattern = eventPattern(consumer.events);
    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.bus,
      description: `${props.tenant}: ${consumer.events.join(', ')} → ${consumer.name}`,
      eventPattern: { source: pattern.source, detailType: pattern['detail-type'] },
      targets: [new targets.LambdaFunction(this.function, { ...RULE_TARGET_RETRY, deadLetterQueue: this.deadLetterQueue })],
    });

    props.alarms.alarmOnAny(`${consumer.name}-errors`, this.function.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }), `${props.tenant}: the ${consumer.name} consumer failed`);
    props.alarms.alarmOnAny(
      `${consumer.name}-dead-letters`,
      this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: 'Maximum' }),
      `${props.tenant}: events for ${consumer.name} failed after their retries (see its dead-letter queue)`,
    );
  }
}
