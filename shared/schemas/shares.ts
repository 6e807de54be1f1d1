import * as z from 'zod';
import { id } from './common.ts';

/** R-OPP-9: one user an opportunity is shared with. */
export const opportunityShare = z
  .object({
    opportunityId: id,
    userId: id,
    sharedAt: z.iso.datetime(),
    sharedBy: id,
  })
  .meta({ id: 'OpportunityShare' });
export type OpportunityShare = z.infer<typeof opportunityShare>;

export const shareOpportunityBody = z.strictObject({ userId: id }).meta({ id: 'ShareOpportunityBody' });

export const shareParams = z.strictObject({ id, userId: id });
