import type { LeadSource } from '../domain/leads.ts';
import type { QueryPlan } from '../domain/list-plan.ts';
import type { OpportunitySource } from '../domain/opportunities.ts';
import type { PartySource } from '../domain/parties.ts';
import { companies, contacts, leads, opportunities } from './access-patterns.ts';
import { filterExpression } from './filter-builder.ts';
import type { FilterExpression } from './store.ts';
import type { IndexPartition } from './table-definition.ts';

/**
 * The domain's list plans (shared/domain/list-plan.ts) as Queries: each source named by a planner is an access
 * pattern (an index partition), its conditions the FilterExpression on that Query.
 */

/** An index partition with the filter its Query applies. */
export interface IndexQuery extends IndexPartition {
  filter?: FilterExpression;
}

function opportunitySource(by: OpportunitySource): IndexPartition {
  switch (by.pattern) {
    case 'withStatus':
      return opportunities.withStatus(by.status);
    case 'ownedBy':
      return opportunities.ownedBy(by.ownerId, by.status);
    case 'ofContact':
      return opportunities.ofContact(by.contactId);
    case 'ofCompany':
      return opportunities.ofCompany(by.companyId);
    case 'inStage':
      return opportunities.inStage(by.stageId);
  }
}

function partySource(by: PartySource): IndexPartition {
  if (by.pattern === 'employeesOf') return contacts.employeesOf(by.companyId);
  const patterns = by.collection === 'contacts' ? contacts : companies;
  switch (by.pattern) {
    case 'all':
      return patterns.all();
    case 'ownedBy':
      return patterns.ownedBy(by.ownerId);
    case 'withProspectStatus':
      return patterns.withProspectStatus(by.status);
    case 'withCustomerStatus':
      return patterns.withCustomerStatus(by.status);
  }
}

function leadSource(by: LeadSource): IndexPartition {
  switch (by.pattern) {
    case 'all':
      return leads.all(by.lost);
    case 'ownedBy':
      return leads.ownedBy(by.ownerId, by.lost);
    case 'withStatus':
      return leads.withStatus(by.statusId);
  }
}

function indexQuery<Source>(plan: QueryPlan<Source>, sourceOf: (by: Source) => IndexPartition): IndexQuery {
  const filter = filterExpression(plan.filters);
  return { ...sourceOf(plan.by), ...(filter ? { filter } : {}) };
}

/** One Query per source of the plan (one per status asked for, where the status is part of the source). */
export const opportunityQueries = (plan: QueryPlan<readonly OpportunitySource[]>): IndexQuery[] =>
  plan.by.map((by) => indexQuery({ ...plan, by }, opportunitySource));
export const partyQuery = (plan: QueryPlan<PartySource>) => indexQuery(plan, partySource);
export const leadQuery = (plan: QueryPlan<LeadSource>) => indexQuery(plan, leadSource);
