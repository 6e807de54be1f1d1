import type { AppContext } from '../app-context.ts';
import { seesEverything } from '../domain/access.ts';
import { conflict, isRefusal, validationFailed, type FieldError } from '../domain/errors.ts';
import {
  canSeeProcess,
  changedProcess,
  checkedLabels,
  checkGrantees,
  checkMayChange,
  checkMayChangeTask,
  checkMayDelete,
  completionEvents,
  initialLabels,
  newProcessFields,
  withAddedTask,
  withChangedTask,
  withOpportunityOwner,
  withoutTask,
} from '../domain/post-sale.ts';
import type { Principal } from '../domain/principal.ts';
import { searchKey } from '../domain/tags.ts';
import type { DomainEvent } from '../events/catalogue.ts';
import { newEvent } from '../events/outbox.ts';
import { logger } from '../logger.ts';
import type { Opportunity } from '../schemas/opportunities.ts';
import type {
  CreateProcessInput,
  PostSaleProcess,
  PostSaleSummary,
  PostSaleTask,
  PostSaleTemplate,
  ProcessChange,
  ProcessListQuery,
  TaskChange,
  TaskInput,
} from '../schemas/post-sale.ts';
import { postSaleProcesses } from './access-patterns.ts';
import { createAggregate, removeAggregate, transition, type Aggregate, type RecordChange } from './aggregate-writer.ts';
import { opportunityModel, postSaleGuardKey, postSaleProcessModel } from './keys.ts';
import { getPipelineSettings } from './pipeline-config.ts';
import { grantWrites } from './post-sale-grants.ts';
import { indexItemWrites } from './post-sale-items.ts';
import { defaultTemplate, findTemplate } from './post-sale-templates.ts';
import { fromItem } from './records.ts';
import { unknownReference } from './references.ts';
import { batchGetAll, getItem, getRecord, indexPartitionItems, queryPage, requireRecord, type ExtraWrite, type Page } from './store.ts';
import { unknownUserIds } from './users.ts';
import { canSeeOpportunity } from './visibility.ts';

/**
 * R-PS-2..R-PS-7 post-sale processes as an aggregate: a process is one record holding its tasks (so its derived
 * status is exact under concurrent task changes: each change is conditioned on the version it read), committed with
 * its index items (the difference between before and after: tasks' reminders and assignees, labels, grants), its
 * opportunity's guard (one process per opportunity) and its events, in ONE transaction.
 */

const postSaleExists = (opportunityId: string) =>
  conflict('post_sale_exists', `Opportunity ${opportunityId} already has a post-sale process`, { opportunityId });

/** R-PS-2: the guard in the opportunity's partition, put on creation (must be new) and deleted with the process. */
async function opportunityGuards(ctx: AppContext, { before, after }: RecordChange<PostSaleProcess>): Promise<ExtraWrite[]> {
  if (!before && after) {
    const key = postSaleGuardKey(after.opportunityId);
    // Read first, so a lost race tried again (retryOnRace) answers the real reason.
    if (await getItem(ctx, key, { consistent: true })) throw postSaleExists(after.opportunityId);
    const item = { ...key, recordType: 'Post-sale guard', processId: after.id };
    return [{ write: { Put: { TableName: ctx.tableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' } }, onConditionFailed: postSaleExists(after.opportunityId) }];
  }
  if (before && !after) {
    const condition = { ConditionExpression: 'processId = :id', ExpressionAttributeValues: { ':id': before.id } };
    return [{ write: { Delete: { TableName: ctx.tableName, Key: postSaleGuardKey(before.opportunityId), ...condition } } }];
  }
  return [];
}

export const postSaleAggregate: Aggregate<PostSaleProcess> = {
  model: postSaleProcessModel,
  lostRace: () => conflict('concurrent_update', 'The post-sale process changed meanwhile; read it again and retry'),
  async guards(ctx, records) {
    const writes: ExtraWrite[] = [];
    for (const record of records) {
      if (record.after) checkGrantees(record.after);
      writes.push(
        ...(await opportunityGuards(ctx, record)),
        ...indexItemWrites(ctx, record.before, record.after),
        ...(await grantWrites(ctx, record.before, record.after, postSaleAggregate.lostRace!())),
      );
    }
    return writes;
  },
};

const completedEvents = (ctx: AppContext, actorId: string | null, before: PostSaleProcess, after: PostSaleProcess): DomainEvent[] =>
  completionEvents(before, after).map((type) => newEvent(ctx, type, actorId, { processId: after.id, opportunityId: after.opportunityId, ownerId: after.ownerId }));

// ---------------------------------------------------------------------------------------------------------------
// Creation (R-PS-2, R-PS-5)

/** The users a process names must exist: `assigneeId`, `tasks.N.assigneeId`. */
async function assigneeErrors(ctx: AppContext, named: { path: string; userId: string | null | undefined }[]): Promise<FieldError[]> {
  const given = named.filter((entry): entry is { path: string; userId: string } => typeof entry.userId === 'string');
  if (given.length === 0) return [];
  const unavailable = new Set(await unknownUserIds(ctx, given.map((entry) => entry.userId), { activeOnly: true }));
  return given.filter((entry) => unavailable.has(entry.userId)).map((entry) => ({ path: entry.path, message: 'Must name an active user' }));
}

const taskAssignees = (tasks: readonly TaskInput[] | undefined) => (tasks ?? []).map((task, index) => ({ path: `tasks.${index}.assigneeId`, userId: task.assigneeId }));

export interface NewProcessRequest {
  opportunity: Opportunity;
  /** The template its tasks come from (dated from the win), or none. */
  template: PostSaleTemplate | undefined;
  assigneeId?: string | undefined;
  labels?: readonly string[] | undefined;
  tasks?: readonly TaskInput[] | undefined;
  /** A fixed id (the one a won event carries), else a new one. */
  processId?: string | undefined;
  actorId: string | null;
}

/**
 * Creates a process for an opportunity (no check of who asks: `createProcess` and the spawn on won do that): 409
 * `post_sale_exists` if it has one, race-safe through the guard. Task dates count from the win in the tenant's time
 * zone (`recap.timezone` of the settings); labels are the ones given, then the opportunity's tags when
 * `postSale.prefillLabelsFromTags`.
 */
export async function spawnProcess(ctx: AppContext, request: NewProcessRequest): Promise<PostSaleProcess> {
  const settings = await getPipelineSettings(ctx);
  const now = ctx.now().toISOString();
  const fields = newProcessFields(
    {
      opportunity: request.opportunity,
      template: request.template,
      assigneeId: request.assigneeId ?? null,
      labels: initialLabels(request.labels ?? [], request.opportunity.tags, settings.postSale.prefillLabelsFromTags),
      tasks: request.tasks ?? [],
      prefillLabelsFromTags: false,
      timeZone: settings.recap.timezone,
    },
    { now, newId: ctx.newId },
  );
  const process: PostSaleProcess = { ...fields, id: request.processId ?? ctx.newId(), version: 1, createdAt: now, updatedAt: now };
  const created = newEvent(ctx, 'postsale.created', request.actorId, {
    processId: process.id,
    opportunityId: process.opportunityId,
    ownerId: process.ownerId,
    templateId: process.templateId,
  });
  return createAggregate(ctx, postSaleAggregate, process, request.actorId ?? request.opportunity.ownerId, { events: [created] });
}

export interface CreateProcessOptions {
  /** A fixed id for the new process. */
  processId?: string | undefined;
}

/**
 * POST /post-sale-processes (R-PS-2): for an opportunity the caller may see (else 400 on `opportunityId`), from the
 * template named (400 on `templateId` if none such) or the default one (if any), with the caller's own tasks after
 * the template's; named users must exist (400 listing `assigneeId`, `tasks.N.assigneeId`); a second process for the
 * opportunity is a 409 `post_sale_exists`.
 */
export async function createProcess(ctx: AppContext, principal: Principal, input: CreateProcessInput, options: CreateProcessOptions = {}): Promise<PostSaleProcess> {
  const [opportunity, template, userErrors] = await Promise.all([
    getRecord(ctx, opportunityModel, input.opportunityId),
    input.templateId ? findTemplate(ctx, input.templateId) : defaultTemplate(ctx),
    assigneeErrors(ctx, [{ path: 'assigneeId', userId: input.assigneeId }, ...taskAssignees(input.tasks)]),
  ]);
  const errors: FieldError[] = [];
  if (!opportunity || !(await canSeeOpportunity(ctx, principal)(opportunity))) errors.push(unknownReference(opportunityModel, 'opportunityId'));
  if (input.templateId && !template) errors.push({ path: 'templateId', message: 'No such post-sale template' });
  errors.push(...userErrors);
  if (errors.length > 0) throw validationFailed(errors);
  return spawnProcess(ctx, {
    opportunity: opportunity!,
    template,
    assigneeId: input.assigneeId ?? assigneeOfOwnStart(principal, opportunity!),
    labels: input.labels,
    tasks: input.tasks,
    processId: options.processId,
    actorId: principal.userId,
  });
}

/**
 * A rep who starts the process of a deal it works without owning it (a share) is its assignee unless it names one:
 * it then owns what it started (R-PS-2: the owner is the assignee, else the opportunity's owner), and the deal's
 * owner sees it too (`processViewers`).
 */
const assigneeOfOwnStart = (principal: Principal, opportunity: Opportunity) =>
  principal.role === 'rep' && principal.userId !== opportunity.ownerId ? principal.userId : undefined;

export type SpawnOutcome = 'created' | 'exists' | 'not_won' | 'no_opportunity' | 'no_template';

/**
 * R-PS-2 on `opportunity.won` with `postSale: { kind: 'create' }`: the process with the id the event carries, from
 * the template it names (else, or if that one is gone, the default one). Redelivered or late events create nothing:
 * the opportunity must still be won, and the guard and the fixed id refuse a second process.
 */
export async function spawnProcessOnWin(
  ctx: AppContext,
  won: { opportunityId: string; processId: string; templateId: string | null; actorId: string | null },
): Promise<SpawnOutcome> {
  const opportunity = await getRecord(ctx, opportunityModel, won.opportunityId);
  if (!opportunity) return 'no_opportunity';
  if (opportunity.status !== 'won') return 'not_won';
  if (await getItem(ctx, postSaleGuardKey(opportunity.id), { consistent: true })) return 'exists';
  const named = won.templateId ? await findTemplate(ctx, won.templateId) : undefined;
  if (won.templateId && !named) logger.warn('The template named on won is gone; the default one is used', { opportunityId: opportunity.id, templateId: won.templateId });
  const template = named ?? (await defaultTemplate(ctx));
  if (!template) {
    logger.info('No post-sale template to create a process from on won', { opportunityId: opportunity.id });
    return 'no_template';
  }
  try {
    await spawnProcess(ctx, { opportunity, template, processId: won.processId, actorId: won.actorId });
    return 'created';
  } catch (error) {
    if (isRefusal(error, 'conflict', 'post_sale_exists') || isRefusal(error, 'conflict', 'already_exists')) return 'exists';
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reading, changing, deleting (R-PS-3..R-PS-7)

export interface ProcessWriteOptions {
  /** The If-Match the client sent: a process changed since is a 412. */
  ifMatch?: number | undefined;
}

const writeOptions = (principal: Principal, options: ProcessWriteOptions) => ({ actorId: principal.userId, canSee: canSeeProcess(principal), ifMatch: options.ifMatch });

/** GET /post-sale-processes/{id}: with its tasks; 404 when the caller may not see it (R-PS-6). */
export const getProcess = (ctx: AppContext, principal: Principal, id: string): Promise<PostSaleProcess> =>
  requireRecord(ctx, postSaleProcessModel, id, canSeeProcess(principal));

/**
 * A new assignee must be an active user (400 on `path`); the one already there is no new assignment, so a form saved
 * unchanged still answers 200 after its assignee was deactivated (SPEC §1: a repeated value is no change).
 */
async function checkNewAssignee(ctx: AppContext, path: string, given: string | null | undefined, current: string | null | undefined): Promise<void> {
  if (given === current) return;
  const errors = await assigneeErrors(ctx, [{ path, userId: given }]);
  if (errors.length > 0) throw validationFailed(errors);
}

/** PATCH /post-sale-processes/{id} `{ assigneeId?, labels? }`: a new assignee must be active (400 on `assigneeId`). */
export async function updateProcess(ctx: AppContext, principal: Principal, id: string, change: ProcessChange, options: ProcessWriteOptions = {}): Promise<PostSaleProcess> {
  const checked = change.labels !== undefined ? { ...change, labels: checkedLabels(change.labels) } : change;
  return transition(ctx, postSaleAggregate, id, writeOptions(principal, options), async (current) => {
    checkMayChange(principal, current);
    await checkNewAssignee(ctx, 'assigneeId', change.assigneeId, current.assigneeId);
    return { next: changedProcess(current, checked) };
  });
}

export interface TaskWrite {
  process: PostSaleProcess;
  task: PostSaleTask;
}

/** POST /post-sale-processes/{id}/tasks (R-PS-3): the status is derived again (R-PS-4). */
export async function addTask(ctx: AppContext, principal: Principal, id: string, input: TaskInput, options: ProcessWriteOptions = {}): Promise<TaskWrite> {
  const errors = await assigneeErrors(ctx, [{ path: 'assigneeId', userId: input.assigneeId }]);
  if (errors.length > 0) throw validationFailed(errors);
  let task: PostSaleTask | undefined;
  const process = await transition(ctx, postSaleAggregate, id, writeOptions(principal, options), (current) => {
    checkMayChange(principal, current);
    const added = withAddedTask(current, input, { now: ctx.now().toISOString(), newId: ctx.newId });
    task = added.task;
    return { next: added.next, events: completedEvents(ctx, principal.userId, current, added.next) };
  });
  return { process, task: task! };
}

/** PATCH /post-sale-processes/{id}/tasks/{taskId}: 404 for an unknown task; `postsale.completed` when the process becomes done. */
export async function updateTask(ctx: AppContext, principal: Principal, id: string, taskId: string, change: TaskChange, options: ProcessWriteOptions = {}): Promise<TaskWrite> {
  let task: PostSaleTask | undefined;
  const process = await transition(ctx, postSaleAggregate, id, writeOptions(principal, options), async (current) => {
    checkMayChangeTask(principal, current, taskId, change);
    await checkNewAssignee(ctx, 'assigneeId', change.assigneeId, current.tasks.find((candidate) => candidate.id === taskId)?.assigneeId);
    const changed = withChangedTask(current, taskId, change, ctx.now().toISOString());
    task = changed.task;
    return { next: changed.next, events: completedEvents(ctx, principal.userId, current, changed.next) };
  });
  return { process, task: task! };
}

/** DELETE /post-sale-processes/{id}/tasks/{taskId} (R-PS-7: staff or the process's owner, else 403). */
export function removeTask(ctx: AppContext, principal: Principal, id: string, taskId: string, options: ProcessWriteOptions = {}): Promise<PostSaleProcess> {
  return transition(ctx, postSaleAggregate, id, writeOptions(principal, options), (current) => {
    checkMayDelete(principal, current);
    const next = withoutTask(current, taskId);
    return { next, events: completedEvents(ctx, principal.userId, current, next) };
  });
}

/** DELETE /post-sale-processes/{id} (R-PS-7): its index items and its opportunity's guard go with it. */
export async function deleteProcess(ctx: AppContext, principal: Principal, id: string, options: ProcessWriteOptions = {}): Promise<void> {
  await removeAggregate(ctx, postSaleAggregate, id, writeOptions(principal, options), (current) => {
    checkMayDelete(principal, current);
    return {};
  });
}

/** The opportunity's process, read strongly consistent through its guard; undefined when it has none. */
async function processOfOpportunity(ctx: AppContext, opportunityId: string): Promise<PostSaleProcess | undefined> {
  const guard = await getItem(ctx, postSaleGuardKey(opportunityId), { consistent: true });
  return guard ? getRecord(ctx, postSaleProcessModel, guard.processId as string) : undefined;
}

/**
 * A process nobody is assigned belongs to its opportunity's owner (R-PS-2): when the opportunity changes hands, the
 * process follows (its owner, and the owner's index entries). Nothing to do without a process, or once it follows.
 */
export async function followOpportunityOwner(ctx: AppContext, opportunityId: string, ownerId: string, actorId: string): Promise<'followed' | 'none'> {
  const process = await processOfOpportunity(ctx, opportunityId);
  if (!process || process.opportunityOwnerId === ownerId) return 'none';
  await transition(ctx, postSaleAggregate, process.id, { actorId, canSee: () => true, read: process }, (current) =>
    current.opportunityOwnerId === ownerId ? undefined : { next: withOpportunityOwner(current, ownerId) },
  );
  return 'followed';
}

/**
 * An opportunity deleted or merged away takes its process with it (its index items, guard and grants go in the
 * same transaction). Nothing to do when it had none, or when it is gone already (a redelivered event).
 */
export async function removeProcessOfOpportunity(ctx: AppContext, opportunityId: string, actorId: string): Promise<'removed' | 'none'> {
  const process = await processOfOpportunity(ctx, opportunityId);
  if (!process) return 'none';
  await removeAggregate(ctx, postSaleAggregate, process.id, { actorId, canSee: () => true, read: process });
  return 'removed';
}

// ---------------------------------------------------------------------------------------------------------------
// Listing and summary (R-PS-4, R-PS-6)

/** Reads of an index partition per page at most, when what it holds is filtered after reading. */
const MAX_READS_PER_PAGE = 5;

async function processesById(ctx: AppContext, ids: readonly string[]): Promise<PostSaleProcess[]> {
  const items = await batchGetAll(ctx, ids.map((id) => postSaleProcessModel.key(id)), { consistent: true });
  const byId = new Map(items.map((item) => [item.id as string, fromItem<PostSaleProcess>(item)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/**
 * One page of a partition, newest first, of process records (`records: true`) or of index items naming processes
 * (label and grant items: the processes read by id), keeping those `matches` accepts. Each read asks for what the
 * page still lacks, so the cursor always resumes right after the last item read; a page may hold fewer items than
 * the limit when many were filtered out (its cursor then goes on).
 */
async function filteredPage(
  ctx: AppContext,
  source: { index: Parameters<typeof queryPage>[1]['index']; partition: string },
  records: boolean,
  matches: (process: PostSaleProcess) => boolean,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<PostSaleProcess>> {
  const items: PostSaleProcess[] = [];
  let cursor = page.cursor;
  for (let reads = 0; reads < MAX_READS_PER_PAGE; reads++) {
    const read = await queryPage<Record<string, unknown>>(ctx, { ...source, limit: page.limit - items.length, cursor });
    const processes = records ? (read.items as unknown as PostSaleProcess[]) : await processesById(ctx, read.items.map((item) => item.processId as string));
    items.push(...processes.filter(matches));
    cursor = read.nextCursor ?? undefined;
    if (!cursor || items.length >= page.limit) break;
  }
  return { items, nextCursor: cursor ?? null };
}

/**
 * GET /post-sale-processes (R-PS-4, R-PS-6): newest first, filtered by status, label, assignee (the process's owner:
 * its assignee, else the opportunity's owner) and opportunity; a rep sees the processes it owns or is granted
 * (its grant partition), staff see all. Each filter is served from an index when it is the only value of its kind:
 * opportunity (its guard), label (label items), assignee (owner partition), status (status partition); the others
 * are checked on the records read.
 */
export async function listProcesses(ctx: AppContext, principal: Principal, query: ProcessListQuery): Promise<Page<PostSaleProcess>> {
  const statuses = query.status?.length ? new Set<string>(query.status) : undefined;
  const labels = query.label?.length ? new Set(query.label.map(searchKey)) : undefined;
  const owners = query.assigneeId?.length ? new Set(query.assigneeId) : undefined;
  const canSee = canSeeProcess(principal);
  const matches = (process: PostSaleProcess) =>
    (!statuses || statuses.has(process.status)) &&
    (!labels || process.labels.some((label) => labels.has(searchKey(label)))) &&
    (!owners || owners.has(process.ownerId)) &&
    (!query.opportunityId?.length || query.opportunityId.includes(process.opportunityId)) &&
    canSee(process);
  const page = { limit: query.limit, cursor: query.cursor };

  if (query.opportunityId?.length) {
    // At most one process per opportunity: its guard names it.
    const guards = await batchGetAll(ctx, query.opportunityId.map(postSaleGuardKey), { consistent: true });
    const found = (await processesById(ctx, guards.map((guard) => guard.processId as string))).filter(matches);
    return { items: found.sort((a, b) => (a.id < b.id ? 1 : -1)).slice(0, query.limit), nextCursor: null };
  }
  if (!seesEverything(principal)) return filteredPage(ctx, postSaleProcesses.visibleTo(principal.userId), false, matches, page);
  if (labels?.size === 1) return filteredPage(ctx, postSaleProcesses.labelled([...labels][0]!), false, matches, page);
  if (owners?.size === 1) return filteredPage(ctx, postSaleProcesses.ownedBy([...owners][0]!), true, matches, page);
  if (statuses?.size === 1) return filteredPage(ctx, postSaleProcesses.withStatus(query.status![0]!), true, matches, page);
  return filteredPage(ctx, postSaleProcesses.all(), true, matches, page);
}

/**
 * GET /me/post-sale-summary (R-PS-6): the processes not done that the user owns or is granted (its grant items, then
 * their records' status), and its open tasks (the assignee index), in processes owned by others too.
 */
export async function postSaleSummary(ctx: AppContext, userId: string): Promise<PostSaleSummary> {
  const [grants, openTasks] = await Promise.all([
    indexPartitionItems<{ processId: string }>(ctx, postSaleProcesses.visibleTo(userId), ['processId']),
    indexPartitionItems<{ taskId: string }>(ctx, postSaleProcesses.openTasksOf(userId), ['taskId']),
  ]);
  const statuses = await batchGetAll(ctx, grants.map((grant) => postSaleProcessModel.key(grant.processId)), { attributes: ['status'] });
  return { activeProcesses: statuses.filter((item) => item.status !== 'done').length, openTasks: openTasks.length };
}
