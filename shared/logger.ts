import { Logger } from '@aws-lambda-powertools/logger';

/** Structured JSON logs; the Lambda request id is added per invocation by the middy middleware. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'pipeline-crm' });
