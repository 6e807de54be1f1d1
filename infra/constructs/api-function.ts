import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface ApiFunctionProps {
  /** The TypeScript module that exports `handler`. */
  entry: string;
  description: string;
  environment: Record<string, string>;
}

/**
 * One Lambda function with its own log group and its own role. The role starts with nothing but writing to that
 * log group (no AWSLambdaBasicExecutionRole, which allows every log group of the account); callers grant the rest.
 */
export class ApiFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ApiFunctionProps) {
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
      runtime: lambda.Runtime.NODEJS_20_X,
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
        target: 'node20',
        mainFields: ['module', 'main'],
        // Some dependencies still call require(); an ESM bundle has none unless it makes one.
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        // The Node 20 runtime ships the AWS SDK v3: leaving it out keeps every bundle under 250 KB (npm run bench
        // measures both ways); the SDK's wire protocol is stable across the minor versions involved.
        externalModules: ['@aws-sdk/*'],
      },
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node.js 20 is the project runtime (package.json engines, tsconfig, bundling target node20); moving up is a deliberate upgrade.',
    });
  }
}
