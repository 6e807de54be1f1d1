import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TenantFunction } from './tenant-function.ts';
import { ALARM_PERIOD, type OpsAlarms } from './ops-alarms.ts';

export interface ScheduledJobProps {
  /** The job's name in functions/jobs/job-table.ts. */
  name: string;
  description: string;
  /** The TypeScript module that exports `handler`. */
  entry: string;
  /** EventBridge Scheduler expression (`cron(...)`), evaluated in `timeZone`. */
  schedule: string;
  /** IANA time zone of the schedule. */
  timeZone: string;
  environment: Record<string, string>;
  alarms: OpsAlarms;
}

/** A run may send many mails one after another, far beyond the 10 s an API call gets. */
const JOB_TIMEOUT = Duration.minutes(5);
/** Scheduler retries an invocation it could not deliver (throttled, …); an older run has no purpose left. */
const DELIVERY_RETRY = { maximumRetryAttempts: 3, maximumEventAgeInSeconds: Duration.hours(1).toSeconds() };

/**
 * A Lambda function run by EventBridge Scheduler in the tenant's time zone. Scheduler invokes it asynchronously:
 * an invocation Scheduler cannot deliver, and a run that still fails after Lambda's own retries, both land in one
 * encrypted dead-letter queue, and the queue not being empty is an alarm (so is any error of the function).
 * The function's role starts with its logs only; the stack grants what the job needs.
 */
export class ScheduledJob extends Construct {
  readonly function: NodejsFunction;
  readonly deadLetterQueue: sqs.Queue;
  readonly schedule: scheduler.CfnSchedule;

  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id);
    this.function = new TenantFunction(this, 'Function', { entry: props.entry, description: props.description, environment: props.environment }).function;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const sendToDeadLetters = new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] });

    // TenantFunction fixes what suits an API call; a job needs a longer timeout and a dead-letter queue for the runs
    // that fail after Lambda's asynchronous retries.
    const cfnFunction = this.function.node.defaultChild as lambda.CfnFunction;
    cfnFunction.timeout = JOB_TIMEOUT.toSeconds();
    cfnFunction.deadLetterConfig = { targetArn: this.deadLetterQueue.queueArn };
    this.function.addToRolePolicy(sendToDeadLetters);

    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: `Lets EventBridge Scheduler run ${props.description}`,
    });
    schedulerRole.addToPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] }));
    schedulerRole.addToPolicy(sendToDeadLetters);

    this.schedule = new scheduler.CfnSchedule(this, 'Schedule', {
      description: props.description,
      scheduleExpression: props.schedule,
      scheduleExpressionTimezone: props.timeZone,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: this.function.functionArn,
        roleArn: schedulerRole.roleArn,
        // The time the run was due: a run that Lambda retries later still counts as that hour.
        input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' }),
        deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
        retryPolicy: DELIVERY_RETRY,
      },
    });

    props.alarms.alarmOnAny(`${props.name}-errors`, this.function.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }), `${props.description}: the function failed`);
    props.alarms.alarmOnAny(
      `${props.name}-dead-letters`,
      this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: 'Maximum' }),
      `${props.description}: a run failed for good (its event is in the dead-letter queue)`,
    );
  }
}
