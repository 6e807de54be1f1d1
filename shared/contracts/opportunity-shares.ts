import * as z from 'zod';
import { defineContracts } from '../http/contract.ts';
import { EVERYONE } from '../domain/principal.ts';
import { idParams, pageOf, pageQuery } from '../schemas/common.ts';
import { opportunityShare, shareOpportunityBody, shareParams } from '../schemas/shares.ts';

export const opportunityShareContracts = defineContracts({
  listOpportunityShares: {
    method: 'GET',
    path: '/opportunities/{id}/shares',
    summary: 'The users an opportunity is shared with',
    roles: EVERYONE,
    params: idParams,
    query: z.strictObject(pageQuery),
    response: pageOf(opportunityShare),
  },
  shareOpportunity: {
    method: 'POST',
    path: '/opportunities/{id}/shares',
    summary: 'Share an opportunity with an active user (its contact and company too with shareContactWhenShared); sharing it again is a no-op',
    roles: EVERYONE,
    params: idParams,
    body: shareOpportunityBody,
    response: opportunityShare,
    successStatus: 201,
    otherSuccess: [200],
    statuses: [403],
  },
  unshareOpportunity: {
    method: 'DELETE',
    path: '/opportunities/{id}/shares/{userId}',
    summary: 'Stop sharing an opportunity with a user (and its contact and company, with unshareContactWhenUnshared, once the user sees none of their opportunities)',
    roles: EVERYONE,
    params: shareParams,
    successStatus: 204,
    statuses: [403],
  },
});
