import { recountOpportunity } from '../../shared/db/board-totals.ts';
import { OPPORTUNITY_EVENT_TYPES } from '../../shared/events/catalogue.ts';
import { defineConsumer } from '../../shared/events/consumer.ts';
import { consumerHandler } from './consumer-handler.ts';

/**
 * R-OPP-11: keeps the pipeline board's counters (shared/db/board-totals.ts) from every opportunity event. Each event
 * only names which opportunities to look at (a merge: the survivor and the ones merged away); what they add to the
 * board is read from the records as they are now, so a replayed, late or reordered event changes nothing.
 */
export const boardTotals = defineConsumer({
  name: 'board-totals',
  description: 'keeps the pipeline board counters per stage and currency (R-OPP-11)',
  events: OPPORTUNITY_EVENT_TYPES,
  access: {
    // The opportunity and its stored contribution (GetItem); the contribution (PutItem) and the counters (UpdateItem) in one transaction.
    items: ['GetItem', 'PutItem', 'UpdateItem'],
    queryIndexes: [],
  },
  async handle(event, ctx) {
    const ids = [event.detail.data.opportunityId, ...(event.type === 'opportunity.merged' ? event.detail.data.mergedIds : [])];
    for (const id of new Set(ids)) await recountOpportunity(ctx, id);
  },
});

export const handler = consumerHandler(boardTotals);
