import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { routeGroups, type RouteGroup } from '../functions/api/route-table.ts';
import { eventsEntry, handlerEntry, jobEntry } from './bundles.ts';
import { defaultAppUrl, defaultMailFrom, type TenantConfig } from './tenants.ts';
import { consumers } from '../functions/events/consumer-table.ts';
import { scheduledJobs, type ScheduledJob as JobDeclaration } from '../functions/jobs/job-table.ts';
import { CLAIM_LOGGED_USER_ID } from '../shared/auth/claims.ts';
import { CORS_POLICY } from '../shared/http/cors.ts';
import { API_THROTTLE } from '../shared/http/throttle.ts';
import { EdgeProtection } from './constructs/edge-protection.ts';
import { CrmTable } from './constructs/crm-table.ts';
import { TenantDashboard } from './constructs/dashboard.ts';
import { METRICS_NAMESPACE } from '../shared/metrics.ts';
import { grantAccess } from './constructs/grant-access.ts';
import { HttpApiRoutes } from './constructs/http-api-routes.ts';
import { ALARM_PERIOD, OpsAlarms } from './constructs/ops-alarms.ts';
import { ScheduledJob } from './constructs/scheduled-job.ts';
import { TenantFunction } from './constructs/tenant-function.ts';
import { TenantUserPool } from './constructs/tenant-user-pool.ts';
import { DomainEvents } from './constructs/event-bus.ts';

export { defaultAppUrl, defaultMailFrom, TENANT_PATTERN, tenantConfigFromContext, type TenantConfig } from './tenants.ts';

export const stackNameOf = (tenant: string) => `PipelineCrm-${tenant}`;

/** One tenant: its table, user pool, HTTP API with one function per route group, and alarms. */
export class TenantStack extends Stack {
  readonly config: TenantConfig;

  constructor(scope: Construct, id: string, props: StackProps & { config: TenantConfig }) {
    super(scope, id, props);
    const { config } = props;
    this.config = config;

    const data = new CrmTable(this, 'Data', { existing: config.table });
    const cursorSecret = new secretsmanager.Secret(this, 'CursorSecret', {
      description: `Signs the list cursors of the ${config.tenant} API`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(cursorSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'An HMAC key for list cursors, not a credential of another system: there is nothing to rotate it with, and ' +
        'rotating it by hand (a new value) only invalidates the cursors clients hold at that moment.',
    });
    const users = new TenantUserPool(this, 'Users', { tenant: config.tenant, mfa: config.mfa ?? 'optional' });

    const httpApi = new apigwv2.HttpApi(this, 'Api', {
      apiName: stackNameOf(config.tenant),
      createDefaultStage: false,
      // No origin is allowed unless the tenant names its web clients' origins: a deployed stack has no default one.
      ...(config.corsOrigins.length > 0
        ? {
            corsPreflight: {
              allowOrigins: config.corsOrigins,
              allowMethods: CORS_POLICY.allowMethods.map((method) => apigwv2.CorsHttpMethod[method]),
              allowHeaders: [...CORS_POLICY.allowHeaders],
              exposeHeaders: [...CORS_POLICY.exposeHeaders],
              maxAge: Duration.seconds(CORS_POLICY.maxAgeSeconds),
            },
          }
        : {}),
    });
    // R-BUY-3: the Stripe webhook's endpoint secret, set by hand (`whsec_…` from Stripe's dashboard); only the function
    // whose access declares it may read it.
    const stripeWebhookSecret = new secretsmanager.Secret(this, 'StripeWebhookSecret', { description: `The Stripe webhook signing secret of the ${config.tenant} API` });
    Validations.of(stripeWebhookSecret).acknowledge({ id: 'AwsSolutions-SMG4', reason: 'Issued by Stripe (a webhook endpoint secret): it is rotated in Stripe, then pasted here.' });
    const mailFrom = config.mailFrom ?? defaultMailFrom(config.tenant);
    // The sender's domain (DKIM records in the outputs of the identity): any address of it may send.
    const mailIdentity = new ses.EmailIdentity(this, 'MailIdentity', { identity: ses.Identity.domain(mailFrom.split('@')[1]!) });
    // Route functions know the API's own address (API_URL: the R-PS-8 calendar feed URL is served by the API itself).
    const served = routeGroups.map((group) => ({
      group,
      handler: this.routeGroupFunction(group, config, { data, cursorSecret, users, apiUrl: httpApi.apiEndpoint, mailIdentity, mailFrom, stripeWebhookSecret }),
    }));
    // Cognito ID tokens: issuer https://cognito-idp.<region>.amazonaws.com/<poolId>, audience the app client.
    const authorizer = new HttpJwtAuthorizer('CognitoJwt', users.pool.userPoolProviderUrl, {
      jwtAudience: [users.client.userPoolClientId],
    });
    const routes = new HttpApiRoutes(this, 'Routes', { httpApi, served, authorizer });

    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logs.RetentionDays.ONE_MONTH });
    const stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: API_THROTTLE.ratePerSecond, burstLimit: API_THROTTLE.burst },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            // Issue 13 item 11, the caller: its CRM user id (the `uid` claim the pool's pre token generation trigger copies
            // from `custom:userId`) and its Cognito subject; both absent on public routes.
            userId: `$context.authorizer.claims.${CLAIM_LOGGED_USER_ID}`,
            callerSub: '$context.authorizer.claims.sub',
            authorizerError: '$context.authorizer.error',
          }),
        ),
      },
    });
    const cfnStage = stage.node.defaultChild as apigwv2.CfnStage;
    // Public routes (no token) are reachable by anyone, so they get much less (R-BUY-2): each its contract's limit
    // (`routeThrottle`). RouteSettings is raw CloudFormation JSON, hence the API's own member names.
    cfnStage.routeSettings = Object.fromEntries(
      Object.entries(routes.routeThrottles).map(([key, limit]) => [key, { ThrottlingRateLimit: limit.ratePerSecond, ThrottlingBurstLimit: limit.burst }]),
    );
    // Route settings name routes by key: the routes must exist before the stage refers to them.
    stage.node.addDependency(routes);

    const alarms = new OpsAlarms(this, 'Alarms', { alarmEmail: config.alarmEmail });
    for (const { group, handler } of served) {
      alarms.alarmOnAny(`${group.name}-errors`, handler.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }), `${config.tenant}: the ${group.name} function failed`);
    }
    // Issue 13 item 11: a failing pre token generation trigger fails sign-ins and token refreshes.
    alarms.alarmOnAny('token-claims-errors', users.tokenClaims.function.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }), `${config.tenant}: the token claims trigger failed (sign-ins fail)`);
    alarms.alarmOnAny('api-5xx', httpApi.metricServerError({ period: ALARM_PERIOD, statistic: 'Sum' }), `${config.tenant}: the API answered 5xx`);

    // R-EVT-1..3: the bus, the outbox publisher on the table stream, and one rule and function per consumer.
    const events = new DomainEvents(this, 'Events', {
      tenant: config.tenant,
      table: data,
      alarms,
      publisherEntry: eventsEntry('publisher'),
      consumers,
      consumerEntry: (consumer) => eventsEntry(consumer.name),
      environment: { STACK_TIMEZONE: config.timezone, DEFAULT_CURRENCY: config.defaultCurrency },
    });

    for (const job of scheduledJobs) {
      this.scheduledJob(job, config, { data, cursorSecret, mailIdentity, alarms, mailFrom });
    }

    // Issue 15 item 4: every function writes its figures (shared/metrics.ts) under the tenant, and the dashboard.
    const functions = this.node.findAll().filter((construct): construct is lambda.Function => construct instanceof lambda.Function);
    for (const fn of functions) {
      fn.addEnvironment('TENANT', config.tenant);
      fn.addEnvironment('POWERTOOLS_METRICS_NAMESPACE', METRICS_NAMESPACE);
    }
    new TenantDashboard(this, 'Dashboard', {
      tenant: config.tenant,
      httpApi,
      table: data.table,
      functions,
      publisher: events.publisher,
      deadLetterQueues: this.node.findAll().filter((construct): construct is sqs.Queue => construct instanceof sqs.Queue),
      alarms,
    });

    new CfnOutput(this, 'ApiUrl', { value: stage.url });
    new CfnOutput(this, 'DashboardName', { value: `PipelineCrm-${config.tenant}` });
    // Issue 15 item 3: the deploy step that follows every deploy (README "For ops"), ready to paste.
    new CfnOutput(this, 'MigrateCommand', { value: `npm run migrate -- --table ${data.table.tableName} --region ${this.region}` });
    // Issue 13 item 4: what to run once the bus accepts again after the publisher-dead-letters alarm, ready to paste.
    new CfnOutput(this, 'RedriveEventsCommand', {
      value: `npm run redrive-events -- --table ${data.table.tableName} --queue ${events.publisherDeadLetters.queueUrl} --region ${this.region}`,
    });
    // The first admin, with the tenant's time zone (the recap's and new users' default): only the email and name to fill in.
    new CfnOutput(this, 'CreateAdminCommand', {
      value: `npm run create-admin -- --table ${data.table.tableName} --user-pool ${users.pool.userPoolId} --timezone ${config.timezone} --region ${this.region} --email <email> --name "<name>"`,
    });
    if (config.edgeProtection) new EdgeProtection(this, 'Edge', { tenant: config.tenant, httpApi, webAclArn: config.edgeWebAclArn });
    new CfnOutput(this, 'TableName', { value: data.table.tableName });
    new CfnOutput(this, 'UserPoolId', { value: users.pool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: users.client.userPoolClientId });
    new CfnOutput(this, 'CursorSecretArn', { value: cursorSecret.secretArn });
  }

  /** A scheduled job of the job table: its function, schedule in the tenant's time zone, and the access it declares. */
  private scheduledJob(
    job: JobDeclaration,
    config: TenantConfig,
    resources: { data: CrmTable; cursorSecret: secretsmanager.Secret; mailIdentity: ses.EmailIdentity; alarms: OpsAlarms; mailFrom: string },
  ) {
    const { data, cursorSecret, mailIdentity, alarms, mailFrom } = resources;
    const { access } = job;
    const { function: handler } = new ScheduledJob(this, `${job.name}-job`, {
      name: job.name,
      entry: jobEntry(job),
      description: `${config.tenant}: ${job.description}`,
      schedule: job.schedule,
      timeZone: config.timezone,
      alarms,
      environment: {
        TABLE_NAME: data.table.tableName,
        STACK_TIMEZONE: config.timezone,
        DEFAULT_CURRENCY: config.defaultCurrency,
        POWERTOOLS_SERVICE_NAME: `pipeline-crm-${job.name}`,
        ...(access.cursorSecret ? { CURSOR_SECRET_ARN: cursorSecret.secretArn } : {}),
        ...(access.sendMail ? { MAIL_FROM: mailFrom, APP_URL: config.appUrl ?? defaultAppUrl(config.tenant) } : {}),
      },
    });
    grantAccess(handler, access, { table: data, cursorSecret, mailIdentity });
  }

  /** The function serving one route group, allowed what that group declares (`RouteGroup.access`) and nothing more. */
  private routeGroupFunction(
    group: RouteGroup,
    config: TenantConfig,
    resources: {
      data: CrmTable;
      cursorSecret: secretsmanager.Secret;
      users: TenantUserPool;
      apiUrl: string;
      mailIdentity: ses.EmailIdentity;
      mailFrom: string;
      stripeWebhookSecret: secretsmanager.Secret;
    },
  ) {
    const { data, cursorSecret, users, apiUrl, mailIdentity, mailFrom, stripeWebhookSecret } = resources;
    const { access } = group;
    const { function: handler } = new TenantFunction(this, `${group.name}-fn`, {
      entry: handlerEntry(group),
      description: `${config.tenant}: ${group.name} routes`,
      environment: {
        TABLE_NAME: data.table.tableName,
        STACK_TIMEZONE: config.timezone,
        DEFAULT_CURRENCY: config.defaultCurrency,
        POWERTOOLS_SERVICE_NAME: `pipeline-crm-${group.name}`,
        API_URL: apiUrl,
        ...(access.cursorSecret ? { CURSOR_SECRET_ARN: cursorSecret.secretArn } : {}),
        ...(access.userDirectory ? { USER_POOL_ID: users.pool.userPoolId } : {}),
        // Issue 12: the buy-now routes mail the rep, and show buyers the tenant as the seller.
        ...(access.sendMail ? { MAIL_FROM: mailFrom, APP_URL: config.appUrl ?? defaultAppUrl(config.tenant), SELLER_NAME: config.tenant } : {}),
        ...(access.stripeWebhookSecret ? { STRIPE_WEBHOOK_SECRET_ARN: stripeWebhookSecret.secretArn } : {}),
      },
    });
    grantAccess(handler, access, { table: data, cursorSecret, users, mailIdentity, stripeWebhookSecret });
    return handler;
  }
}
