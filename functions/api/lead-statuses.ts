import type { AppContext } from '../../shared/app-context.ts';
import { leadContracts } from '../../shared/contracts/leads.ts';
import { leads, leadStatuses } from '../../shared/db/access-patterns.ts';
import { leadModel, leadStatusModel } from '../../shared/db/keys.ts';
import { listLeadStatuses } from '../../shared/db/overdue-leads.ts';
import { toItem } from '../../shared/db/records.ts';
import { createRecord, type ExtraWrite, newRecord, partitionHasItems, queryPage, requireRecord, updateRecord } from '../../shared/db/store.ts';
import { deleteUnlessUsed } from '../../shared/db/uses.ts';
import { conflict } from '../../shared/domain/errors.ts';
import { buildLeadStatus, checkDefaultStatusRules, checkStatusDeletable, replacedDefault, withoutDefault } from '../../shared/domain/leads.ts';
import { implement } from '../../shared/http/route.ts';
import type { CreateLeadStatusInput, LeadStatus, LeadStatusChange } from '../../shared/schemas/leads.ts';

/** Lead statuses (R-LEAD-1): their order, their default, and deletion only when no lead is in one. */

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
  implement(leadContracts.listLeadStatuses, ({ ctx, query: { active, ...page } }) =>
    queryPage<LeadStatus>(ctx, { ...leadStatuses.inOrder(), ascending: true, ...statusListFilter(active), ...page })),
  implement(leadContracts.getLeadStatus, ({ ctx, params }) => requireRecord(ctx, leadStatusModel, params.id)),
  implement(leadContracts.createLeadStatus, ({ ctx, body }) => createLeadStatus(ctx, body)),
  implement(leadContracts.updateLeadStatus, ({ ctx, params, body, ifMatch }) => updateLeadStatus(ctx, params.id, body, ifMatch)),
  implement(leadContracts.deleteLeadStatus, ({ ctx, params, ifMatch }) => deleteLeadStatus(ctx, params.id, ifMatch)),
];
