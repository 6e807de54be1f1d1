import { removeEntries } from '../../shared/db/opportunity-entries.ts';
import { defineConsumer } from '../../shared/events/consumer.ts';
import { consumerHandler } from './consumer-handler.ts';

/**
 * R-OPP-10 after a deletion: the opportunity's history entries and notes, and those of the opportunities merged
 * into it (R-OPP-8 keeps them in their own partitions), are removed, so a deleted deal leaves nothing behind to
 * read. Deleting what is already gone is a no-op, so a redelivery is harmless. Its shares are the sharing rules'.
 */
export const opportunityCleanup = defineConsumer({
  name: 'opportunity-cleanup',
  description: "removes a deleted opportunity's history and notes (R-OPP-10)",
  events: ['opportunity.deleted'],
  access: {
    // The entries of each partition (Query on the table), then one DeleteItem each.
    items: ['Query', 'DeleteItem'],
    queryIndexes: [],
  },
  async handle(event, ctx) {
    const { opportunityId, mergedIds } = event.detail.data;
    await removeEntries(ctx, [opportunityId, ...mergedIds]);
  },
});

export const handler = consumerHandler(opportunityCleanup);
