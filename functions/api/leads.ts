import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type * as z from 'zod';
import type { AppContext } from '../../shared/app-context.ts';
import { CHILD_PREFIXES, childKey, COLLECTIONS, companyModel, contactModel, leadModel, leadStatusModel, leadsWithStatus, opportunityModel, stageModel } from '../../shared/db/keys.ts';
import { commitOpportunityChange } from '../../shared/db/opportunity-writes.ts';
import { listLeadStatuses, overdueLeadsPage } from '../../shared/db/overdue-leads.ts';
import { customFieldDefinitions, getPipelineSettings } from '../../shared/db/pipeline-config.ts';
import { resolveReasonChoice } from '../../shared/db/reasons.ts';
import { toItem } from '../../shared/db/records.ts';
import { opportunityOwnerErrors, ownerErrors, unknownReference } from '../../shared/db/references.ts';
import { queryShownPage, requireShownRecord } from '../../shared/db/shown-records.ts';
import {
  createRecord,
  deleteRecord,
  getRecord,
  newRecord,
  partitionHasItems,
  queryPage,
  requireRecord,
  retryOnRace,
  updateRecord,
  writeAll,
  type ExtraWrite,
  type Page,
} from '../../shared/db/store.ts';
import { deleteUnlessUsed, moveUse, NOT_RETIRED } from '../../shared/db/uses.ts';
import { canSeeOwned } from '../../shared/domain/access.ts';
import { applyCustomFields, visibleCustomFields, withVisibleCustomFields } from '../../shared/domain/custom-fields.ts';
import {
  buildLeadStatus,
  carriedCustomFields,
  checkDefaultStatusRules,
  checkStatusDeletable,
  concludeLead,
  conversionInput,
  conversionRefusal,
  convertLead,
  creationEntry,
  defaultStatusOf,
  markLeadLost,
  moveToStatus,
  newLeadFields,
  patchLead,
  planLeadList,
  progressStatusErrors,
  reassignmentEntry,
  replacedDefault,
  restoreLead,
  withoutDefault,
  type LeadHistoryDraft,
  type StoredLead,
} from '../../shared/domain/leads.ts';
import { buildOpportunity, initialStageId, type StoredOpportunity } from '../../shared/domain/opportunities.ts';
import { create } from '../../shared/domain/opportunity-lifecycle.ts';
import type { Overdue } from '../../shared/domain/overdue.ts';
import { mayCreateFor, newCompanyFields, newContactFields } from '../../shared/domain/parties.ts';
import { hasChoice, lossReasonChoice } from '../../shared/domain/reasons.ts';
import { newEvent, outboxWrite } from '../../shared/events/outbox.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { logger } from '../../shared/http/logger.ts';
import { conflict, forbidden, internalError, preconditionFailed, ProblemError, throwIfInvalid, validationFailed } from '../../shared/http/problem.ts';
import { ADMIN_ONLY, defineRoute, EVERYONE, result, type ApiResult, type Principal } from '../../shared/http/route.ts';
import { idParams, pageOf } from '../../shared/schemas/common.ts';
import type { Company, Contact } from '../../shared/schemas/contacts.ts';
import {
  concludeLeadBody,
  convertLeadBody,
  createLeadBody,
  createLeadStatusBody,
  lead,
  leadConversion,
  leadHistoryEntry,
  leadHistoryQuery,
  leadListItem,
  leadListQuery,
  leadStatus,
  leadStatusListQuery,
  moveLeadStatusBody,
  updateLeadBody,
  updateLeadStatusBody,
  type CreateLeadInput,
  type CreateLeadStatusInput,
  type ConvertLeadInput,
  type Lead,
  type LeadChange,
  type LeadHistoryEntry,
  type LeadListQuery,
  type LeadStatus,
  type LeadStatusChange,
} from '../../shared/schemas/leads.ts';
import { bulkRestoreBody, bulkRestoreResult, lostBody, type BulkRestoreResult, type Opportunity } from '../../shared/schemas/opportunities.ts';

// ---------------------------------------------------------------------------------------------------------------
// Lead statuses (R-LEAD-1)

/** The previous default stops being it in the same transaction, only if nobody changed it since it was read. */
function clearDefault(ctx: AppContext, previous: LeadStatus): ExtraWrite {
  return {
    write: {
      Put: {
        TableName: ctx.tableName,
        Item: toItem(leadStatusModel, withoutDefault(previous, ctx.now().toISOString())),
        ConditionExpression: 'version = :previousVersion',
        ExpressionAttributeValues: { ':previousVersion': previous.version },
      },
    },
    onConditionFailed: conflict('concurrent_update', 'The default lead status changed meanwhile; retry'),
  };
}

async function createLeadStatus(ctx: AppContext, input: CreateLeadStatusInput): Promise<LeadStatus> {
  const statuses = await listLeadStatuses(ctx);
  const record = newRecord(ctx, buildLeadStatus(input, statuses));
  const previous = replacedDefault(statuses, record);
  return createRecord(ctx, leadStatusModel, record, previous ? [clearDefault(ctx, previous)] : []);
}

async function updateLeadStatus(ctx: AppContext, id: string, change: LeadStatusChange, ifMatch: number | undefined): Promise<LeadStatus> {
  const statuses = await listLeadStatuses(ctx);
  return updateRecord(
    ctx,
    leadStatusModel,
    id,
    (current) => {
      const next = { ...current, ...change };
      checkDefaultStatusRules(current, next);
      return next;
    },
    {
      ifMatch,
      extra: (next) => {
        const previous = replacedDefault(statuses, next);
        return previous ? [clearDefault(ctx, previous)] : [];
      },
    },
  );
}

/** R-LEAD-1: neither the default status nor one any lead is in (lost, concluded or not) can be deleted. */
async function deleteLeadStatus(ctx: AppContext, id: string, ifMatch: number | undefined): Promise<void> {
  await deleteUnlessUsed(ctx, leadStatusModel, id, {
    ifMatch,
    check: checkStatusDeletable,
    usedBy: [
      {
        user: leadModel,
        byIndex: (status) => partitionHasItems(ctx, 'GSI5', leadsWithStatus(status.id)),
        inUse: conflict('lead_status_in_use', 'Leads are in this status; move them to another status first'),
      },
    ],
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Leads (R-LEAD-2)

/** Commits a lead write only if the status it enters is still there and active when the write lands. */
function statusStillChoosable(ctx: AppContext, statusId: string): ExtraWrite {
  return {
    write: {
      ConditionCheck: {
        TableName: ctx.tableName,
        Key: leadStatusModel.key(statusId),
        // Active, and not being deleted (shared/db/uses.ts: a status in use cannot be deleted, R-LEAD-1).
        ConditionExpression: `active = :active AND ${NOT_RETIRED}`,
        ExpressionAttributeValues: { ':active': true, ':now': ctx.now().toISOString() },
      },
    },
    onConditionFailed: validationFailed([{ path: 'statusId', message: 'This lead status was deactivated or deleted meanwhile' }]),
  };
}

/** A history entry, kept in the lead's own partition (oldest first by ULID) and written with the change it records. */
function historyWrite(ctx: AppContext, leadId: string, draft: LeadHistoryDraft, actorId: string, at: string): ExtraWrite {
  const entryId = ctx.newId();
  const entry: LeadHistoryEntry = { id: entryId, at, actorId, ...draft };
  return { write: { Put: { TableName: ctx.tableName, Item: { ...childKey(leadModel.key(leadId), 'history', entryId), ...entry, recordType: 'Lead history' } } } };
}

const lostRace = () => conflict('concurrent_update', 'The lead changed meanwhile; read it again and retry');

/** A change of one lead: the lead as it is to be, the history entry recording it (none for a change of data only), other writes. */
interface PlannedLeadChange {
  lead: StoredLead;
  entry?: LeadHistoryDraft | undefined;
  /** Writes committed with the change (a check that the status entered is still active, a new reason …). */
  extra?: ExtraWrite[];
}

/** The lead's new version and the writes committing it with its history entry, if nobody wrote the lead since `current` was read. */
function leadChangeWrites(ctx: AppContext, current: StoredLead, planned: PlannedLeadChange, actorId: string, ifMatch?: number): { next: StoredLead; writes: ExtraWrite[] } {
  const now = ctx.now().toISOString();
  const next: StoredLead = { ...planned.lead, id: current.id, version: current.version + 1, createdAt: current.createdAt, updatedAt: now };
  const leadWrite: ExtraWrite = {
    write: {
      Put: {
        TableName: ctx.tableName,
        Item: toItem(leadModel, next),
        ConditionExpression: 'version = :read',
        ExpressionAttributeValues: { ':read': current.version },
      },
    },
    onConditionFailed: ifMatch !== undefined ? preconditionFailed() : lostRace(),
  };
  const history = planned.entry ? [historyWrite(ctx, current.id, planned.entry, actorId, now)] : [];
  const statusUse = moveUse(ctx, leadModel.key(current.id), leadStatusModel.key(current.statusId), leadStatusModel.key(next.statusId));
  return { next, writes: [leadWrite, ...history, ...statusUse, ...(planned.extra ?? [])] };
}

interface TransitionOptions {
  actorId: string;
  canSee: (lead: StoredLead) => boolean;
  ifMatch?: number | undefined;
}

/**
 * Reads one lead, lets `decide` plan its transition and commits it with its history entry in one transaction.
 * `decide` answering undefined changes nothing (the lead is answered as read). A lost race starts again from
 * the read; a stale If-Match is a 412.
 */
function transitionLead(
  ctx: AppContext,
  id: string,
  options: TransitionOptions,
  decide: (current: StoredLead) => PlannedLeadChange | undefined | Promise<PlannedLeadChange | undefined>,
): Promise<StoredLead> {
  return retryOnRace(async () => {
    const current = await requireRecord<StoredLead>(ctx, leadModel, id, options.canSee);
    if (options.ifMatch !== undefined && options.ifMatch !== current.version) throw preconditionFailed();
    const planned = await decide(current);
    if (!planned) return current;
    const { next, writes } = leadChangeWrites(ctx, current, planned, options.actorId, options.ifMatch);
    await writeAll(ctx, writes);
    return next;
  });
}

const transitionOptions = (principal: Principal, ifMatch?: number): TransitionOptions => ({
  actorId: principal.userId,
  canSee: canSeeOwned(principal),
  ifMatch,
});

/** The default status, or the named one (read directly: a status created a moment ago may not be in the index yet). */
async function initialStatus(ctx: AppContext, statusId: string | undefined): Promise<LeadStatus | undefined> {
  if (statusId) return getRecord(ctx, leadStatusModel, statusId);
  const status = defaultStatusOf(await listLeadStatuses(ctx));
  if (!status) throw conflict('no_default_lead_status', 'No lead status is the default; name a statusId');
  return status;
}

async function createLead(ctx: AppContext, principal: Principal, body: CreateLeadInput): Promise<Lead> {
  const ownerId = body.ownerId ?? principal.userId;
  if (!mayCreateFor(principal, ownerId)) throw forbidden('A rep creates leads only for itself');
  const [status, definitions, owner] = await Promise.all([
    initialStatus(ctx, body.statusId),
    customFieldDefinitions(ctx, 'lead'),
    body.ownerId ? ownerErrors(ctx, body.ownerId) : [],
  ]);
  const customFields = applyCustomFields({}, body.customFields ?? {}, definitions);
  throwIfInvalid([...owner, ...progressStatusErrors(status), ...customFields.errors]);
  const now = ctx.now().toISOString();
  const record = newRecord(ctx, newLeadFields(body, { ownerId, statusId: status!.id, customFields: customFields.values, now }));
  await createRecord<StoredLead>(ctx, leadModel, record, [
    statusStillChoosable(ctx, record.statusId),
    ...moveUse(ctx, leadModel.key(record.id), undefined, leadStatusModel.key(record.statusId)),
    historyWrite(ctx, record.id, creationEntry(record), principal.userId, now),
  ]);
  return withVisibleCustomFields(record, definitions);
}

async function updateLead(
  ctx: AppContext,
  principal: Principal,
  id: string,
  { customFields: customFieldChange, ...change }: LeadChange,
  ifMatch: number | undefined,
): Promise<Lead> {
  const definitions = await customFieldDefinitions(ctx, 'lead');
  const updated = await transitionLead(ctx, id, transitionOptions(principal, ifMatch), async (current) => {
    const customFields = applyCustomFields(current.customFields, customFieldChange ?? {}, definitions);
    const next = patchLead(current, change, customFields.values);
    const owner = next.ownerId !== current.ownerId ? await ownerErrors(ctx, next.ownerId) : [];
    throwIfInvalid([...owner, ...customFields.errors]);
    return { lead: next, entry: reassignmentEntry(current, next) };
  });
  return withVisibleCustomFields(updated, definitions);
}

async function listLeads(ctx: AppContext, principal: Principal, { limit, cursor, ...filters }: LeadListQuery): Promise<Page<Lead & { overdue?: Overdue }>> {
  const plan = planLeadList(principal, filters);
  if (plan.kind === 'empty') return { items: [], nextCursor: null };
  if (plan.kind === 'query') return queryShownPage<Lead>(ctx, 'lead', { index: plan.index, partition: plan.partition, filter: plan.filter, limit, cursor });
  const [settings, definitions] = await Promise.all([getPipelineSettings(ctx), customFieldDefinitions(ctx, 'lead')]);
  const page = await overdueLeadsPage(ctx, {
    now: ctx.now(),
    timeZone: settings.recap.timezone,
    ...(plan.statusIds ? { statusIds: plan.statusIds } : {}),
    ...(plan.filter ? { filter: plan.filter } : {}),
    limit,
    ...(cursor ? { cursor } : {}),
  });
  return { items: page.items.map((found) => ({ ...withVisibleCustomFields(found.lead, definitions), overdue: found.overdue })), nextCursor: page.nextCursor };
}

/** A deleted lead's history is unreachable; it is removed after the lead, in batches (what a failure leaves is never read). */
async function deleteHistory(ctx: AppContext, leadId: string): Promise<void> {
  const partition = leadModel.key(leadId).PK;
  let cursor: string | undefined;
  do {
    const page = await queryPage<LeadHistoryEntry>(ctx, { partition, sortKeyPrefix: CHILD_PREFIXES.history, limit: 25, ascending: true, cursor });
    if (page.items.length > 0) {
      const requests = page.items.map((entry) => ({ DeleteRequest: { Key: childKey(leadModel.key(leadId), 'history', entry.id) } }));
      let unprocessed: typeof requests | undefined = requests;
      while (unprocessed && unprocessed.length > 0) {
        const answer = await ctx.db.send(new BatchWriteCommand({ RequestItems: { [ctx.tableName]: unprocessed } }));
        unprocessed = answer.UnprocessedItems?.[ctx.tableName] as typeof requests | undefined;
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

async function moveLead(ctx: AppContext, principal: Principal, id: string, statusId: string, ifMatch: number | undefined): Promise<StoredLead> {
  const status = await getRecord(ctx, leadStatusModel, statusId);
  return transitionLead(ctx, id, transitionOptions(principal, ifMatch), (current) => {
    const moved = moveToStatus(current, status, ctx.now().toISOString());
    return moved && { ...moved, extra: [statusStillChoosable(ctx, statusId)] };
  });
}

async function concludeLeadWith(ctx: AppContext, principal: Principal, id: string, statusId: string, ifMatch: number | undefined): Promise<StoredLead> {
  const status = await getRecord(ctx, leadStatusModel, statusId);
  return transitionLead(ctx, id, transitionOptions(principal, ifMatch), (current) => {
    const concluded = concludeLead(current, status, ctx.now().toISOString());
    return concluded && { ...concluded, extra: [statusStillChoosable(ctx, statusId)] };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Conversion (R-LEAD-5)

interface Conversion {
  lead: Lead;
  contact: Contact | null;
  company: Company | null;
  opportunity: Opportunity | null;
}

/** The records a converted lead links, as they are now (null when one was deleted since). */
async function conversionOf(ctx: AppContext, converted: StoredLead): Promise<Conversion> {
  const to = converted.convertedTo!;
  const [contact, company, opportunity, leadFields, contactFields, companyFields, opportunityFields] = await Promise.all([
    to.contactId ? getRecord(ctx, contactModel, to.contactId) : undefined,
    to.companyId ? getRecord(ctx, companyModel, to.companyId) : undefined,
    to.opportunityId ? getRecord(ctx, opportunityModel, to.opportunityId) : undefined,
    customFieldDefinitions(ctx, 'lead'),
    to.contactId ? customFieldDefinitions(ctx, 'contact') : [],
    to.companyId ? customFieldDefinitions(ctx, 'company') : [],
    to.opportunityId ? customFieldDefinitions(ctx, 'opportunity') : [],
  ]);
  return {
    lead: withVisibleCustomFields(converted, leadFields),
    contact: contact ? withVisibleCustomFields(contact, contactFields) : null,
    company: company ? withVisibleCustomFields(company, companyFields) : null,
    opportunity: opportunity ? withVisibleCustomFields(opportunity, opportunityFields) : null,
  };
}

const newPartyWrite = (ctx: AppContext, item: Record<string, unknown>): ExtraWrite => ({
  write: { Put: { TableName: ctx.tableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' } },
  onConditionFailed: conflict('already_exists', 'The converted record already exists'),
});

/**
 * The opportunity a conversion asks for, checked like POST /opportunities (R-OPP-1: the stage, the default stage,
 * the owner and its assign-to group), owned by the lead's owner. Field errors are reported under `createOpportunity`.
 */
async function conversionOpportunity(
  ctx: AppContext,
  lead: StoredLead,
  request: NonNullable<ConvertLeadInput['createOpportunity']>,
  party: { contactId: string | null; companyId: string | null },
) {
  const settings = await getPipelineSettings(ctx);
  const stageId = initialStageId(request, settings);
  const [stage, ownerProblems] = await Promise.all([getRecord(ctx, stageModel, stageId), opportunityOwnerErrors(ctx, settings, lead.ownerId)]);
  const errors = [...(stage ? [] : [unknownReference(stageModel, 'stageId')]), ...ownerProblems];
  throwIfInvalid(errors.map((error) => ({ ...error, path: `createOpportunity.${error.path}` })));
  const record: StoredOpportunity = newRecord(
    ctx,
    buildOpportunity(
      { title: request.title, ...(party.contactId ? { contactId: party.contactId } : { companyId: party.companyId! }) },
      { ownerId: lead.ownerId, stage: stage!, contactCompanyId: null, customFields: {}, defaultCurrency: ctx.config.defaultCurrency },
    ),
  );
  return { record, settings };
}

/**
 * R-LEAD-5: one transaction creates the contact or company, the opportunity if asked for (with its history, its
 * events and the R-OPP-2 duplicate guard of its new party, through the same commit as POST /opportunities), and
 * marks the lead converted with its history entry: no half-converted lead. A lead already converted is answered
 * with the records it became (200) and nothing is written, whatever the body asks; a race between two
 * conversions is retried and then meets the winner's records.
 */
function convert(ctx: AppContext, principal: Principal, id: string, body: ConvertLeadInput): Promise<ApiResult<Conversion>> {
  return retryOnRace(async () => {
    const current = await requireRecord<StoredLead>(ctx, leadModel, id, canSeeOwned(principal));
    if (current.convertedTo) return result(await conversionOf(ctx, current), { status: 200 });
    const refusal = conversionRefusal(current, await getRecord(ctx, leadStatusModel, current.statusId));
    if (refusal) throw refusal;

    const [leadFields, targetFields] = await Promise.all([customFieldDefinitions(ctx, 'lead'), customFieldDefinitions(ctx, body.into)]);
    const input = conversionInput(current, body.into, carriedCustomFields(visibleCustomFields(current.customFields, leadFields), targetFields));
    const contact = input.into === 'contact' ? newRecord(ctx, newContactFields(input.contact, current.ownerId, input.contact.customFields ?? {})) : null;
    const company = input.into === 'company' ? newRecord(ctx, newCompanyFields(input.company, current.ownerId, input.company.customFields ?? {})) : null;
    const party = { contactId: contact?.id ?? null, companyId: company?.id ?? null };
    const opportunity = body.createOpportunity ? await conversionOpportunity(ctx, current, body.createOpportunity, party) : undefined;

    const transition = convertLead(current, { ...party, opportunityId: opportunity?.record.id ?? null }, ctx.now().toISOString());
    const { next, writes } = leadChangeWrites(ctx, current, transition, principal.userId);
    const partyWrite = contact ? newPartyWrite(ctx, toItem(contactModel, contact)) : newPartyWrite(ctx, toItem(companyModel, company!));
    // R-EVT-1: the conversion's event commits with it (its opportunity's own event comes from commitOpportunityChange).
    const converted = outboxWrite(ctx, newEvent(ctx, 'lead.converted', principal.userId, { leadId: current.id, ...party, opportunityId: opportunity?.record.id ?? null, ownerId: current.ownerId }));
    if (opportunity) {
      await commitOpportunityChange(ctx, {
        records: [{ after: opportunity.record }],
        ...create(opportunity.record),
        actorId: principal.userId,
        duplicateCheck: { activeStageIds: opportunity.settings.activeStageIds },
        extra: [...writes, partyWrite, converted],
        stageGone: validationFailed([unknownReference(stageModel, 'createOpportunity.stageId')]),
      });
    } else {
      await writeAll(ctx, [...writes, partyWrite, converted]);
    }
    return result(
      {
        lead: withVisibleCustomFields(next, leadFields),
        contact: contact && withVisibleCustomFields(contact, targetFields),
        company: company && withVisibleCustomFields(company, targetFields),
        opportunity: opportunity?.record ?? null,
      },
      { status: 201 },
    );
  });
}

type LostBody = z.output<typeof lostBody>;

/** R-LEAD-6: the same loss reasons as opportunities, by id or typed in (reused by description, else created with the loss). */
function loseLead(ctx: AppContext, principal: Principal, id: string, body: LostBody, ifMatch: number | undefined): Promise<StoredLead> {
  const choice = lossReasonChoice(body);
  return transitionLead(ctx, id, transitionOptions(principal, ifMatch), async (current) => {
    const [settings, reason] = await Promise.all([
      getPipelineSettings(ctx),
      hasChoice(choice) ? resolveReasonChoice(ctx, 'loss', choice, { reasonId: 'lostReasonId', description: 'lostReason' }) : undefined,
    ]);
    throwIfInvalid(reason?.errors ?? []);
    const loss = { lostReasonId: reason?.resolved?.reason.id ?? null, closingNote: body.closingNote ?? null };
    return { ...markLeadLost(current, loss, settings, ctx.now().toISOString()), extra: reason?.resolved?.writes ?? [] };
  });
}

const restoreOne = (ctx: AppContext, principal: Principal, id: string, ifMatch?: number) =>
  transitionLead(ctx, id, transitionOptions(principal, ifMatch), (current) => restoreLead(current, ctx.now().toISOString()));

const asProblem = (error: unknown, id: string): ProblemError => {
  if (error instanceof ProblemError) return error;
  logger.error('Bulk restore failed for one lead', { error, leadId: id });
  return internalError();
};

/** Leads restored at a time: each lead is its own transaction, independent of the others. */
const BULK_CONCURRENCY = 10;

/** R-LEAD-6 bulk: one bad, invisible or conflicting id is reported in its result and does not stop the others; results in the order of the ids. */
async function restoreMany(ctx: AppContext, principal: Principal, ids: readonly string[]): Promise<BulkRestoreResult> {
  const queue = [...ids];
  const outcomes = new Map<string, BulkRestoreResult['results'][number]>();
  const worker = async () => {
    for (let id = queue.shift(); id; id = queue.shift()) {
      try {
        await restoreOne(ctx, principal, id);
        outcomes.set(id, { id, ok: true });
      } catch (error) {
        outcomes.set(id, { id, ok: false, error: asProblem(error, id).toBody() });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(BULK_CONCURRENCY, ids.length) }, worker));
  return { results: ids.map((id) => outcomes.get(id)!) };
}

const statusListFilter = (active: boolean | undefined) =>
  active === undefined ? {} : { filter: { expression: '#active = :active', names: { '#active': 'active' }, values: { ':active': active } } };

const shown = async (ctx: AppContext, record: StoredLead) => withVisibleCustomFields(record, await customFieldDefinitions(ctx, 'lead'));

export const leadRoutes = [
  defineRoute({
    method: 'GET',
    path: '/lead-statuses',
    summary: 'List lead statuses in their order (ascending order, not newest first); active=true for pickers',
    roles: EVERYONE,
    query: leadStatusListQuery,
    response: pageOf(leadStatus),
    handler: ({ ctx, query: { active, ...page } }) =>
      queryPage<LeadStatus>(ctx, { index: 'GSI1', partition: COLLECTIONS.leadStatuses, ascending: true, ...statusListFilter(active), ...page }),
  }),
  defineRoute({
    method: 'GET',
    path: '/lead-statuses/{id}',
    summary: 'Read a lead status',
    roles: EVERYONE,
    params: idParams,
    response: leadStatus,
    handler: ({ ctx, params }) => requireRecord(ctx, leadStatusModel, params.id),
  }),
  defineRoute({
    method: 'POST',
    path: '/lead-statuses',
    summary: 'Create a lead status (isDefault: true makes it the one default, taking the flag from the previous one)',
    roles: ADMIN_ONLY,
    body: createLeadStatusBody,
    response: leadStatus,
    successStatus: 201,
    handler: ({ ctx, body }) => createLeadStatus(ctx, body),
  }),
  defineRoute({
    method: 'PATCH',
    path: '/lead-statuses/{id}',
    summary: 'Change a lead status; the default stays active and open or frozen (409 default_lead_status)',
    roles: ADMIN_ONLY,
    params: idParams,
    body: updateLeadStatusBody,
    response: leadStatus,
    handler: ({ ctx, params, body, ifMatch }) => updateLeadStatus(ctx, params.id, body, ifMatch),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/lead-statuses/{id}',
    summary: 'Delete a lead status no lead is in (409 lead_status_in_use) that is not the default (409 default_lead_status)',
    roles: ADMIN_ONLY,
    params: idParams,
    successStatus: 204,
    handler: ({ ctx, params, ifMatch }) => deleteLeadStatus(ctx, params.id, ifMatch),
  }),
  defineRoute({
    method: 'GET',
    path: '/leads',
    summary: 'List leads (newest first, lost ones apart); overdue=true lists the overdue ones by status order, longest overdue first',
    roles: EVERYONE,
    query: leadListQuery,
    response: pageOf(leadListItem),
    handler: ({ ctx, principal, query }) => listLeads(ctx, principal, query),
  }),
  defineRoute({
    method: 'POST',
    path: '/leads',
    summary: 'Create a lead (owned by the caller unless an owner is named; in the default status unless one is named)',
    roles: EVERYONE,
    body: createLeadBody,
    response: lead,
    successStatus: 201,
    handler: ({ ctx, principal, body }) => createLead(ctx, principal, body),
  }),
  defineRoute({
    method: 'GET',
    path: '/leads/{id}',
    summary: 'Read a lead',
    roles: EVERYONE,
    params: idParams,
    response: lead,
    handler: ({ ctx, principal, params }) => requireShownRecord(ctx, leadModel, 'lead', params.id, canSeeOwned(principal)),
  }),
  defineRoute({
    method: 'PATCH',
    path: '/leads/{id}',
    summary: 'Change a lead (not its status: see /status, /conclude, /lost, /restore); reassigning it is a change of ownerId',
    roles: EVERYONE,
    params: idParams,
    body: updateLeadBody,
    response: lead,
    handler: ({ ctx, principal, params, body, ifMatch }) => updateLead(ctx, principal, params.id, body, ifMatch),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/leads/{id}',
    summary: 'Delete a lead and its history',
    roles: EVERYONE,
    params: idParams,
    successStatus: 204,
    handler: async ({ ctx, principal, params, ifMatch }) => {
      await deleteRecord(ctx, leadModel, params.id, {
        ifMatch,
        canSee: canSeeOwned(principal),
        extra: (lead) => moveUse(ctx, leadModel.key(lead.id), leadStatusModel.key(lead.statusId), undefined),
      });
      await deleteHistory(ctx, params.id);
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/leads/{id}/status',
    summary: 'Move a lead to another active status (its overdue clock restarts); its current status again changes nothing',
    roles: EVERYONE,
    params: idParams,
    body: moveLeadStatusBody,
    response: lead,
    handler: async ({ ctx, principal, params, body, ifMatch }) => shown(ctx, await moveLead(ctx, principal, params.id, body.statusId, ifMatch)),
  }),
  defineRoute({
    method: 'POST',
    path: '/leads/{id}/conclude',
    summary: 'Conclude a lead in a qualified or not-interested status: its progress ends',
    roles: EVERYONE,
    params: idParams,
    body: concludeLeadBody,
    response: lead,
    handler: async ({ ctx, principal, params, body, ifMatch }) => shown(ctx, await concludeLeadWith(ctx, principal, params.id, body.statusId, ifMatch)),
  }),
  defineRoute({
    method: 'POST',
    path: '/leads/{id}/convert',
    summary: 'Convert a qualified lead into a contact or a company, optionally with an opportunity (201; 200 with the same records once converted)',
    roles: EVERYONE,
    params: idParams,
    body: convertLeadBody,
    response: leadConversion,
    handler: ({ ctx, principal, params, body }) => convert(ctx, principal, params.id, body),
  }),
  defineRoute({
    method: 'POST',
    path: '/leads/{id}/lost',
    summary: 'Mark a lead lost, with an existing loss reason or a typed-in one (created, or reused by description)',
    roles: EVERYONE,
    params: idParams,
    body: lostBody,
    response: lead,
    handler: async ({ ctx, principal, params, body, ifMatch }) => shown(ctx, await loseLead(ctx, principal, params.id, body, ifMatch)),
  }),
  defineRoute({
    method: 'POST',
    path: '/leads/{id}/restore',
    summary: 'Restore a lost lead: reason and note cleared (kept in its history), its overdue clock restarts (409 lead_not_lost)',
    roles: EVERYONE,
    params: idParams,
    response: lead,
    handler: async ({ ctx, principal, params, ifMatch }) => shown(ctx, await restoreOne(ctx, principal, params.id, ifMatch)),
  }),
  defineRoute({
    method: 'POST',
    path: '/leads/restore',
    summary: 'Restore up to 100 lost leads, each on its own: the result of each id says ok or carries its problem',
    roles: EVERYONE,
    body: bulkRestoreBody,
    response: bulkRestoreResult,
    handler: ({ ctx, principal, body }) => restoreMany(ctx, principal, body.ids),
  }),
  defineRoute({
    method: 'GET',
    path: '/leads/{id}/history',
    summary: "A lead's history, oldest first: creation, moves, reassignments, conclusion, conversion, loss, restore",
    roles: EVERYONE,
    params: idParams,
    query: leadHistoryQuery,
    response: pageOf(leadHistoryEntry),
    handler: async ({ ctx, principal, params, query }) => {
      await requireRecord(ctx, leadModel, params.id, canSeeOwned(principal));
      return queryPage<LeadHistoryEntry>(ctx, { partition: leadModel.key(params.id).PK, sortKeyPrefix: CHILD_PREFIXES.history, ascending: true, ...query });
    },
  }),
];

export const handler = createApiHandler(leadRoutes);
