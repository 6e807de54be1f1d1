import type { AppContext } from '../shared/app-context.ts';
import { postSaleProcessModel } from '../shared/db/keys.ts';
import { processIndexItems } from '../shared/db/post-sale-items.ts';
import { toItem } from '../shared/db/records.ts';
import { batchWriteAll, type WriteRequest } from '../shared/db/store.ts';
import { createUser } from '../shared/db/users.ts';
import { MAX_TASKS } from '../shared/domain/post-sale-limits.ts';
import type { PostSaleProcess, PostSaleTask } from '../shared/schemas/post-sale.ts';
import { runReminders, type ReminderReport } from '../functions/jobs/reminders.ts';
import { countReads } from './recap-reads.ts';

/**
 * R-PS-8 (issue 11 "Tests and figures"): the reminder job's DynamoDB reads (read capacity units, from
 * ConsumedCapacity) with the same number of due reminders among ever more tasks. Reads that stay flat as the tasks
 * grow are the proof that the job queries only the due part of the sparse reminders index, never the tasks.
 */

export interface ReminderReadsOptions {
  /** Total tasks of each measurement, ascending; the first must hold at least `dueReminders`. */
  taskCounts?: readonly number[];
  dueReminders?: number;
  /** The job's clock; due reminders are a minute before it. */
  now?: Date;
}

export interface ReminderReadsRow {
  tasks: number;
  dueReminders: number;
  /** Read capacity units of every read of the run (GetItem, Query, BatchGetItem). */
  readUnits: number;
  readCalls: number;
  report: ReminderReport;
}

const MINUTE_MS = 60 * 1000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/**
 * Each measurement adds tasks that are not due (in processes of MAX_TASKS tasks, written with their index items in
 * batches, as the data layer would) and one process whose `dueReminders` tasks are due, then runs the job once at
 * `now`. A run sends the due reminders and takes them out of the index, so each measurement has exactly its own due ones.
 */
export async function measureReminderReads(ctx: AppContext, options: ReminderReadsOptions = {}): Promise<ReminderReadsRow[]> {
  const { taskCounts = [100, 5_000], dueReminders = 20, now = new Date() } = options;
  if (dueReminders > MAX_TASKS) throw new Error(`At most ${MAX_TASKS} due reminders: they share one process`);
  const owner = await createUser(ctx, { email: `reminder-bench-${ctx.newId().toLowerCase()}@example.com`, name: 'Reminder bench', role: 'rep' });
  const at = (offsetMs: number) => new Date(now.getTime() + offsetMs).toISOString();
  const stamp = at(-DAY_MS);

  const task = (index: number, fields: Partial<PostSaleTask>): PostSaleTask => ({
    id: ctx.newId(),
    title: `Bench task ${index}`,
    status: 'todo',
    assigneeId: owner.id,
    dueAt: null,
    reminderAt: null,
    createdAt: stamp,
    updatedAt: stamp,
    ...fields,
  });
  const process = (tasks: PostSaleTask[]): PostSaleProcess => ({
    id: ctx.newId(),
    version: 1,
    createdAt: stamp,
    updatedAt: stamp,
    opportunityId: ctx.newId(),
    templateId: null,
    assigneeId: owner.id,
    opportunityOwnerId: owner.id,
    ownerId: owner.id,
    labels: [],
    status: 'todo',
    tasks,
  });

  const rows: ReminderReadsRow[] = [];
  let tasks = 0;
  for (const target of taskCounts) {
    const fillers = Array.from({ length: Math.max(0, target - tasks - dueReminders) }, (_, index) => task(tasks + index, notDue(index, at)));
    const due = Array.from({ length: dueReminders }, (_, index) => task(index, { title: `Due task ${String(index).padStart(2, '0')}`, reminderAt: at(-MINUTE_MS), dueAt: at(DAY_MS) }));
    const processes = [...chunked(fillers, MAX_TASKS).map(process), process(due)];
    await writeProcesses(ctx, processes);
    tasks += fillers.length + due.length;
    const { readUnits, readCalls, result: report } = await countReads(ctx, () => runReminders({ ...ctx, now: () => now }, { now }));
    rows.push({ tasks, dueReminders, readUnits, readCalls, report });
  }
  return rows;
}

/**
 * Tasks that are not due, in turn: a reminder later (in the reminders index, beyond the job's bound), no reminder
 * (only in the open-tasks index), done with a past reminder (in no reminders index), nobody's with a later reminder.
 */
function notDue(index: number, at: (offsetMs: number) => string): Partial<PostSaleTask> {
  switch (index % 4) {
    case 0:
      return { reminderAt: at(DAY_MS + index * MINUTE_MS), dueAt: at(2 * DAY_MS) };
    case 1:
      return { dueAt: at(3 * DAY_MS) };
    case 2:
      return { status: 'done', reminderAt: at(-DAY_MS) };
    default:
      return { assigneeId: null, reminderAt: at(DAY_MS + index * MINUTE_MS) };
  }
}

const chunked = <T>(all: readonly T[], size: number): T[][] => Array.from({ length: Math.ceil(all.length / size) }, (_, at) => all.slice(at * size, (at + 1) * size));

/** The processes and their index items (what their creation's transaction would write), in batches. */
async function writeProcesses(ctx: AppContext, processes: readonly PostSaleProcess[]): Promise<void> {
  const requests: WriteRequest[] = processes.flatMap((process) => [
    { PutRequest: { Item: toItem(postSaleProcessModel, process) } },
    ...processIndexItems(process).map((item) => ({ PutRequest: { Item: item } })),
  ]);
  await batchWriteAll(ctx, requests);
}
