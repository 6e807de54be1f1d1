/** Lead statuses (R-LEAD-1): their order, their default, and deletion only when no lead is in one. */
import type { AppContext } from '../../shared/app-context.ts';
import { leads, leadStatuses } from '../../shared/db/access-patterns.ts';
import { leadModel, leadStatusModel } from '../../shared/db/keys.ts';
import { listLeadStatuses } from '../../shared/db/overdue-leads.ts';
import { toItem } from '../../shared/db/records.ts';
import { createRecord, newRecord, partitionHasItems, queryPage, requireRecord, updateRecord, type ExtraWrite } from '../../shared/db/store.ts';
import { deleteUnlessUsed } from '../../shared/db/uses.ts';
import { buildLeadStatus, checkDefaultStatusRules, checkStatusDeletable, replacedDefault, withoutDefault } from '../../shared/domain/leads.ts';
import { defineRoute } from '../../shared/http/route.ts';
import { idParams, pageOf } from '../../shared/schemas/common.ts';
import { createLeadStatusBody, leadStatus, leadStatusListQuery, updateLeadStatusBody, type CreateLeadStatusInput, type LeadStatus, type LeadStatusChange } from '../../shared/schemas/leads.ts';
import { conflict } from '../../shared/domain/errors.ts';
import { ADMIN_ONLY, EVERYONE } from '../../shared/domain/principal.ts';


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
        byIndex: (status) => partitionHasItems(ctx, leads.withStatus(status.id)),
        inUse: conflict('lead_status_in_use', 'Leads are in this status; move them to another status first'),
      },
    ],
  });
}

const statusListFilter = (active: boolean | undefined) =>
  active === undefined ? {} : { filter: { expression: '#active = :active', names: { '#active': 'active' }, values: { ':active': active } } };

export const leadStatusRoutes = [
  defineRoute({
    method: 'GET',
    path: '/lead-statuses',
    summary: 'List lead statuses in their order (ascending order, not newest first); active=true for pickers',
    roles: EVERYONE,
    query: leadStatusListQuery,
    response: pageOf(leadStatus),
    handler: ({ ctx, query: { active, ...page } }) =>
      queryPage<LeadStatus>(ctx, { ...leadStatuses.inOrder(), ascending: true, ...statusListFilter(active), ...page }),
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
];
