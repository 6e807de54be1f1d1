import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postSaleSpawn } from '../../functions/events/post-sale-spawn.ts';
import { runReminders } from '../../functions/jobs/reminders.ts';
import type { AppContext } from '../../shared/app-context.ts';
import {
  addTask,
  createProcess,
  deleteProcess,
  getProcess,
  listProcesses,
  postSaleSummary,
  removeTask,
  updateProcess,
  updateTask,
} from '../../shared/db/post-sale-processes.ts';
import { createTemplate, defaultTemplate, deleteTemplate, getTemplate, updateTemplate } from '../../shared/db/post-sale-templates.ts';
import { getPipelineSettings } from '../../shared/db/pipeline-config.ts';
import { settingsModel, PIPELINE_SETTINGS_ID } from '../../shared/db/keys.ts';
import { updateRecord } from '../../shared/db/store.ts';
import { isRefusal } from '../../shared/domain/errors.ts';
import type { Principal } from '../../shared/domain/principal.ts';
import { consumeBusEvent } from '../../shared/events/consumer.ts';
import { newEvent } from '../../shared/events/outbox.ts';
import type { Mailer } from '../../shared/mail/mailer.ts';
import type { PostSaleProcess, ProcessListQuery } from '../../shared/schemas/post-sale.ts';
import { TestApi } from '../support/api.ts';
import { as, newOpportunity, usersOf, type Caller } from '../support/fixtures.ts';
import { grantedCalls, recordingContext } from '../support/recorded-access.ts';
import { scheduledJobs } from '../../functions/jobs/job-table.ts';
import { consume } from '../../shared/events/consumer.ts';

let api: TestApi;
let ctx: AppContext;
let admin: Principal;
beforeAll(async () => {
  api = await TestApi.start();
  ctx = api.runtime.ctx;
  admin = { userId: (await api.get('/me')).body.id, role: 'admin' };
});
afterAll(() => api?.stop());

const rep = (caller: Caller): Principal => ({ userId: caller.id, role: 'rep' });

async function refusal(promise: Promise<unknown>): Promise<{ kind: string; code: string; errors?: { path: string }[] }> {
  try {
    await promise;
  } catch (error) {
    if (isRefusal(error)) return error as never;
    throw error;
  }
  throw new Error('Expected a refusal');
}

/** An opportunity of `owner`, won over HTTP. */
async function wonOpportunity(owner?: Caller, body: Record<string, unknown> = {}) {
  const opportunity = await newOpportunity(api, owner, body);
  const won = await api.post(`/opportunities/${opportunity.id}/won`, {}, owner ? as(owner) : {});
  if (won.status !== 200) throw new Error(`won: ${won.status} ${JSON.stringify(won.body)}`);
  return won.body as typeof opportunity;
}

const list = (principal: Principal, query: Partial<ProcessListQuery> = {}) => listProcesses(ctx, principal, { limit: 50, ...query } as ProcessListQuery);
const ids = (listed: { id: string }[] | { items: { id: string }[] }) => ('items' in listed ? listed.items : listed).map((process) => process.id);

async function deliverWon(opportunity: { id: string; contactId: string | null; companyId: string | null; ownerId: string }, postSale: Record<string, unknown>) {
  const event = newEvent(ctx, 'opportunity.won', opportunity.ownerId, {
    opportunityId: opportunity.id,
    contactId: opportunity.contactId,
    companyId: opportunity.companyId,
    ownerId: opportunity.ownerId,
    winReasonIds: [],
    postSale: postSale as never,
  });
  return consumeBusEvent(ctx, postSaleSpawn, { 'detail-type': event.type, detail: JSON.parse(JSON.stringify(event.detail)) });
}

describe('R-PS-1 templates', () => {
  it('R-PS-1 one default at a time: making one default unsets the previous one; deleting the default leaves none', async () => {
    const first = await createTemplate(ctx, { name: 'First', isDefault: true, tasks: [{ title: 'Call' }] });
    const second = await createTemplate(ctx, { name: 'Second', isDefault: true });

    expect((await getTemplate(ctx, first.id)).isDefault).toBe(false);
    expect((await defaultTemplate(ctx))?.id).toBe(second.id);

    await updateTemplate(ctx, first.id, { isDefault: true });
    expect([(await getTemplate(ctx, first.id)).isDefault, (await getTemplate(ctx, second.id)).isDefault]).toEqual([true, false]);

    await deleteTemplate(ctx, first.id);
    expect(await defaultTemplate(ctx)).toBeUndefined();
  });

  it('R-PS-1 concurrent switches leave exactly one default', async () => {
    const templates = await Promise.all(Array.from({ length: 5 }, (_, index) => createTemplate(ctx, { name: `T${index}` })));
    await Promise.all(templates.map((template) => updateTemplate(ctx, template.id, { isDefault: true })));

    const flags = await Promise.all(templates.map((template) => getTemplate(ctx, template.id)));
    expect(flags.filter((template) => template.isDefault)).toHaveLength(1);
    expect((await defaultTemplate(ctx))?.id).toBe(flags.find((template) => template.isDefault)!.id);
  });

  it('R-PS-1 unknown task assignees are a 400 listing tasks.N.assigneeId', async () => {
    const [known] = await usersOf(api, 'rep');
    const answer = await refusal(
      createTemplate(ctx, { name: 'Bad', tasks: [{ title: 'A', assigneeId: ulid() }, { title: 'B', assigneeId: known.id }, { title: 'C', assigneeId: ulid() }] }),
    );

    expect(answer.kind).toBe('invalid');
    expect(answer.errors!.map((error) => error.path)).toEqual(['tasks.0.assigneeId', 'tasks.2.assigneeId']);
  });
});

describe('R-PS-2 processes: creation and spawn on won', () => {
  it('R-PS-2 dates count from the win in the tenant time zone; labels prefill from tags (R-PS-5)', async () => {
    const settings = await getPipelineSettings(ctx);
    await updateRecord(ctx, settingsModel, PIPELINE_SETTINGS_ID, (current) => ({ ...current, postSale: { prefillLabelsFromTags: true }, recap: { ...settings.recap, timezone: 'Europe/Rome' } }));
    try {
      const template = await createTemplate(ctx, { name: 'Dated', tasks: [{ title: 'Kick-off', dueInDays: 2, reminderInDays: 1 }] });
      const opportunity = await wonOpportunity(undefined, { tags: ['VIP'] });
      const process = await createProcess(ctx, admin, { opportunityId: opportunity.id, templateId: template.id, labels: ['Onboarding'] });

      const day = (days: number) => {
        const date = new Date(new Date(opportunity.closedAt!).toLocaleString('en-US', { timeZone: 'Europe/Rome' }));
        date.setDate(date.getDate() + days);
        return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
      };
      const romeDate = (iso: string) => new Date(iso).toLocaleDateString('en-CA', { timeZone: 'Europe/Rome' });
      expect(romeDate(process.tasks[0]!.dueAt!)).toBe(day(2));
      expect(romeDate(process.tasks[0]!.reminderAt!)).toBe(day(1));
      expect(process.labels).toEqual(['Onboarding', 'VIP']);
      expect(process.status).toBe('todo');
    } finally {
      await updateRecord(ctx, settingsModel, PIPELINE_SETTINGS_ID, (current) => ({ ...current, postSale: { prefillLabelsFromTags: false }, recap: settings.recap }));
    }
  });

  it('R-PS-2 a second process for an opportunity is a 409 post_sale_exists; 20 concurrent creations make 1', async () => {
    const opportunity = await wonOpportunity();
    await createProcess(ctx, admin, { opportunityId: opportunity.id });
    expect((await refusal(createProcess(ctx, admin, { opportunityId: opportunity.id }))).code).toBe('post_sale_exists');

    const raced = await wonOpportunity();
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => createProcess(ctx, admin, { opportunityId: raced.id, tasks: [{ title: 'One' }] })));

    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const codes = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [(outcome.reason as { code: string }).code] : []));
    expect(codes.every((code) => code === 'post_sale_exists')).toBe(true);
    expect(ids(await list(admin, { opportunityId: [raced.id] }))).toHaveLength(1);
  });

  it('R-PS-2 unknown opportunity, template and assignees are one 400 naming each field', async () => {
    const answer = await refusal(createProcess(ctx, admin, { opportunityId: ulid(), templateId: ulid(), assigneeId: ulid(), tasks: [{ title: 'x', assigneeId: ulid() }] }));
    expect(answer.errors!.map((error) => error.path).sort()).toEqual(['assigneeId', 'opportunityId', 'tasks.0.assigneeId', 'templateId']);
  });

  it('R-PS-2 a won event asking for a process creates it with its id and template; replayed or reordered events create nothing new', async () => {
    const template = await createTemplate(ctx, { name: 'On won', tasks: [{ title: 'Welcome' }] });
    const opportunity = await wonOpportunity();
    const processId = ulid();

    expect(await deliverWon(opportunity, { kind: 'create', processId, templateId: template.id })).toBe('handled');
    const process = await getProcess(ctx, admin, processId);
    expect([process.opportunityId, process.templateId, process.tasks.map((task) => task.title)]).toEqual([opportunity.id, template.id, ['Welcome']]);

    // Another won event (a replay with a new id, or a later win) creates nothing; nor does one for a restored deal.
    await deliverWon(opportunity, { kind: 'create', processId: ulid(), templateId: null });
    expect(ids(await list(admin, { opportunityId: [opportunity.id] }))).toEqual([processId]);
    const restored = await wonOpportunity();
    await api.post(`/opportunities/${restored.id}/restore`, {});
    await deliverWon(restored, { kind: 'create', processId: ulid(), templateId: null });
    expect(await list(admin, { opportunityId: [restored.id] })).toMatchObject({ items: [] });

    // `none` creates nothing.
    const declined = await wonOpportunity();
    await deliverWon(declined, { kind: 'none' });
    expect(await list(admin, { opportunityId: [declined.id] })).toMatchObject({ items: [] });
  });

  it('R-PS-2 on won without a template named, the default template is used', async () => {
    const fallback = await createTemplate(ctx, { name: 'Default now', isDefault: true, tasks: [{ title: 'Default task' }] });
    const opportunity = await wonOpportunity();
    const processId = ulid();
    await deliverWon(opportunity, { kind: 'create', processId, templateId: ulid() });

    expect((await getProcess(ctx, admin, processId)).templateId).toBe(fallback.id);
    await deleteTemplate(ctx, fallback.id);
  });
});

describe('R-PS-3/R-PS-4 tasks and the derived status', () => {
  it('R-PS-4 the status follows the tasks; postsale.completed when it reaches done', async () => {
    const opportunity = await wonOpportunity();
    const process = await createProcess(ctx, admin, { opportunityId: opportunity.id, tasks: [{ title: 'A' }, { title: 'B', status: 'waiting' }] });
    const [a, b] = process.tasks;

    expect((await updateTask(ctx, admin, process.id, a!.id, { status: 'done' })).process.status).toBe('waiting');
    expect((await updateTask(ctx, admin, process.id, b!.id, { status: 'done' })).process.status).toBe('done');
    const added = await addTask(ctx, admin, process.id, { title: 'C' });
    expect(added.process.status).toBe('todo');
    expect((await removeTask(ctx, admin, process.id, added.task.id)).status).toBe('done');
    expect((await refusal(updateTask(ctx, admin, process.id, ulid(), { status: 'done' }))).kind).toBe('not_found');
  });

  it('R-PS-4 concurrent task updates: the status is what the tasks say', async () => {
    const opportunity = await wonOpportunity();
    const process = await createProcess(ctx, admin, { opportunityId: opportunity.id, tasks: Array.from({ length: 8 }, (_, index) => ({ title: `T${index}` })) });

    const outcomes = await Promise.allSettled(process.tasks.map((task) => updateTask(ctx, admin, process.id, task.id, { status: 'done' })));
    // A change that lost every race is a 409 concurrent_update (the client tries again); none is lost silently.
    const rejected = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [(outcome.reason as { code: string }).code] : []));
    expect(rejected.every((code) => code === 'concurrent_update')).toBe(true);
    for (const [index, outcome] of outcomes.entries()) if (outcome.status === 'rejected') await updateTask(ctx, admin, process.id, process.tasks[index]!.id, { status: 'done' });

    const after = await getProcess(ctx, admin, process.id);
    expect(after.tasks.map((task) => task.status)).toEqual(Array(8).fill('done'));
    expect(after.status).toBe('done');
    expect((await list(admin, { status: ['done'], opportunityId: [opportunity.id] })).items.map((item) => item.id)).toEqual([process.id]);
  });
});

describe('R-PS-4/R-PS-5/R-PS-6 listing, visibility, summary', () => {
  let owner: Caller;
  let helper: Caller;
  let stranger: Caller;
  let assigned: PostSaleProcess;
  let own: PostSaleProcess;
  let done: PostSaleProcess;

  beforeAll(async () => {
    [owner, helper, stranger] = await usersOf(api, 'rep', 'rep', 'rep');
    own = await createProcess(ctx, rep(owner), { opportunityId: (await wonOpportunity(owner)).id, labels: ['Gold'], tasks: [{ title: 'Own task', assigneeId: owner.id }] });
    assigned = await createProcess(ctx, admin, { opportunityId: (await wonOpportunity()).id, labels: ['gold', 'Silver'], tasks: [{ title: 'Help', assigneeId: helper.id }, { title: 'Other' }] });
    done = await createProcess(ctx, admin, { opportunityId: (await wonOpportunity()).id, assigneeId: owner.id, tasks: [{ title: 'Done', status: 'done', assigneeId: helper.id }] });
    await api.post('/_local/settle');
  });

  it('R-PS-5 label filter (case-insensitive) from the label index; status, assignee and opportunity filters; newest first', async () => {
    const gold = ids(await list(admin, { label: ['GOLD'] }));
    expect(gold).toEqual([assigned.id, own.id]);
    expect(ids(await list(admin, { label: ['silver', 'gold'] }))).toEqual(expect.arrayContaining([assigned.id, own.id]));
    expect(ids(await list(admin, { status: ['done'] }))).toContain(done.id);
    expect(ids(await list(admin, { status: ['done'] }))).not.toContain(own.id);
    expect(ids(await list(admin, { assigneeId: [owner.id] }))).toEqual([done.id, own.id]);
    expect(ids(await list(admin, { label: ['gold'], status: ['todo'], assigneeId: [owner.id] }))).toEqual([own.id]);
  });

  it('R-PS-4 signed cursors page through newest first', async () => {
    const first = await list(admin, { label: ['gold'], limit: 1 });
    const second = await list(admin, { label: ['gold'], limit: 1, cursor: first.nextCursor! });
    expect([...ids(first.items), ...ids(second.items)]).toEqual([assigned.id, own.id]);
  });

  it('R-PS-6 a rep sees what it owns or is granted (process or task assignee); others are a 404', async () => {
    expect(ids((await list(rep(owner))).items)).toEqual([done.id, own.id]);
    expect(ids((await list(rep(helper))).items)).toEqual([done.id, assigned.id]);
    expect((await list(rep(stranger))).items).toEqual([]);
    expect((await refusal(getProcess(ctx, rep(stranger), own.id))).kind).toBe('not_found');
    expect((await getProcess(ctx, rep(helper), assigned.id)).id).toBe(assigned.id);
  });

  it('R-PS-6 unassigning stops the grant; reassigning grants the new user', async () => {
    const opportunity = await wonOpportunity();
    const process = await createProcess(ctx, admin, { opportunityId: opportunity.id, assigneeId: stranger.id });
    await api.post('/_local/settle');
    expect(ids((await list(rep(stranger))).items)).toContain(process.id);

    await updateProcess(ctx, admin, process.id, { assigneeId: null });
    expect(ids((await list(rep(stranger))).items)).not.toContain(process.id);
  });

  it('R-PS-6 summary: active processes owned or granted, open tasks including in processes owned by others', async () => {
    expect(await postSaleSummary(ctx, owner.id)).toEqual({ activeProcesses: 1, openTasks: 1 });
    expect(await postSaleSummary(ctx, helper.id)).toEqual({ activeProcesses: 1, openTasks: 1 });
  });

  it('R-PS-7 deleting a process or a task takes staff or the owner (403 for a grantee)', async () => {
    expect((await refusal(deleteProcess(ctx, rep(helper), assigned.id))).kind).toBe('forbidden');
    expect((await refusal(removeTask(ctx, rep(helper), assigned.id, assigned.tasks[0]!.id))).kind).toBe('forbidden');
    expect((await refusal(deleteProcess(ctx, rep(stranger), own.id))).kind).toBe('not_found');

    await deleteProcess(ctx, rep(owner), own.id);
    expect((await refusal(getProcess(ctx, admin, own.id))).kind).toBe('not_found');
    // Its guard went with it: the opportunity may have a new one.
    await createProcess(ctx, admin, { opportunityId: own.opportunityId });
  });
});

describe('R-PS-8 reminders', () => {
  const mailbox: { to: string; subject: string; text: string; html: string }[] = [];
  const failing = new Set<string>();
  const fakeMailer: Mailer = {
    async send(mail) {
      if (failing.has(mail.to)) throw new Error('mailbox unavailable');
      mailbox.push(mail as never);
    },
  };
  const jobCtx = () => ({ ...ctx, mailer: fakeMailer });
  const run = (now: string) => runReminders(jobCtx(), { now: new Date(now), retry: { attempts: 2, backoffMs: 1 } });

  it('R-PS-8 due reminders are sent once to the assignee in its locale with a link; not yet due, done, rescheduled and deleted ones are not', async () => {
    const [italian, other, broken] = await usersOf(api, 'rep', 'rep', 'rep');
    await api.patch(`/me/settings`, { locale: 'it' }, as(italian));
    const brokenEmail = (await api.get(`/users/${broken.id}`)).body.email;
    failing.add(brokenEmail);
    const opportunity = await wonOpportunity();
    const at = '2030-01-01T09:00:00.000Z';
    const process = await createProcess(ctx, admin, {
      opportunityId: opportunity.id,
      tasks: [
        { title: 'Due', assigneeId: italian.id, reminderAt: at },
        { title: 'Later', assigneeId: other.id, reminderAt: '2030-01-02T09:00:00.000Z' },
        { title: 'Done before', assigneeId: other.id, reminderAt: at },
        { title: 'Rescheduled', assigneeId: other.id, reminderAt: at },
        { title: 'Deleted', assigneeId: other.id, reminderAt: at },
        { title: 'Failing', assigneeId: broken.id, reminderAt: at },
        { title: 'Other due', assigneeId: other.id, reminderAt: at },
      ],
    });
    const task = (title: string) => process.tasks.find((candidate) => candidate.title === title)!;
    await updateTask(ctx, admin, process.id, task('Done before').id, { status: 'done' });
    await updateTask(ctx, admin, process.id, task('Rescheduled').id, { reminderAt: '2030-01-03T09:00:00.000Z' });
    await removeTask(ctx, admin, process.id, task('Deleted').id);
    await api.post('/_local/settle');

    const [first, concurrent] = await Promise.all([run('2030-01-01T09:02:00.000Z'), run('2030-01-01T09:02:00.000Z')]);

    const ours = new Set(process.tasks.map((candidate) => candidate.id));
    const sent = [...first.sent, ...concurrent.sent].filter((id) => ours.has(id)).sort();
    expect(sent).toEqual([task('Due').id, task('Other due').id].sort());
    expect([...first.failed, ...concurrent.failed].map((failure) => failure.taskId)).toContain(task('Failing').id);
    const mine = mailbox.filter((mail) => mail.subject.includes('Due') || mail.subject.includes('Other due'));
    expect(mine).toHaveLength(2);
    const italianMail = mailbox.find((mail) => mail.subject === 'Promemoria: Due')!;
    expect(italianMail.text).toContain(`/post-sale-processes/${process.id}`);
    expect(italianMail.html).toContain(`/post-sale-processes/${process.id}`);

    // Run again: nothing is sent twice; the failing one is tried again.
    failing.clear();
    const again = await run('2030-01-01T09:07:00.000Z');
    expect(again.sent.filter((id) => ours.has(id))).toEqual([task('Failing').id]);
    expect(mailbox.filter((mail) => mail.subject.endsWith('Due'))).toHaveLength(1);

    // The rescheduled one fires at its new time.
    const later = await run('2030-01-03T09:00:00.000Z');
    expect(later.sent.filter((id) => ours.has(id)).sort()).toEqual([task('Later').id, task('Rescheduled').id].sort());
  });

  it('R-PS-8 a reminder of a task whose assignee was deactivated since goes to the process owner', async () => {
    const [owner, leaving] = await usersOf(api, 'rep', 'rep');
    const opportunity = await wonOpportunity(owner);
    const at = '2032-03-01T09:00:00.000Z';
    const process = await createProcess(ctx, admin, { opportunityId: opportunity.id, tasks: [{ title: 'Handed back', assigneeId: leaving.id, reminderAt: at }] });
    expect((await api.patch(`/users/${leaving.id}`, { active: false })).status).toBe(200);

    const report = await run('2032-03-01T09:01:00.000Z');

    const ownerEmail = (await api.get(`/users/${owner.id}`)).body.email;
    expect(report.sent).toContain(process.tasks[0]!.id);
    expect(mailbox.filter((mail) => mail.subject.endsWith('Handed back')).map((mail) => mail.to)).toEqual([ownerEmail]);
  });

  it('R-PS-8 a reminder time is kept in one form (UTC): due at its exact instant, and the same instant sent again in another form (an offset) is not a second reminder', async () => {
    const [assignee] = await usersOf(api, 'rep');
    const opportunity = await wonOpportunity();
    const processId = (await api.post('/post-sale-processes', { opportunityId: opportunity.id })).body.id as string;

    const created = await api.post(`/post-sale-processes/${processId}/tasks`, { title: 'Same instant', assigneeId: assignee!.id, reminderAt: '2031-02-01T09:00:00Z' });
    const task = (created.body.tasks as { id: string; title: string; reminderAt: string }[]).find((candidate) => candidate.title === 'Same instant')!;
    await api.post('/_local/settle');
    const atTheInstant = await run('2031-02-01T09:00:00.000Z');
    const patched = await api.patch(`/post-sale-processes/${processId}/tasks/${task.id}`, { reminderAt: '2031-02-01T10:00:00.000000+01:00' });
    await api.post('/_local/settle');
    const afterwards = await run('2031-02-01T09:05:00.000Z');

    expect(task.reminderAt).toBe('2031-02-01T09:00:00.000Z');
    expect(atTheInstant.sent).toContain(task.id);
    expect(patched.status).toBe(200);
    expect(patched.body.tasks.find((candidate: { id: string }) => candidate.id === task.id).reminderAt).toBe('2031-02-01T09:00:00.000Z');
    expect(afterwards.sent).not.toContain(task.id);
    expect(mailbox.filter((mail) => mail.subject.endsWith('Same instant'))).toHaveLength(1);
  });

  it('R-PS-8 POST /_local/run/reminders runs the job from the job table', async () => {
    const answer = await api.post('/_local/run/reminders', { now: '2020-01-01T00:00:00Z' });
    expect(answer.status).toBe(200);
    expect(answer.body.report).toEqual({ sent: [], skipped: [], failed: [] });
  });
});

describe('SPEC §11 the post-sale consumer and job call only what they declare', () => {
  it('SPEC §11 post-sale-spawn creating a process, and reminders sending, failing and skipping', async () => {
    const template = await createTemplate(ctx, { name: 'Granted', tasks: [{ title: 'Remind', reminderInDays: 0 }] });
    const opportunity = await wonOpportunity();
    const consumerCalls = recordingContext(ctx);
    const event = newEvent(ctx, 'opportunity.won', null, {
      opportunityId: opportunity.id, contactId: opportunity.contactId, companyId: null, ownerId: opportunity.ownerId, winReasonIds: [],
      postSale: { kind: 'create', processId: ulid(), templateId: template.id },
    });
    expect(await consume(consumerCalls.ctx, postSaleSpawn, event)).toBe('handled');
    expect([...consumerCalls.calls].filter((call) => !new Set([...grantedCalls(postSaleSpawn.access), 'GetItem', 'PutItem']).has(call))).toEqual([]);

    const job = scheduledJobs.find((candidate) => candidate.name === 'reminders')!;
    const jobCalls = recordingContext(ctx);
    await Promise.all([job.runByHand(jobCalls.ctx, new Date('2099-01-01T00:00:00Z')), job.runByHand(jobCalls.ctx, new Date('2099-01-01T00:00:00Z'))]);
    expect([...jobCalls.calls].filter((call) => !grantedCalls(job.access).includes(call))).toEqual([]);
    expect([...jobCalls.calls]).toEqual(expect.arrayContaining(['Query GSI3', 'BatchGetItem', 'PutItem', 'sendMail']));
  });
});
