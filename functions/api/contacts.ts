import type * as z from 'zod';
import type { AppContext } from '../../shared/app-context.ts';
import { companyModel, contactModel, employeesOf, opportunitiesOfCompany, opportunitiesOfContact, opportunityModel } from '../../shared/db/keys.ts';
import { customFieldDefinitions } from '../../shared/db/pipeline-config.ts';
import type { EntityModel } from '../../shared/db/records.ts';
import { companyErrors, ownerErrors, unknownReference } from '../../shared/db/references.ts';
import { queryShownPage, requireShownRecord, shownRecords } from '../../shared/db/shown-records.ts';
import { listOwnAndShared, previousOwnerKeepsSight, removeSharesOf } from '../../shared/db/shares.ts';
import { companyOpportunitiesOf, contactOpportunities } from '../../shared/db/statuses.ts';
import { createRecord, newRecord, partitionHasItems, updateRecord, type ExtraWrite, type Page } from '../../shared/db/store.ts';
import { deleteUnlessUsed, moveUse, stillInService } from '../../shared/db/uses.ts';
import { canManageShared, canSeeCompany, canSeeContact, canSeeShared } from '../../shared/db/visibility.ts';
import { seesEverything } from '../../shared/domain/access.ts';
import { applyCustomFields, withVisibleCustomFields } from '../../shared/domain/custom-fields.ts';
import {
  contactNameErrors,
  matchesPartyFilters,
  mayCreateFor,
  newCompanyFields,
  newContactFields,
  patchCompany,
  patchContact,
  planCompanyList,
  planContactList,
  type CompanyInput,
  type ContactFilters,
  type ContactInput,
  type ListPlan,
  type PartySearchKeys,
} from '../../shared/domain/parties.ts';
import { ownsOrManages } from '../../shared/domain/sharing.ts';
import { manualStatusRefusal, withManualStatus, type ManualPast, type OpportunityFacts, type StatusChange } from '../../shared/domain/statuses.ts';
import { newEvent, outboxWrite } from '../../shared/events/outbox.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { implement } from '../../shared/http/route.ts';
import { contactContracts } from '../../shared/contracts/contacts.ts';
import { updateCompanyBody, updateContactBody, type Company, type Contact } from '../../shared/schemas/contacts.ts';
import type { CustomFieldEntity } from '../../shared/schemas/custom-fields.ts';
import { conflict, forbidden, throwIfInvalid, validationFailed } from '../../shared/domain/errors.ts';
import type { Principal } from '../../shared/domain/principal.ts';

/**
 * A listing of contacts or companies: staff query the plan's partition; a rep's own partition is merged with the
 * records shared with it, filtered alike (R-SHR-1/2).
 */
async function listParties<T extends Contact | Company>(
  ctx: AppContext,
  principal: Principal,
  listed: { entity: CustomFieldEntity; model: EntityModel<T>; collection: 'contacts' | 'companies'; plan: ListPlan; filters: ContactFilters },
  page: { limit: number; cursor?: string },
): Promise<Page<T>> {
  const { entity, plan, filters } = listed;
  if (seesEverything(principal)) {
    if (plan.kind === 'empty') return { items: [], nextCursor: null };
    return queryShownPage<T>(ctx, entity, { index: plan.index, partition: plan.partition, filter: plan.filter, ...page });
  }
  const own = plan.kind === 'query' ? { partition: plan.partition, filter: plan.filter } : null;
  // Stored records carry their search keys (`newContactFields`, `newCompanyFields`).
  const matches = (record: T) => matchesPartyFilters(record as T & PartySearchKeys, filters);
  return shownRecords(ctx, entity, await listOwnAndShared(ctx, principal, { model: listed.model, collection: listed.collection, own, matches, scope: filters }, page));
}

/** R-SHR-1: a rep that sees a contact or company only through a share works on it but does not give it away (403). */
function refuseHandOverByShare(principal: Principal, current: { ownerId: string }, reassigned: boolean): void {
  if (reassigned && !ownsOrManages(principal, current)) throw forbidden('Only the owner, a manager or an admin may reassign it');
}

/**
 * R-CON-1: a contact moving from one employer to another (either may be none) holds a use of its employer, so the
 * company cannot be deleted under it, and joins one only while it is in service (shared/db/uses.ts).
 */
function employerWrites(ctx: AppContext, contactId: string, from: string | null | undefined, to: string | null): ExtraWrite[] {
  const joins = to && to !== from ? [stillInService(ctx, companyModel.key(to), validationFailed([unknownReference(companyModel, 'companyId')]))] : [];
  return [...joins, ...moveUse(ctx, contactModel.key(contactId), from ? companyModel.key(from) : undefined, to ? companyModel.key(to) : undefined)];
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
    body.companyId ? companyErrors(ctx, body.companyId, canSeeCompany(ctx, principal)) : [],
  ]);
  throwIfInvalid([...owner, ...employer, ...customFields.errors]);
  const record = newRecord(ctx, newContactFields(body, ownerId, customFields.values));
  await createRecord(ctx, contactModel, record, employerWrites(ctx, record.id, undefined, record.companyId));
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
  const updated = await updateRecord(
    ctx,
    contactModel,
    id,
    async (current) => {
      const customFields = applyCustomFields(current.customFields, customFieldChange ?? {}, definitions);
      const next = patchContact(current, change, customFields.values);
      const newCompanyId = movesTo(next, current);
      const reassigned = next.ownerId !== current.ownerId;
      refuseHandOverByShare(principal, current, reassigned);
      const [owner, employer] = await Promise.all([
        reassigned ? ownerErrors(ctx, next.ownerId) : [],
        newCompanyId ? companyErrors(ctx, newCompanyId, canSeeCompany(ctx, principal)) : [],
      ]);
      throwIfInvalid([...owner, ...employer, ...contactNameErrors(next), ...customFields.errors]);
      return next;
    },
    {
      ifMatch,
      canSee: canSeeContact(ctx, principal),
      extra: async (next, current) => {
        const keepsSight = next.ownerId === current.ownerId ? [] : await previousOwnerKeepsSight(ctx, { collection: 'contacts', id }, current.ownerId, principal.userId);
        if (next.companyId === current.companyId) return keepsSight;
        // R-CON-2: the company left and the one joined no longer count the same opportunities (contact-statuses recomputes both).
        const moved = newEvent(ctx, 'contact.moved', principal.userId, {
          contactId: id,
          companyId: next.companyId,
          fromCompanyId: current.companyId,
          ownerId: next.ownerId,
        });
        return [...keepsSight, ...employerWrites(ctx, id, current.companyId, next.companyId), outboxWrite(ctx, moved)];
      },
    },
  );
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
  await createRecord(ctx, companyModel, record);
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
  const updated = await updateRecord(
    ctx,
    companyModel,
    id,
    async (current) => {
      const customFields = applyCustomFields(current.customFields, customFieldChange ?? {}, definitions);
      const next = patchCompany(current, change, customFields.values);
      const reassigned = next.ownerId !== current.ownerId;
      refuseHandOverByShare(principal, current, reassigned);
      const owner = reassigned ? await ownerErrors(ctx, next.ownerId) : [];
      throwIfInvalid([...owner, ...customFields.errors]);
      return next;
    },
    {
      ifMatch,
      canSee: canSeeCompany(ctx, principal),
      extra: (next, current) =>
        next.ownerId === current.ownerId ? [] : previousOwnerKeepsSight(ctx, { collection: 'companies', id }, current.ownerId, principal.userId),
    },
  );
  return withVisibleCustomFields(updated, definitions);
}

/**
 * R-CON-3: sets statuses by hand, refused (409 `status_not_allowed`) when the party's opportunities forbid it;
 * the check reads them inside the optimistic update, so it judges the record it writes.
 */
async function setStatus<T extends (Contact | Company) & ManualPast>(
  ctx: AppContext,
  principal: Principal,
  target: { model: EntityModel<T>; entity: CustomFieldEntity; collection: 'contacts' | 'companies'; id: string; opportunities: (id: string) => Promise<OpportunityFacts[]> },
  change: StatusChange,
  ifMatch: number | undefined,
): Promise<T> {
  const label = target.entity;
  const [definitions, updated] = await Promise.all([
    customFieldDefinitions(ctx, target.entity),
    updateRecord(
      ctx,
      target.model,
      target.id,
      async (current) => {
        const refusal = manualStatusRefusal(await target.opportunities(current.id), change, label);
        if (refusal) throw refusal;
        return withManualStatus(current, change, ctx.now().toISOString());
      },
      { ifMatch, canSee: canSeeShared(ctx, principal, target.collection) },
    ),
  ]);
  return withVisibleCustomFields(updated, definitions);
}

const companyOpportunityFacts = async (ctx: AppContext, id: string) => (await companyOpportunitiesOf(ctx, id)).opportunities;

export const contactRoutes = [
  implement(contactContracts.listContacts, ({ ctx, principal, query: { limit, cursor, ...filters } }) =>
    listParties(ctx, principal, { entity: 'contact', model: contactModel, collection: 'contacts', plan: planContactList(principal, filters), filters }, { limit, cursor })),
  implement(contactContracts.createContact, ({ ctx, principal, body }) => createContact(ctx, principal, body)),
  implement(contactContracts.getContact, ({ ctx, principal, params }) => requireShownRecord(ctx, contactModel, 'contact', params.id, canSeeContact(ctx, principal))),
  implement(contactContracts.updateContact, ({ ctx, principal, params, body, ifMatch }) => updateContact(ctx, principal, params.id, body, ifMatch)),
  implement(contactContracts.setContactStatus, ({ ctx, principal, params, body, ifMatch }) =>
    setStatus(ctx, principal, { model: contactModel, entity: 'contact', collection: 'contacts', id: params.id, opportunities: (id) => contactOpportunities(ctx, id) }, body, ifMatch)),
  implement(contactContracts.deleteContact, async ({ ctx, principal, params, ifMatch }) => {
    await deleteUnlessUsed(ctx, contactModel, params.id, {
      ifMatch,
      canSee: canManageShared(ctx, principal, 'contacts'),
      usedBy: [
        {
          user: opportunityModel,
          byIndex: (record) => partitionHasItems(ctx, 'GSI3', opportunitiesOfContact(record.id)),
          inUse: conflict('has_opportunities', 'The contact has opportunities; delete or move them first'),
        },
      ],
      extra: (record) => employerWrites(ctx, record.id, record.companyId, null),
    });
    await removeSharesOf(ctx, { collection: 'contacts', id: params.id });
  }),
  implement(contactContracts.listCompanies, ({ ctx, principal, query: { limit, cursor, ...filters } }) =>
    listParties(ctx, principal, { entity: 'company', model: companyModel, collection: 'companies', plan: planCompanyList(principal, filters), filters }, { limit, cursor })),
  implement(contactContracts.createCompany, ({ ctx, principal, body }) => createCompany(ctx, principal, body)),
  implement(contactContracts.getCompany, ({ ctx, principal, params }) => requireShownRecord(ctx, companyModel, 'company', params.id, canSeeCompany(ctx, principal))),
  implement(contactContracts.updateCompany, ({ ctx, principal, params, body, ifMatch }) => updateCompany(ctx, principal, params.id, body, ifMatch)),
  implement(contactContracts.setCompanyStatus, ({ ctx, principal, params, body, ifMatch }) =>
    setStatus(ctx, principal, { model: companyModel, entity: 'company', collection: 'companies', id: params.id, opportunities: (id) => companyOpportunityFacts(ctx, id) }, body, ifMatch)),
  implement(contactContracts.deleteCompany, async ({ ctx, principal, params, ifMatch }) => {
    await deleteUnlessUsed(ctx, companyModel, params.id, {
      ifMatch,
      canSee: canManageShared(ctx, principal, 'companies'),
      usedBy: [
        {
          user: contactModel,
          byIndex: (record) => partitionHasItems(ctx, 'GSI3', employeesOf(record.id)),
          inUse: conflict('company_has_contacts', 'The company still has contacts; move or delete them first'),
        },
        {
          user: opportunityModel,
          byIndex: (record) => partitionHasItems(ctx, 'GSI4', opportunitiesOfCompany(record.id)),
          inUse: conflict('has_opportunities', 'The company has opportunities; delete or move them first'),
        },
      ],
    });
    await removeSharesOf(ctx, { collection: 'companies', id: params.id });
  }),
];

export const handler = createApiHandler(contactRoutes);
