import type { AppContext } from '../app-context.ts';
import {
  companyOpportunities,
  deriveStatuses,
  sameStatuses,
  withFreshOpportunities,
  type ManualPast,
  type Membership,
  type OpportunityFacts,
} from '../domain/statuses.ts';
import type { Company, Contact } from '../schemas/contacts.ts';
import { contacts, opportunities } from './access-patterns.ts';
import { companyModel, contactModel, opportunityModel } from './keys.ts';
import type { EntityModel } from './records.ts';
import { batchGetAll, getRecord, indexPartitionItems, updateRecord } from './store.ts';

/**
 * Reading a party's opportunities for its statuses (R-CON-2) and writing the statuses recomputed from them.
 * Queries only: a contact's opportunities (GSI3), a company's own (GSI4) and its employees' (GSI3 twice).
 */

export type OpportunityOfParty = OpportunityFacts & Membership;

const FACTS = ['id', 'status', 'closedAt', 'contactId', 'companyId'] as const;

/** Opportunities read afresh by id (a strongly consistent read): `null` for one that no longer exists. */
export type FreshOpportunities = ReadonlyMap<string, OpportunityOfParty | null>;

export const contactOpportunities = (ctx: AppContext, contactId: string) => indexPartitionItems<OpportunityOfParty>(ctx, opportunities.ofContact(contactId), FACTS);

export const employeeIdsOf = async (ctx: AppContext, companyId: string) =>
  (await indexPartitionItems<{ id: string }>(ctx, contacts.employeesOf(companyId), ['id'])).map((employee) => employee.id);

/** Contacts read from the table itself, whose employer the employees index may not show yet. */
export type FreshEmployers = readonly { contactId: string; companyId: string | null }[];

/**
 * The company's own opportunities and its employees' (R-CON-2), with the ids of those employees; `freshEmployers`
 * correct the employees index where it lags behind a contact's move.
 */
export async function companyOpportunitiesOf(
  ctx: AppContext,
  companyId: string,
  freshEmployers: FreshEmployers = [],
): Promise<{ opportunities: OpportunityOfParty[]; employeeIds: Set<string> }> {
  const [own, listedEmployeeIds] = await Promise.all([indexPartitionItems<OpportunityOfParty>(ctx, opportunities.ofCompany(companyId), FACTS), employeeIdsOf(ctx, companyId)]);
  const employees = new Set(listedEmployeeIds);
  for (const fresh of freshEmployers) {
    if (fresh.companyId === companyId) employees.add(fresh.contactId);
    else employees.delete(fresh.contactId);
  }
  const employeeIds = [...employees];
  const ofEmployees: OpportunityOfParty[][] = [];
  for (let start = 0; start < employeeIds.length; start += EMPLOYEE_QUERIES_AT_ONCE) {
    const some = employeeIds.slice(start, start + EMPLOYEE_QUERIES_AT_ONCE);
    ofEmployees.push(...(await Promise.all(some.map((employeeId) => contactOpportunities(ctx, employeeId)))));
  }
  return { opportunities: companyOpportunities(own, ofEmployees), employeeIds: new Set(employeeIds) };
}

/** Queries of a company's employees' opportunities in flight at once. */
const EMPLOYEE_QUERIES_AT_ONCE = 10;

/** Reads opportunities by id, strongly consistent: the ones the triggering event names, whatever the indexes show yet. */
export async function freshOpportunities(ctx: AppContext, ids: readonly string[]): Promise<FreshOpportunities> {
  const found = new Map<string, OpportunityOfParty | null>(ids.map((id) => [id, null]));
  const items = await batchGetAll(ctx, ids.map((id) => opportunityModel.key(id)), { consistent: true, attributes: FACTS });
  for (const item of items) found.set(String(item.id), item as unknown as OpportunityOfParty);
  return found;
}

type Party = (Contact | Company) & ManualPast;

/** Where these contacts work now, read from the contacts themselves (nowhere once deleted). */
export const currentEmployers = (ctx: AppContext, contactIds: readonly string[]): Promise<FreshEmployers> =>
  Promise.all(contactIds.map(async (contactId) => ({ contactId, companyId: (await getRecord(ctx, contactModel, contactId))?.companyId ?? null })));

/** The event's opportunities as they are now (read again by id): the first round has them from the event's delivery. */
const freshAgain = (ctx: AppContext, fresh: FreshOpportunities, round: number): Promise<FreshOpportunities> =>
  round === 0 || fresh.size === 0 ? Promise.resolve(fresh) : freshOpportunities(ctx, [...fresh.keys()]);

/** Rounds of read, derive and write before a delivery gives up (its retry starts over). */
const STATUS_ROUNDS = 3;

/**
 * Writes the statuses derived from the party's opportunities when they differ from the stored ones (no write, no
 * new version otherwise). The derivation reads the manual `past` of the record being written, so a concurrent
 * manual change is never overwritten with a stale one (updateRecord retries on a version race). A party that no
 * longer exists has no statuses to keep; one deleted between the read and the write fails the event's delivery,
 * whose redelivery reads it gone.
 *
 * Recomputations of one party run at the same time (in AWS each event is an invocation of its own): one that read
 * the opportunities before a change and writes after the change's own recomputation would leave the statuses of
 * the older state. So a round that wrote reads again (`read(round)`: the indexes and the event's records afresh)
 * and writes again if that derives otherwise: every write is followed by a read that agrees with it.
 */
async function writeDerivedStatuses<T extends Party>(
  ctx: AppContext,
  model: EntityModel<T>,
  id: string,
  read: (round: number) => Promise<readonly OpportunityFacts[]>,
): Promise<boolean> {
  for (let round = 0; round < STATUS_ROUNDS; round++) {
    const opportunities = await read(round);
    const stored = await getRecord(ctx, model, id);
    if (!stored || sameStatuses(stored, deriveStatuses(opportunities, stored))) return round > 0;
    await updateRecord(ctx, model, id, (current) => ({ ...current, ...deriveStatuses(opportunities, current) }));
  }
  throw new Error(`The opportunities of ${model.label} ${id} kept changing over ${STATUS_ROUNDS} recomputations of its statuses`);
}

/** R-CON-2 for one contact; `fresh` are opportunities read afresh (the event's), trusted over the index. */
export function recomputeContactStatuses(ctx: AppContext, contactId: string, fresh: FreshOpportunities = new Map()): Promise<boolean> {
  return writeDerivedStatuses(ctx, contactModel, contactId, async (round) => {
    const [listed, current] = await Promise.all([contactOpportunities(ctx, contactId), freshAgain(ctx, fresh, round)]);
    return withFreshOpportunities(listed, current, (opportunity) => opportunity.contactId === contactId);
  });
}

/** R-CON-2 for one company: over its own opportunities and those of its employees. */
export function recomputeCompanyStatuses(
  ctx: AppContext,
  companyId: string,
  fresh: FreshOpportunities = new Map(),
  freshEmployers: FreshEmployers = [],
): Promise<boolean> {
  return writeDerivedStatuses(ctx, companyModel, companyId, async (round) => {
    const [current, employers] = await Promise.all([
      freshAgain(ctx, fresh, round),
      round === 0 ? freshEmployers : currentEmployers(ctx, freshEmployers.map((employer) => employer.contactId)),
    ]);
    const { opportunities: listed, employeeIds } = await companyOpportunitiesOf(ctx, companyId, employers);
    const belongs = (opportunity: OpportunityOfParty) =>
      opportunity.companyId === companyId || (opportunity.contactId !== null && employeeIds.has(opportunity.contactId));
    return withFreshOpportunities(listed, current, belongs);
  });
}
