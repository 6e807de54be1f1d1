import type { AppContext } from '../app-context.ts';
import { leadConditions, type StoredLead } from '../domain/leads.ts';
import type { Condition } from '../domain/list-plan.ts';
import { canBecomeOverdue, latestPossiblyOverdueEntry, overdueAt, type Overdue } from '../domain/overdue.ts';
import type { Lead, LeadStatus } from '../schemas/leads.ts';
import { leads, leadStatuses } from './access-patterns.ts';
import { filterExpression } from './filter-builder.ts';
import { leadStatusModel } from './keys.ts';
import { queryPage, type FilterExpression, type ListQuery, type Page } from './store.ts';

/**
 * R-LEAD-3 / R-REC-2: the overdue leads, read per status that can be overdue from the sparse in-progress index
 * (GSI4, ordered by the time the lead entered the status) up to the latest entry that can be overdue now. Reads
 * grow with the overdue leads (plus at most an hour of slack, see `latestPossiblyOverdueEntry`), never with
 * the table; `overdueAt` then decides exactly in the recap time zone.
 */

export interface OverdueLead {
  lead: Lead;
  status: LeadStatus;
  overdue: Overdue;
}

export interface OverdueQuery {
  now: Date;
  /** The recap time zone (`settings.recap.timezone`): overdue counts calendar days there. */
  timeZone: string;
  /** Only these owners' leads (a FilterExpression on the index query). */
  ownerIds?: readonly string[];
  /** Only these statuses. */
  statusIds?: readonly string[];
}

const PAGE_SIZE = 100;

/** Every lead status in its `order` (a few dozen at most: one Query, rarely two). */
export async function listLeadStatuses(ctx: AppContext): Promise<LeadStatus[]> {
  const statuses: LeadStatus[] = [];
  let cursor: string | undefined;
  do {
    const page = await queryPage<LeadStatus>(ctx, { ...leadStatuses.inOrder(), ascending: true, limit: PAGE_SIZE, cursor });
    statuses.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return statuses;
}

async function statusesThatCanBeOverdue(ctx: AppContext, statusIds: readonly string[] | undefined): Promise<LeadStatus[]> {
  const statuses = await listLeadStatuses(ctx);
  return statuses.filter((status) => canBecomeOverdue(status) && (!statusIds || statusIds.includes(status.id)));
}

/** The in-progress leads of one status old enough to be overdue somewhere at `now`, oldest first. */
const possiblyOverdue = (status: LeadStatus, now: Date, timeZone: string, filter: FilterExpression | undefined): Omit<ListQuery, 'limit'> => ({
  ...leads.inProgressIn(status.id),
  // GSI4SK is `<statusEnteredAt>#<id>`: every lead that entered at or before the bound sorts below bound + U+FFFF.
  sortKeyAtMost: `${latestPossiblyOverdueEntry(status.expiryDays, now, timeZone)}\uffff`,
  ascending: true,
  ...(filter ? { filter } : {}),
});

function overdueOf(leads: readonly StoredLead[], status: LeadStatus, query: Pick<OverdueQuery, 'now' | 'timeZone'>): OverdueLead[] {
  return leads.flatMap((lead) => {
    const overdue = overdueAt(status, lead.statusEnteredAt, query.now, query.timeZone);
    return overdue ? [{ lead, status, overdue }] : [];
  });
}

/** Every overdue lead (for the morning recap), grouped by status in status order, longest overdue first within one. */
export async function findOverdueLeads(ctx: AppContext, query: OverdueQuery): Promise<OverdueLead[]> {
  if (query.ownerIds?.length === 0) return [];
  const filter = filterExpression(leadConditions({ ownerId: query.ownerIds }));
  const found: OverdueLead[] = [];
  for (const status of await statusesThatCanBeOverdue(ctx, query.statusIds)) {
    let cursor: string | undefined;
    do {
      const page = await queryPage<StoredLead>(ctx, { ...possiblyOverdue(status, query.now, query.timeZone, filter), limit: PAGE_SIZE, cursor });
      found.push(...overdueOf(page.items, status, query));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  return found;
}

export interface OverduePageQuery {
  now: Date;
  timeZone: string;
  statusIds?: readonly string[];
  /** Any condition of the listing (owner, tag, text), applied on the index query. */
  filters: readonly Condition[];
  limit: number;
  cursor?: string;
}

/** Where a page of the overdue listing stopped: the status (its place in the order survives its deletion) and the cursor inside it. */
interface OverdueCursor extends Record<string, unknown> {
  statusKey: string;
  statusId: string;
  inner: string | null;
}

const statusKeyOf = (status: LeadStatus) => leadStatusModel.indexKeys(status).GSI1SK!;

/**
 * One page of `GET /leads?overdue=true`: the overdue leads in the same order as `findOverdueLeads`. The cursor
 * names the status reached and the index cursor inside it; a page may come out shorter than `limit` when leads of
 * the margin turn out not to be overdue.
 */
export async function overdueLeadsPage(ctx: AppContext, query: OverduePageQuery): Promise<Page<OverdueLead>> {
  const filter = filterExpression(query.filters);
  const scope = JSON.stringify(['overdue-leads', query.statusIds ?? [], filter?.expression ?? '', filter?.values ?? {}]);
  const resume = query.cursor ? ((await ctx.cursors.decode(query.cursor, scope)) as OverdueCursor) : undefined;
  const statuses = (await statusesThatCanBeOverdue(ctx, query.statusIds)).filter((status) => !resume || statusKeyOf(status) >= resume.statusKey);
  const items: OverdueLead[] = [];
  for (const status of statuses) {
    let inner = resume?.statusId === status.id ? (resume.inner ?? undefined) : undefined;
    do {
      if (items.length === query.limit) {
        const stop: OverdueCursor = { statusKey: statusKeyOf(status), statusId: status.id, inner: inner ?? null };
        return { items, nextCursor: await ctx.cursors.encode(stop, scope) };
      }
      const page = await queryPage<StoredLead>(ctx, { ...possiblyOverdue(status, query.now, query.timeZone, filter), limit: query.limit - items.length, cursor: inner });
      items.push(...overdueOf(page.items, status, query));
      inner = page.nextCursor ?? undefined;
    } while (inner);
  }
  return { items, nextCursor: null };
}
