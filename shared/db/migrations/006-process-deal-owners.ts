import type { PostSaleProcess } from '../../schemas/post-sale.ts';
import { postSaleProcessModel } from '../keys.ts';
import { viewerItem } from '../post-sale-items.ts';
import type { Item, Migration } from './types.ts';

/**
 * 5 → 6. Since this migration the owner of a deal sees its post-sale process even when the process is assigned to
 * someone else (R-PS-6, `processViewers`); processes written before list it only for their owner and assignees.
 * Each process assigned away from its deal's owner gets the item that lists it for that owner. A process changed by
 * the running code meanwhile is safe: its writer puts the same item, and listings check each process they read.
 */
export const processDealOwners: Migration = {
  id: 6,
  name: 'process-deal-owners',
  description: "post-sale processes assigned to someone else are listed for their deal's owner too",
  derive: (item: Item) => {
    if (item.recordType !== postSaleProcessModel.label || item.SK !== postSaleProcessModel.key(String(item.id)).SK) return [];
    const process = item as unknown as PostSaleProcess;
    return process.ownerId === process.opportunityOwnerId ? [] : [viewerItem(process, process.opportunityOwnerId)];
  },
};
