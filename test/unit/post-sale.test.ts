import { describe, expect, it } from 'vitest';
import {
  changedProcess,
  checkMayDelete,
  completionEvents,
  dayAfterWin,
  newProcessFields,
  processGrantees,
  processStatus,
  replacedDefaultTemplate,
  withAddedTask,
  withChangedTask,
  withoutTask,
  type NewProcess,
} from '../../shared/domain/post-sale.ts';
import { MAX_TASKS } from '../../shared/domain/post-sale-limits.ts';
import type { PostSaleProcess, PostSaleTemplate } from '../../shared/schemas/post-sale.ts';

const NOW = '2026-03-27T20:00:00.000Z';
let counter = 0;
const clock = { now: NOW, newId: () => `01TASK${String(++counter).padStart(20, '0')}` };

const template = (tasks: PostSaleTemplate['tasks'], fields: Partial<PostSaleTemplate> = {}): PostSaleTemplate => ({
  id: '01TEMPLATE0000000000000000',
  version: 1,
  createdAt: NOW,
  updatedAt: NOW,
  name: 'Onboarding',
  isDefault: false,
  tasks,
  ...fields,
});

const input = (fields: Partial<NewProcess> = {}): NewProcess => ({
  opportunity: { id: '01OPP000000000000000000000', ownerId: '01OWNER0000000000000000000', tags: ['VIP', 'Renewal'], closedAt: NOW },
  template: undefined,
  assigneeId: null,
  labels: [],
  tasks: [],
  prefillLabelsFromTags: false,
  timeZone: 'Europe/Rome',
  ...fields,
});

const stored = (fields: Partial<NewProcess> = {}): PostSaleProcess => ({
  id: '01PROCESS00000000000000000',
  version: 1,
  createdAt: NOW,
  updatedAt: NOW,
  ...newProcessFields(input(fields), clock),
});

describe('R-PS-4 the derived status', () => {
  it.each([
    [['done', 'todo', 'waiting'], 'todo'],
    [['done', 'waiting'], 'waiting'],
    [['waiting', 'waiting'], 'waiting'],
    [['done', 'done'], 'done'],
    [[], 'done'],
  ] as const)('R-PS-4 tasks %j make the process %s', (statuses, expected) => {
    expect(processStatus(statuses.map((status) => ({ status })))).toBe(expected);
  });

  it('R-PS-4 every change of a task recomputes the status; completing the last open task emits postsale.completed once', () => {
    const process = stored({ tasks: [{ title: 'Kick-off' }, { title: 'Invoice', status: 'waiting' }] });
    const [kickOff, invoice] = process.tasks;

    const afterKickOff = withChangedTask(process, kickOff!.id, { status: 'done' }, NOW).next;
    const afterInvoice = withChangedTask(afterKickOff, invoice!.id, { status: 'done' }, NOW).next;
    const reopened = withAddedTask(afterInvoice, { title: 'Follow-up' }, clock).next;

    expect([process.status, afterKickOff.status, afterInvoice.status, reopened.status]).toEqual(['todo', 'waiting', 'done', 'todo']);
    expect(completionEvents(process, afterKickOff)).toEqual([]);
    expect(completionEvents(afterKickOff, afterInvoice)).toEqual(['postsale.completed']);
    expect(completionEvents(afterInvoice, afterInvoice)).toEqual([]);
    expect(withoutTask(reopened, reopened.tasks.at(-1)!.id).status).toBe('done');
  });

  it('R-PS-8 the same instant sent again in another form keeps the stored form (its reminder is not rescheduled); another instant replaces it', () => {
    // Arrange: a task stored before times were normalized.
    const process = stored({ tasks: [{ title: 'Call', reminderAt: '2031-02-01T09:00:00Z', dueAt: '2031-02-02T09:00:00Z' }] });
    const [task] = process.tasks;

    // Act
    const same = withChangedTask(process, task!.id, { reminderAt: '2031-02-01T09:00:00.000Z', dueAt: '2031-02-02T09:00:00.000Z' }, NOW).task;
    const moved = withChangedTask(process, task!.id, { reminderAt: '2031-02-01T10:00:00.000Z' }, NOW).task;
    const cleared = withChangedTask(process, task!.id, { reminderAt: null }, NOW).task;

    // Assert
    expect([same.reminderAt, same.dueAt]).toEqual(['2031-02-01T09:00:00Z', '2031-02-02T09:00:00Z']);
    expect([moved.reminderAt, moved.dueAt]).toEqual(['2031-02-01T10:00:00.000Z', '2031-02-02T09:00:00Z']);
    expect(cleared.reminderAt).toBeNull();
  });

  it('SPEC §1 R-PS-3 a task change that repeats its values leaves the task and its process as they are; a real change stamps the task', () => {
    const process = stored({ tasks: [{ title: 'Call', dueAt: '2031-02-02T09:00:00.000Z' }] });
    const [task] = process.tasks;

    const repeated = withChangedTask(process, task!.id, { title: 'Call', dueAt: '2031-02-02T09:00:00Z', status: 'todo' }, '2031-01-01T00:00:00.000Z');
    const renamed = withChangedTask(process, task!.id, { title: 'Call back' }, '2031-01-01T00:00:00.000Z');

    expect(repeated.next).toBe(process);
    expect(repeated.task).toBe(task);
    expect(renamed.task).toMatchObject({ title: 'Call back', updatedAt: '2031-01-01T00:00:00.000Z' });
  });

  it('R-PS-3 an unknown task is a not_found refusal; a process holds at most MAX_TASKS tasks', () => {
    const full = stored({ tasks: Array.from({ length: MAX_TASKS }, (_, index) => ({ title: `Task ${index}` })) });

    expect(() => withChangedTask(full, '01UNKNOWN00000000000000000', { status: 'done' }, NOW)).toThrow(expect.objectContaining({ kind: 'not_found' }));
    expect(() => withAddedTask(full, { title: 'One more' }, clock)).toThrow(expect.objectContaining({ kind: 'conflict', code: 'too_many_tasks' }));
    expect(() => stored({ template: template([{ title: 'T', assigneeId: null, dueInDays: null, reminderInDays: null }]), tasks: full.tasks.map((task) => ({ title: task.title })) })).toThrow(
      expect.objectContaining({ kind: 'invalid' }),
    );
  });
});

describe('R-PS-2 tasks from a template, dated from the win in the tenant time zone', () => {
  it('R-PS-2 dueInDays 3 after a win on Friday evening in Rome is Monday in Rome, across the change to summer time', () => {
    // Friday 2026-03-27, 21:00 in Rome (UTC+1); clocks go forward on Sunday 2026-03-29.
    const due = dayAfterWin('2026-03-27T20:00:00.000Z', 3, 'Europe/Rome');

    expect(due).toBe('2026-03-30T07:00:00.000Z'); // Monday 09:00 in Rome, now UTC+2
  });

  it('R-PS-2 the local date counts, not the UTC one: a win just after midnight in Rome is the next day there', () => {
    // Saturday 00:30 in Rome is still Friday in UTC.
    expect(dayAfterWin('2026-03-27T23:30:00.000Z', 0, 'Europe/Rome')).toBe('2026-03-28T08:00:00.000Z');
    expect(dayAfterWin('2026-03-27T23:30:00.000Z', 0, 'UTC')).toBe('2026-03-27T09:00:00.000Z');
  });

  it('R-PS-2 a process from a template: its tasks in order, dated, assigned; its own tasks after them', () => {
    const onboarding = template([
      { title: 'Kick-off call', assigneeId: '01ASSIGNEE0000000000000000', dueInDays: 3, reminderInDays: 2 },
      { title: 'Send welcome pack', assigneeId: null, dueInDays: null, reminderInDays: null },
    ]);

    const process = stored({ template: onboarding, tasks: [{ title: 'Extra', status: 'waiting' }] });

    expect(process.templateId).toBe(onboarding.id);
    expect(process.tasks.map((task) => [task.title, task.status, task.assigneeId, task.dueAt, task.reminderAt])).toEqual([
      ['Kick-off call', 'todo', '01ASSIGNEE0000000000000000', '2026-03-30T07:00:00.000Z', '2026-03-29T07:00:00.000Z'],
      ['Send welcome pack', 'todo', null, null, null],
      ['Extra', 'waiting', null, null, null],
    ]);
    expect(process.status).toBe('todo');
  });

  it('R-PS-2 an opportunity not won dates its tasks from now', () => {
    const process = stored({ opportunity: { ...input().opportunity, closedAt: null }, template: template([{ title: 'T', assigneeId: null, dueInDays: 1, reminderInDays: null }]) });

    expect(process.tasks[0]!.dueAt).toBe('2026-03-28T08:00:00.000Z');
  });
});

describe('R-PS-5 labels, R-PS-2 owner', () => {
  it('R-PS-5 explicit labels, plus the opportunity tags when the settings say so, unique case-insensitively', () => {
    expect(stored({ labels: ['vip', 'Urgent'] }).labels).toEqual(['vip', 'Urgent']);
    expect(stored({ labels: ['vip', 'Urgent'], prefillLabelsFromTags: true }).labels).toEqual(['vip', 'Urgent', 'Renewal']);
  });

  it("R-PS-2 the owner is the assignee, else the opportunity's owner; changing the assignee changes the owner", () => {
    const unassigned = stored();
    const assigned = changedProcess(unassigned, { assigneeId: '01ASSIGNEE0000000000000000' });

    expect(unassigned.ownerId).toBe('01OWNER0000000000000000000');
    expect(assigned.ownerId).toBe('01ASSIGNEE0000000000000000');
    expect(changedProcess(assigned, { assigneeId: null }).ownerId).toBe('01OWNER0000000000000000000');
  });
});

describe('R-PS-6 / R-PS-7 access', () => {
  it('R-PS-6 the grantees are the assignee and the assignees of its tasks, each once', () => {
    const process = stored({ assigneeId: '01A0000000000000000000000A', tasks: [{ title: 'x', assigneeId: '01B0000000000000000000000B' }, { title: 'y', assigneeId: '01A0000000000000000000000A' }, { title: 'z' }] });

    expect([...processGrantees(process)].sort()).toEqual(['01A0000000000000000000000A', '01B0000000000000000000000B']);
  });

  it('R-PS-7 staff and the owner may delete; another rep, even an assignee of a task, may not', () => {
    const process = stored({ tasks: [{ title: 'x', assigneeId: '01B0000000000000000000000B' }] });

    expect(() => checkMayDelete({ userId: '01ADMIN0000000000000000000', role: 'admin' }, process)).not.toThrow();
    expect(() => checkMayDelete({ userId: '01MANAGER00000000000000000', role: 'manager' }, process)).not.toThrow();
    expect(() => checkMayDelete({ userId: '01OWNER0000000000000000000', role: 'rep' }, process)).not.toThrow();
    expect(() => checkMayDelete({ userId: '01B0000000000000000000000B', role: 'rep' }, process)).toThrow(expect.objectContaining({ kind: 'forbidden' }));
  });
});

describe('R-PS-1 templates', () => {
  it('R-PS-1 making a template the default names the previous default to unset; others are left alone', () => {
    const previous = template([], { id: '01PREVIOUS0000000000000000', isDefault: true });
    const other = template([], { id: '01OTHER0000000000000000000' });
    const next = template([], { id: '01NEXT00000000000000000000', isDefault: true });

    expect(replacedDefaultTemplate([previous, other], next)).toBe(previous);
    expect(replacedDefaultTemplate([previous, other], { ...next, isDefault: false })).toBeUndefined();
    expect(replacedDefaultTemplate([previous], previous)).toBeUndefined();
  });
});
