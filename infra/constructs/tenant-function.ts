import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { bundleDirOf } from '../bundles.ts';

/** What X-Ray active tracing needs (what `tracing: Tracing.ACTIVE` would add to the default policy). */
export const XRAY_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'] as const;

export interface TenantFunctionProps {
  /** The TypeScript module that exports `handler`. */
  entry: string;
  description: string;
  environment: Record<string, string>;
}

/**
 * One Lambda function of the tenant (a route group, the publisher, a consumer or a job) with its own log group and
 * its own role. The role starts with nothing but writing to that log group (no AWSLambdaBasicExecutionRole, which
 * allows every log group of the account); callers grant the rest (grant-access.ts).
 */
export class TenantFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: TenantFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    this.logGroup.grantWrite(role);

    this.function = new NodejsFunction(this, 'Function', {
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(10),
      role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      // Powertools Tracer copies no response (API bodies, reports) into traces.
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false' },
      // Built once per synth for every tenant (infra/bundles.ts), not by each function of each stack.
      code: lambda.Code.fromAsset(bundleDirOf(props.entry)),
      handler: 'index.handler',
    });
    // X-Ray active tracing: Lambda traces every invocation; the handlers add Powertools Tracer's handler subsegment,
    // annotated with route and tenant (shared/metrics.ts `observed`). Its two actions take no resource but `*`, so they sit in a policy of their own: the
    // acknowledged wildcard covers them and nothing else (the grants stay in the default policy, checked by cdk-nag).
    (this.function.node.defaultChild as lambda.CfnFunction).tracingConfig = { mode: lambda.Tracing.ACTIVE };
    const tracing = new iam.Policy(this, 'Tracing', {
      roles: [role],
      statements: [new iam.PolicyStatement({ actions: [...XRAY_ACTIONS], resources: ['*'] })],
    });
    Validations.of(tracing).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permission: `*` is the only resource they accept.',
    });
  }
}
