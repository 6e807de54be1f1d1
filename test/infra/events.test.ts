import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { consumers } from '../../functions/events/consumer-table.ts';
import { PUBLISHER_ITERATOR_AGE_ALARM, PUBLISHER_STREAM } from '../../infra/constructs/event-bus.ts';
import { CONSUMER_INVOKE_RETRY, RULE_TARGET_RETRY } from '../../infra/constructs/event-consumer.ts';
import { TenantStack } from '../../infra/tenant-stack.ts';
import { OUTBOX_PREFIX } from '../../shared/db/keys.ts';
import { eventPattern } from '../../shared/events/catalogue.ts';
import { RECEIPT_ACTIONS } from '../../shared/events/consumer.ts';

type Resource = { Type: string; Properties: Record<string, any> };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

let stack: TenantStack;
let template: Template;
beforeAll(() => {
  stack = new TenantStack(new App(), 'PipelineCrm-acme', { config: { tenant: 'acme', timezone: 'Europe/Rome', defaultCurrency: 'EUR', corsOrigins: [] } });
  template = Template.fromStack(stack);
}, 180_000);

const resources = (type: string) => Object.entries(template.findResources(type) as Record<string, Resource>);
const logicalIdOf = (type: string) => {
  const found = resources(type);
  expect(found).toHaveLength(1);
  return found[0]![0];
};
const functionNamed = (service: string): [string, Resource] => {
  const found = resources('AWS::Lambda::Function').filter(([, fn]) => fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === service);
  expect(found).toHaveLength(1);
  return found[0]!;
};
const statementsOf = (fn: Resource): Statement[] => {
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  return resources('AWS::IAM::Policy')
    // The X-Ray policy of every function (TenantFunction's Tracing) is asserted on its own (issue 15 item 4).
    .filter(([id, policy]) => !/Tracing[0-9A-F]{8}$/.test(id) && policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement);
};
const actionsOf = (statements: Statement[]) => statements.flatMap((statement) => [statement.Action].flat());
const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
const tableId = () => logicalIdOf('AWS::DynamoDB::Table');
const streamArn = () => ({ 'Fn::GetAtt': [tableId(), 'StreamArn'] });
const queueIdOf = (arn: { 'Fn::GetAtt': [string, string] }) => arn['Fn::GetAtt'][0];

describe('R-EVT-2 tenant stack: bus and outbox publisher', () => {
  it('R-EVT-2 the tenant has its own EventBridge bus', () => {
    const [, bus] = resources('AWS::Events::EventBus')[0]!;

    expect(resources('AWS::Events::EventBus')).toHaveLength(1);
    expect(bus.Properties.Name).toBe('pipeline-crm-acme');
  });

  it('R-EVT-2 the publisher reads the table stream, only outbox INSERTs, in bounded, bisected retries reporting partial failures to a DLQ', () => {
    const [publisherId, publisher] = functionNamed('pipeline-crm-publisher');
    const [, mapping] = resources('AWS::Lambda::EventSourceMapping').find(([, candidate]) => candidate.Properties.FunctionName.Ref === publisherId)!;

    expect(publisher.Properties.Environment.Variables.EVENT_BUS_NAME).toEqual({ Ref: logicalIdOf('AWS::Events::EventBus') });
    expect(mapping.Properties).toMatchObject({
      EventSourceArn: streamArn(),
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: PUBLISHER_STREAM.batchSize,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: PUBLISHER_STREAM.retryAttempts,
      MaximumRecordAgeInSeconds: PUBLISHER_STREAM.maxRecordAge.toSeconds(),
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(mapping.Properties.FilterCriteria.Filters.map((filter: { Pattern: string }) => JSON.parse(filter.Pattern))).toEqual([
      { eventName: ['INSERT'], dynamodb: { Keys: { PK: { S: [{ prefix: OUTBOX_PREFIX }] } } } },
    ]);
    const deadLetters = mapping.Properties.DestinationConfig.OnFailure.Destination;
    expect(resources('AWS::SQS::Queue').map(([id]) => id)).toContain(queueIdOf(deadLetters));
  });

  it('issue 13 item 4: the publisher names refused outbox items in its dead-letter queue (no table write); alarms on refusals and on iterator age', () => {
    const [publisherId, publisher] = functionNamed('pipeline-crm-publisher');
    const [, mapping] = resources('AWS::Lambda::EventSourceMapping').find(([, candidate]) => candidate.Properties.FunctionName.Ref === publisherId)!;
    const deadLettersId = queueIdOf(mapping.Properties.DestinationConfig.OnFailure.Destination);
    const alarms = resources('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    const [, filter] = resources('AWS::Logs::MetricFilter').find(([, candidate]) => candidate.Properties.MetricTransformations[0].MetricName === 'EventsRefused')!;

    expect(publisher.Properties.Environment.Variables.DEAD_LETTER_QUEUE_URL).toEqual({ Ref: deadLettersId });
    expect(publisher.Properties.Environment.Variables.TABLE_NAME).toBeUndefined();
    expect(actionsOf(statementsOf(publisher)).filter((action) => action.startsWith('dynamodb:') && !['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'].includes(action))).toEqual([]);
    expect(filter.Properties.FilterPattern).toContain('events_refused');
    expect(alarms).toContainEqual(expect.objectContaining({ MetricName: 'EventsRefused', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', Statistic: 'Sum' }));
    expect(alarms).toContainEqual(
      expect.objectContaining({
        MetricName: 'IteratorAge',
        Namespace: 'AWS/Lambda',
        Statistic: 'Maximum',
        Threshold: PUBLISHER_ITERATOR_AGE_ALARM.toMilliseconds(),
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: publisherId } }],
      }),
    );
    expect(alarms.every((alarm) => alarm.AlarmActions?.length === 1)).toBe(true);
  });

  it('SPEC §11 issue 13 item 4: the publisher may put events on its bus, read its table stream and send to its DLQ: nothing else', () => {
    const [, publisher] = functionNamed('pipeline-crm-publisher');
    const [, mapping] = resources('AWS::Lambda::EventSourceMapping')[0]!;
    const statements = statementsOf(publisher);

    expect(statements).toContainEqual(expect.objectContaining({ Action: 'events:PutEvents', Resource: arnOf(logicalIdOf('AWS::Events::EventBus')) }));
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'], Resource: streamArn() }),
    );
    expect(actionsOf(statements).sort()).toEqual(
      [
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
        'events:PutEvents',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
      ].sort(),
    );
    const sqsStatement = statements.find((statement) => actionsOf([statement]).includes('sqs:SendMessage'))!;
    expect(sqsStatement.Resource).toEqual(mapping.Properties.DestinationConfig.OnFailure.Destination);
  });

  it('issue 13 item 4: the stack outputs the redrive command, with the table and the dead-letter queue', () => {
    const [publisherId] = functionNamed('pipeline-crm-publisher');
    const [, mapping] = resources('AWS::Lambda::EventSourceMapping').find(([, candidate]) => candidate.Properties.FunctionName.Ref === publisherId)!;
    const command = JSON.stringify(template.findOutputs('RedriveEventsCommand').RedriveEventsCommand!.Value);

    expect(command).toContain('npm run redrive-events -- --table ');
    expect(command).toContain(' --queue ');
    expect(command).toContain(JSON.stringify({ Ref: tableId() }));
    expect(command).toContain(JSON.stringify({ Ref: queueIdOf(mapping.Properties.DestinationConfig.OnFailure.Destination) }));
  });
});

describe('R-EVT-3 tenant stack: one rule per consumer', () => {
  for (const consumer of consumers) {
    const consumerFunction = () => functionNamed(`pipeline-crm-${consumer.name}`);
    const ruleOf = (functionId: string) => {
      const found = resources('AWS::Events::Rule').filter(([, rule]) => rule.Properties.Targets.some((target: any) => target.Arn['Fn::GetAtt']?.[0] === functionId));
      expect(found).toHaveLength(1);
      return found[0]![1];
    };

    it(`R-EVT-1 ${consumer.name}: the rule is on the tenant bus with the pattern generated from the catalogue`, () => {
      const rule = ruleOf(consumerFunction()[0]);

      expect(rule.Properties.EventBusName).toEqual({ Ref: logicalIdOf('AWS::Events::EventBus') });
      expect(rule.Properties.EventPattern).toEqual(eventPattern(consumer.events));
      expect(rule.Properties.State).toBe('ENABLED');
    });

    it(`R-EVT-2 ${consumer.name}: explicit retries and a dead-letter queue on the rule target and on the function's invocations`, () => {
      const [functionId] = consumerFunction();
      const [target] = ruleOf(functionId).Properties.Targets;
      const [, invokeConfig] = resources('AWS::Lambda::EventInvokeConfig').find(([, config]) => config.Properties.FunctionName.Ref === functionId)!;

      expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: RULE_TARGET_RETRY.retryAttempts, MaximumEventAgeInSeconds: RULE_TARGET_RETRY.maxEventAge.toSeconds() });
      expect(invokeConfig.Properties).toMatchObject({
        MaximumRetryAttempts: CONSUMER_INVOKE_RETRY.retryAttempts,
        MaximumEventAgeInSeconds: CONSUMER_INVOKE_RETRY.maxEventAge.toSeconds(),
      });
      expect(consumerFunction()[1].Properties.DeadLetterConfig.TargetArn).toEqual(target.DeadLetterConfig.Arn);
    });

    it(`SPEC §11 ${consumer.name}: the function gets the table access it declares and its receipts, nothing more`, () => {
      const statements = statementsOf(consumerFunction()[1]);
      const tableArn = arnOf(tableId());

      expect(statements).toContainEqual(
        expect.objectContaining({ Action: [...new Set([...consumer.access.items, ...RECEIPT_ACTIONS])].map((action) => `dynamodb:${action}`), Resource: tableArn }),
      );
      const indexArns = consumer.access.queryIndexes.map((index) => ({ 'Fn::Join': ['', [tableArn, `/index/${index}`]] }));
      const indexStatements = statements.filter((statement: { Action: unknown }) => statement.Action === 'dynamodb:Query');
      // CloudFormation renders a statement's only resource as a value, not a list.
      const expectedIndexStatements = indexArns.length === 0 ? [] : [expect.objectContaining({ Resource: indexArns.length === 1 ? indexArns[0] : indexArns })];
      expect(indexStatements).toEqual(expectedIndexStatements);
      expect(actionsOf(statements).filter((action) => !/^(dynamodb|logs|sqs):/.test(action))).toEqual([]);
      expect(actionsOf(statements)).not.toContain('dynamodb:Scan');
    });
  }
});

describe('R-EVT-2 tenant stack: dead-letter queues', () => {
  const eventQueues = () => resources('AWS::SQS::Queue').filter(([id]) => id.startsWith('Events'));

  it('R-EVT-2 one DLQ for the publisher and one per consumer, encrypted, TLS only, kept 14 days', () => {
    const policies = resources('AWS::SQS::QueuePolicy').map(([, policy]) => policy.Properties);

    expect(eventQueues()).toHaveLength(1 + consumers.length);
    for (const [id, queue] of eventQueues()) {
      expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
      const policy = policies.find((candidate) => candidate.Queues.some((queueRef: { Ref: string }) => queueRef.Ref === id));
      expect(policy?.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('R-EVT-2 an alarm fires as soon as any of them holds a message, notifying the ops topic', () => {
    const alarms = resources('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);

    for (const [id] of eventQueues()) {
      const alarm = alarms.find((candidate) => candidate.MetricName === 'ApproximateNumberOfMessagesVisible' && candidate.Dimensions[0].Value['Fn::GetAtt']?.[0] === id);
      expect(alarm, id).toMatchObject({
        Namespace: 'AWS/SQS',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        AlarmActions: [{ Ref: logicalIdOf('AWS::SNS::Topic') }],
      });
    }
  });

  it('SPEC §11 the event resources raise no cdk-nag AwsSolutions finding (the publisher DLQ is acknowledged as the DLQ it is)', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);

    const ours = report.violations.flatMap((violation) =>
      violation.violatingResources.filter((resource) => resource.constructPath?.includes('/Events/')).map((resource) => `${violation.ruleName}: ${resource.constructPath}`),
    );
    expect(ours).toEqual([]);
    const acknowledged = stack.node.findAll().flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && construct.node.path.includes('/Events/'))
        .flatMap((entry) => Object.keys(entry.data as Record<string, string>).map((id) => `${id.replace(/^annotation::/i, '')} ${construct.node.path}`)),
    );
    // Issue 15 item 4: each function's X-Ray policy (its two actions take only `*`) is acknowledged on that policy alone.
    const tracing = acknowledged.filter((ack) => ack.startsWith('AwsSolutions-IAM5[Resource::*] '));
    for (const ack of tracing) expect(ack).toMatch(/\/Tracing$/);
    expect(acknowledged.filter((ack) => !ack.startsWith('AwsSolutions-L1 ') && !tracing.includes(ack))).toEqual(['AwsSolutions-SQS3 PipelineCrm-acme/Events/PublisherDeadLetters']);
  });
});
