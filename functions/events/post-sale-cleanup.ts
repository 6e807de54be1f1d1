import { removeProcessOfOpportunity } from '../../shared/db/post-sale-processes.ts';
import { defineConsumer } from '../../shared/events/consumer.ts';
import { logger } from '../../shared/logger.ts';
import { consumerHandler } from './consumer-handler.ts';

/**
 * R-PS-6 / R-SHR-1: an opportunity deleted, or merged away into another, takes its post-sale process with it, and
 * with the process the sight its assignees had of the deal's contact and company. Redelivery finds nothing left.
 */
export const postSaleCleanup = defineConsumer({
  name: 'post-sale-cleanup',
  description: 'removes the post-sale process of a deleted or merged-away opportunity (R-PS-6)',
  events: ['opportunity.deleted', 'opportunity.merged'],
  access: {
    // The opportunity's guard and its process (Get); one transaction deletes the process, its guard and its index
    // items and takes back the grants (Delete, Put, Update, ConditionCheck).
    items: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'],
    queryIndexes: [],
  },
  async handle(event, ctx) {
    const gone = event.type === 'opportunity.merged' ? event.detail.data.mergedIds : [event.detail.data.opportunityId];
    const actorId = event.detail.actorId ?? event.detail.data.ownerId;
    for (const opportunityId of gone) {
      const outcome = await removeProcessOfOpportunity(ctx, opportunityId, actorId);
      if (outcome === 'removed') logger.info('Post-sale process removed with its opportunity', { opportunityId });
    }
  },
});

export const handler = consumerHandler(postSaleCleanup);
