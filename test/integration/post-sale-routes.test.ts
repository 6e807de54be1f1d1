import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contracts } from '../../shared/contracts/index.ts';
import { TestApi } from '../support/api.ts';
import { as, created, expectNothingWritten, newOpportunity, pathsOf, usersOf, type Caller } from '../support/fixtures.ts';

/**
 * SPEC §7 over HTTP: the won route asks the winner's preference (R-PS-2), templates are staff's (R-PS-1), processes
 * and tasks answer their derived status (R-PS-3, R-PS-4), deletion rights (R-PS-7). The data layer's finer cases
 * (races, indexes, reminders) are in post-sale.test.ts.
 */

let api: TestApi;
let rep: Caller;
let otherRep: Caller;
let manager: Caller;
beforeAll(async () => {
  api = await TestApi.start();
  [rep, otherRep, manager] = await usersOf(api, 'rep', 'rep', 'manager');
});
afterAll(() => api?.stop());

const preferring = async (caller: Caller, postSaleOnWin: 'ask' | 'always' | 'never') =>
  expect((await api.call(contracts.updateMySettings, { body: { postSaleOnWin }, token: caller.token })).status).toBe(200);

const processOf = async (opportunityId: string) => {
  await api.post('/_local/settle');
  const listed = await api.call(contracts.listPostSaleProcesses, { query: { opportunityId } });
  return listed.body.items[0];
};

describe('R-PS-2 the won route and the winner preference', () => {
  it('R-PS-2 always: the answer says created and the process appears with the named template tasks once the event is consumed', async () => {
    const template = await created(api, '/post-sale-templates', { name: 'Install', tasks: [{ title: 'Install', dueInDays: 2 }] }, manager);
    await preferring(rep, 'always');
    const deal = await newOpportunity(api, rep);

    const won = await api.call(contracts.winOpportunity, { params: { id: deal.id }, body: { postSaleTemplateId: template.id }, token: rep.token });

    expect(won.status).toBe(200);
    expect(won.body.postSale).toBe('created');
    expect(await processOf(deal.id)).toMatchObject({ opportunityId: deal.id, templateId: template.id, ownerId: rep.id, status: 'todo', tasks: [{ title: 'Install' }] });
  });

  it('R-PS-2 ask: the answer says ask and no process is made; never: none', async () => {
    await preferring(rep, 'ask');
    await preferring(otherRep, 'never');
    const [asked, refused] = [await newOpportunity(api, rep), await newOpportunity(api, otherRep)];

    const askAnswer = await api.call(contracts.winOpportunity, { params: { id: asked.id }, body: {}, token: rep.token });
    const neverAnswer = await api.call(contracts.winOpportunity, { params: { id: refused.id }, body: {}, token: otherRep.token });

    expect([askAnswer.body.postSale, neverAnswer.body.postSale]).toEqual(['ask', 'none']);
    expect(await processOf(asked.id)).toBeUndefined();
    expect(await processOf(refused.id)).toBeUndefined();
  });

  it('R-PS-2 a deal won again after a restore keeps its process: the answer says exists, whatever the preference, and no second process is made', async () => {
    const template = await created(api, '/post-sale-templates', { name: 'Again', tasks: [{ title: 'Kick-off' }] }, manager);
    await preferring(rep, 'always');
    const deal = await newOpportunity(api, rep);
    expect((await api.call(contracts.winOpportunity, { params: { id: deal.id }, body: { postSaleTemplateId: template.id }, token: rep.token })).body.postSale).toBe('created');
    const first = await processOf(deal.id);
    expect((await api.post(`/opportunities/${deal.id}/restore`, undefined, as(rep))).status).toBe(200);

    const again = await api.call(contracts.winOpportunity, { params: { id: deal.id }, body: { postSaleTemplateId: template.id }, token: rep.token });
    await preferring(rep, 'ask');

    expect(again.body.postSale).toBe('exists');
    await api.post('/_local/settle');
    const listed = await api.call(contracts.listPostSaleProcesses, { query: { opportunityId: deal.id } });
    expect(listed.body.items.map((process: { id: string }) => process.id)).toEqual([first!.id]);
  });

  it('R-PS-2 an unknown postSaleTemplateId is a 400 on that field and the deal stays open', async () => {
    await preferring(rep, 'always');
    const deal = await newOpportunity(api, rep);

    await expectNothingWritten(api, async () => {
      const answer = await api.call(contracts.winOpportunity, { params: { id: deal.id }, body: { postSaleTemplateId: ulid() }, token: rep.token });

      expect(answer.status).toBe(400);
      expect(answer.problem?.errors?.map((error) => error.path)).toEqual(['postSaleTemplateId']);
    });
  });
});

describe('R-PS-1 templates are staff business', () => {
  it('R-PS-1 a rep may read templates but not create one (403); a bad template is a 400 listing every bad field', async () => {
    const listed = await api.call(contracts.listPostSaleTemplates, { query: {}, token: rep.token });
    const byRep = await api.call(contracts.createPostSaleTemplate, { body: { name: 'Mine' }, token: rep.token });
    const bad = await api.post('/post-sale-templates', { name: ' ', tasks: [{ title: '', dueInDays: -1, reminderInDays: 1.5 }, { title: 'Ok', assigneeId: ulid() }] }, as(manager));

    expect(listed.status).toBe(200);
    expect(byRep.status).toBe(403);
    expect(bad.status).toBe(400);
    expect(pathsOf(bad)).toEqual(['name', 'tasks.0.dueInDays', 'tasks.0.reminderInDays', 'tasks.0.title']);
  });
});

describe('R-PS-3 / R-PS-4 / R-PS-7 processes and tasks over HTTP', () => {
  it('R-PS-4 each task change answers the process with its status derived again; a second process is a 409', async () => {
    const deal = await newOpportunity(api, rep);
    const process = await created(api, '/post-sale-processes', { opportunityId: deal.id, tasks: [{ title: 'Kick-off' }] }, rep);
    const taskId = process.tasks[0].id;

    const waiting = await api.call(contracts.updatePostSaleTask, { params: { id: process.id, taskId }, body: { status: 'waiting' }, token: rep.token });
    const added = await api.call(contracts.addPostSaleTask, { params: { id: process.id }, body: { title: 'Invoice', status: 'done' }, token: rep.token });
    const done = await api.call(contracts.updatePostSaleTask, { params: { id: process.id, taskId }, body: { status: 'done' }, token: rep.token });
    const second = await api.call(contracts.createPostSaleProcess, { body: { opportunityId: deal.id }, token: rep.token });

    expect([waiting.body.status, added.body.status, done.body.status]).toEqual(['waiting', 'waiting', 'done']);
    expect(added.status).toBe(201);
    expect(second.status).toBe(409);
    expect(second.problem?.code).toBe('post_sale_exists');
  });

  it('R-PS-2 20 concurrent POST /post-sale-processes for one opportunity: exactly one 201, 19 answers 409 post_sale_exists', async () => {
    const deal = await newOpportunity(api, rep);

    const answers = await Promise.all(Array.from({ length: 20 }, () => api.call(contracts.createPostSaleProcess, { body: { opportunityId: deal.id }, token: rep.token })));

    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 409).map((answer) => answer.problem?.code)).toEqual(Array(19).fill('post_sale_exists'));
  });

  it('R-PS-7 a task assignee sees the process but may not delete it or its tasks (403); the owner may', async () => {
    const deal = await newOpportunity(api, rep);
    const process = await created(api, '/post-sale-processes', { opportunityId: deal.id, tasks: [{ title: 'Ship', assigneeId: otherRep.id }] }, rep);
    const taskId = process.tasks[0].id;

    const seen = await api.call(contracts.getPostSaleProcess, { params: { id: process.id }, token: otherRep.token });
    const summary = await api.call(contracts.getPostSaleSummary, { token: otherRep.token });
    await expectNothingWritten(api, async () => {
      const deleteTask = await api.call(contracts.deletePostSaleTask, { params: { id: process.id, taskId }, token: otherRep.token });
      const deleteProcess = await api.call(contracts.deletePostSaleProcess, { params: { id: process.id }, token: otherRep.token });
      expect([deleteTask.status, deleteProcess.status]).toEqual([403, 403]);
    });
    const byOwner = await api.call(contracts.deletePostSaleProcess, { params: { id: process.id }, token: rep.token });
    const gone = await api.call(contracts.getPostSaleProcess, { params: { id: process.id }, token: rep.token });

    expect(seen.status).toBe(200);
    expect(summary.body.openTasks).toBeGreaterThanOrEqual(1);
    expect(byOwner.status).toBe(204);
    expect(gone.status).toBe(404);
  });
});

describe('R-PS-6 who runs a process', () => {
  it('R-PS-6 a task assignee works its own task but does not run the process: no reassigning, adding or changing others\' tasks (403, nothing written)', async () => {
    const [colleague] = await usersOf(api, 'rep');
    const deal = await newOpportunity(api, rep);
    const process = await created(api, '/post-sale-processes', { opportunityId: deal.id, tasks: [{ title: 'Ship', assigneeId: otherRep.id }, { title: 'Bill' }] }, rep);
    const [ship, bill] = process.tasks as { id: string }[];
    const task = (taskId: string) => `/post-sale-processes/${process.id}/tasks/${taskId}`;

    await expectNothingWritten(api, async () => {
      const answers = [
        await api.patch(`/post-sale-processes/${process.id}`, { assigneeId: otherRep.id }, as(otherRep)),
        await api.patch(`/post-sale-processes/${process.id}`, { labels: ['mine'] }, as(otherRep)),
        await api.post(`/post-sale-processes/${process.id}/tasks`, { title: 'Extra', assigneeId: colleague.id }, as(otherRep)),
        await api.patch(task(bill!.id), { status: 'done' }, as(otherRep)),
        await api.patch(task(ship!.id), { assigneeId: colleague.id }, as(otherRep)),
      ];
      expect(answers.map((answer) => answer.status)).toEqual([403, 403, 403, 403, 403]);
    });
    const ownWork = await api.patch(task(ship!.id), { status: 'done', title: 'Shipped', dueAt: '2031-05-01T09:00:00Z' }, as(otherRep));

    expect(ownWork.status).toBe(200);
    expect(ownWork.body.tasks[0]).toMatchObject({ status: 'done', title: 'Shipped', assigneeId: otherRep.id });
    expect(ownWork.body).toMatchObject({ ownerId: rep.id, assigneeId: null });
  });

  it('R-PS-6 the opportunity owner who assigns its process to a colleague still sees it, lists it and may change it; so does the assignee', async () => {
    const deal = await newOpportunity(api, rep);
    const process = await created(api, '/post-sale-processes', { opportunityId: deal.id }, rep);

    const assigned = await api.patch(`/post-sale-processes/${process.id}`, { assigneeId: otherRep.id }, as(rep));
    const seenByDealOwner = await api.get(`/post-sale-processes/${process.id}`, as(rep));
    const listedForDealOwner = await api.call(contracts.listPostSaleProcesses, { query: { opportunityId: deal.id }, token: rep.token });
    const labelledByDealOwner = await api.patch(`/post-sale-processes/${process.id}`, { labels: ['install'] }, as(rep));
    const taskByAssignee = await api.post(`/post-sale-processes/${process.id}/tasks`, { title: 'Kick-off' }, as(otherRep));

    expect(assigned.body).toMatchObject({ ownerId: otherRep.id, opportunityOwnerId: rep.id });
    expect(seenByDealOwner.status).toBe(200);
    expect(listedForDealOwner.body.items.map((item: { id: string }) => item.id)).toEqual([process.id]);
    expect(labelledByDealOwner.status).toBe(200);
    expect(taskByAssignee.status).toBe(201);
  });

  it('R-PS-6 R-SHR-1 a rep that starts the process of a deal shared with it is its assignee: it sees and runs it, and the deal owner sees it', async () => {
    const deal = await newOpportunity(api, rep);
    expect((await api.post(`/opportunities/${deal.id}/shares`, { userId: otherRep.id }, as(rep))).status).toBe(201);

    const process = await created(api, '/post-sale-processes', { opportunityId: deal.id }, otherRep);
    const seenBySharee = await api.get(`/post-sale-processes/${process.id}`, as(otherRep));
    const taskBySharee = await api.post(`/post-sale-processes/${process.id}/tasks`, { title: 'Welcome call' }, as(otherRep));
    const seenByDealOwner = await api.get(`/post-sale-processes/${process.id}`, as(rep));

    expect(process).toMatchObject({ assigneeId: otherRep.id, ownerId: otherRep.id, opportunityOwnerId: rep.id });
    expect([seenBySharee.status, taskBySharee.status, seenByDealOwner.status]).toEqual([200, 201, 200]);
  });

  it('R-PS-6 a deactivated user cannot be given a process, a task or a template task (400 on each path, nothing written)', async () => {
    const [leaving] = await usersOf(api, 'rep');
    expect((await api.patch(`/users/${leaving.id}`, { active: false })).status).toBe(200);
    const deal = await newOpportunity(api, rep);
    const other = await newOpportunity(api, rep);
    const process = await created(api, '/post-sale-processes', { opportunityId: other.id, tasks: [{ title: 'Ship' }] }, rep);

    await expectNothingWritten(api, async () => {
      const answers = [
        await api.post('/post-sale-processes', { opportunityId: deal.id, assigneeId: leaving.id, tasks: [{ title: 'A', assigneeId: leaving.id }] }, as(rep)),
        await api.patch(`/post-sale-processes/${process.id}`, { assigneeId: leaving.id }, as(rep)),
        await api.post(`/post-sale-processes/${process.id}/tasks`, { title: 'B', assigneeId: leaving.id }, as(rep)),
        await api.patch(`/post-sale-processes/${process.id}/tasks/${process.tasks[0].id}`, { assigneeId: leaving.id }, as(rep)),
        await api.post('/post-sale-templates', { name: 'With a leaver', isDefault: false, tasks: [{ title: 'C', assigneeId: leaving.id }] }, as(manager)),
      ];
      expect(answers.map((answer) => answer.status)).toEqual([400, 400, 400, 400, 400]);
      expect(answers.map(pathsOf)).toEqual([['assigneeId', 'tasks.0.assigneeId'], ['assigneeId'], ['assigneeId'], ['assigneeId'], ['tasks.0.assigneeId']]);
      expect(answers[0]!.body.errors[0].message).toBe('Must name an active user');
    });
  });

  it('R-PS-6 SPEC §1 a task or process whose assignee was deactivated since still saves with that assignee sent back unchanged', async () => {
    const [leaving] = await usersOf(api, 'rep');
    const process = await created(api, '/post-sale-processes', { opportunityId: (await newOpportunity(api, rep)).id, assigneeId: leaving.id, tasks: [{ title: 'Ship', assigneeId: leaving.id }] }, rep);
    expect((await api.patch(`/users/${leaving.id}`, { active: false })).status).toBe(200);

    const task = await api.patch(`/post-sale-processes/${process.id}/tasks/${process.tasks[0].id}`, { assigneeId: leaving.id, status: 'done' }, as(rep));
    const whole = await api.patch(`/post-sale-processes/${process.id}`, { assigneeId: leaving.id, labels: ['shipped'] }, as(rep));

    expect([task.status, whole.status]).toEqual([200, 200]);
    expect(whole.body).toMatchObject({ assigneeId: leaving.id, labels: ['shipped'], status: 'done' });
  });

  it('R-PS-5 a label cannot contain a comma (?label=a,b is "a" or "b"): a 400 on labels.N that writes nothing', async () => {
    const deal = await newOpportunity(api, rep);
    const process = await created(api, '/post-sale-processes', { opportunityId: (await newOpportunity(api, rep)).id }, rep);

    await expectNothingWritten(api, async () => {
      const answers = [
        await api.post('/post-sale-processes', { opportunityId: deal.id, labels: ['install', 'a,b'] }, as(rep)),
        await api.patch(`/post-sale-processes/${process.id}`, { labels: ['a,b'] }, as(rep)),
      ];
      expect(answers.map((answer) => answer.status)).toEqual([400, 400]);
      expect(answers.map((answer) => answer.body.errors)).toEqual([[{ path: 'labels.1', message: 'A label cannot contain a comma' }], [{ path: 'labels.0', message: 'A label cannot contain a comma' }]]);
    });
  });
});
