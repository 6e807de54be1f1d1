import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PUBLISHER_ITERATOR_AGE_ALARM } from '../../infra/constructs/event-bus.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { TenantStack, tenantConfigFromContext, type TenantConfig } from '../../infra/tenant-stack.ts';
import { routeGroups } from '../../functions/api/route-table.ts';
import { allContracts } from '../../shared/contracts/index.ts';
import { CLAIM_LOGGED_USER_ID, CLAIM_ROLE, CLAIM_USER_ID } from '../../shared/auth/claims.ts';
import type { FunctionAccess } from '../../shared/function-access.ts';
import { tableDefinition } from '../../shared/db/table-definition.ts';
import { routeKey } from '../../shared/http/contract.ts';
import { CORS_POLICY } from '../../shared/http/cors.ts';
import { API_THROTTLE, PUBLIC_ROUTE_THROTTLE, routeThrottle } from '../../shared/http/throttle.ts';

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

const config: TenantConfig = {
  tenant: 'acme',
  timezone: 'Europe/Rome',
  defaultCurrency: 'CHF',
  corsOrigins: ['https://app.acme.example'],
  alarmEmail: 'ops@acme.example',
  mailFrom: 'recap@acme.example',
  appUrl: 'https://crm.acme.example',
};

let template: Template;
let app: App;
beforeAll(() => {
  app = new App();
  const stack = new TenantStack(app, 'PipelineCrm-acme', { config });
  template = Template.fromStack(stack);
}, 180_000);

const resources = (type: string) => Object.entries(template.findResources(type) as Record<string, Resource>);
const only = (type: string): Resource => {
  const found = resources(type);
  expect(found).toHaveLength(1);
  return found[0]![1];
};
const functions = () => resources('AWS::Lambda::Function');
const functionOf = (group: string): Resource => {
  const found = functions().filter(([, fn]) => fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME === `pipeline-crm-${group}`);
  expect(found).toHaveLength(1);
  return found[0]![1];
};
/** Every statement of the inline policies attached to a function's role. */
const statementsOf = (fn: Resource): Statement[] => {
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  return resources('AWS::IAM::Policy')
    // The X-Ray policy of every function (TenantFunction's Tracing) is asserted on its own (issue 15 item 4).
    .filter(([id, policy]) => !/Tracing[0-9A-F]{8}$/.test(id) && policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement);
};
const actionsOf = (statements: Statement[]) => statements.flatMap((statement) => [statement.Action].flat());
const refTo = (logicalId: string) => ({ Ref: logicalId });
const logicalIdOf = (type: string) => resources(type)[0]![0];
/** R-BUY-3: the Stripe webhook's signing secret (the stack's other secret signs cursors). */
const stripeSecretId = () => resources('AWS::SecretsManager::Secret').find(([id]) => id.startsWith('StripeWebhookSecret'))![0];

describe('SPEC §11 tenant stack: table', () => {
  it('SPEC §11 the table has the keys, indexes, TTL and stream of shared/db/table-definition.ts', () => {
    const table = only('AWS::DynamoDB::Table');

    expect(table.Properties.KeySchema).toEqual([
      { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
      { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
    ]);
    expect(table.Properties.GlobalSecondaryIndexes).toEqual(
      tableDefinition.indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    );
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: tableDefinition.ttlAttribute, Enabled: true });
    expect(table.Properties.StreamSpecification).toEqual({ StreamViewType: tableDefinition.streamView });
  });

  it('SPEC §11 the table is on demand, encrypted, with PITR and deletion protection, and survives its stack', () => {
    const table = only('AWS::DynamoDB::Table');

    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      SSESpecification: { SSEEnabled: true },
    });
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
  });
});

describe('SPEC §1 tenant stack: user pool', () => {
  it('SPEC §1 users are invited (no self sign-up), sign in by email, and carry the claims as custom attributes', () => {
    const pool = only('AWS::Cognito::UserPool');

    expect(pool.Properties.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(true);
    expect(pool.Properties.UsernameAttributes).toEqual(['email']);
    for (const claim of [CLAIM_USER_ID, CLAIM_ROLE]) {
      expect(pool.Properties.Schema).toContainEqual({ Name: claim.replace('custom:', ''), AttributeDataType: 'String', Mutable: true });
    }
    expect(pool.Properties.Policies.PasswordPolicy).toMatchObject({ MinimumLength: 12, RequireSymbols: true, RequireNumbers: true, RequireUppercase: true });
    expect(pool.Properties.UserPoolAddOns).toEqual({ AdvancedSecurityMode: 'ENFORCED' });
  });

  it('SPEC §1 the app client has no secret, signs in with SRP, reads the claims and cannot write them', () => {
    const client = only('AWS::Cognito::UserPoolClient');

    expect(client.Properties.GenerateSecret).toBe(false);
    expect(client.Properties.ExplicitAuthFlows).toEqual(['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
    expect(client.Properties.AllowedOAuthFlows).toBeUndefined();
    expect(client.Properties.ReadAttributes).toEqual(expect.arrayContaining([CLAIM_USER_ID, CLAIM_ROLE, 'email']));
    expect(client.Properties.WriteAttributes).toEqual(['name']);
  });
});

describe('SPEC §11 every function deploys as synthesized', () => {
  it('SPEC §11 every function runs on nodejs24.x, and its description is one CloudFormation accepts (Latin-1 only)', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as { Properties: { Runtime?: string; Description?: string } }[];

    expect(functions.length).toBeGreaterThan(10);
    for (const fn of functions.filter((candidate) => candidate.Properties.Description !== undefined)) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.Description).toMatch(/^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*$/);
    }
  });
});

describe('SPEC §0 tenant stack: one function per route group', () => {
  it('SPEC §11 each route group of the route table has one arm64 Node 24 function (nodejs24.x) with the stack settings', () => {
    for (const group of routeGroups) {
      const fn = functionOf(group.name);

      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], MemorySize: 512, Timeout: 10, Handler: 'index.handler' });
      expect(fn.Properties.Environment.Variables).toMatchObject({
        TABLE_NAME: refTo(logicalIdOf('AWS::DynamoDB::Table')),
        STACK_TIMEZONE: config.timezone,
        DEFAULT_CURRENCY: config.defaultCurrency,
        NODE_OPTIONS: '--enable-source-maps',
      });
    }
  });

  it('SPEC §11 a group is told the cursor secret exactly when it may read it', () => {
    for (const group of routeGroups) {
      const told = functionOf(group.name).Properties.Environment.Variables.CURSOR_SECRET_ARN;

      expect(told, group.name).toEqual(group.access.cursorSecret ? refTo(logicalIdOf('AWS::SecretsManager::Secret')) : undefined);
    }
  });

  it('SPEC §11 only the users function is told the user pool (it mirrors users into Cognito)', () => {
    const withPool = routeGroups.filter((group) => functionOf(group.name).Properties.Environment.Variables.USER_POOL_ID);

    expect(withPool.map((group) => group.name)).toEqual(['users']);
    expect(functionOf('users').Properties.Environment.Variables.USER_POOL_ID).toEqual(refTo(logicalIdOf('AWS::Cognito::UserPool')));
  });

  it('SPEC §11 every function logs JSON to its own log group kept one month', () => {
    const logGroups = Object.fromEntries(resources('AWS::Logs::LogGroup'));
    const own = functions().map(([, fn]) => fn.Properties.LoggingConfig);

    for (const logging of own) {
      expect(logging.LogFormat).toBe('JSON');
      expect(logGroups[logging.LogGroup.Ref]?.Properties.RetentionInDays).toBe(30);
    }
    expect(new Set(own.map((logging) => logging.LogGroup.Ref)).size).toBe(functions().length);
  });

});

describe('SPEC §11 tenant stack: least privilege', () => {
  // Each function's X-Ray policy (`*`: its two actions take no resource) is asserted in observability.test.ts.
  const allStatements = () =>
    resources('AWS::IAM::Policy')
      .filter(([id]) => !/Tracing[0-9A-F]{8}$/.test(id))
      .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Statement[]);

  it('SPEC §11 no policy grants every action, every DynamoDB action, Scan, or every resource', () => {
    const statements = allStatements();

    expect(statements.length).toBeGreaterThan(0);
    for (const action of actionsOf(statements)) expect(action).not.toMatch(/(^\*$)|(:\*$)|^dynamodb:Scan$/);
    for (const statement of statements) expect(JSON.stringify(statement.Resource)).not.toMatch(/"\*"|\/\*"/);
  });

  it('SPEC §11 no role carries a managed policy (logs go to the function own log group only)', () => {
    for (const [, role] of resources('AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  /** The statements `grantAccess` makes of a declared access, after the function's own log statement. */
  const statementsGranted = (access: FunctionAccess): unknown[] => {
    const tableArn = { 'Fn::GetAtt': [logicalIdOf('AWS::DynamoDB::Table'), 'Arn'] };
    // CloudFormation takes one action or resource as it is, several as a list.
    const oneOrList = <T>(list: T[]) => (list.length === 1 ? list[0] : list);
    return [
      expect.objectContaining({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] }),
      ...(access.items.length > 0 ? [{ Effect: 'Allow', Action: oneOrList([...new Set(access.items)].map((action) => `dynamodb:${action}`)), Resource: tableArn }] : []),
      ...(access.queryIndexes.length > 0
        ? [{ Effect: 'Allow', Action: 'dynamodb:Query', Resource: oneOrList(access.queryIndexes.map((index) => ({ 'Fn::Join': ['', [tableArn, `/index/${index}`]] }))) }]
        : []),
      ...(access.cursorSecret
        ? [{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: refTo(logicalIdOf('AWS::SecretsManager::Secret')) }]
        : []),
      ...(access.userDirectory ? [expect.objectContaining({ Action: expect.arrayContaining(['cognito-idp:AdminCreateUser']) })] : []),
      ...(access.sendMail ? [expect.objectContaining({ Action: 'ses:SendEmail' })] : []),
      ...(access.stripeWebhookSecret
        ? [{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: refTo(stripeSecretId()) }]
        : []),
    ];
  };

  it('SPEC §11 each group function gets exactly the access its group declares: its item actions on the table, Query on the indexes it names', () => {
    for (const group of routeGroups) {
      expect(statementsOf(functionOf(group.name)), group.name).toEqual(statementsGranted(group.access));
    }
  });

  it('SPEC §11 groups get only what their code calls, not the whole table', () => {
    const actionsOfGroup = (name: string) => actionsOf(statementsOf(functionOf(name)));

    expect(actionsOfGroup('custom-fields')).not.toContain('dynamodb:BatchGetItem');
    expect(actionsOfGroup('groups')).not.toContain('dynamodb:ConditionCheckItem');
    expect(routeGroups.filter((group) => actionsOfGroup(group.name).includes('dynamodb:BatchWriteItem')).map((group) => group.name)).toEqual(['leads']);
    expect(routeGroups.filter((group) => group.access.queryIndexes.length === 5).map((group) => group.name)).toEqual(['contacts', 'opportunities', 'post-sale']);
  });

  it('SPEC §11 only the users function may call the Cognito admin API, on its own pool only', () => {
    const poolArn = { 'Fn::GetAtt': [logicalIdOf('AWS::Cognito::UserPool'), 'Arn'] };

    expect(statementsOf(functionOf('users'))).toContainEqual({
      Effect: 'Allow',
      Action: ['cognito-idp:AdminCreateUser', 'cognito-idp:AdminUpdateUserAttributes', 'cognito-idp:AdminEnableUser', 'cognito-idp:AdminDisableUser'],
      Resource: poolArn,
    });
    for (const group of routeGroups.filter((candidate) => candidate.name !== 'users')) {
      expect(actionsOf(statementsOf(functionOf(group.name))).filter((action) => action.startsWith('cognito-idp:'))).toEqual([]);
    }
  });

  it('SPEC §11 the openapi function may only write its logs', () => {
    expect(actionsOf(statementsOf(functionOf('openapi')))).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
  });

  it('SPEC §1 the openapi function builds the document from the contracts: its bundle holds no route group’s code', () => {
    const assetDir = join(app.outdir, `asset.${functionOf('openapi').Properties.Code.S3Key.replace(/\.zip$/, '')}`);

    // `index.mjs` and its chunks (infra/bundles.ts splits the code).
    const bundle = ['index.mjs', ...readdirSync(join(assetDir, 'chunks')).filter((file) => file.endsWith('.mjs')).map((file) => join('chunks', file))]
      .map((file) => readFileSync(join(assetDir, file), 'utf8'))
      .join('\n');

    // Strings only a route group's code holds (the size does not tell: the bundled AWS SDK is most of every bundle).
    expect(bundle).not.toContain('duplicate_active_opportunity');
    expect(bundle).not.toContain('gets no buy-now link');
  });
});

describe('SPEC §1 tenant stack: HTTP API', () => {
  const authorizerId = () => logicalIdOf('AWS::ApiGatewayV2::Authorizer');

  it('SPEC §1 the JWT authorizer trusts the tenant pool as issuer and its app client as audience', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Issuer: { 'Fn::GetAtt': [logicalIdOf('AWS::Cognito::UserPool'), 'ProviderURL'] },
        Audience: [refTo(logicalIdOf('AWS::Cognito::UserPoolClient'))],
      },
    });
  });

  it('SPEC §1 every route of the route table exists once, behind the JWT authorizer unless it is public', () => {
    const routes = resources('AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties);

    expect(routes.map((route) => route.RouteKey).sort()).toEqual(allContracts.map(routeKey).sort());
    for (const route of allContracts) {
      const deployed = routes.find((candidate) => candidate.RouteKey === routeKey(route));
      if (route.roles === 'public') {
        expect(deployed).toMatchObject({ AuthorizationType: 'NONE' });
        expect(deployed?.AuthorizerId).toBeUndefined();
      } else {
        expect(deployed).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: refTo(authorizerId()) });
      }
    }
  });

  it('R-PS-8 issue 11 item 7: GET /calendar/{file} has no authorizer and the public throttle; the calendar function knows the API URL', () => {
    const route = resources('AWS::ApiGatewayV2::Route').map(([, candidate]) => candidate.Properties).find((candidate) => candidate.RouteKey === 'GET /calendar/{file}');
    const stage = only('AWS::ApiGatewayV2::Stage');

    expect(route).toMatchObject({ AuthorizationType: 'NONE' });
    expect(route?.AuthorizerId).toBeUndefined();
    expect(stage.Properties.RouteSettings['GET /calendar/{file}']).toEqual({ ThrottlingRateLimit: PUBLIC_ROUTE_THROTTLE.ratePerSecond, ThrottlingBurstLimit: PUBLIC_ROUTE_THROTTLE.burst });
    expect(resources('AWS::ApiGatewayV2::Route').find(([, candidate]) => candidate.Properties.RouteKey === 'POST /me/calendar-feed')?.[1].Properties).toMatchObject({ AuthorizationType: 'JWT' });
    expect(JSON.stringify(functionOf('calendar').Properties.Environment.Variables.API_URL)).toContain(logicalIdOf('AWS::ApiGatewayV2::Api'));
  });

  it('R-BUY-2 issue 12 item 5: the buy-now offer, purchase and Stripe webhook have no authorizer and their contract throttle; their siblings keep the authorizer', () => {
    const deployed = (key: string) => resources('AWS::ApiGatewayV2::Route').find(([, candidate]) => candidate.Properties.RouteKey === key)?.[1].Properties;
    const settings = only('AWS::ApiGatewayV2::Stage').Properties.RouteSettings;

    for (const [key, rate, burst] of [['GET /buy/{token}', 10, 20], ['POST /buy/{token}/purchase', 5, 10], ['POST /webhooks/stripe', 50, 100]] as const) {
      expect(deployed(key), key).toMatchObject({ AuthorizationType: 'NONE' });
      expect(deployed(key)?.AuthorizerId).toBeUndefined();
      expect(settings[key], key).toEqual({ ThrottlingRateLimit: rate, ThrottlingBurstLimit: burst });
    }
    for (const key of ['POST /opportunities/{id}/buy-now-links', 'GET /opportunities/{id}/buy-now-links']) {
      expect(deployed(key), key).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: refTo(authorizerId()) });
      expect(settings[key]).toBeUndefined();
    }
  });

  it('R-BUY-3 issue 12 item 4: only the webhook function is told and may read the Stripe webhook secret', () => {
    const readers = resources('AWS::IAM::Policy')
      .filter(([, policy]) => JSON.stringify(policy.Properties.PolicyDocument).includes(`"${stripeSecretId()}"`))
      .map(([, policy]) => policy.Properties.Roles[0].Ref as string);
    const told = routeGroups.filter((group) => functionOf(group.name).Properties.Environment.Variables.STRIPE_WEBHOOK_SECRET_ARN);

    expect(told.map((group) => group.name)).toEqual(['buy-now-webhook']);
    expect(functionOf('buy-now-webhook').Properties.Environment.Variables.STRIPE_WEBHOOK_SECRET_ARN).toEqual(refTo(stripeSecretId()));
    expect(readers).toEqual([functionOf('buy-now-webhook').Properties.Role['Fn::GetAtt'][0]]);
  });

  it('SPEC §10 no /_local route exists in AWS', () => {
    const keys = resources('AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties.RouteKey as string);

    expect(keys.filter((key) => key.includes('/_local'))).toEqual([]);
  });

  it('SPEC §1 CORS is shared/http/cors.ts CORS_POLICY with the tenant origins', () => {
    expect(only('AWS::ApiGatewayV2::Api').Properties.CorsConfiguration).toEqual({
      AllowOrigins: config.corsOrigins,
      AllowMethods: [...CORS_POLICY.allowMethods],
      AllowHeaders: [...CORS_POLICY.allowHeaders],
      ExposeHeaders: [...CORS_POLICY.exposeHeaders],
      MaxAge: CORS_POLICY.maxAgeSeconds,
    });
  });

  it('SPEC §1 the default stage is throttled (429), public routes harder, and writes access logs kept one month', () => {
    const stage = only('AWS::ApiGatewayV2::Stage');
    const publicRoutes = allContracts.filter((route) => route.roles === 'public');

    expect(stage.Properties).toMatchObject({ StageName: '$default', AutoDeploy: true, DefaultRouteSettings: { ThrottlingRateLimit: API_THROTTLE.ratePerSecond, ThrottlingBurstLimit: API_THROTTLE.burst } });
    expect(Object.keys(stage.Properties.RouteSettings).sort()).toEqual(publicRoutes.map(routeKey).sort());
    for (const route of publicRoutes) {
      const limit = routeThrottle(route)!;
      expect(stage.Properties.RouteSettings[routeKey(route)], routeKey(route)).toEqual({ ThrottlingRateLimit: limit.ratePerSecond, ThrottlingBurstLimit: limit.burst });
      expect(limit.ratePerSecond).toBeLessThan(API_THROTTLE.ratePerSecond);
    }
    const accessLogs = stage.Properties.AccessLogSettings;
    expect(JSON.parse(accessLogs.Format)).toMatchObject({ requestId: '$context.requestId', routeKey: '$context.routeKey', status: '$context.status', callerSub: '$context.authorizer.claims.sub' });
    const logGroupId = accessLogs.DestinationArn['Fn::GetAtt'][0];
    expect(Object.fromEntries(resources('AWS::Logs::LogGroup'))[logGroupId]?.Properties.RetentionInDays).toBe(30);
  });

  it('issue 13 item 11 the access log carries the caller\'s CRM user id: the uid claim that the pool\'s pre token generation trigger (V1_0, ID tokens) adds', () => {
    const format = JSON.parse(only('AWS::ApiGatewayV2::Stage').Properties.AccessLogSettings.Format);
    const pool = only('AWS::Cognito::UserPool');
    const [triggerId, trigger] = functions().find(([, fn]) => fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME === 'pipeline-crm-token-claims')!;
    const permissions = resources('AWS::Lambda::Permission').filter(([, permission]) => permission.Properties.FunctionName?.['Fn::GetAtt']?.[0] === triggerId);

    expect(CLAIM_LOGGED_USER_ID).toMatch(/^[A-Za-z0-9_]+$/);
    expect(format).toMatchObject({ userId: `$context.authorizer.claims.${CLAIM_LOGGED_USER_ID}`, callerSub: '$context.authorizer.claims.sub' });
    expect(pool.Properties.LambdaConfig).toEqual({ PreTokenGeneration: { 'Fn::GetAtt': [triggerId, 'Arn'] } });
    expect(permissions.map(([, permission]) => permission.Properties)).toEqual([
      expect.objectContaining({ Action: 'lambda:InvokeFunction', Principal: 'cognito-idp.amazonaws.com', SourceArn: { 'Fn::GetAtt': [logicalIdOf('AWS::Cognito::UserPool'), 'Arn'] } }),
    ]);
    // The trigger calls nothing: its role may only write its own log group.
    expect(actionsOf(statementsOf(trigger)).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
  });
});

describe('SPEC §11 tenant stack: alarms and outputs', () => {
  it('SPEC §11 each function has an Errors alarm and the API a 5xx alarm, all notifying the encrypted topic', () => {
    const alarms = resources('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    const topicId = logicalIdOf('AWS::SNS::Topic');

    const errorAlarms = alarms.filter((alarm) => alarm.MetricName === 'Errors' && alarm.Namespace === 'AWS/Lambda');
    expect(errorAlarms.map((alarm) => alarm.Dimensions[0].Value.Ref).sort()).toEqual(functions().map(([id]) => id).sort());
    expect(alarms.filter((alarm) => alarm.MetricName === '5xx' && alarm.Namespace === 'AWS/ApiGateway')).toHaveLength(1);
    // Issue 15 item 4's DynamoDB throttles alarm (metric math) is in observability.test.ts.
    for (const alarm of alarms.filter((candidate) => candidate.MetricName !== undefined)) {
      // Queue depth and the publisher's iterator age are levels, not counts of events: their alarms look at the
      // maximum; the iterator age alarms above PUBLISHER_ITERATOR_AGE_ALARM (issue 13 item 4).
      const level = alarm.Namespace === 'AWS/SQS' || alarm.MetricName === 'IteratorAge';
      const threshold = alarm.MetricName === 'IteratorAge' ? PUBLISHER_ITERATOR_AGE_ALARM.toMilliseconds() : 0;
      expect(alarm).toMatchObject({ Threshold: threshold, ComparisonOperator: 'GreaterThanThreshold', Period: 300, Statistic: level ? 'Maximum' : 'Sum', AlarmActions: [refTo(topicId)] });
    }
    expect(only('AWS::SNS::Topic').Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [logicalIdOf('AWS::KMS::Key'), 'Arn'] });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: config.alarmEmail, TopicArn: refTo(topicId) });
  });

  it('SPEC §11 issue 13 item 4 the stack outputs what clients, create-admin and the events redrive need', () => {
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual(['ApiUrl', 'CreateAdminCommand', 'CursorSecretArn', 'DashboardName', 'MigrateCommand', 'RedriveEventsCommand', 'TableName', 'UserPoolClientId', 'UserPoolId']);
  });

  it('SPEC §11 R-REC-1 CreateAdminCommand carries the tenant\'s time zone, so the first admin and the recap are not left in UTC', () => {
    const command = JSON.stringify(template.findOutputs('CreateAdminCommand'));

    expect(command).toContain(`--timezone ${config.timezone}`);
    expect(command).toContain('--user-pool');
  });
});

describe('R-REC-1 tenant stack: the morning recap', () => {
  const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
  const recapFunctionId = () => functions().find(([, fn]) => fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME === 'pipeline-crm-recap')![0];
  const recapSchedule = (): Resource => {
    const found = resources('AWS::Scheduler::Schedule').filter(([, schedule]) => schedule.Properties.Target.Arn['Fn::GetAtt'][0] === recapFunctionId());
    expect(found).toHaveLength(1);
    return found[0]![1];
  };
  const queueId = () => recapSchedule().Properties.Target.DeadLetterConfig.Arn['Fn::GetAtt'][0] as string;

  it('R-REC-1 EventBridge Scheduler runs the recap every hour in the tenant time zone, with the time it was due', () => {
    const schedule = recapSchedule();

    expect(schedule.Properties).toMatchObject({
      ScheduleExpression: 'cron(0 * * * ? *)',
      ScheduleExpressionTimezone: config.timezone,
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: { Arn: arnOf(recapFunctionId()) },
    });
    expect(JSON.parse(schedule.Properties.Target.Input)).toEqual({ scheduledTime: '<aws.scheduler.scheduled-time>' });
  });

  it('R-REC-3 a run that cannot be delivered is retried, then lands in the encrypted dead-letter queue; so does a run that keeps failing', () => {
    const schedule = recapSchedule();
    const queue = Object.fromEntries(resources('AWS::SQS::Queue'))[queueId()]!;
    const queuePolicy = resources('AWS::SQS::QueuePolicy').find(([, policy]) => policy.Properties.Queues.some((ref: { Ref: string }) => ref.Ref === queueId()))![1];

    expect(schedule.Properties.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 });
    expect(schedule.Properties.Target.DeadLetterConfig).toEqual({ Arn: arnOf(queueId()) });
    expect(resources('AWS::Lambda::Function').find(([id]) => id === recapFunctionId())![1].Properties.DeadLetterConfig).toEqual({ TargetArn: arnOf(queueId()) });
    expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    expect(queuePolicy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('R-REC-3 a message in the dead-letter queue raises an alarm to the ops topic', () => {
    const alarms = resources('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);

    const onRecapQueue = alarms.filter((alarm) => alarm.Namespace === 'AWS/SQS' && alarm.Dimensions[0].Value['Fn::GetAtt']?.[0] === queueId());
    expect(onRecapQueue).toEqual([
      expect.objectContaining({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId(), 'QueueName'] } }],
        Statistic: 'Maximum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [refTo(logicalIdOf('AWS::SNS::Topic'))],
      }),
    ]);
  });

  it('R-REC-1 the recap function sends from the tenant SES identity and links to the app', () => {
    const fn = resources('AWS::Lambda::Function').find(([id]) => id === recapFunctionId())![1];

    expect(only('AWS::SES::EmailIdentity').Properties).toEqual({ EmailIdentity: 'acme.example' });
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Timeout: 300 });
    expect(fn.Properties.Environment.Variables).toMatchObject({
      TABLE_NAME: refTo(logicalIdOf('AWS::DynamoDB::Table')),
      CURSOR_SECRET_ARN: refTo(logicalIdOf('AWS::SecretsManager::Secret')),
      STACK_TIMEZONE: config.timezone,
      MAIL_FROM: config.mailFrom,
      APP_URL: config.appUrl,
    });
  });

  it('SPEC §11 the recap function may read and write items, query GSI1 and GSI4, send mail from its identity only, and nothing else', () => {
    const fn = resources('AWS::Lambda::Function').find(([id]) => id === recapFunctionId())![1];
    const tableArn = arnOf(logicalIdOf('AWS::DynamoDB::Table'));
    const identityArn = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':identity/', refTo(logicalIdOf('AWS::SES::EmailIdentity'))]],
    };

    expect(statementsOf(fn)).toEqual([
      expect.objectContaining({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] }),
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf(queueId()) },
      { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], Resource: tableArn },
      { Effect: 'Allow', Action: 'dynamodb:Query', Resource: ['GSI1', 'GSI4'].map((index) => ({ 'Fn::Join': ['', [tableArn, `/index/${index}`]] })) },
      { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: refTo(logicalIdOf('AWS::SecretsManager::Secret')) },
      { Effect: 'Allow', Action: 'ses:SendEmail', Resource: identityArn },
    ]);
    for (const group of routeGroups.filter((candidate) => !candidate.access.sendMail)) {
      expect(actionsOf(statementsOf(functionOf(group.name))).filter((action) => action.startsWith('ses:'))).toEqual([]);
    }
  });

  it('SPEC §11 the scheduler role may only invoke the recap function and write to its dead-letter queue', () => {
    const schedule = recapSchedule();
    const roleId = schedule.Properties.Target.RoleArn['Fn::GetAtt'][0];
    const role = Object.fromEntries(resources('AWS::IAM::Role'))[roleId]!;
    const statements = resources('AWS::IAM::Policy')
      .filter(([, policy]) => policy.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === roleId))
      .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement);

    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } },
    ]);
    expect(statements).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: arnOf(recapFunctionId()) },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf(queueId()) },
    ]);
  });
});

describe('R-PS-8 tenant stack: the reminder job', () => {
  const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
  const reminderFunctionId = () => functions().find(([, fn]) => fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME === 'pipeline-crm-reminders')![0];

  it('R-PS-8 EventBridge Scheduler runs the reminders every 5 minutes, retried, then into a dead-letter queue that raises an alarm', () => {
    const schedules = resources('AWS::Scheduler::Schedule').filter(([, schedule]) => schedule.Properties.Target.Arn['Fn::GetAtt'][0] === reminderFunctionId());
    expect(schedules).toHaveLength(1);
    const schedule = schedules[0]![1];
    const queueId = schedule.Properties.Target.DeadLetterConfig.Arn['Fn::GetAtt'][0] as string;
    const alarms = resources('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);

    expect(schedule.Properties).toMatchObject({ ScheduleExpression: 'rate(5 minutes)', State: 'ENABLED', Target: { Arn: arnOf(reminderFunctionId()) } });
    expect(schedule.Properties.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 });
    expect(resources('AWS::Lambda::Function').find(([id]) => id === reminderFunctionId())![1].Properties.DeadLetterConfig).toEqual({ TargetArn: arnOf(queueId) });
    expect(alarms.filter((alarm) => alarm.Namespace === 'AWS/SQS' && alarm.Dimensions[0].Value['Fn::GetAtt']?.[0] === queueId)).toEqual([
      expect.objectContaining({ MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0, AlarmActions: [refTo(logicalIdOf('AWS::SNS::Topic'))] }),
    ]);
  });
});

describe('SPEC §11 tenant configuration from the CDK context', () => {
  const contextOf = (values: Record<string, unknown>) => (key: string) => values[key];

  it('SPEC §11 defaults to UTC, EUR, no CORS origin, no alarm mail and placeholder mail sender and app URL', () => {
    expect(tenantConfigFromContext(contextOf({ tenant: 'acme' }))).toEqual({
      tenant: 'acme',
      timezone: 'UTC',
      defaultCurrency: 'EUR',
      corsOrigins: [],
      alarmEmail: undefined,
      mailFrom: 'crm@acme.example.com',
      appUrl: 'https://acme.example.com',
      mfa: 'optional',
      edgeProtection: false,
      edgeWebAclArn: undefined,
    });
    expect(tenantConfigFromContext(contextOf({ tenant: 'acme', mfa: 'required' })).mfa).toBe('required');
    expect(() => tenantConfigFromContext(contextOf({ tenant: 'acme', mfa: 'sometimes' }))).toThrowError(/context mfa must be optional or required/);
  });

  it('Issue 13 item 11: a stack without CORS origins allows none, and -c mfa=required makes every sign-in use a second factor', () => {
    const strict = Template.fromStack(new TenantStack(new App(), 'PipelineCrm-strict', { config: { tenant: 'strict', timezone: 'UTC', defaultCurrency: 'EUR', corsOrigins: [], mfa: 'required' } }));

    expect(Object.values(strict.findResources('AWS::ApiGatewayV2::Api'))[0]!.Properties.CorsConfiguration).toBeUndefined();
    expect(Object.values(strict.findResources('AWS::Cognito::UserPool'))[0]!.Properties.MfaConfiguration).toBe('ON');
    expect(only('AWS::Cognito::UserPool').Properties.MfaConfiguration).toBe('OPTIONAL');
  }, 180_000);

  it('R-REC-1 takes the mail sender and the app URL of the links from the context, and checks them', () => {
    const given = tenantConfigFromContext(contextOf({ tenant: 'acme', mailFrom: 'crm@acme.com', appUrl: 'https://crm.acme.com' }));

    expect(given).toMatchObject({ mailFrom: 'crm@acme.com', appUrl: 'https://crm.acme.com' });
    expect(() => tenantConfigFromContext(contextOf({ tenant: 'acme', mailFrom: 'crm', appUrl: 'crm.acme.com' }))).toThrowError(
      /context mailFrom must be an email address[\s\S]*context appUrl must be an http\(s\) URL/,
    );
  });

  it('SPEC §11 takes CORS origins as a list or a comma-separated string', () => {
    const fromString = tenantConfigFromContext(contextOf({ tenant: 'acme', corsOrigins: 'https://a.example, https://b.example:8443' }));
    const fromList = tenantConfigFromContext(contextOf({ tenant: 'acme', corsOrigins: ['https://a.example'] }));

    expect(fromString.corsOrigins).toEqual(['https://a.example', 'https://b.example:8443']);
    expect(fromList.corsOrigins).toEqual(['https://a.example']);
  });

  it('SPEC §11 reports every invalid setting at once', () => {
    const invalid = contextOf({ tenant: 'Acme Corp', timezone: 'Mars/Olympus', defaultCurrency: 'euro', corsOrigins: 'https://a.example/app', alarmEmail: 'ops' });

    expect(() => tenantConfigFromContext(invalid)).toThrowError(
      /context tenant is required[\s\S]*context timezone[\s\S]*context defaultCurrency[\s\S]*context corsOrigins[\s\S]*context alarmEmail/,
    );
  });

  it('SPEC §11 a tenant is required', () => {
    expect(() => tenantConfigFromContext(contextOf({}))).toThrowError(/context tenant is required/);
  });
});

describe('Issue 13 item 12: -c edgeProtection=true puts CloudFront and AWS WAF in front of the API', () => {
  const edgeStack = (extra: Partial<TenantConfig>, env?: { account: string; region: string }) =>
    new TenantStack(new App(), `PipelineCrm-edge-${Object.keys(extra).length}-${env?.region ?? 'agnostic'}`, { config: { ...config, ...extra }, ...(env ? { env } : {}) });
  let edged: TenantStack;
  let edgedTemplate: Template;
  beforeAll(() => {
    edged = edgeStack({ edgeProtection: true }, { account: '123456789012', region: 'us-east-1' });
    edgedTemplate = Template.fromStack(edged);
  }, 180_000);

  it('item 12 without the flag there is no distribution nor web ACL; the flag reads true/false from the context', () => {
    expect(Object.keys(template.findResources('AWS::CloudFront::Distribution'))).toEqual([]);
    expect(Object.keys(template.findResources('AWS::WAFv2::WebACL'))).toEqual([]);
    const base = { tenant: 'acme' };
    expect(tenantConfigFromContext((key) => ({ ...base, edgeProtection: 'true' })[key as 'tenant']).edgeProtection).toBe(true);
    expect(tenantConfigFromContext((key) => base[key as 'tenant']).edgeProtection).toBe(false);
    expect(() => tenantConfigFromContext((key) => ({ ...base, edgeProtection: 'yes' })[key as 'tenant'])).toThrow(/edgeProtection/);
  });

  it('item 12 a CLOUDFRONT web ACL blocks an IP over its rate and applies the AWS common rule set; the distribution uses it, forwards every method uncached over HTTPS', () => {
    const [aclId, acl] = (Object.entries(edgedTemplate.findResources('AWS::WAFv2::WebACL')) as [string, Resource][])[0]!;
    const [, distribution] = (Object.entries(edgedTemplate.findResources('AWS::CloudFront::Distribution')) as [string, Resource][])[0]!;
    const rules = acl!.Properties.Rules;

    expect(acl!.Properties).toMatchObject({ Scope: 'CLOUDFRONT', DefaultAction: { Allow: {} } });
    expect(rules).toContainEqual(expect.objectContaining({ Action: { Block: {} }, Statement: { RateBasedStatement: expect.objectContaining({ AggregateKeyType: 'IP', Limit: 1000 }) } }));
    expect(rules).toContainEqual(expect.objectContaining({ Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } } }));
    expect(distribution!.Properties.DistributionConfig).toMatchObject({
      WebACLId: { 'Fn::GetAtt': [aclId, 'Arn'] },
      DefaultCacheBehavior: expect.objectContaining({ ViewerProtocolPolicy: 'https-only', AllowedMethods: expect.arrayContaining(['POST', 'PATCH', 'DELETE', 'PUT']) }),
    });
    expect(Object.keys(edgedTemplate.findOutputs('EdgeApiUrl'))).toEqual(['EdgeApiUrl']);
  });

  it('item 12 the edge resources raise no unacknowledged cdk-nag AwsSolutions finding', () => {
    const report = new AwsSolutionsChecks().validateScope(edged);

    expect(report.violations.filter((violation) => violation.violatingResources.some((resource) => resource.constructPath?.includes('/Edge/')))).toEqual([]);
  });

  it('item 12 in another region the stack refuses to make the web ACL (it must be in us-east-1) and uses the one given by -c edgeWebAclArn', () => {
    const arn = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/acme-edge/0000';
    const elsewhere = { account: '123456789012', region: 'eu-south-1' };

    expect(() => edgeStack({ edgeProtection: true }, elsewhere)).toThrow(/us-east-1/);
    const given = Template.fromStack(edgeStack({ edgeProtection: true, edgeWebAclArn: arn }, elsewhere));
    expect(Object.keys(given.findResources('AWS::WAFv2::WebACL'))).toEqual([]);
    given.hasResourceProperties('AWS::CloudFront::Distribution', { DistributionConfig: { WebACLId: arn } });
  }, 180_000);
});
