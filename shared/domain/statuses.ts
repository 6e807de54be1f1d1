import type { CustomerStatus, ProspectStatus } from '../schemas/contacts.ts';
import type { Opportunity } from '../schemas/opportunities.ts';
import { conflict, type DomainError } from './errors.ts';

/**
 * Contact and company statuses (R-CON-2, R-CON-3), without I/O. They are derived from the party's
 * opportunities every time (never incremented), so a replayed or reordered event recomputes the same result.
 */

/** What the derivation reads of an opportunity. */
export type OpportunityFacts = Pick<Opportunity, 'id' | 'status' | 'closedAt'>;

export interface PartyStatuses {
  prospectStatus: ProspectStatus;
  customerStatus: CustomerStatus;
}

/**
 * Stored with a contact or company, never answered: when `past` customer was last set by hand (R-CON-3). Only a
 * win closed after it makes the party a `current` customer again.
 */
export interface ManualPast {
  customerPastSetAt?: string | null | undefined;
}

/** Open → `current`; else any won → `none`; else any lost → `lost`; no opportunity → `none`. */
export function prospectStatusOf(opportunities: readonly OpportunityFacts[]): ProspectStatus {
  if (opportunities.some((opportunity) => opportunity.status === 'open')) return 'current';
  if (opportunities.some((opportunity) => opportunity.status === 'won')) return 'none';
  if (opportunities.some((opportunity) => opportunity.status === 'lost')) return 'lost';
  return 'none';
}

/** A win closed after the last manual `past` (or any win without one) → `current`; a manual `past` → `past`; else `none`. */
export function customerStatusOf(opportunities: readonly OpportunityFacts[], customerPastSetAt: string | null | undefined): CustomerStatus {
  const past = customerPastSetAt ? Date.parse(customerPastSetAt) : undefined;
  const wonSincePast = opportunities.some(
    (opportunity) =>
      opportunity.status === 'won' && (past === undefined || (opportunity.closedAt !== null && Date.parse(opportunity.closedAt) > past)),
  );
  if (wonSincePast) return 'current';
  return past === undefined ? 'none' : 'past';
}

export function deriveStatuses(opportunities: readonly OpportunityFacts[], manual: ManualPast): PartyStatuses {
  return { prospectStatus: prospectStatusOf(opportunities), customerStatus: customerStatusOf(opportunities, manual.customerPastSetAt) };
}

export const sameStatuses = (a: PartyStatuses, b: PartyStatuses) => a.prospectStatus === b.prospectStatus && a.customerStatus === b.customerStatus;

/**
 * A company's opportunities (R-CON-2): its own (`companyId`) and those whose primary contact is one of its
 * employees, each counted once.
 */
export function companyOpportunities<T extends OpportunityFacts>(own: readonly T[], ofEmployees: readonly (readonly T[])[]): T[] {
  const byId = new Map<string, T>();
  for (const opportunity of [...own, ...ofEmployees.flat()]) byId.set(opportunity.id, opportunity);
  return [...byId.values()];
}

/** Where an opportunity belongs: the contact it names, and the company it names or the contact's employer. */
export interface Membership {
  contactId: string | null;
  companyId: string | null;
}

/**
 * The party's opportunities as an index lists them, corrected by those read afresh: a fresh record replaces
 * its listed copy, joins the set if it belongs to the party (`belongs`) and leaves it if it no longer does; a
 * record known to be gone (`null`) leaves it. An index is updated shortly after its table, so the opportunity
 * whose event triggered the recompute is always read afresh.
 */
export function withFreshOpportunities<T extends OpportunityFacts & Membership>(
  listed: readonly T[],
  fresh: ReadonlyMap<string, T | null>,
  belongs: (opportunity: T) => boolean,
): T[] {
  const result = listed.filter((opportunity) => !fresh.has(opportunity.id));
  for (const opportunity of fresh.values()) {
    if (opportunity && belongs(opportunity)) result.push(opportunity);
  }
  return result;
}

export type StatusChange = Partial<PartyStatuses>;

/**
 * R-CON-3: a party with an open opportunity cannot become a `none` or `lost` prospect; one with a won
 * opportunity cannot become a `lost` prospect (409 `status_not_allowed`). Customer statuses have no restriction.
 */
export function manualStatusRefusal(opportunities: readonly OpportunityFacts[], change: StatusChange, label: string): DomainError | undefined {
  const wanted = change.prospectStatus;
  if (wanted === undefined || wanted === 'current') return undefined;
  if (opportunities.some((opportunity) => opportunity.status === 'open')) {
    return conflict('status_not_allowed', `A ${label} with an open opportunity cannot be set to a ${wanted} prospect`, { field: 'prospectStatus' });
  }
  if (wanted === 'lost' && opportunities.some((opportunity) => opportunity.status === 'won')) {
    return conflict('status_not_allowed', `A ${label} with a won opportunity cannot be set to a lost prospect`, { field: 'prospectStatus' });
  }
  return undefined;
}

/**
 * A status set by hand. It holds until the party's opportunities change and R-CON-2 recomputes the statuses;
 * `past` is remembered (as of `now`) so that only a later win makes the party a current customer again, and
 * setting `current` or `none` by hand forgets it.
 */
export function withManualStatus<T extends PartyStatuses & ManualPast>(party: T, change: StatusChange, now: string): T {
  const next: T = { ...party, ...definedOnly(change) };
  if (change.customerStatus === 'past') return { ...next, customerPastSetAt: now };
  if (change.customerStatus !== undefined) return { ...next, customerPastSetAt: null };
  return next;
}

const definedOnly = (change: StatusChange): StatusChange =>
  Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined)) as StatusChange;
