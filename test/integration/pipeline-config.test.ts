import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opportunityModel } from '../../shared/db/keys.ts';
import { createRecord, newRecord } from '../../shared/db/store.ts';
import type { PipelineSettingsInput } from '../../shared/schemas/pipeline.ts';
import { TestApi } from '../support/api.ts';

interface StageBody {
  id: string;
  name: string;
  order: number;
  probability: number;
  version: number;
}

let api: TestApi;
let rep: { id: string; token: string };
let manager: { id: string; token: string };

beforeAll(async () => {
  api = await TestApi.start();
  rep = await api.createUser('rep');
  manager = await api.createUser('manager');
});
afterAll(() => api?.stop());

const UNKNOWN_ID = '01J0000000000000000000000Z';

async function allStages(): Promise<StageBody[]> {
  const answer = await api.get('/stages?limit=100');
  return answer.body.items;
}

async function stageNamed(name: string): Promise<StageBody> {
  const found = (await allStages()).find((stage) => stage.name === name);
  if (!found) throw new Error(`No stage ${name}`);
  return found;
}

/** The settings as a PUT body: the stored document without its stamp. */
async function currentSettings(): Promise<{ body: PipelineSettingsInput; version: number }> {
  const { body } = await api.get('/settings/pipeline');
  const { version, createdAt: _createdAt, updatedAt: _updatedAt, ...input } = body;
  return { body: input, version };
}

async function createStage(name: string, order: number, probability = 20): Promise<StageBody> {
  const created = await api.post('/stages', { name, order, probability });
  if (created.status !== 201) throw new Error(`createStage failed: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body;
}

// Runs first: the later tests change the stack.
describe('R-CFG-2 defaults of a new stack', () => {
  it('R-CFG-2 a new stack has the six default stages in pipeline order', async () => {
    const stages = await allStages();

    expect(stages.map(({ name, probability }) => [name, probability])).toEqual([
      ['New', 10],
      ['Qualified', 30],
      ['Proposition', 50],
      ['Negotiation', 70],
      ['Won', 100],
      ['Lost', 0],
    ]);
  });

  it('R-CFG-2 a new stack has the default settings: first four stages active, New, Won, Lost, sharing on, recap at 8 UTC', async () => {
    const stages = await allStages();
    const idOf = (name: string) => stages.find((stage) => stage.name === name)?.id;

    const answer = await api.get('/settings/pipeline', { token: rep.token });

    expect(answer.status).toBe(200);
    expect(answer.headers.get('etag')).toBe('"1"');
    expect(answer.body).toEqual({
      activeStageIds: stages.slice(0, 4).map((stage) => stage.id),
      defaultStageId: idOf('New'),
      winStageId: idOf('Won'),
      lossStageId: idOf('Lost'),
      requireWinReason: false,
      requireLossReason: false,
      assignToGroupId: null,
      sharing: {
        shareContactWhenShared: true,
        shareContactWhenAssigned: true,
        unshareContactWhenUnshared: true,
        unshareContactWhenUnassigned: true,
        syncContactOwner: true,
        syncOwnerOfClosedLeads: true,
      },
      buyNow: { defaultExpireDays: 7, winReasonId: null, confirmation: 'client', onClick: { tag: null, notifyRep: false }, onPurchase: { tag: null, notifyRep: true } },
      postSale: { prefillLabelsFromTags: false },
      recap: { hour: 8, timezone: 'UTC', enabled: true },
      version: 1,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });
});

describe('R-CFG-1 stages', () => {
  it('R-CFG-1 an admin creates, reads, reorders and deletes a stage; the list follows the order', async () => {
    const created = await api.post('/stages', { name: 'Demo', order: 15, probability: 20 });
    const afterCreate = (await allStages()).map((stage) => stage.name);
    const moved = await api.patch(`/stages/${created.body.id}`, { order: 35, probability: 60 });
    const afterMove = (await allStages()).map((stage) => stage.name);
    const deleted = await api.delete(`/stages/${created.body.id}`);
    const gone = await api.get(`/stages/${created.body.id}`);

    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toMatchObject({ name: 'Demo', order: 15, probability: 20, version: 1 });
    expect(afterCreate.slice(0, 3)).toEqual(['New', 'Demo', 'Qualified']);
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ name: 'Demo', order: 35, probability: 60, version: 2 });
    expect(afterMove.slice(2, 5)).toEqual(['Proposition', 'Demo', 'Negotiation']);
    expect(deleted.status).toBe(204);
    expect(gone.status).toBe(404);
  });

  it('R-CFG-1 the stage list pages in pipeline order', async () => {
    const everything = await allStages();

    const first = await api.get('/stages?limit=2');
    const second = await api.get(`/stages?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);

    expect([...first.body.items, ...second.body.items].map((stage: StageBody) => stage.id)).toEqual(everything.slice(0, 4).map((stage) => stage.id));
  });

  it('R-CFG-1 a probability over 100 and an empty name are refused, both listed', async () => {
    const answer = await api.post('/stages', { name: ' ', order: 5, probability: 101 });

    expect(answer.status).toBe(400);
    expect(answer.body.errors.map((error: { path: string }) => error.path).sort()).toEqual(['name', 'probability']);
  });

  it('R-CFG-1 reps and managers read stages but may not change them', async () => {
    const stage = await createStage('Role check', 5);
    const before = await api.tableSnapshot();

    const listByRep = await api.get('/stages', { token: rep.token });
    const readByManager = await api.get(`/stages/${stage.id}`, { token: manager.token });
    const refused = await Promise.all([
      api.post('/stages', { name: 'X', order: 1, probability: 1 }, { token: manager.token }),
      api.patch(`/stages/${stage.id}`, { name: 'Y' }, { token: rep.token }),
      api.patch(`/stages/${stage.id}`, { name: 'Y' }, { token: manager.token }),
      api.delete(`/stages/${stage.id}`, { token: manager.token }),
      api.delete(`/stages/${stage.id}`, { token: rep.token }),
    ]);

    expect(listByRep.status).toBe(200);
    expect(readByManager.status).toBe(200);
    expect(refused.map((answer) => answer.status)).toEqual([403, 403, 403, 403, 403]);
    expect(await api.tableSnapshot()).toEqual(before);
  });

  it('R-CFG-1 a stage named by the pipeline settings cannot be deleted (409 stage_in_use)', async () => {
    const defaultStage = await stageNamed('New');
    const winStage = await stageNamed('Won');

    const deleteDefault = await api.delete(`/stages/${defaultStage.id}`);
    const deleteWin = await api.delete(`/stages/${winStage.id}`);

    expect(deleteDefault.status).toBe(409);
    expect(deleteDefault.body.code).toBe('stage_in_use');
    expect(deleteDefault.body.detail).toContain('defaultStageId');
    expect(deleteWin.status).toBe(409);
    expect((await api.get(`/stages/${winStage.id}`)).status).toBe(200);
  });

  it('R-CFG-1 a stage holding an opportunity (even a lost one) cannot be deleted (409 stage_in_use)', async () => {
    const stage = await createStage('Holding', 25);
    const ctx = api.runtime.ctx;
    await createRecord(
      ctx,
      opportunityModel,
      newRecord(ctx, {
        title: 'Big deal',
        contactId: ctx.newId(),
        companyId: null,
        ownerId: rep.id,
        stageId: stage.id,
        value: null,
        probability: 0,
        expectedCloseDate: null,
        tags: [],
        customFields: {},
        status: 'lost' as const,
        active: true,
        closedAt: '2026-01-10T00:00:00.000Z',
        winReasonIds: [],
        lostReasonId: null,
        closingNote: null,
        lostFromStageId: stage.id,
        closedFromStageId: stage.id,
        mergedIds: [],
      }),
    );

    const answer = await api.delete(`/stages/${stage.id}`);

    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('stage_in_use');
    expect((await api.get(`/stages/${stage.id}`)).status).toBe(200);
  });

  it('R-CFG-1 deleting with a stale If-Match is a 412 and keeps the stage; with the current one it deletes', async () => {
    const stage = await createStage('Versioned', 35);
    await api.patch(`/stages/${stage.id}`, { name: 'Versioned 2' });

    const stale = await api.delete(`/stages/${stage.id}`, { headers: { 'if-match': '"1"' } });
    const current = await api.delete(`/stages/${stage.id}`, { headers: { 'if-match': '"2"' } });

    expect(stale.status).toBe(412);
    expect(current.status).toBe(204);
  });

  it('R-CFG-1 an unknown or malformed stage id is a 404', async () => {
    expect((await api.get(`/stages/${UNKNOWN_ID}`)).status).toBe(404);
    expect((await api.patch(`/stages/${UNKNOWN_ID}`, { name: 'X' })).status).toBe(404);
    expect((await api.delete('/stages/not-an-id')).status).toBe(404);
  });
});

describe('R-CFG-2 replacing the pipeline settings', () => {
  it('R-CFG-2 an admin replaces the whole document; version and ETag move on and the new ids are kept', async () => {
    const { body, version } = await currentSettings();
    const closing = await createStage('Closing', 75, 90);
    const group = await api.post('/groups', { name: 'Sales reps', memberIds: [rep.id] });
    const winReason = await api.post('/reasons', { kind: 'win', description: 'Bought online' });
    const replacement: PipelineSettingsInput = {
      ...body,
      activeStageIds: [...body.activeStageIds, closing.id],
      requireLossReason: true,
      assignToGroupId: group.body.id,
      sharing: { ...body.sharing, syncContactOwner: false },
      buyNow: { defaultExpireDays: 14, winReasonId: winReason.body.id, confirmation: 'stripe', onClick: { tag: 'Clicked', notifyRep: true }, onPurchase: { tag: 'Bought', notifyRep: true } },
      recap: { hour: 7, timezone: 'Europe/Rome', enabled: false },
    };

    const answer = await api.put('/settings/pipeline', replacement, { headers: { 'if-match': `"${version}"` } });
    const reread = await api.get('/settings/pipeline');

    expect(answer.status).toBe(200);
    expect(answer.headers.get('etag')).toBe(`"${version + 1}"`);
    expect(reread.body).toEqual({ ...replacement, version: version + 1, createdAt: expect.any(String), updatedAt: expect.any(String) });
    expect(reread.body).not.toHaveProperty('id');
    expect((await api.delete(`/stages/${closing.id}`)).body.code).toBe('stage_in_use');
  });

  it('R-CFG-2 two unknown stage ids are both listed (400) and nothing changes', async () => {
    const { body } = await currentSettings();
    const before = await api.tableSnapshot();

    const answer = await api.put('/settings/pipeline', {
      ...body,
      activeStageIds: [body.activeStageIds[0], body.activeStageIds[1], UNKNOWN_ID],
      defaultStageId: '01J0000000000000000000000Y',
    });

    expect(answer.status).toBe(400);
    expect(answer.body.errors.map((error: { path: string }) => error.path)).toEqual(['activeStageIds.2', 'defaultStageId']);
    expect(await api.tableSnapshot()).toEqual(before);
  });

  it('R-CFG-2 a duplicate active stage, an unknown group and a loss reason as buy-now win reason are all listed', async () => {
    const { body } = await currentSettings();
    const lossReason = await api.post('/reasons', { kind: 'loss', description: 'Too expensive' });
    const before = await api.tableSnapshot();

    const answer = await api.put('/settings/pipeline', {
      ...body,
      activeStageIds: [body.activeStageIds[0], body.activeStageIds[0]],
      assignToGroupId: UNKNOWN_ID,
      buyNow: { ...body.buyNow, winReasonId: lossReason.body.id },
    });

    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([
      { path: 'activeStageIds.1', message: 'Stage listed twice' },
      { path: 'assignToGroupId', message: 'Unknown group' },
      { path: 'buyNow.winReasonId', message: 'Must be a win reason' },
    ]);
    expect(await api.tableSnapshot()).toEqual(before);
  });

  it('R-CFG-2 the document is validated as a whole: missing sections, unknown fields and bad values are listed', async () => {
    const { body } = await currentSettings();
    const { postSale: _postSale, ...withoutPostSale } = body;

    const answer = await api.put('/settings/pipeline', {
      ...withoutPostSale,
      recap: { hour: 24, timezone: 'Mars/Base', enabled: true },
      tenantId: 'other',
    });

    expect(answer.status).toBe(400);
    expect(answer.body.errors.map((error: { path: string }) => error.path).sort()).toEqual(['postSale', 'recap.hour', 'recap.timezone', 'tenantId']);
  });

  it('R-CFG-2 a stale If-Match is a 412 and changes nothing', async () => {
    const { body, version } = await currentSettings();
    const before = await api.tableSnapshot();

    const answer = await api.put('/settings/pipeline', { ...body, requireWinReason: !body.requireWinReason }, { headers: { 'if-match': `"${version - 1}"` } });

    expect(answer.status).toBe(412);
    expect(await api.tableSnapshot()).toEqual(before);
  });

  it('R-CFG-2 the win stage, loss stage, group and reason may be null; a stage no longer named can then be deleted', async () => {
    const { body } = await currentSettings();
    const lost = await stageNamed('Lost');

    const answer = await api.put('/settings/pipeline', {
      ...body,
      winStageId: null,
      lossStageId: null,
      assignToGroupId: null,
      buyNow: { ...body.buyNow, winReasonId: null },
    });
    const deleted = await api.delete(`/stages/${lost.id}`);

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ winStageId: null, lossStageId: null, assignToGroupId: null, buyNow: { winReasonId: null } });
    expect(deleted.status).toBe(204);
  });

  it('R-CFG-2 everyone reads the settings; reps and managers may not replace them', async () => {
    const { body } = await currentSettings();

    const readByManager = await api.get('/settings/pipeline', { token: manager.token });
    const byManager = await api.put('/settings/pipeline', body, { token: manager.token });
    const byRep = await api.put('/settings/pipeline', body, { token: rep.token });

    expect(readByManager.status).toBe(200);
    expect(byManager.status).toBe(403);
    expect(byRep.status).toBe(403);
  });

  it('R-CFG-2 up to 50 active stages are accepted in one write; a 51st is refused', async () => {
    const { body } = await currentSettings();
    const stages: StageBody[] = [];
    for (let index = 0; index < 51; index++) stages.push(await createStage(`Step ${index}`, 100 + index));
    const stageIds = stages.map((stage) => stage.id);

    const fifty = await api.put('/settings/pipeline', { ...body, activeStageIds: stageIds.slice(0, 50), defaultStageId: stageIds[50] });
    const fiftyOne = await api.put('/settings/pipeline', { ...body, activeStageIds: stageIds });

    expect(fifty.status).toBe(200);
    expect(fifty.body.activeStageIds).toEqual(stageIds.slice(0, 50));
    expect(fiftyOne.status).toBe(400);
    expect(fiftyOne.body.errors.map((error: { path: string }) => error.path)).toEqual(['activeStageIds']);
  });
});

describe('R-CFG-3 reasons', () => {
  it('R-CFG-3 filters by kind and active; without filters every reason is listed', async () => {
    const won = await api.post('/reasons', { kind: 'win', description: 'Best price' });
    const lost = await api.post('/reasons', { kind: 'loss', description: 'No budget' });
    const archived = await api.post('/reasons', { kind: 'loss', description: 'Went silent', active: false });
    const ids = (answer: { body: { items: { id: string }[] } }) => answer.body.items.map((item) => item.id);

    const all = await api.get('/reasons?limit=100', { token: rep.token });
    const wins = await api.get('/reasons?kind=win&limit=100', { token: rep.token });
    const activeLosses = await api.get('/reasons?kind=loss&active=true&limit=100', { token: rep.token });
    const archivedOnes = await api.get('/reasons?active=false', { token: rep.token });
    const bothKinds = await api.get('/reasons?kind=win,loss&limit=100', { token: rep.token });

    expect(won.status).toBe(201);
    expect(won.body).toMatchObject({ kind: 'win', description: 'Best price', active: true, version: 1 });
    expect(ids(all)).toEqual(expect.arrayContaining([won.body.id, lost.body.id, archived.body.id]));
    expect(wins.body.items.every((item: { kind: string }) => item.kind === 'win')).toBe(true);
    expect(ids(wins)).toContain(won.body.id);
    expect(ids(activeLosses)).toContain(lost.body.id);
    expect(ids(activeLosses)).not.toContain(archived.body.id);
    expect(ids(activeLosses)).not.toContain(won.body.id);
    expect(ids(archivedOnes)).toEqual([archived.body.id]);
    expect(ids(bothKinds)).toEqual(ids(all));
  });

  it('R-CFG-3 archiving hides a reason from pickers but it stays readable by id', async () => {
    const created = await api.post('/reasons', { kind: 'loss', description: 'Chose a competitor' });

    const archived = await api.patch(`/reasons/${created.body.id}`, { active: false, description: 'Chose competitor X' });
    const picker = await api.get('/reasons?kind=loss&active=true&limit=100');
    const byId = await api.get(`/reasons/${created.body.id}`, { token: rep.token });

    expect(archived.status).toBe(200);
    expect(archived.body).toMatchObject({ active: false, description: 'Chose competitor X', version: 2 });
    expect(picker.body.items.map((item: { id: string }) => item.id)).not.toContain(created.body.id);
    expect(byId.status).toBe(200);
    expect(byId.body).toMatchObject({ id: created.body.id, kind: 'loss', active: false });
  });

  it('R-CFG-3 the kind cannot be changed and an unknown kind is refused', async () => {
    const created = await api.post('/reasons', { kind: 'win', description: 'Fast delivery' });

    const changeKind = await api.patch(`/reasons/${created.body.id}`, { kind: 'loss' });
    const badKind = await api.post('/reasons', { kind: 'maybe', description: 'X' });
    const badFilter = await api.get('/reasons?kind=maybe');

    expect(changeKind.status).toBe(400);
    expect(changeKind.body.errors).toEqual([{ path: 'kind', message: 'Unknown field' }]);
    expect(badKind.status).toBe(400);
    expect(badFilter.status).toBe(400);
    // A comma list: the path names the bad item, as on every list filter.
    expect(badFilter.body.errors.map((error: { path: string }) => error.path)).toEqual(['query.kind.0']);
  });

  it('R-CFG-3 reps and managers read reasons but may not create or change them', async () => {
    const created = await api.post('/reasons', { kind: 'win', description: 'Referral' });
    const before = await api.tableSnapshot();

    const readByRep = await api.get(`/reasons/${created.body.id}`, { token: rep.token });
    const refused = await Promise.all([
      api.post('/reasons', { kind: 'win', description: 'X' }, { token: rep.token }),
      api.post('/reasons', { kind: 'win', description: 'X' }, { token: manager.token }),
      api.patch(`/reasons/${created.body.id}`, { active: false }, { token: manager.token }),
    ]);

    expect(readByRep.status).toBe(200);
    expect(refused.map((answer) => answer.status)).toEqual([403, 403, 403]);
    expect(await api.tableSnapshot()).toEqual(before);
  });
});
