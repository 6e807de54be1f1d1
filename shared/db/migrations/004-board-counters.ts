import type { AppContext } from '../../app-context.ts';
import { backfillBoardCounters } from '../board-totals.ts';
import type { Migration } from './types.ts';

/**
 * 3 → 4. Since the pipeline board totals (R-OPP-11, issue 16) the board-totals consumer keeps per-stage counters
 * from opportunity events; open opportunities written before were never counted. Each is counted from its current
 * state, unless the consumer already did (its contribution item's version): running it twice changes nothing.
 */
export const boardCounters: Migration = {
  id: 4,
  name: 'board-counters',
  description: 'open opportunities written before the board totals (issue 16) are counted',
  afterScan: async (ctx: AppContext) => {
    await backfillBoardCounters(ctx);
  },
};
