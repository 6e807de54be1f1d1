import type * as z from 'zod';
import type { AppContext } from '../../shared/app-context.ts';
import { leadContracts } from '../../shared/contracts/leads.ts';
import { CHILD_PREFIXES, leadModel, leadStatusModel } from '../../shared/db/keys.ts';
import { createLead as commitNewLead, removeLead, statusStillChoosable, transitionLead, transitionOptions } from '../../shared/db/lead-writes.ts';
import { leadQuery } from '../../shared/db/list-queries.ts';
import { listLeadStatuses, overdueLeadsPage } from '../../shared/db/overdue-leads.ts';
import { customFieldDefinitions, getPipelineSettings } from '../../shared/db/pipeline-config.ts';
import { resolveReasonChoice } from '../../shared/db/reasons.ts';
import { ownerErrors } from '../../shared/db/references.ts';
import { expandPage, expandRecords, readByIds } from '../../shared/db/expand.ts';
import { isSearch, searchPage, searchQueryOf } from '../../shared/db/search.ts';
import { queryShownPage, requireShownRecord, shownRecords } from '../../shared/db/shown-records.ts';
import { getRecord, newRecord, type Page, queryPage, requireRecord } from '../../shared/db/store.ts';
import { canSeeOwned } from '../../shared/domain/access.ts';
import { applyCustomFields, withVisibleCustomFields } from '../../shared/domain/custom-fields.ts';
import { conflict, forbidden, throwIfInvalid } from '../../shared/domain/errors.ts';
import type { Condition } from '../../shared/domain/list-plan.ts';
import { meetsConditions } from '../../shared/domain/search.ts';
import { concludeLead, defaultStatusOf, type LeadSource, markLeadLost, moveToStatus, newLeadFields, patchLead, planLeadList, progressStatusErrors, reassignmentEntry, restoreLead, type StoredLead } from '../../shared/domain/leads.ts';
import type { Overdue } from '../../shared/domain/overdue.ts';
import { mayCreateFor } from '../../shared/domain/parties.ts';
import type { Principal } from '../../shared/domain/principal.ts';
import { hasChoice, lossReasonChoice } from '../../shared/domain/reasons.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { recordIdRules, runBulk, runBulkOnDistinctIds } from '../../shared/http/bulk.ts';
import { implement } from '../../shared/http/route.ts';
import { type CreateLeadInput, type Lead, type LeadChange, type LeadHistoryEntry, type LeadListQuery, type LeadStatus } from '../../shared/schemas/leads.ts';
import { type BulkRestoreResult, lostBody } from '../../shared/schemas/opportunities.ts';
import { leadConversionRoutes } from './lead-conversion.ts';
import { leadStatusRoutes } from './lead-statuses.ts';

/** Leads (R-LEAD-2..R-LEAD-6): CRUD, status moves, conclusion, loss and restore; statuses and conversion have their own files. */

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

/** GET /leads: by filters, or `?id=` (a batch read); `?expand=` on either. */
async function listOrReadLeads(ctx: AppContext, principal: Principal, { id: ids, expand, ...query }: z.output<typeof leadContracts.listLeads.query>): Promise<Page<Lead & { overdue?: Overdue }>> {
  const { limit: _limit, ...others } = query;
  const page = ids ? await shownRecords(ctx, 'lead', await readByIds(ctx, principal, { model: leadModel, sight: { kind: 'owned' } }, ids, others)) : await listLeads(ctx, principal, query);
  return expandPage(ctx, principal, page, expand);
}

/** What a lead list plan's source (an index partition) guarantees, as conditions on a lead read otherwise. */
function leadSourceConditions(by: LeadSource): Condition[] {
  switch (by.pattern) {
    case 'all':
      return [{ field: 'lost', in: [by.lost] }];
    case 'ownedBy':
      return [{ field: 'ownerId', in: [by.ownerId] }, { field: 'lost', in: [by.lost] }];
    case 'withStatus':
      return [{ field: 'statusId', in: [by.statusId] }];
  }
}

async function listLeads(ctx: AppContext, principal: Principal, { limit, cursor, ...filters }: LeadListQuery): Promise<Page<Lead & { overdue?: Overdue }>> {
  const plan = planLeadList(principal, filters);
  if (filters.q) searchQueryOf(filters.q);
  if (plan.kind === 'empty') return { items: [], nextCursor: null };
  // Issue 14: `q` and `tag` are served by the search index; the plan's other conditions are checked on the leads it finds.
  if (plan.kind === 'query' && isSearch(filters)) {
    const conditions = [...leadSourceConditions(plan.by), ...plan.filters.filter((condition) => condition.field !== 'searchText')];
    const found = await searchPage<StoredLead>(ctx, principal, { entity: 'leads', model: leadModel, q: filters.q, tag: filters.tag, matches: (lead) => meetsConditions(lead, conditions), scope: filters }, { limit, cursor });
    return shownRecords(ctx, 'lead', found);
  }
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

/**
 * R-LEAD-6 bulk: one bad (malformed ids are 404s like unknown ones), invisible or conflicting id is reported in its
 * result and does not stop the others; a repeated id is restored once and each repeat gets its result; results in
 * the order of the ids.
 */
function restoreMany(ctx: AppContext, principal: Principal, ids: readonly string[]): Promise<BulkRestoreResult> {
  return runBulkOnDistinctIds(ids, recordIdRules(leadModel.label), (distinct) =>
    runBulk(distinct, (id) => restoreOne(ctx, principal, id), { label: 'lead', concurrency: BULK_CONCURRENCY }),
  );
}

const shown = async (ctx: AppContext, record: StoredLead) => withVisibleCustomFields(record, await customFieldDefinitions(ctx, 'lead'));

export const leadRoutes = [
  implement(leadContracts.listLeads, ({ ctx, principal, query }) => listOrReadLeads(ctx, principal, query)),
  implement(leadContracts.createLead, ({ ctx, principal, body }) => createLead(ctx, principal, body)),
  implement(leadContracts.getLead, async ({ ctx, principal, params, query }) => {
    const [record] = await expandRecords(ctx, principal, [await requireShownRecord(ctx, leadModel, 'lead', params.id, canSeeOwned(principal))], query.expand);
    return record!;
  }),
  implement(leadContracts.updateLead, ({ ctx, principal, params, body, ifMatch }) => updateLead(ctx, principal, params.id, body, ifMatch)),
  implement(leadContracts.deleteLead, ({ ctx, principal, params, ifMatch }) => removeLead(ctx, params.id, transitionOptions(principal, ifMatch))),
  implement(leadContracts.moveLeadStatus, async ({ ctx, principal, params, body, ifMatch }) => shown(ctx, await moveLead(ctx, principal, params.id, body.statusId, ifMatch))),
  implement(leadContracts.concludeLead, async ({ ctx, principal, params, body, ifMatch }) => shown(ctx, await concludeLeadWith(ctx, principal, params.id, body.statusId, ifMatch))),
  implement(leadContracts.markLeadLost, async ({ ctx, principal, params, body, ifMatch }) => shown(ctx, await loseLead(ctx, principal, params.id, body, ifMatch))),
  implement(leadContracts.restoreLead, async ({ ctx, principal, params, ifMatch }) => shown(ctx, await restoreOne(ctx, principal, params.id, ifMatch))),
  implement(leadContracts.restoreLeads, ({ ctx, principal, body }) => restoreMany(ctx, principal, body.ids)),
  implement(leadContracts.listLeadHistory, async ({ ctx, principal, params, query }) => {
    await requireRecord(ctx, leadModel, params.id, canSeeOwned(principal));
    return queryPage<LeadHistoryEntry>(ctx, { partition: leadModel.key(params.id).PK, sortKeyPrefix: CHILD_PREFIXES.history, ascending: true, ...query });
  }),
];

/** The leads function serves the lead statuses, the leads and their conversion. */
export const leadGroupRoutes = [...leadStatusRoutes, ...leadRoutes, ...leadConversionRoutes];

export const handler = createApiHandler(leadGroupRoutes);
