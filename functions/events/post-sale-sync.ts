import { followOpportunityOwner, removeProcessOfOpportunity } from '../../shared/db/post-sale-processes.ts';
import { defineConsumer } from '../../shared/events/consumer.ts';
import { logger } from '../../shared/logger.ts';
import { consumerHandler } from './consumer-handler.ts';

/**
 * Keeps a post-sale process in step with its opportunity: a process nobody is assigned follows the opportunity's new
 * owner (R-PS-2); an opportunity deleted, or merged away into another, takes its process with it, and with the
 * process the sight its assignees had of the deal's contact and company (R-PS-6, R-SHR-1). Redelivery finds the
 * work done.
 */
export const postSaleSync = defineConsumer({
  name: 'post-sale-sync',
  description: 'keeps post-sale processes in step with their opportunity: owner, deletion, merge (R-PS-2, R-PS-6)',
  events: ['opportunity.reassigned', 'opportunity.deleted', 'opportunity.merged'],
  access: {
    // The opportunity's guard and its process (Get); one transaction changes or deletes the process with its guard,
    // its index items and its grants (Put, Update, Delete, ConditionCheck).
    items: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'],
    queryIndexes: [],
  },
  async handle(event, ctx) {
    const actorId = event.detail.actorId ?? event.detail.data.ownerId;
    if (event.type === 'opportunity.reassigned') {
      await followOpportunityOwner(ctx, event.detail.data.opportunityId, event.detail.data.ownerId, actorId);
      return;
    }
    const gone = event.type === 'opportunity.merged' ? event.detail.data.mergedIds : [event.detail.data.opportunityId];
    for (const opportunityId of gone) {
      const outcome = await removeProcessOfOpportunity(ctx, opportunityId, actorId);
      if (outcome === 'removed') logger.info('Post-sale process removed with its opportunity', { opportunityId });
    }
  },
});

export const handler = consumerHandler(postSaleSync);
