/** Leads (R-LEAD-2..R-LEAD-6): CRUD, status moves, conclusion, loss and restore; statuses and conversion have their own files. */
import type * as z from 'zod';
import type { AppContext } from '../../shared/app-context.ts';
import { CHILD_PREFIXES, leadModel, leadStatusModel } from '../../shared/db/keys.ts';
import { leadQuery } from '../../shared/db/list-queries.ts';
import { listLeadStatuses, overdueLeadsPage } from '../../shared/db/overdue-leads.ts';
import { customFieldDefinitions, getPipelineSettings } from '../../shared/db/pipeline-config.ts';
import { resolveReasonChoice } from '../../shared/db/reasons.ts';
import { ownerErrors } from '../../shared/db/references.ts';
import { queryShownPage, requireShownRecord } from '../../shared/db/shown-records.ts';
import { getRecord, newRecord, queryPage, requireRecord, type Page } from '../../shared/db/store.ts';
import { canSeeOwned } from '../../shared/domain/access.ts';
import { applyCustomFields, withVisibleCustomFields } from '../../shared/domain/custom-fields.ts';
import { concludeLead, defaultStatusOf, markLeadLost, moveToStatus, newLeadFields, patchLead, planLeadList, progressStatusErrors, reassignmentEntry, restoreLead, type StoredLead } from '../../shared/domain/leads.ts';
import type { Overdue } from '../../shared/domain/overdue.ts';
import { mayCreateFor } from '../../shared/domain/parties.ts';
import { hasChoice, lossReasonChoice } from '../../shared/domain/reasons.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { runBulk } from '../../shared/http/bulk.ts';
import { defineRoute } from '../../shared/http/route.ts';
import { idParams, pageOf } from '../../shared/schemas/common.ts';
import { concludeLeadBody, createLeadBody, lead, leadHistoryEntry, leadHistoryQuery, leadListItem, leadListQuery, moveLeadStatusBody, updateLeadBody, type CreateLeadInput, type Lead, type LeadChange, type LeadHistoryEntry, type LeadListQuery, type LeadStatus } from '../../shared/schemas/leads.ts';
import { bulkRestoreBody, bulkRestoreResult, lostBody, type BulkRestoreResult } from '../../shared/schemas/opportunities.ts';
import { createLead as commitNewLead, removeLead, statusStillChoosable, transitionLead, transitionOptions } from '../../shared/db/lead-writes.ts';
import { leadConversionRoutes } from './lead-conversion.ts';
import { leadStatusRoutes } from './lead-statuses.ts';
import { conflict, forbidden, throwIfInvalid } from '../../shared/domain/errors.ts';
import { EVERYONE, type Principal } from '../../shared/domain/principal.ts';

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
  await commitNewLead(ctx, record, principal.userId);
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
  if (plan.kind === 'query') return queryShownPage<Lead>(ctx, 'lead', { ...leadQuery(plan), limit, cursor });
  const [settings, definitions] = await Promise.all([getPipelineSettings(ctx), customFieldDefinitions(ctx, 'lead')]);
  const page = await overdueLeadsPage(ctx, {
    now: ctx.now(),
    timeZone: settings.recap.timezone,
    ...(plan.statusIds ? { statusIds: plan.statusIds } : {}),
    filters: plan.filters,
    limit,
    ...(cursor ? { cursor } : {}),
  });
  return { items: page.items.map((found) => ({ ...withVisibleCustomFields(found.lead, definitions), overdue: found.overdue })), nextCursor: page.nextCursor };
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

/** Leads restored at a time: each lead is its own transaction, independent of the others. */
const BULK_CONCURRENCY = 10;

/** R-LEAD-6 bulk: one bad, invisible or conflicting id is reported in its result and does not stop the others; results in the order of the ids. */
function restoreMany(ctx: AppContext, principal: Principal, ids: readonly string[]): Promise<BulkRestoreResult> {
  return runBulk(ids, (id) => restoreOne(ctx, principal, id), { label: 'lead', concurrency: BULK_CONCURRENCY });
}

const shown = async (ctx: AppContext, record: StoredLead) => withVisibleCustomFields(record, await customFieldDefinitions(ctx, 'lead'));

export const leadRoutes = [
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
      await removeLead(ctx, params.id, transitionOptions(principal, ifMatch));
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

export const handler = createApiHandler([...leadStatusRoutes, ...leadRoutes, ...leadConversionRoutes]);
