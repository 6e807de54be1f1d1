import type { AppContext } from '../app-context.ts';
import { hasPendingReminder, isOpenTask, processViewers } from '../domain/post-sale.ts';
import { searchKey } from '../domain/tags.ts';
import type { PostSaleProcess, PostSaleTask } from '../schemas/post-sale.ts';
import { openTasksOf, POSTSALE_REMINDERS, postSaleItemKey, processesLabelled, processesVisibleTo, reminderSortKey } from './keys.ts';
import type { Item } from './records.ts';
import type { ExtraWrite } from './store.ts';

/**
 * The index items of a post-sale process (keys.ts): computed from the process alone, so the writes of a change are
 * the difference between the items of the process before and after it, committed in the process's transaction
 * (conditioned on its version): the indexes never disagree with the record for longer than GSI propagation.
 */

export type IndexItem = Item & { PK: string; SK: string };

/** What a task item holds: enough for the reminder job to find the process and check the reminder is still the same. */
export interface TaskIndexItem {
  processId: string;
  taskId: string;
  assigneeId: string | null;
  reminderAt: string | null;
}

/** A task's item, when it is in an index: a pending reminder (GSI3) or an assignee with the task open (GSI4). */
export function taskItem(process: Pick<PostSaleProcess, 'id'>, task: PostSaleTask): IndexItem | undefined {
  const reminder = hasPendingReminder(task);
  const assigned = task.assigneeId !== null && isOpenTask(task);
  if (!reminder && !assigned) return undefined;
  return {
    ...postSaleItemKey(process.id, 'task', task.id),
    recordType: 'Post-sale task index',
    processId: process.id,
    taskId: task.id,
    assigneeId: task.assigneeId,
    reminderAt: reminder ? task.reminderAt : null,
    ...(reminder ? { GSI3PK: POSTSALE_REMINDERS, GSI3SK: reminderSortKey(task.reminderAt!, task.id) } : {}),
    ...(assigned ? { GSI4PK: openTasksOf(task.assigneeId!), GSI4SK: `${process.id}#${task.id}` } : {}),
  };
}

/** Every index item of a process: its tasks' (when indexed), one per label (case-folded), one per user who may see it. */
export function processIndexItems(process: PostSaleProcess): IndexItem[] {
  const tasks = process.tasks.flatMap((task) => taskItem(process, task) ?? []);
  const labels = [...new Set(process.labels.map(searchKey))].map((label) => ({
    ...postSaleItemKey(process.id, 'label', label),
    recordType: 'Post-sale label',
    processId: process.id,
    GSI3PK: processesLabelled(label),
    GSI3SK: process.id,
  }));
  const grants = [...processViewers(process)].map((userId) => viewerItem(process, userId));
  return [...tasks, ...labels, ...grants];
}

/** The item that lists the process for one user who may see it (`processesVisibleTo`, GSI2). */
export function viewerItem(process: Pick<PostSaleProcess, 'id'>, userId: string): IndexItem {
  return {
    ...postSaleItemKey(process.id, 'grant', userId),
    recordType: 'Post-sale grant',
    processId: process.id,
    userId,
    GSI2PK: processesVisibleTo(userId),
    GSI2SK: process.id,
  };
}

/** The items to put (new or changed) and the keys to delete (gone) when a process goes from `before` to `after`. */
export function indexItemChanges(before: PostSaleProcess | undefined, after: PostSaleProcess | undefined): { put: IndexItem[]; remove: { PK: string; SK: string }[] } {
  const was = new Map((before ? processIndexItems(before) : []).map((item) => [item.SK, item]));
  const is = after ? processIndexItems(after) : [];
  const put = is.filter((item) => {
    const previous = was.get(item.SK);
    return !previous || JSON.stringify(previous) !== JSON.stringify(item);
  });
  const kept = new Set(is.map((item) => item.SK));
  const remove = [...was.values()].filter((item) => !kept.has(item.SK)).map(({ PK, SK }) => ({ PK, SK }));
  return { put, remove };
}

/** The same as writes of the process's transaction (unconditional: the process's version condition guards them). */
export function indexItemWrites(ctx: AppContext, before: PostSaleProcess | undefined, after: PostSaleProcess | undefined): ExtraWrite[] {
  const { put, remove } = indexItemChanges(before, after);
  return [
    ...put.map((item) => ({ write: { Put: { TableName: ctx.tableName, Item: item } } })),
    ...remove.map((key) => ({ write: { Delete: { TableName: ctx.tableName, Key: key } } })),
  ];
}
