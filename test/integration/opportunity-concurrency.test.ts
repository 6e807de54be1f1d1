import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';
import { guardHolders } from '../support/fixtures.ts';

/** SPEC §1 concurrency and R-OPP-2 over real HTTP: requests sent at the same time, one DynamoDB Local behind them. */
let api: TestApi;
let stageIds: Record<string, string>;

beforeAll(async () => {
  // The gateway's rate limits would answer some of the parallel requests 429 before they reach the handlers.
  api = await TestApi.start({ throttle: false });
  // A stage outside the active stages that is neither the win nor the loss stage (an open deal may not sit in those).
  expect((await api.post('/stages', { name: 'On hold', order: 45, probability: 20 })).status).toBe(201);
  const listed = await api.get('/stages');
  stageIds = Object.fromEntries(listed.body.items.map((stage: { id: string; name: string }) => [stage.name, stage.id]));
});
afterAll(() => api?.stop());

const countBy = (values: readonly unknown[]) =>
  values.reduce<Record<string, number>>((counts, value) => ({ ...counts, [String(value)]: (counts[String(value)] ?? 0) + 1 }), {});

describe('R-OPP-2 concurrent creations', () => {
  it('R-OPP-2 20 parallel creations for one contact: exactly one is created, 19 are 409 duplicate_active_opportunity naming it', async () => {
    const contactId = (await api.post('/contacts', { lastName: 'Verdi' })).body.id;

    const answers = await Promise.all(Array.from({ length: 20 }, (_, index) => api.post('/opportunities', { title: `Deal ${index}`, contactId })));

    const created = answers.filter((answer) => answer.status === 201);
    expect(countBy(answers.map((answer) => `${answer.status} ${answer.body.code ?? ''}`.trim()))).toEqual({ '201': 1, '409 duplicate_active_opportunity': 19 });
    expect(answers.filter((answer) => answer.status === 409).every((answer) => answer.body.existingId === created[0]!.body.id)).toBe(true);
    expect((await api.get(`/opportunities?contactId=${contactId}&status=open&limit=100`)).body.items).toHaveLength(1);
    expect(await guardHolders(api, { contactId, companyId: null })).toEqual([created[0]!.body.id]);
  });

  it('R-OPP-2 20 parallel creations for one company without a contact: exactly one', async () => {
    const companyId = (await api.post('/companies', { name: 'Globex' })).body.id;

    const answers = await Promise.all(Array.from({ length: 20 }, () => api.post('/opportunities', { title: 'Deal', companyId })));

    expect(countBy(answers.map((answer) => answer.status))).toEqual({ '201': 1, '409': 19 });
  });
});

describe('SPEC §1 concurrent transitions of one opportunity', () => {
  const transitions = ['won', 'lost', 'archive', 'won', 'lost', 'archive', 'won', 'lost', 'archive', 'won'] as const;
  const historyKind = { won: 'won', lost: 'lost', archive: 'archived' } as const;

  it('SPEC §1 10 parallel conflicting transitions with the same If-Match: one wins, the rest are 412, and the history has exactly its entry', async () => {
    const contactId = (await api.post('/contacts', { lastName: 'Neri' })).body.id;
    const created = await api.post('/opportunities', { title: 'Contested', contactId });

    const answers = await Promise.all(
      transitions.map((action) => api.post(`/opportunities/${created.body.id}/${action}`, action === 'archive' ? undefined : {}, { headers: { 'if-match': '"1"' } })),
    );

    const winners = transitions.filter((_, index) => answers[index]!.status === 200);
    expect(winners).toHaveLength(1);
    expect(answers.filter((answer) => answer.status !== 200).every((answer) => answer.status === 412)).toBe(true);
    const entries = (await api.get(`/opportunities/${created.body.id}/history`)).body.items;
    expect(entries.map((entry: { kind: string }) => entry.kind)).toEqual(['created', historyKind[winners[0]!]]);
    expect((await api.get(`/opportunities/${created.body.id}`)).body.version).toBe(2);
  });

  it('SPEC §1 10 parallel wins without If-Match: one is applied, the others meet the won state (409 already_won), one history entry', async () => {
    const contactId = (await api.post('/contacts', { lastName: 'Gialli' })).body.id;
    const created = await api.post('/opportunities', { title: 'Contested', contactId });

    const answers = await Promise.all(Array.from({ length: 10 }, () => api.post(`/opportunities/${created.body.id}/won`, {})));

    expect(countBy(answers.map((answer) => `${answer.status} ${answer.body.code ?? ''}`.trim()))).toEqual({ '200': 1, '409 already_won': 9 });
    const entries = (await api.get(`/opportunities/${created.body.id}/history`)).body.items;
    expect(entries.map((entry: { kind: string }) => entry.kind)).toEqual(['created', 'won']);
  });

  it('R-OPP-2 the guard lists exactly the open active opportunities after concurrent transitions of one contact', async () => {
    const contactId = (await api.post('/contacts', { lastName: 'Rossi' })).body.id;
    const ids: string[] = [];
    for (let index = 0; index < 6; index++) {
      ids.push((await api.post('/opportunities', { title: `Deal ${index}`, contactId, stageId: stageIds['On hold'], allowDuplicate: true })).body.id);
    }

    await Promise.all([
      api.post(`/opportunities/${ids[0]}/won`, {}),
      api.post(`/opportunities/${ids[1]}/lost`, {}),
      api.post(`/opportunities/${ids[2]}/archive`),
      api.delete(`/opportunities/${ids[3]}`),
      api.patch(`/opportunities/${ids[4]}`, { title: 'Renamed' }),
      api.post(`/opportunities/${ids[5]}/lost`, {}),
    ]);

    const answers = await Promise.all(ids.map((id) => api.get(`/opportunities/${id}`)));
    const openActive = answers.filter((answer) => answer.status === 200 && answer.body.status === 'open' && answer.body.active).map((answer) => answer.body.id);
    expect(openActive).toEqual([ids[4]]);
    expect(await guardHolders(api, { contactId, companyId: null })).toEqual([ids[4]]);
  });
});
