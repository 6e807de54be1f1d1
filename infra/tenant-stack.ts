import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { routeGroups, type RouteGroup } from '../functions/api/route-table.ts';
import { consumers } from '../functions/events/consumer-table.ts';
import { scheduledJobs, type ScheduledJob as JobDeclaration } from '../functions/jobs/job-table.ts';
import { CORS_POLICY } from '../shared/http/cors.ts';
import { API_THROTTLE, PUBLIC_ROUTE_THROTTLE } from '../shared/http/throttle.ts';
import { email } from '../shared/schemas/common.ts';
import { isIanaTimeZone } from '../shared/schemas/users.ts';
import { EdgeProtection } from './constructs/edge-protection.ts';
import { CrmTable } from './constructs/crm-table.ts';
import { grantAccess } from './constructs/grant-access.ts';
import { HttpApiRoutes } from './constructs/http-api-routes.ts';
import { ALARM_PERIOD, OpsAlarms } from './constructs/ops-alarms.ts';
import { ScheduledJob } from './constructs/scheduled-job.ts';
import { TenantFunction } from './constructs/tenant-function.ts';
import { TenantUserPool } from './constructs/tenant-user-pool.ts';
import { DomainEvents } from './constructs/event-bus.ts';

/** What differs between tenants, from the CDK context (`-c tenant=acme -c timezone=Europe/Rome ...`). */
export interface TenantConfig {
  tenant: string;
  /** IANA time zone: default for new users and for the morning recap. */
  timezone: string;
  /** ISO 4217 code used when a money object omits its currency. */
  defaultCurrency: string;
  /** Origins of the web clients allowed by CORS. */
  corsOrigins: string[];
  /** Who gets the alarm mails; without it the alarm topic has no subscription. */
  alarmEmail?: string | undefined;
  /** Sender of the product's mails (the recap); its domain becomes the stack's SES identity. */
  mailFrom?: string;
  /** Base URL of the web app, for links in mails. */
  appUrl?: string;
  /** Whether every user (admins included) must sign in with a second factor (TOTP); default optional. */
  mfa?: 'optional' | 'required';
  /** Issue 13 item 12: CloudFront and an AWS WAF web ACL in front of the API (infra/constructs/edge-protection.ts). */
  edgeProtection?: boolean;
  /** A CLOUDFRONT web ACL made in us-east-1, for a tenant stack in another region. */
  edgeWebAclArn?: string | undefined;
}

export const TENANT_PATTERN = /^[a-z][a-z0-9-]{1,30}$/;

/** Placeholders for a synth without `-c mailFrom=… -c appUrl=…`; a real tenant sets both. */
export const defaultMailFrom = (tenant: string) => `crm@${tenant}.example.com`;
export const defaultAppUrl = (tenant: string) => `https://${tenant}.example.com`;

export const stackNameOf = (tenant: string) => `PipelineCrm-${tenant}`;

/** Reads and checks the tenant's settings; every problem is reported at once, before anything is built. */
export function tenantConfigFromContext(context: (key: string) => unknown): TenantConfig {
  const problems: string[] = [];
  const text = (key: string, fallback: string) => {
    const value = context(key) ?? fallback;
    if (typeof value !== 'string') problems.push(`context ${key} must be a string`);
    return String(value);
  };

  const tenant = context('tenant');
  if (typeof tenant !== 'string' || !TENANT_PATTERN.test(tenant)) {
    problems.push(`context tenant is required and must match ${TENANT_PATTERN} (e.g. -c tenant=acme), got ${JSON.stringify(tenant)}`);
  }
  const timezone = text('timezone', 'UTC');
  if (!isIanaTimeZone(timezone)) problems.push(`context timezone must be an IANA time zone (e.g. Europe/Rome), got ${JSON.stringify(timezone)}`);
  const defaultCurrency = text('defaultCurrency', 'EUR');
  if (!/^[A-Z]{3}$/.test(defaultCurrency)) problems.push(`context defaultCurrency must be an ISO 4217 code (e.g. EUR), got ${JSON.stringify(defaultCurrency)}`);
  const corsOrigins = originList(context('corsOrigins'), problems);
  const alarmEmail = context('alarmEmail');
  if (alarmEmail !== undefined && !email.safeParse(alarmEmail).success) {
    problems.push(`context alarmEmail must be an email address, got ${JSON.stringify(alarmEmail)}`);
  }

  const mailFrom = text('mailFrom', defaultMailFrom(String(tenant)));
  if (!email.safeParse(mailFrom).success) problems.push(`context mailFrom must be an email address, got ${JSON.stringify(mailFrom)}`);
  const appUrl = text('appUrl', defaultAppUrl(String(tenant)));
  if (!isWebUrl(appUrl)) problems.push(`context appUrl must be an http(s) URL like https://crm.acme.example, got ${JSON.stringify(appUrl)}`);

  const mfa = text('mfa', 'optional');
  if (mfa !== 'optional' && mfa !== 'required') problems.push(`context mfa must be optional or required, got ${JSON.stringify(mfa)}`);

  const edge = context('edgeProtection') ?? false;
  if (edge !== true && edge !== false && edge !== 'true' && edge !== 'false') problems.push(`context edgeProtection must be true or false, got ${JSON.stringify(edge)}`);
  const edgeWebAclArn = context('edgeWebAclArn');
  if (edgeWebAclArn !== undefined && (typeof edgeWebAclArn !== 'string' || !edgeWebAclArn.startsWith('arn:aws:wafv2:us-east-1:'))) {
    problems.push(`context edgeWebAclArn must be the ARN of a web ACL in us-east-1, got ${JSON.stringify(edgeWebAclArn)}`);
  }

  if (problems.length > 0) throw new Error(`Invalid tenant configuration:\n- ${problems.join('\n- ')}`);
  return {
    tenant: tenant as string,
    timezone,
    defaultCurrency,
    corsOrigins,
    alarmEmail: alarmEmail as string | undefined,
    mailFrom,
    appUrl,
    mfa: mfa as 'optional' | 'required',
    edgeProtection: edge === true || edge === 'true',
    edgeWebAclArn: edgeWebAclArn as string | undefined,
  };
}

/** `corsOrigins` comes as an array (cdk.json) or a comma-separated string (`-c corsOrigins=a,b`). */
function originList(value: unknown, problems: string[]): string[] {
  if (value === undefined) return [];
  const origins = typeof value === 'string' ? value.split(',').map((origin) => origin.trim()).filter(Boolean) : value;
  if (!Array.isArray(origins)) {
    problems.push('context corsOrigins must be a list of origins or a comma-separated string');
    return [];
  }
  for (const origin of origins) {
    if (origin !== '*' && !isOrigin(origin)) problems.push(`context corsOrigins: ${JSON.stringify(origin)} is not an origin like https://app.example.com`);
  }
  return origins as string[];
}

function isWebUrl(value: string): boolean {
  try {
    return ['https:', 'http:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

function isOrigin(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}

const handlerEntry = (group: RouteGroup) => fileURLToPath(new URL(`../functions/api/${group.name}.ts`, import.meta.url));
const jobEntry = (job: JobDeclaration) => fileURLToPath(new URL(`../functions/jobs/${job.name}.ts`, import.meta.url));
const eventsEntry = (name: string) => fileURLToPath(new URL(`../functions/events/${name}.ts`, import.meta.url));

/** One tenant: its table, user pool, HTTP API with one function per route group, and alarms. */
export class TenantStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps & { config: TenantConfig }) {
    super(scope, id, props);
    const { config } = props;

    const data = new CrmTable(this, 'Data');
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
    // Route functions know the API's own address (API_URL: the R-PS-8 calendar feed URL is served by the API itself).
    const served = routeGroups.map((group) => ({ group, handler: this.routeGroupFunction(group, config, { data, cursorSecret, users, apiUrl: httpApi.apiEndpoint }) }));
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
            // The caller: the Cognito subject of its token (the user's `sub` in the tenant's pool), absent on public routes.
            callerSub: '$context.authorizer.claims.sub',
            authorizerError: '$context.authorizer.error',
          }),
        ),
      },
    });
    const cfnStage = stage.node.defaultChild as apigwv2.CfnStage;
    // Public routes (no token) are reachable by anyone, so they get much less (R-BUY-2). RouteSettings is raw
    // CloudFormation JSON, hence the API's own member names.
    const publicThrottle = { ThrottlingRateLimit: PUBLIC_ROUTE_THROTTLE.ratePerSecond, ThrottlingBurstLimit: PUBLIC_ROUTE_THROTTLE.burst };
    cfnStage.routeSettings = Object.fromEntries(routes.publicRouteKeys.map((key) => [key, publicThrottle]));
    // Route settings name routes by key: the routes must exist before the stage refers to them.
    stage.node.addDependency(routes);

    const alarms = new OpsAlarms(this, 'Alarms', { alarmEmail: config.alarmEmail });
    for (const { group, handler } of served) {
      alarms.alarmOnAny(`${group.name}-errors`, handler.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }), `${config.tenant}: the ${group.name} function failed`);
    }
    alarms.alarmOnAny('api-5xx', httpApi.metricServerError({ period: ALARM_PERIOD, statistic: 'Sum' }), `${config.tenant}: the API answered 5xx`);

    // R-EVT-1..3: the bus, the outbox publisher on the table stream, and one rule and function per consumer.
    new DomainEvents(this, 'Events', {
      tenant: config.tenant,
      table: data,
      alarms,
      publisherEntry: eventsEntry('publisher'),
      consumers,
      consumerEntry: (consumer) => eventsEntry(consumer.name),
      environment: { STACK_TIMEZONE: config.timezone, DEFAULT_CURRENCY: config.defaultCurrency },
    });

    const mailFrom = config.mailFrom ?? defaultMailFrom(config.tenant);
    // The sender's domain (DKIM records in the outputs of the identity): any address of it may send.
    const mailIdentity = new ses.EmailIdentity(this, 'MailIdentity', { identity: ses.Identity.domain(mailFrom.split('@')[1]!) });
    for (const job of scheduledJobs) {
      this.scheduledJob(job, config, { data, cursorSecret, mailIdentity, alarms, mailFrom });
    }

    new CfnOutput(this, 'ApiUrl', { value: stage.url });
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
    { data, cursorSecret, users, apiUrl }: { data: CrmTable; cursorSecret: secretsmanager.Secret; users: TenantUserPool; apiUrl: string },
  ) {
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
      },
    });
    grantAccess(handler, access, { table: data, cursorSecret, users });
    return handler;
  }
}
