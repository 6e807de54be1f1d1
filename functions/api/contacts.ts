import type * as z from 'zod';
import type { AppContext } from '../../shared/app-context.ts';
import { contactContracts } from '../../shared/contracts/contacts.ts';
import { contacts, opportunities } from '../../shared/db/access-patterns.ts';
import { expandPage, expandRecords, readByIds } from '../../shared/db/expand.ts';
import { type Aggregate, createAggregate, removeUnlessUsed, transition } from '../../shared/db/aggregate-writer.ts';
import { companyModel, contactModel, opportunityModel } from '../../shared/db/keys.ts';
import { partyQuery } from '../../shared/db/list-queries.ts';
import { companyAggregate, contactAggregate } from '../../shared/db/party-writes.ts';
import { customFieldDefinitions } from '../../shared/db/pipeline-config.ts';
import type { EntityModel } from '../../shared/db/records.ts';
import { companyErrors, ownerErrors } from '../../shared/db/references.ts';
import { isSearch, searchPage } from '../../shared/db/search.ts';
import { listOwnAndShared, previousOwnerKeepsSight, removeSharesOf } from '../../shared/db/shares.ts';
import { queryShownPage, requireShownRecord, shownRecords } from '../../shared/db/shown-records.ts';
import { companyOpportunitiesOf, contactOpportunities } from '../../shared/db/statuses.ts';
import { newRecord, type Page, partitionHasItems } from '../../shared/db/store.ts';
import { canManageShared, canSeeCompany, canSeeContact, canWorkShared } from '../../shared/db/visibility.ts';
import { seesEverything } from '../../shared/domain/access.ts';
import { applyCustomFields, withVisibleCustomFields } from '../../shared/domain/custom-fields.ts';
import { conflict, forbidden, throwIfInvalid } from '../../shared/domain/errors.ts';
import { type CompanyInput, type ContactFilters, type ContactInput, contactNameErrors, matchesPartyFilters, mayCreateFor, newCompanyFields, newContactFields, type PartyListPlan, type PartySearchKeys, patchCompany, patchContact, planCompanyList, planContactList } from '../../shared/domain/parties.ts';
import type { Principal } from '../../shared/domain/principal.ts';
import { ownsOrManages } from '../../shared/domain/sharing.ts';
import { type ManualPast, manualStatusRefusal, type OpportunityFacts, type StatusChange, withManualStatus } from '../../shared/domain/statuses.ts';
import { newEvent } from '../../shared/events/outbox.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { implement } from '../../shared/http/route.ts';
import { type Company, type Contact, updateCompanyBody, updateContactBody } from '../../shared/schemas/contacts.ts';
import type { CustomFieldEntity } from '../../shared/schemas/custom-fields.ts';

/**
 * A listing of contacts or companies: staff query the plan's partition; a rep's own partition is merged with the
 * records shared with it, filtered alike (R-SHR-1/2).
 */
async function listParties<T extends Contact | Company>(
  ctx: AppContext,
  principal: Principal,
  listed: { entity: CustomFieldEntity; model: EntityModel<T>; collection: 'contacts' | 'companies'; plan: PartyListPlan; filters: ContactFilters },
  page: { limit: number; cursor?: string },
): Promise<Page<T>> {
  const { entity, plan, filters } = listed;
  // Issue 14: `q` and `tag` are served by the search index; the other filters are checked on the records it finds.
  if (isSearch(filters)) {
    const others = (record: T) => matchesPartyFilters(record as T & PartySearchKeys, { ...filters, q: undefined });
    const found = await searchPage<T>(ctx, principal, { entity: listed.collection, model: listed.model, shared: listed.collection, ownRecords: plan.kind === 'query', q: filters.q, tag: filters.tag, matches: others, scope: filters }, page);
    return shownRecords(ctx, entity, found);
  }
  const own = plan.kind === 'query' ? partyQuery(plan) : null;
  if (seesEverything(principal)) {
    if (!own) return { items: [], nextCursor: null };
    return queryShownPage<T>(ctx, entity, { ...own, ...page });
  }
  // Stored records carry their search keys (`newContactFields`, `newCompanyFields`).
  const matches = (record: T) => matchesPartyFilters(record as T & PartySearchKeys, filters);
  return shownRecords(ctx, entity, await listOwnAndShared(ctx, principal, { model: listed.model, collection: listed.collection, own: own ? [own] : [], matches, scope: filters }, page));
}

/** R-SHR-1: a rep that sees a contact or company only through a share works on it but does not give it away (403). */
function refuseHandOverByShare(principal: Principal, current: { ownerId: string }, reassigned: boolean): void {
  if (reassigned && !ownsOrManages(principal, current)) throw forbidden('Only the owner, a manager or an admin may reassign it');
}

/** The owner of a new record: the caller unless named; a rep may name only itself (403). */
function ownerOfNew(principal: Principal, requested: string | undefined): string {
  const ownerId = requested ?? principal.userId;
  if (!mayCreateFor(principal, ownerId)) throw forbidden('A rep creates records only for itself');
  return ownerId;
}

async function createContact(ctx: AppContext, principal: Principal, body: ContactInput): Promise<Contact> {
  const ownerId = ownerOfNew(principal, body.ownerId);
  // A new record holds only the values given, all checked against the definitions: none given, none to read.
  const definitions = body.customFields ? await customFieldDefinitions(ctx, 'contact') : [];
  const customFields = applyCustomFields({}, body.customFields ?? {}, definitions);
  const [owner, employer] = await Promise.all([
    body.ownerId ? ownerErrors(ctx, body.ownerId) : [],
    body.companyId ? companyErrors(ctx, body.companyId, canWorkShared(ctx, principal, 'companies')) : [],
  ]);
  throwIfInvalid([...owner, ...employer, ...customFields.errors]);
  const record = newRecord(ctx, newContactFields(body, ownerId, customFields.values));
  // R-CON-1: with the use of its employer (shared/db/party-writes.ts).
  await createAggregate(ctx, contactAggregate, record, principal.userId);
  return withVisibleCustomFields(record, definitions);
}

async function updateContact(
  ctx: AppContext,
  principal: Principal,
  id: string,
  { customFields: customFieldChange, ...change }: z.output<typeof updateContactBody>,
  ifMatch: number | undefined,
): Promise<Contact> {
  const definitions = await customFieldDefinitions(ctx, 'contact');
  const movesTo = (next: Contact, current: Contact) => (next.companyId && next.companyId !== current.companyId ? next.companyId : undefined);
  const updated = await transition(ctx, contactAggregate, id, { actorId: principal.userId, ifMatch, canSee: canWorkShared(ctx, principal, 'contacts') }, async (current) => {
    const customFields = applyCustomFields(current.customFields, customFieldChange ?? {}, definitions);
    const next = patchContact(current, change, customFields.values);
    const newCompanyId = movesTo(next, current);
    const reassigned = next.ownerId !== current.ownerId;
    refuseHandOverByShare(principal, current, reassigned);
    const [owner, employer] = await Promise.all([
      reassigned ? ownerErrors(ctx, next.ownerId) : [],
      newCompanyId ? companyErrors(ctx, newCompanyId, canWorkShared(ctx, principal, 'companies')) : [],
    ]);
    throwIfInvalid([...owner, ...employer, ...contactNameErrors(next), ...customFields.errors]);
    const keepsSight = reassigned ? await previousOwnerKeepsSight(ctx, { collection: 'contacts', id }, current.ownerId, principal.userId) : [];
    // R-CON-2: the company left and the one joined no longer count the same opportunities (contact-statuses recomputes both).
    const moved =
      next.companyId === current.companyId
        ? []
        : [newEvent(ctx, 'contact.moved', principal.userId, { contactId: id, companyId: next.companyId, fromCompanyId: current.companyId, ownerId: next.ownerId })];
    return { next, extra: keepsSight, events: moved };
  });
  return withVisibleCustomFields(updated, definitions);
}

async function createCompany(ctx: AppContext, principal: Principal, body: CompanyInput): Promise<Company> {
  const ownerId = ownerOfNew(principal, body.ownerId);
  // A new record holds only the values given, all checked against the definitions: none given, none to read.
  const definitions = body.customFields ? await customFieldDefinitions(ctx, 'company') : [];
  const customFields = applyCustomFields({}, body.customFields ?? {}, definitions);
  const owner = body.ownerId ? await ownerErrors(ctx, body.ownerId) : [];
  throwIfInvalid([...owner, ...customFields.errors]);
  const record = newRecord(ctx, newCompanyFields(body, ownerId, customFields.values));
  await createAggregate(ctx, companyAggregate, record, principal.userId);
  return withVisibleCustomFields(record, definitions);
}

async function updateCompany(
  ctx: AppContext,
  principal: Principal,
  id: string,
  { customFields: customFieldChange, ...change }: z.output<typeof updateCompanyBody>,
  ifMatch: number | undefined,
): Promise<Company> {
  const definitions = await customFieldDefinitions(ctx, 'company');
  const updated = await transition(ctx, companyAggregate, id, { actorId: principal.userId, ifMatch, canSee: canWorkShared(ctx, principal, 'companies') }, async (current) => {
    const customFields = applyCustomFields(current.customFields, customFieldChange ?? {}, definitions);
    const next = patchCompany(current, change, customFields.values);
    const reassigned = next.ownerId !== current.ownerId;
    refuseHandOverByShare(principal, current, reassigned);
    const owner = reassigned ? await ownerErrors(ctx, next.ownerId) : [];
    throwIfInvalid([...owner, ...customFields.errors]);
    const keepsSight = reassigned ? await previousOwnerKeepsSight(ctx, { collection: 'companies', id }, current.ownerId, principal.userId) : [];
    return { next, extra: keepsSight };
  });
  return withVisibleCustomFields(updated, definitions);
}

/**
 * R-CON-3: sets statuses by hand, refused (409 `status_not_allowed`) when the party's opportunities forbid it;
 * the check reads them inside the optimistic update, so it judges the record it writes.
 */
async function setStatus<T extends (Contact | Company) & ManualPast>(
  ctx: AppContext,
  principal: Principal,
  target: { aggregate: Aggregate<T>; entity: CustomFieldEntity; collection: 'contacts' | 'companies'; id: string; opportunities: (id: string) => Promise<OpportunityFacts[]> },
  change: StatusChange,
  ifMatch: number | undefined,
): Promise<T> {
  const label = target.entity;
  const [definitions, updated] = await Promise.all([
    customFieldDefinitions(ctx, target.entity),
    transition(ctx, target.aggregate, target.id, { actorId: principal.userId, ifMatch, canSee: canWorkShared(ctx, principal, target.collection) }, async (current) => {
      const refusal = manualStatusRefusal(await target.opportunities(current.id), change, label);
      if (refusal) throw refusal;
      return { next: withManualStatus(current, change, ctx.now().toISOString()) };
    }),
  ]);
  return withVisibleCustomFields(updated, definitions);
}

/** R-CON-1: a contact with opportunities is not deleted; its shares go with it (R-SHR-1). */
async function deleteContact(ctx: AppContext, principal: Principal, id: string, ifMatch: number | undefined): Promise<void> {
  await removeUnlessUsed(ctx, contactAggregate, id, {
    ifMatch,
    canSee: canManageShared(ctx, principal, 'contacts'),
    usedBy: [
      {
        user: opportunityModel,
        byIndex: (record) => partitionHasItems(ctx, opportunities.ofContact(record.id)),
        inUse: conflict('has_opportunities', 'The contact has opportunities; delete or move them first'),
      },
    ],
  });
  await removeSharesOf(ctx, { collection: 'contacts', id });
}

/** R-CON-1: a company with employees or opportunities is not deleted; its shares go with it (R-SHR-1). */
async function deleteCompany(ctx: AppContext, principal: Principal, id: string, ifMatch: number | undefined): Promise<void> {
  await removeUnlessUsed(ctx, companyAggregate, id, {
    ifMatch,
    canSee: canManageShared(ctx, principal, 'companies'),
    usedBy: [
      {
        user: contactModel,
        byIndex: (record) => partitionHasItems(ctx, contacts.employeesOf(record.id)),
        inUse: conflict('company_has_contacts', 'The company still has contacts; move or delete them first'),
      },
      {
        user: opportunityModel,
        byIndex: (record) => partitionHasItems(ctx, opportunities.ofCompany(record.id)),
        inUse: conflict('has_opportunities', 'The company has opportunities; delete or move them first'),
      },
    ],
  });
  await removeSharesOf(ctx, { collection: 'companies', id });
}

const companyOpportunityFacts = async (ctx: AppContext, id: string) => (await companyOpportunitiesOf(ctx, id)).opportunities;

export const contactRoutes = [
  implement(contactContracts.listContacts, async ({ ctx, principal, query: { limit, cursor, id: ids, expand, ...filters } }) => {
    const page = ids
      ? await shownRecords(ctx, 'contact', await readByIds(ctx, principal, { model: contactModel, sight: { kind: 'shared', collection: 'contacts' } }, ids, { cursor, ...filters }))
      : await listParties(ctx, principal, { entity: 'contact', model: contactModel, collection: 'contacts', plan: planContactList(principal, filters), filters }, { limit, cursor });
    return expandPage(ctx, principal, page, expand);
  }),
  implement(contactContracts.createContact, ({ ctx, principal, body }) => createContact(ctx, principal, body)),
  implement(contactContracts.getContact, async ({ ctx, principal, params, query }) => {
    const [record] = await expandRecords(ctx, principal, [await requireShownRecord(ctx, contactModel, 'contact', params.id, canSeeContact(ctx, principal))], query.expand);
    return record!;
  }),
  implement(contactContracts.updateContact, ({ ctx, principal, params, body, ifMatch }) => updateContact(ctx, principal, params.id, body, ifMatch)),
  implement(contactContracts.setContactStatus, ({ ctx, principal, params, body, ifMatch }) =>
    setStatus(ctx, principal, { aggregate: contactAggregate, entity: 'contact', collection: 'contacts', id: params.id, opportunities: (id) => contactOpportunities(ctx, id) }, body, ifMatch)),
  implement(contactContracts.deleteContact, ({ ctx, principal, params, ifMatch }) => deleteContact(ctx, principal, params.id, ifMatch)),
  implement(contactContracts.listCompanies, async ({ ctx, principal, query: { limit, cursor, id: ids, ...filters } }) =>
    ids
      ? shownRecords(ctx, 'company', await readByIds(ctx, principal, { model: companyModel, sight: { kind: 'shared', collection: 'companies' } }, ids, { cursor, ...filters }))
      : listParties(ctx, principal, { entity: 'company', model: companyModel, collection: 'companies', plan: planCompanyList(principal, filters), filters }, { limit, cursor })),
  implement(contactContracts.createCompany, ({ ctx, principal, body }) => createCompany(ctx, principal, body)),
  implement(contactContracts.getCompany, ({ ctx, principal, params }) => requireShownRecord(ctx, companyModel, 'company', params.id, canSeeCompany(ctx, principal))),
  implement(contactContracts.updateCompany, ({ ctx, principal, params, body, ifMatch }) => updateCompany(ctx, principal, params.id, body, ifMatch)),
  implement(contactContracts.setCompanyStatus, ({ ctx, principal, params, body, ifMatch }) =>
    setStatus(ctx, principal, { aggregate: companyAggregate, entity: 'company', collection: 'companies', id: params.id, opportunities: (id) => companyOpportunityFacts(ctx, id) }, body, ifMatch)),
  implement(contactContracts.deleteCompany, ({ ctx, principal, params, ifMatch }) => deleteCompany(ctx, principal, params.id, ifMatch)),
];

export const handler = createApiHandler(contactRoutes);
