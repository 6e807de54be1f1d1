import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { appContext } from '../../shared/app-context.ts';
import { consumeBusEvent, type BusEvent, type Consumer, type Consumption } from '../../shared/events/consumer.ts';
import { logger } from '../../shared/logger.ts';
import { observed } from '../../shared/metrics.ts';

/**
 * The Lambda of one consumer, target of its EventBridge rule (invoked asynchronously: a thrown error is
 * retried by Lambda, then the event goes to the consumer's dead-letter queue).
 */
export function consumerHandler(consumer: Consumer) {
  return middy<BusEvent, Consumption, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(observed({ consumer: consumer.name }))
    .handler(async (delivered) => {
      const outcome = await consumeBusEvent(appContext(), consumer, delivered);
      logger.info('Event consumed', { consumer: consumer.name, type: delivered['detail-type'], outcome });
      return outcome;
    });
}
