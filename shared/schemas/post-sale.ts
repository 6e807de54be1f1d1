import * as z from 'zod';
import { MAX_TASKS } from '../domain/post-sale-limits.ts';
import { csv, id, isoDateTime, isoDateTimeInput, pageQuery, recordFields, singleLine } from './common.ts';

/** Post-sale processes (SPEC §7, R-PS-1..8): templates, processes spawned on won deals, their tasks. */

export const TASK_STATUSES = ['todo', 'waiting', 'done'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
/** A process's status is derived from its tasks (R-PS-4), with the same three values. */
export type ProcessStatus = TaskStatus;

const title = singleLine(200);
const days = z.int().min(0).max(3650);
/** No comma in a label: `?label=a,b` is "a" or "b" (SPEC §1), so a label holding one could never be found. */
const label = singleLine(50).regex(/^[^,]*$/, 'A label cannot contain a comma');
export const labels = z.array(label).max(50);

// ---------------------------------------------------------------------------------------------------------------
// Templates (R-PS-1)

export const templateTask = z
  .object({ title: z.string(), assigneeId: id.nullable(), dueInDays: z.int().nullable(), reminderInDays: z.int().nullable() })
  .meta({ id: 'PostSaleTemplateTask' });
export type TemplateTask = z.infer<typeof templateTask>;

export const postSaleTemplate = z
  .object({ ...recordFields, name: z.string(), isDefault: z.boolean(), tasks: z.array(templateTask) })
  .meta({ id: 'PostSaleTemplate' });
export type PostSaleTemplate = z.infer<typeof postSaleTemplate>;

const templateTaskInput = z
  .strictObject({ title, assigneeId: id.optional(), dueInDays: days.optional(), reminderInDays: days.optional() })
  .meta({ id: 'PostSaleTemplateTaskInput' });

export const createTemplateBody = z
  .strictObject({ name: title, isDefault: z.boolean().optional(), tasks: z.array(templateTaskInput).max(MAX_TASKS).optional() })
  .meta({ id: 'CreatePostSaleTemplate' });
export type CreateTemplateInput = z.infer<typeof createTemplateBody>;

export const updateTemplateBody = z
  .strictObject({ name: title.optional(), isDefault: z.boolean().optional(), tasks: z.array(templateTaskInput).max(MAX_TASKS).optional() })
  .meta({ id: 'UpdatePostSaleTemplate' });
export type TemplateChange = z.infer<typeof updateTemplateBody>;

export const templateListQuery = z.strictObject(pageQuery);

// ---------------------------------------------------------------------------------------------------------------
// Processes and tasks (R-PS-2..R-PS-7)

export const postSaleTask = z
  .object({
    id,
    title: z.string(),
    status: z.enum(TASK_STATUSES),
    assigneeId: id.nullable(),
    dueAt: isoDateTime.nullable(),
    reminderAt: isoDateTime.nullable(),
    createdAt: isoDateTime,
    updatedAt: isoDateTime,
  })
  .meta({ id: 'PostSaleTask' });
export type PostSaleTask = z.infer<typeof postSaleTask>;

export const postSaleProcess = z
  .object({
    ...recordFields,
    opportunityId: id,
    templateId: id.nullable(),
    /** The user it is assigned to; its owner is this user, else the opportunity's owner (`ownerId`). */
    assigneeId: id.nullable(),
    /** The opportunity's owner when the process was created or last reassigned with it. */
    opportunityOwnerId: id,
    ownerId: id,
    labels: z.array(z.string()),
    status: z.enum(TASK_STATUSES),
    tasks: z.array(postSaleTask),
  })
  .meta({ id: 'PostSaleProcess' });
export type PostSaleProcess = z.infer<typeof postSaleProcess>;

const taskInput = z
  .strictObject({ title, status: z.enum(TASK_STATUSES).optional(), assigneeId: id.optional(), dueAt: isoDateTimeInput.optional(), reminderAt: isoDateTimeInput.optional() })
  .meta({ id: 'PostSaleTaskInput' });
export type TaskInput = z.infer<typeof taskInput>;

export const createProcessBody = z
  .strictObject({
    opportunityId: id,
    templateId: id.optional(),
    assigneeId: id.optional(),
    labels: labels.optional(),
    /** Tasks of its own, after the template's. */
    tasks: z.array(taskInput).max(MAX_TASKS).optional(),
  })
  .meta({ id: 'CreatePostSaleProcess' });
export type CreateProcessInput = z.infer<typeof createProcessBody>;

export const updateProcessBody = z
  .strictObject({ assigneeId: id.nullable().optional(), labels: labels.optional() })
  .meta({ id: 'UpdatePostSaleProcess' });
export type ProcessChange = z.infer<typeof updateProcessBody>;

export const createTaskBody = taskInput;

export const updateTaskBody = z
  .strictObject({
    title: title.optional(),
    status: z.enum(TASK_STATUSES).optional(),
    assigneeId: id.nullable().optional(),
    dueAt: isoDateTimeInput.nullable().optional(),
    reminderAt: isoDateTimeInput.nullable().optional(),
  })
  .meta({ id: 'UpdatePostSaleTask' });
export type TaskChange = z.infer<typeof updateTaskBody>;

export const taskParams = z.strictObject({ id, taskId: id });

export const processListQuery = z.strictObject({
  ...pageQuery,
  status: csv(z.enum(TASK_STATUSES)).optional(),
  label: csv(label).optional(),
  assigneeId: csv(id).optional(),
  opportunityId: csv(id).optional(),
});
export type ProcessListQuery = z.infer<typeof processListQuery>;

/** R-PS-6: what the caller has to do after sales. */
export const postSaleSummary = z
  .object({
    /** Processes not done that the caller owns or is assigned, or in which a task is assigned to it. */
    activeProcesses: z.int(),
    /** Tasks assigned to the caller that are not done, whoever owns their process. */
    openTasks: z.int(),
  })
  .meta({ id: 'PostSaleSummary' });
export type PostSaleSummary = z.infer<typeof postSaleSummary>;

/** R-PS-8: the secret address of the caller's task calendar. */
export const calendarFeed = z.object({ url: z.string(), token: z.string() }).meta({ id: 'CalendarFeed' });
