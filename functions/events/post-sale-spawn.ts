import { spawnProcessOnWin } from '../../shared/db/post-sale-processes.ts';
import { defineConsumer } from '../../shared/events/consumer.ts';
import { logger } from '../../shared/logger.ts';
import { consumerHandler } from './consumer-handler.ts';

/**
 * R-PS-2 a process on won: when the winner's preference asked for one, the won event carries its id and template
 * (`postSale: { kind: 'create' }`); the process is created with that id from that template (else the default one;
 * with no template at all, none, and a log line). A redelivered or late event creates nothing: the opportunity must
 * still be won, and its guard and the fixed id refuse a second process.
 */
export const postSaleSpawn = defineConsumer({
  name: 'post-sale-spawn',
  description: 'creates the post-sale process a won opportunity asked for (R-PS-2)',
  events: ['opportunity.won'],
  access: {
    // The opportunity, its guard, the settings, the template and the default pointer (Get); the process, its
    // guard, its index items and its event in one transaction (Put).
    items: ['GetItem', 'PutItem'],
    queryIndexes: [],
  },
  async handle(event, ctx) {
    const { opportunityId, postSale } = event.detail.data;
    if (postSale.kind !== 'create') return;
    const outcome = await spawnProcessOnWin(ctx, { opportunityId, processId: postSale.processId, templateId: postSale.templateId, actorId: event.detail.actorId });
    logger.info('Post-sale process on won', { opportunityId, processId: postSale.processId, outcome });
  },
});

export const handler = consumerHandler(postSaleSpawn);
