import * as z from 'zod';
import { defineContracts } from '../http/contract.ts';
import { EVERYONE } from '../domain/principal.ts';
import { idParams, pageOf } from '../schemas/common.ts';
import { boardSummary, boardSummaryQuery, expandQuery, idListQuery, OPPORTUNITY_RELATIONS } from '../schemas/expand.ts';
import { createOpportunityBody, expandedOpportunity, opportunity, opportunityListQuery, updateOpportunityBody } from '../schemas/opportunities.ts';

const expand = expandQuery(OPPORTUNITY_RELATIONS);

export const opportunityContracts = defineContracts({
  listOpportunities: {
    method: 'GET',
    path: '/opportunities',
    summary: 'List opportunities (open and active unless filtered; status=won,lost lists both, newest first); id=a,b,… reads those ids (any status); expand embeds related records',
    roles: EVERYONE,
    query: opportunityListQuery.extend({ id: idListQuery, expand }),
    response: pageOf(expandedOpportunity),
  },
  /** R-OPP-11; declared before `/opportunities/{id}` (a literal segment wins there, as in API Gateway). */
  getOpportunitySummary: {
    method: 'GET',
    path: '/opportunities/summary',
    summary: 'Pipeline board totals: per stage in pipeline order, the count and per-currency total and weighted total of the open, active opportunities the caller may see',
    roles: EVERYONE,
    query: boardSummaryQuery,
    response: boardSummary,
  },
  getOpportunity: {
    method: 'GET',
    path: '/opportunities/{id}',
    summary: 'Read an opportunity (expand embeds related records)',
    roles: EVERYONE,
    params: idParams,
    query: z.strictObject({ expand }),
    response: expandedOpportunity,
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
