import { defineContracts } from '../http/contract.ts';
import { EVERYONE } from '../domain/principal.ts';
import { idParams, pageOf } from '../schemas/common.ts';
import { createOpportunityBody, opportunity, opportunityListQuery, updateOpportunityBody } from '../schemas/opportunities.ts';

export const opportunityContracts = defineContracts({
  listOpportunities: {
    method: 'GET',
    path: '/opportunities',
    summary: 'List opportunities (open and active unless filtered; one status per request)',
    roles: EVERYONE,
    query: opportunityListQuery,
    response: pageOf(opportunity),
  },
  getOpportunity: {
    method: 'GET',
    path: '/opportunities/{id}',
    summary: 'Read an opportunity',
    roles: EVERYONE,
    params: idParams,
    response: opportunity,
  },
  createOpportunity: {
    method: 'POST',
    path: '/opportunities',
    summary: 'Create an opportunity (in the default stage unless one is given)',
    roles: EVERYONE,
    body: createOpportunityBody,
    response: opportunity,
    successStatus: 201,
    statuses: [403, 409],
  },
  updateOpportunity: {
    method: 'PATCH',
    path: '/opportunities/{id}',
    summary: 'Change an opportunity; reassigning it is a change of ownerId; probability 0 on an archived open one marks it lost',
    roles: EVERYONE,
    params: idParams,
    body: updateOpportunityBody,
    response: opportunity,
    statuses: [403, 409, 412],
  },
  deleteOpportunity: {
    method: 'DELETE',
    path: '/opportunities/{id}',
    summary: 'Delete an opportunity',
    roles: EVERYONE,
    params: idParams,
    successStatus: 204,
    statuses: [403, 412],
  },
});
