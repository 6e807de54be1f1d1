import type {
  CreateTemplateInput,
  PostSaleProcess,
  PostSaleTask,
  PostSaleTemplate,
  ProcessChange,
  ProcessStatus,
  TaskChange,
  TaskInput,
  TemplateChange,
  TemplateTask,
} from '../schemas/post-sale.ts';
import { addDays, calendarDate, wallClockInstant } from './calendar.ts';
import { MAX_TASKS } from './post-sale-limits.ts';
import { conflict, forbidden, notFound, validationFailed } from './errors.ts';
import type { Principal } from './principal.ts';
import { normalizeTags } from './tags.ts';

/**
 * Post-sale processes as pure rules (SPEC §7): a process is one record holding its tasks, so its derived status
 * (R-PS-4) is written in the same version as the tasks it comes from; the data layer adds one index item per task
 * (reminders, assignees) in the same transaction.
 */

/** A template or process task's dates fall at this hour of the tenant's wall clock (the start of a working day). */
export const TASK_HOUR = 9;

/** R-PS-4: `todo` if any task is todo; else `waiting` if any is waiting; else `done` (no task: nothing left to do). */
export function processStatus(tasks: readonly Pick<PostSaleTask, 'status'>[]): ProcessStatus {
  if (tasks.some((task) => task.status === 'todo')) return 'todo';
  if (tasks.some((task) => task.status === 'waiting')) return 'waiting';
  return 'done';
}

/** The process's owner (R-PS-2): its assignee, else the opportunity's owner. */
export const processOwnerOf = (process: Pick<PostSaleProcess, 'assigneeId' | 'opportunityOwnerId'>) => process.assigneeId ?? process.opportunityOwnerId;

// ---------------------------------------------------------------------------------------------------------------
// Templates (R-PS-1)

const templateTasks = (tasks: CreateTemplateInput['tasks']): TemplateTask[] =>
  (tasks ?? []).map((task) => ({ title: task.title, assigneeId: task.assigneeId ?? null, dueInDays: task.dueInDays ?? null, reminderInDays: task.reminderInDays ?? null }));

export const newTemplateFields = (input: CreateTemplateInput) => ({ name: input.name, isDefault: input.isDefault ?? false, tasks: templateTasks(input.tasks) });

export const changedTemplate = (current: PostSaleTemplate, change: TemplateChange): PostSaleTemplate => ({
  ...current,
  ...(change.name !== undefined ? { name: change.name } : {}),
  ...(change.isDefault !== undefined ? { isDefault: change.isDefault } : {}),
  ...(change.tasks !== undefined ? { tasks: templateTasks(change.tasks) } : {}),
});

/** The assignees a template names, for the check that they are users (each with the path of its field). */
export const templateAssignees = (tasks: CreateTemplateInput['tasks']) =>
  (tasks ?? []).flatMap((task, index) => (task.assigneeId ? [{ userId: task.assigneeId, path: `tasks.${index}.assigneeId` }] : []));

/** One default template at a time: the one that stops being it when `next` becomes it. */
export const replacedDefaultTemplate = (templates: readonly PostSaleTemplate[], next: PostSaleTemplate) =>
  next.isDefault ? templates.find((template) => template.isDefault && template.id !== next.id) : undefined;

// ---------------------------------------------------------------------------------------------------------------
// Processes (R-PS-2, R-PS-3, R-PS-5)

/** A date `days` calendar days after the win's date in the tenant's time zone, at TASK_HOUR there (ISO-8601 UTC). */
export function dayAfterWin(wonAt: string, days: number | null, timeZone: string): string | null {
  if (days === null) return null;
  return new Date(wallClockInstant(addDays(calendarDate(new Date(wonAt), timeZone), days), TASK_HOUR, timeZone)).toISOString();
}

export interface ProcessClock {
  now: string;
  newId: () => string;
}

const newTask = (input: TaskInput, clock: ProcessClock): PostSaleTask => ({
  id: clock.newId(),
  title: input.title,
  status: input.status ?? 'todo',
  assigneeId: input.assigneeId ?? null,
  dueAt: input.dueAt ?? null,
  reminderAt: input.reminderAt ?? null,
  createdAt: clock.now,
  updatedAt: clock.now,
});

/** R-PS-2: a template's tasks, dated from the win in the tenant's time zone. */
export function tasksFromTemplate(template: Pick<PostSaleTemplate, 'tasks'>, wonAt: string, timeZone: string, clock: ProcessClock): PostSaleTask[] {
  return template.tasks.map((task) =>
    newTask(
      {
        title: task.title,
        ...(task.assigneeId ? { assigneeId: task.assigneeId } : {}),
        ...(task.dueInDays !== null ? { dueAt: dayAfterWin(wonAt, task.dueInDays, timeZone)! } : {}),
        ...(task.reminderInDays !== null ? { reminderAt: dayAfterWin(wonAt, task.reminderInDays, timeZone)! } : {}),
      },
      clock,
    ),
  );
}

export interface NewProcess {
  opportunity: { id: string; ownerId: string; tags: readonly string[]; closedAt: string | null };
  template: PostSaleTemplate | undefined;
  assigneeId: string | null;
  labels: readonly string[];
  tasks: readonly TaskInput[];
  prefillLabelsFromTags: boolean;
  timeZone: string;
}

export type ProcessFields = Omit<PostSaleProcess, 'id' | 'version' | 'createdAt' | 'updatedAt'>;

/** With its derived fields (owner, status) computed from the rest. */
const derived = <T extends Omit<ProcessFields, 'ownerId' | 'status'>>(process: T) => ({ ...process, ownerId: processOwnerOf(process), status: processStatus(process.tasks) });

/**
 * R-PS-2, R-PS-5: a process for the opportunity, with the template's tasks (dated from the win, or from now for an
 * opportunity not won) then its own, labelled with the labels given and, when the settings say so, the opportunity's tags.
 */
export function newProcessFields(input: NewProcess, clock: ProcessClock): ProcessFields {
  const wonAt = input.opportunity.closedAt ?? clock.now;
  const tasks = [...(input.template ? tasksFromTemplate(input.template, wonAt, input.timeZone, clock) : []), ...input.tasks.map((task) => newTask(task, clock))];
  if (tasks.length > MAX_TASKS) throw validationFailed([{ path: 'tasks', message: `A process holds at most ${MAX_TASKS} tasks (the template's included)` }]);
  return derived({
    opportunityId: input.opportunity.id,
    templateId: input.template?.id ?? null,
    assigneeId: input.assigneeId,
    opportunityOwnerId: input.opportunity.ownerId,
    labels: normalizeTags([...input.labels, ...(input.prefillLabelsFromTags ? input.opportunity.tags : [])]),
    tasks,
  });
}

export function changedProcess(current: PostSaleProcess, change: ProcessChange): PostSaleProcess {
  return derived({
    ...current,
    ...(change.assigneeId !== undefined ? { assigneeId: change.assigneeId } : {}),
    ...(change.labels !== undefined ? { labels: normalizeTags(change.labels) } : {}),
  });
}

/** The opportunity changed hands: a process without an assignee follows it. */
export const withOpportunityOwner = (current: PostSaleProcess, ownerId: string): PostSaleProcess => derived({ ...current, opportunityOwnerId: ownerId });

export function withAddedTask(current: PostSaleProcess, input: TaskInput, clock: ProcessClock): { next: PostSaleProcess; task: PostSaleTask } {
  if (current.tasks.length >= MAX_TASKS) throw conflict('too_many_tasks', `A process holds at most ${MAX_TASKS} tasks`);
  const task = newTask(input, clock);
  return { next: derived({ ...current, tasks: [...current.tasks, task] }), task };
}

const requireTask = (process: PostSaleProcess, taskId: string) => {
  const task = process.tasks.find((candidate) => candidate.id === taskId);
  if (!task) throw notFound('Task');
  return task;
};

/**
 * A time sent for the instant already stored keeps its stored form: a task stored before times were normalized
 * (`…T09:00:00Z`) is not rescheduled by the same instant sent again (`…T09:00:00.000Z`), so its reminder, keyed by
 * that form, is not sent a second time (R-PS-8).
 */
const storedFormIfSame = (stored: string | null, sent: string | null | undefined) =>
  stored !== null && typeof sent === 'string' && Date.parse(stored) === Date.parse(sent) ? stored : sent;

export function withChangedTask(current: PostSaleProcess, taskId: string, change: TaskChange, now: string): { next: PostSaleProcess; task: PostSaleTask } {
  const existing = requireTask(current, taskId);
  const times = { dueAt: storedFormIfSame(existing.dueAt, change.dueAt), reminderAt: storedFormIfSame(existing.reminderAt, change.reminderAt) };
  const fields = definedFields({ ...change, ...times });
  // Values the task already has are no change of it, nor of its process (SPEC §1: no new version).
  if (Object.entries(fields).every(([name, value]) => existing[name as keyof PostSaleTask] === value)) return { next: current, task: existing };
  const task: PostSaleTask = { ...existing, ...fields, updatedAt: now };
  return { next: derived({ ...current, tasks: current.tasks.map((candidate) => (candidate.id === taskId ? task : candidate)) }), task };
}

export function withoutTask(current: PostSaleProcess, taskId: string): PostSaleProcess {
  requireTask(current, taskId);
  return derived({ ...current, tasks: current.tasks.filter((task) => task.id !== taskId) });
}

const definedFields = <T extends object>(change: T) => Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined)) as Partial<T>;

/** The events a change of a process emits: `postsale.completed` when its status reaches done (R-PS-4). */
export function completionEvents(before: PostSaleProcess, after: PostSaleProcess): 'postsale.completed'[] {
  return before.status !== 'done' && after.status === 'done' && after.tasks.length > 0 ? ['postsale.completed'] : [];
}

/** What the winner's `postSaleOnWin` asks for when a deal is won (R-PS-2): the won answer and the won event's decision. */
export interface WinPostSale {
  answer: 'none' | 'ask' | 'created' | 'exists';
  decision: { kind: 'create'; processId: string; templateId: string | null } | { kind: 'none' };
}

/**
 * R-PS-2: `never` → nothing; `ask` → nothing, and the client asks its user; `always` → a process (created by the
 * consumer of the won event) from the template named in the won request, else the default one. With no template at
 * all there is nothing to create it from: the client is told to ask instead. A deal won again after a restore may
 * still have its process (one per opportunity): `exists`, whatever the preference, and nothing is created.
 */
export function postSaleOnWin(
  preference: 'ask' | 'always' | 'never',
  template: { named: string | null; defaultExists: boolean },
  processId: string,
  hasProcess = false,
): WinPostSale {
  if (hasProcess) return { answer: 'exists', decision: { kind: 'none' } };
  if (preference === 'never') return { answer: 'none', decision: { kind: 'none' } };
  if (preference === 'ask' || (!template.named && !template.defaultExists)) return { answer: 'ask', decision: { kind: 'none' } };
  return { answer: 'created', decision: { kind: 'create', processId, templateId: template.named } };
}

// ---------------------------------------------------------------------------------------------------------------
// Access (R-PS-6, R-PS-7, R-SHR-1)

/** The users an assignment lets see the process, its opportunity and its contact: its assignee and its tasks' assignees. */
export function processGrantees(process: Pick<PostSaleProcess, 'assigneeId' | 'tasks'>): Set<string> {
  return new Set([process.assigneeId, ...process.tasks.map((task) => task.assigneeId)].filter((userId): userId is string => userId !== null));
}

/**
 * R-PS-6 / R-SHR-1: the most users a process may grant (its assignee and its tasks' assignees, each counted once).
 * Each grantee costs up to three grant items (its opportunity, contact and company) besides its process grant item,
 * committed in the process's transaction: with MAX_TASKS task items, MAX_LABELS labels, the process, its guard and its
 * events, a process's creation or deletion still fits in one transaction (100 items).
 */
export const MAX_GRANTEES = 10;

/** R-PS-6: a change that would make the process name more than MAX_GRANTEES users is refused (409 `too_many_assignees`). */
export function checkGrantees(process: Pick<PostSaleProcess, 'assigneeId' | 'tasks'>): void {
  if (processGrantees(process).size > MAX_GRANTEES) {
    throw conflict('too_many_assignees', `A process and its tasks are assigned to at most ${MAX_GRANTEES} different users`);
  }
}

/**
 * R-PS-6 / R-SHR-1: the users who gain and lose the grant of the process's opportunity (and contact, company) when it
 * goes from `before` to `after` (undefined: created or deleted).
 */
export function granteeChanges(
  before: Pick<PostSaleProcess, 'assigneeId' | 'tasks'> | undefined,
  after: Pick<PostSaleProcess, 'assigneeId' | 'tasks'> | undefined,
): { gained: string[]; lost: string[] } {
  const was = before ? processGrantees(before) : new Set<string>();
  const is = after ? processGrantees(after) : new Set<string>();
  return { gained: [...is].filter((userId) => !was.has(userId)).sort(), lost: [...was].filter((userId) => !is.has(userId)).sort() };
}

/** Staff, the process's owner and its opportunity's owner (who keeps its deal's process in hand when it assigns it). */
const managesProcess = (principal: Principal, process: Pick<PostSaleProcess, 'ownerId' | 'opportunityOwnerId'>) =>
  principal.role !== 'rep' || principal.userId === process.ownerId || principal.userId === process.opportunityOwnerId;

/**
 * R-PS-6: an assignment lets a rep see a process and work its own tasks, not run the process: changing its assignee or
 * labels, adding tasks or changing other people's takes staff, the process's owner or its opportunity's owner (403).
 */
export function checkMayChange(principal: Principal, process: Pick<PostSaleProcess, 'ownerId' | 'opportunityOwnerId'>): void {
  if (!managesProcess(principal, process)) throw forbidden('Only staff, the owner of the process or of its opportunity may change it; an assignee may change its own tasks');
}

/** R-PS-6: a task's assignee may change its own task (its title, status and dates), not give it to someone else. */
export function checkMayChangeTask(principal: Principal, process: PostSaleProcess, taskId: string, change: Pick<TaskChange, 'assigneeId'>): void {
  if (managesProcess(principal, process)) return;
  const task = process.tasks.find((candidate) => candidate.id === taskId);
  if (task?.assigneeId === principal.userId && (change.assigneeId === undefined || change.assigneeId === principal.userId)) return;
  // An unknown task is the 404 of the change itself.
  if (task) checkMayChange(principal, process);
}

/** R-PS-7: deleting a process or one of its tasks takes staff or the process's owner. */
export function checkMayDelete(principal: Principal, process: Pick<PostSaleProcess, 'ownerId'>): void {
  if (principal.role === 'rep' && principal.userId !== process.ownerId) throw forbidden('Only staff or the owner of the process may delete it or its tasks');
}

/** R-PS-8: a task's reminder is due to be sent while it has one and is not done. */
export const hasPendingReminder = (task: Pick<PostSaleTask, 'reminderAt' | 'status'>) => task.reminderAt !== null && task.status !== 'done';

/** R-PS-6: a task counts as open for its assignee until it is done. */
export const isOpenTask = (task: Pick<PostSaleTask, 'status'>) => task.status !== 'done';

/**
 * R-PS-6: everyone who may see the process: its owner, its opportunity's owner (still the deal's owner when the
 * process is assigned to someone else) and its grantees (the process's and its tasks' assignees).
 */
export function processViewers(process: Pick<PostSaleProcess, 'ownerId' | 'opportunityOwnerId' | 'assigneeId' | 'tasks'>): Set<string> {
  return new Set([process.ownerId, process.opportunityOwnerId, ...processGrantees(process)]);
}

/** R-PS-6: staff see every process; a rep those it owns, whose opportunity it owns, or it is granted. */
export const canSeeProcess = (principal: Principal) => (process: Pick<PostSaleProcess, 'ownerId' | 'opportunityOwnerId' | 'assigneeId' | 'tasks'>) =>
  principal.role !== 'rep' || processViewers(process).has(principal.userId);

/**
 * The most labels a process holds: with its tasks (MAX_TASKS), its grants (at most one per task, its assignee and
 * owner) and its creation's guard and events, a process's index items still commit in one transaction (100 items).
 */
export const MAX_LABELS = 10;

/**
 * R-PS-5: the labels a process starts with: the ones given (more than MAX_LABELS: 400), then the opportunity's tags
 * when the settings say so, as many as still fit.
 */
export function initialLabels(given: readonly string[], tags: readonly string[], prefillLabelsFromTags: boolean): string[] {
  const labels = checkedLabels(given);
  return normalizeTags([...labels, ...(prefillLabelsFromTags ? tags : [])]).slice(0, MAX_LABELS);
}

/** Labels given by a caller, normalized; more than MAX_LABELS distinct ones is a 400 on `labels`. */
export function checkedLabels(given: readonly string[]): string[] {
  const labels = normalizeTags(given);
  if (labels.length > MAX_LABELS) throw validationFailed([{ path: 'labels', message: `A process holds at most ${MAX_LABELS} labels` }]);
  return labels;
}
