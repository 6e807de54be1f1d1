import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

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
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(10),
      role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        format: OutputFormat.ESM,
        minify: true,
        sourceMap: true,
        target: 'node24',
        mainFields: ['module', 'main'],
        // Some dependencies still call require(); an ESM bundle has none unless it makes one.
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        // The Node 24 runtime ships the AWS SDK v3: leaving it out keeps every bundle under 250 KB (npm run bench
        // measures both ways); the SDK's wire protocol is stable across the minor versions involved.
        externalModules: ['@aws-sdk/*'],
      },
    });
  }
}
