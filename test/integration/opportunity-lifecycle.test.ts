import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Opportunity } from '../../shared/schemas/opportunities.ts';
import type { PipelineSettingsInput } from '../../shared/schemas/pipeline.ts';
import { TestApi } from '../support/api.ts';
import { as, type Caller, expectNothingWritten, guardHolders, idsOf, newContact, newOpportunity } from '../support/fixtures.ts';

let api: TestApi;
let rep: Caller;
let otherRep: Caller;
let manager: Caller;
let stages: Record<string, { id: string; probability: number }>;
let reasons: { price: string; silent: string; archivedLoss: string; referral: string };

const UNKNOWN_ID = '01J0000000000000000000000Z';

beforeAll(async () => {
  api = await TestApi.start();
  [rep, otherRep, manager] = await Promise.all([api.createUser('rep'), api.createUser('rep'), api.createUser('manager')]);
  // A stage outside the active stages that is neither the win nor the loss stage (an open deal may not sit in those).
  if ((await api.post('/stages', { name: 'On hold', order: 45, probability: 20 })).status !== 201) throw new Error('stage On hold');
  const listed = await api.get('/stages');
  stages = Object.fromEntries(listed.body.items.map((stage: { id: string; name: string; probability: number }) => [stage.name, stage]));
  const made = await Promise.all([
    api.post('/reasons', { kind: 'loss', description: 'Price too high' }),
    api.post('/reasons', { kind: 'loss', description: 'Went silent' }),
    api.post('/reasons', { kind: 'loss', description: 'Bought elsewhere', active: false }),
    api.post('/reasons', { kind: 'win', description: 'Referral' }),
  ]);
  for (const answer of made) if (answer.status !== 201) throw new Error(`reason: ${answer.status} ${JSON.stringify(answer.body)}`);
  const [price, silent, archivedLoss, referral] = made.map((answer) => answer.body.id as string);
  reasons = { price: price!, silent: silent!, archivedLoss: archivedLoss!, referral: referral! };
  const field = await api.post('/custom-fields', { entity: 'opportunity', key: 'size', label: 'Size', type: 'number' });
  if (field.status !== 201) throw new Error(`custom field: ${field.status}`);
  const region = await api.post('/custom-fields', { entity: 'opportunity', key: 'region', label: 'Region', type: 'text' });
  if (region.status !== 201) throw new Error(`custom field: ${region.status}`);
});
afterAll(() => api?.stop());

const paths = (answer: { body: { errors: { path: string }[] } }) => answer.body.errors.map((error) => error.path).sort();

async function lostOpportunity(caller: Caller, body: Record<string, unknown> = {}, lost: Record<string, unknown> = {}): Promise<Opportunity> {
  const created = await newOpportunity(api, caller, body);
  const answer = await api.post(`/opportunities/${created.id}/lost`, lost, as(caller));
  if (answer.status !== 200) throw new Error(`lost: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** Runs `act` with some pipeline settings changed, then puts the settings back. */
async function withSettings(change: Partial<PipelineSettingsInput>, act: () => Promise<void>) {
  const { body } = await api.get('/settings/pipeline');
  const { version: _version, createdAt: _createdAt, updatedAt: _updatedAt, ...document } = body;
  const set = await api.put('/settings/pipeline', { ...document, ...change });
  expect(set.status).toBe(200);
  try {
    await act();
  } finally {
    const reset = await api.put('/settings/pipeline', document);
    expect(reset.status).toBe(200);
  }
}

const history = async (id: string, caller?: Caller) => (await api.get(`/opportunities/${id}/history?limit=100`, caller ? as(caller) : {})).body.items;

describe('R-OPP-2 duplicate prevention', () => {
  it('R-OPP-2 a second open opportunity for a contact in an active stage is a 409 naming the existing one, and writes nothing', async () => {
    const first = await newOpportunity(api, rep);

    await expectNothingWritten(api, async () => {
      const second = await api.post('/opportunities', { title: 'Again', contactId: first.contactId, stageId: stages.Proposition!.id }, as(rep));

      expect(second.status).toBe(409);
      expect(second.body).toMatchObject({ code: 'duplicate_active_opportunity', existingId: first.id });
    });
  });

  it('R-OPP-2 a new one outside the active stages, or while the other is outside them, is no duplicate', async () => {
    const first = await newOpportunity(api, rep);

    const onHold = await api.post('/opportunities', { title: 'Later', contactId: first.contactId, stageId: stages['On hold']!.id }, as(rep));
    await api.patch(`/opportunities/${first.id}`, { stageId: stages['On hold']!.id }, as(rep));
    const whileOtherIsInactive = await api.post('/opportunities', { title: 'Now', contactId: first.contactId }, as(rep));

    expect(onHold.status).toBe(201);
    expect(whileOtherIsInactive.status).toBe(201);
  });

  it('R-OPP-3 R-OPP-4 an open deal is not put in the win or loss stage (400 on stageId, on creation and PATCH), and a closed deal keeps its probability (409)', async () => {
    const open = await newOpportunity(api, rep);
    const won = await newOpportunity(api, rep);
    await api.post(`/opportunities/${won.id}/won`, {}, as(rep));

    await expectNothingWritten(api, async () => {
      const answers = [
        await api.post('/opportunities', { title: 'Open but won', contactId: open.contactId, stageId: stages.Won!.id }, as(rep)),
        await api.patch(`/opportunities/${open.id}`, { stageId: stages.Lost!.id }, as(rep)),
        await api.patch(`/opportunities/${won.id}`, { probability: 5 }, as(rep)),
      ];
      expect(answers.map((answer) => answer.status)).toEqual([400, 400, 409]);
      expect(answers[0]!.body.errors).toEqual([{ path: 'stageId', message: expect.stringMatching(/win stage is reached by winning/) }]);
      expect(answers[1]!.body.errors).toEqual([{ path: 'stageId', message: expect.stringMatching(/loss stage is reached by losing/) }]);
      expect(answers[2]!.body.code).toBe('opportunity_closed');
    });
    const unchanged = await api.patch(`/opportunities/${won.id}`, { probability: 100, title: 'Renamed after the win' }, as(rep));
    expect([unchanged.status, unchanged.body.probability]).toEqual([200, 100]);
  });

  it('R-OPP-2 without a contact the rule holds per company', async () => {
    const company = (await api.post('/companies', { name: 'Acme' }, as(rep))).body.id;
    const first = await newOpportunity(api, rep, { companyId: company });

    const second = await api.post('/opportunities', { title: 'Again', companyId: company }, as(rep));

    expect(second.status).toBe(409);
    expect(second.body.existingId).toBe(first.id);
  });

  it('R-OPP-2 staff may create a duplicate with allowDuplicate; both then count for later checks', async () => {
    const contactId = await newContact(api, manager);
    const first = await newOpportunity(api, manager, { contactId });

    const duplicate = await newOpportunity(api, manager, { contactId, allowDuplicate: true });
    await api.post(`/opportunities/${first.id}/lost`, {});
    const third = await api.post('/opportunities', { title: 'Third', contactId });

    expect(third.status).toBe(409);
    expect(third.body.existingId).toBe(duplicate.id);
    expect(await guardHolders(api, { contactId, companyId: null })).toEqual([duplicate.id]);
  });

  it('R-OPP-2 winning, losing, archiving and deleting free the contact; restoring and unarchiving check again', async () => {
    const free = async (act: (id: string) => Promise<unknown>) => {
      const first = await newOpportunity(api, rep);
      await act(first.id);
      const next = await api.post('/opportunities', { title: 'Next', contactId: first.contactId }, as(rep));
      return { first, next };
    };

    const won = await free((id) => api.post(`/opportunities/${id}/won`, {}, as(rep)));
    const lost = await free((id) => api.post(`/opportunities/${id}/lost`, {}, as(rep)));
    const archived = await free((id) => api.post(`/opportunities/${id}/archive`, undefined, as(rep)));
    const deleted = await free((id) => api.delete(`/opportunities/${id}`, as(rep)));

    expect([won, lost, archived, deleted].map(({ next }) => next.status)).toEqual([201, 201, 201, 201]);
    await expectNothingWritten(api, async () => {
      const restore = await api.post(`/opportunities/${lost.first.id}/restore`, undefined, as(rep));
      const unarchive = await api.post(`/opportunities/${archived.first.id}/unarchive`, undefined, as(rep));

      expect([restore.status, restore.body.code, restore.body.existingId]).toEqual([409, 'duplicate_active_opportunity', lost.next.body.id]);
      expect([unarchive.status, unarchive.body.code, unarchive.body.existingId]).toEqual([409, 'duplicate_active_opportunity', archived.next.body.id]);
    });
    expect(await guardHolders(api, { contactId: won.first.contactId, companyId: null })).toEqual([won.next.body.id]);
    expect(await guardHolders(api, { contactId: deleted.first.contactId, companyId: null })).toEqual([deleted.next.body.id]);
  });

  it('R-OPP-2 moving an opportunity to another contact moves it between the guards', async () => {
    const moved = await newOpportunity(api, rep);
    const otherContact = await newContact(api, rep);

    const answer = await api.patch(`/opportunities/${moved.id}`, { contactId: otherContact }, as(rep));

    expect(answer.status).toBe(200);
    expect(await guardHolders(api, { contactId: moved.contactId, companyId: null })).toEqual([]);
    expect(await guardHolders(api, { contactId: otherContact, companyId: null })).toEqual([moved.id]);
  });

  it('R-OPP-2 moving an opportunity to a contact that has an active one is a 409 that writes nothing; staff may with allowDuplicate, a rep may not ask', async () => {
    const existing = await newOpportunity(api, rep);
    const moved = await newOpportunity(api, rep);

    await expectNothingWritten(api, async () => {
      const refused = await api.patch(`/opportunities/${moved.id}`, { contactId: existing.contactId }, as(rep));
      const repOverride = await api.patch(`/opportunities/${moved.id}`, { contactId: existing.contactId, allowDuplicate: true }, as(rep));

      expect([refused.status, refused.body.code, refused.body.existingId]).toEqual([409, 'duplicate_active_opportunity', existing.id]);
      expect(repOverride.status).toBe(403);
    });
    const byManager = await api.patch(`/opportunities/${moved.id}`, { contactId: existing.contactId, allowDuplicate: true }, as(manager));
    expect(byManager.status).toBe(200);
    expect((await guardHolders(api, { contactId: existing.contactId, companyId: null })).sort()).toEqual([existing.id, moved.id].sort());
  });

  describe('R-OPP-2 moving into an active stage', () => {
    let parked: { id: string };
    beforeAll(async () => {
      parked = (await api.post('/stages', { name: 'Parked', order: 5, probability: 5 })).body;
    });

    /** A contact with an opportunity in an active stage and another (created by staff) parked outside them. */
    async function contactWithParkedOne() {
      const contactId = await newContact(api, manager);
      const active = await newOpportunity(api, manager, { contactId });
      const waiting = await newOpportunity(api, manager, { contactId, stageId: parked.id });
      return { active, waiting };
    }

    it('R-OPP-2 moving a parked opportunity into an active stage while another is active is a 409; with allowDuplicate staff may', async () => {
      const { active, waiting } = await contactWithParkedOne();

      const refused = await api.patch(`/opportunities/${waiting.id}`, { stageId: stages.Qualified!.id }, as(manager));
      const overridden = await api.patch(`/opportunities/${waiting.id}`, { stageId: stages.Qualified!.id, allowDuplicate: true }, as(manager));

      expect([refused.status, refused.body.existingId]).toEqual([409, active.id]);
      expect(overridden.status).toBe(200);
    });

    it('R-OPP-2 two parked opportunities of one contact moved into active stages at once: exactly one succeeds', async () => {
      const contactId = await newContact(api, manager);
      const [first, second] = [await newOpportunity(api, manager, { contactId, stageId: parked.id }), await newOpportunity(api, manager, { contactId, stageId: parked.id })];

      const answers = await Promise.all([first, second].map((opportunity) => api.patch(`/opportunities/${opportunity.id}`, { stageId: stages.New!.id }, as(manager))));

      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    });
  });
});

describe('R-OPP-3 won', () => {
  it('R-OPP-3 won: status, probability 100, win stage, closedAt, reasons, closing note; the answer says postSale ask (R-PS-2, a new user asks by default)', async () => {
    const created = await newOpportunity(api, rep, { stageId: stages.Negotiation!.id });

    const won = await api.post(`/opportunities/${created.id}/won`, { winReasonIds: [reasons.referral], closingNote: ' Signed today ' }, as(rep));

    expect(won.status).toBe(200);
    expect(won.headers.get('etag')).toBe('"2"');
    expect(won.body).toMatchObject({
      status: 'won',
      probability: 100,
      stageId: stages.Won!.id,
      closedFromStageId: stages.Negotiation!.id,
      winReasonIds: [reasons.referral],
      closingNote: 'Signed today',
      closedAt: expect.any(String),
      postSale: 'ask',
      version: 2,
    });
    expect(won.body).not.toHaveProperty('tagKeys');
  });

  it('R-OPP-3 R-OPP-4 SPEC §1 won and lost take no body at all (their fields are all optional): the same as {}', async () => {
    const [toWin, toLose] = [await newOpportunity(api, rep), await newOpportunity(api, rep)];

    const won = await api.request('POST', `/opportunities/${toWin.id}/won`, { rawBody: '', headers: { 'content-type': 'application/json' }, token: rep.token });
    const lost = await api.request('POST', `/opportunities/${toLose.id}/lost`, { token: rep.token });

    expect([won.status, won.body.status]).toEqual([200, 'won']);
    expect([lost.status, lost.body.status]).toEqual([200, 'lost']);
  });

  it('R-OPP-3 winning twice is a 409 already_won, losing a won one a 409 already_won, and nothing is written', async () => {
    const created = await newOpportunity(api, rep);
    await api.post(`/opportunities/${created.id}/won`, {}, as(rep));

    await expectNothingWritten(api, async () => {
      const again = await api.post(`/opportunities/${created.id}/won`, {}, as(rep));
      const lost = await api.post(`/opportunities/${created.id}/lost`, { lostReason: 'A brand new reason' }, as(rep));

      expect([again.status, again.body.code]).toEqual([409, 'already_won']);
      expect([lost.status, lost.body.code]).toEqual([409, 'already_won']);
    });
  });

  it('R-CFG-3 a loss reason, an archived reason or an unknown one cannot be a win reason (400 per position)', async () => {
    const created = await newOpportunity(api, rep);

    await expectNothingWritten(api, async () => {
      const answer = await api.post(`/opportunities/${created.id}/won`, { winReasonIds: [reasons.referral, reasons.price, UNKNOWN_ID] }, as(rep));

      expect(answer.status).toBe(400);
      expect(answer.body.errors).toEqual([
        { path: 'winReasonIds.1', message: 'Must be a win reason, not a loss reason' },
        { path: 'winReasonIds.2', message: 'No such reason' },
      ]);
    });
  });

  it('R-CFG-2 requireWinReason: a won without a reason is a 400 listing winReasonIds', async () => {
    const created = await newOpportunity(api, rep);

    await withSettings({ requireWinReason: true }, async () => {
      await expectNothingWritten(api, async () => {
        const answer = await api.post(`/opportunities/${created.id}/won`, { closingNote: 'No reason' }, as(rep));

        expect(answer.status).toBe(400);
        expect(answer.body.errors).toEqual([{ path: 'winReasonIds', message: 'A win reason is required' }]);
      });
      const withReason = await api.post(`/opportunities/${created.id}/won`, { winReasonIds: [reasons.referral] }, as(rep));
      expect(withReason.status).toBe(200);
    });
  });

  it('SPEC §1 won: an unknown field and two invalid fields are all listed; unknown and invisible ids are 404s', async () => {
    const created = await newOpportunity(api, rep);

    await expectNothingWritten(api, async () => {
      const unknownField = await api.post(`/opportunities/${created.id}/won`, { status: 'won' }, as(rep));
      const invalid = await api.post(`/opportunities/${created.id}/won`, { winReasonIds: 'all', closingNote: 7 }, as(rep));
      const unknownId = await api.post(`/opportunities/${UNKNOWN_ID}/won`, {}, as(rep));
      const invisible = await api.post(`/opportunities/${created.id}/won`, {}, as(otherRep));

      expect(unknownField.body.errors).toEqual([{ path: 'status', message: 'Unknown field' }]);
      expect(invalid.status).toBe(400);
      expect(paths(invalid)).toEqual(['closingNote', 'winReasonIds']);
      expect(unknownId.status).toBe(404);
      expect(invisible.status).toBe(404);
    });
  });
});

describe('R-OPP-4 lost', () => {
  it('R-OPP-4 lost with a reason: probability 0, loss stage, lostFromStageId, closedAt; listed by lostReasonId', async () => {
    const created = await newOpportunity(api, rep, { stageId: stages.Proposition!.id });

    const lost = await api.post(`/opportunities/${created.id}/lost`, { lostReasonId: reasons.price, closingNote: 'Budget cut' }, as(rep));
    const byReason = await api.get(`/opportunities?status=lost&lostReasonId=${reasons.silent},${reasons.price}&limit=100`, as(rep));
    const byOtherReason = await api.get(`/opportunities?status=lost&lostReasonId=${reasons.silent}&limit=100`, as(rep));

    expect(lost.status).toBe(200);
    expect(lost.body).toMatchObject({
      status: 'lost',
      probability: 0,
      stageId: stages.Lost!.id,
      lostFromStageId: stages.Proposition!.id,
      closedFromStageId: stages.Proposition!.id,
      lostReasonId: reasons.price,
      closingNote: 'Budget cut',
      closedAt: expect.any(String),
      active: true,
    });
    expect(byReason.body.items.map((item: Opportunity) => item.id)).toContain(created.id);
    expect(byOtherReason.body.items.map((item: Opportunity) => item.id)).not.toContain(created.id);
  });

  it('R-OPP-5 won opportunities are listed by winReasonId', async () => {
    const created = await newOpportunity(api, rep);
    await api.post(`/opportunities/${created.id}/won`, { winReasonIds: [reasons.referral] }, as(rep));

    const listed = await api.get(`/opportunities?status=won&winReasonId=${reasons.referral}&limit=100`, as(rep));

    expect(listed.body.items.map((item: Opportunity) => item.id)).toContain(created.id);
  });

  it('R-OPP-4 a typed-in reason is created once and reused case-insensitively, also an admin-made one', async () => {
    const [first, second, third] = await Promise.all([newOpportunity(api, rep), newOpportunity(api, rep), newOpportunity(api, rep)]);

    const created = await api.post(`/opportunities/${first.id}/lost`, { lostReason: '  Chose a cheaper tool ' }, as(rep));
    const reused = await api.post(`/opportunities/${second.id}/lost`, { lostReason: 'CHOSE A CHEAPER TOOL' }, as(rep));
    const adminMade = await api.post(`/opportunities/${third.id}/lost`, { lostReason: 'price TOO high' }, as(rep));
    const reason = await api.get(`/reasons/${created.body.lostReasonId}`, as(rep));

    expect(created.status).toBe(200);
    expect(reason.body).toMatchObject({ kind: 'loss', description: 'Chose a cheaper tool', active: true });
    expect(reused.body.lostReasonId).toBe(created.body.lostReasonId);
    expect(adminMade.body.lostReasonId).toBe(reasons.price);
  });

  it('R-OPP-4 both lostReasonId and lostReason, an archived or a win reason are 400s that write nothing', async () => {
    const created = await newOpportunity(api, rep);

    await expectNothingWritten(api, async () => {
      const both = await api.post(`/opportunities/${created.id}/lost`, { lostReasonId: reasons.price, lostReason: 'Price' }, as(rep));
      const archived = await api.post(`/opportunities/${created.id}/lost`, { lostReasonId: reasons.archivedLoss }, as(rep));
      const archivedByText = await api.post(`/opportunities/${created.id}/lost`, { lostReason: 'bought elsewhere' }, as(rep));
      const wrongKind = await api.post(`/opportunities/${created.id}/lost`, { lostReasonId: reasons.referral }, as(rep));

      expect([both.status, both.body.errors]).toEqual([400, [{ path: 'lostReason', message: 'Give lostReasonId or lostReason, not both' }]]);
      expect([archived.status, archived.body.errors]).toEqual([400, [{ path: 'lostReasonId', message: 'This reason is archived and cannot be chosen' }]]);
      expect([archivedByText.status, archivedByText.body.errors]).toEqual([400, [{ path: 'lostReason', message: 'This reason is archived and cannot be chosen' }]]);
      expect([wrongKind.status, wrongKind.body.errors]).toEqual([400, [{ path: 'lostReasonId', message: 'Must be a loss reason, not a win reason' }]]);
    });
  });

  it('R-CFG-2 requireLossReason: a lost without a reason is a 400 listing lostReasonId; with a typed-in one it passes', async () => {
    const created = await newOpportunity(api, rep);

    await withSettings({ requireLossReason: true }, async () => {
      await expectNothingWritten(api, async () => {
        const answer = await api.post(`/opportunities/${created.id}/lost`, { closingNote: 'Gone' }, as(rep));

        expect(answer.status).toBe(400);
        expect(answer.body.errors).toEqual([{ path: 'lostReasonId', message: 'A loss reason is required' }]);
      });
      const typed = await api.post(`/opportunities/${created.id}/lost`, { lostReason: 'Went silent' }, as(rep));
      expect([typed.status, typed.body.lostReasonId]).toEqual([200, reasons.silent]);
    });
  });

  it('R-OPP-4 with no loss stage the opportunity stays in the stage it was lost from', async () => {
    const created = await newOpportunity(api, rep, { stageId: stages.Qualified!.id });

    await withSettings({ lossStageId: null }, async () => {
      const lost = await api.post(`/opportunities/${created.id}/lost`, {}, as(rep));

      expect(lost.body).toMatchObject({ status: 'lost', stageId: stages.Qualified!.id, lostFromStageId: stages.Qualified!.id });
    });
  });

  it('R-CFG-3 an archived reason stays on the records that use it', async () => {
    const reason = await api.post('/reasons', { kind: 'loss', description: 'Timing' });
    const lost = await lostOpportunity(rep, {}, { lostReasonId: reason.body.id });

    await api.patch(`/reasons/${reason.body.id}`, { active: false });
    const read = await api.get(`/opportunities/${lost.id}`, as(rep));
    const readReason = await api.get(`/reasons/${reason.body.id}`, as(rep));

    expect(read.body.lostReasonId).toBe(reason.body.id);
    expect(readReason.body).toMatchObject({ description: 'Timing', active: false });
  });
});

describe('R-CFG-3 reason descriptions are unique per kind', () => {
  it('R-CFG-3 a second reason of the same kind and description (any case) is a 409 duplicate_reason; the other kind may', async () => {
    await api.post('/reasons', { kind: 'loss', description: 'No champion' });

    await expectNothingWritten(api, async () => {
      const duplicate = await api.post('/reasons', { kind: 'loss', description: ' no CHAMPION' });

      expect([duplicate.status, duplicate.body.code]).toEqual([409, 'duplicate_reason']);
    });
    expect((await api.post('/reasons', { kind: 'win', description: 'No champion' })).status).toBe(201);
  });

  it('R-CFG-3 renaming a reason moves its description: the old one is free, a taken one is a 409', async () => {
    const renamed = await api.post('/reasons', { kind: 'loss', description: 'Slow answer' });
    await api.post('/reasons', { kind: 'loss', description: 'Legal blocked' });

    const moved = await api.patch(`/reasons/${renamed.body.id}`, { description: 'Slow answers' });
    const reusedOld = await api.post('/reasons', { kind: 'loss', description: 'Slow answer' });
    const taken = await api.patch(`/reasons/${renamed.body.id}`, { description: 'LEGAL BLOCKED' });
    const sameDescriptionOtherCase = await api.patch(`/reasons/${renamed.body.id}`, { description: 'slow ANSWERS' });
    const typedIn = await lostOpportunity(rep, {}, { lostReason: 'slow answers' });

    expect(moved.status).toBe(200);
    expect(reusedOld.status).toBe(201);
    expect([taken.status, taken.body.code]).toEqual([409, 'duplicate_reason']);
    expect(sameDescriptionOtherCase.status).toBe(200);
    expect(typedIn.lostReasonId).toBe(renamed.body.id);
  });
});

describe('R-OPP-6 restore', () => {
  it('R-OPP-6 a lost one goes back to the stage it was lost from with its probability; reason and note cleared but kept in history', async () => {
    const lost = await lostOpportunity(rep, { stageId: stages.Negotiation!.id }, { lostReasonId: reasons.price, closingNote: 'Too dear' });

    const restored = await api.post(`/opportunities/${lost.id}/restore`, undefined, as(rep));
    const entries = await history(lost.id, rep);

    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({
      status: 'open',
      stageId: stages.Negotiation!.id,
      probability: 70,
      closedAt: null,
      lostReasonId: null,
      closingNote: null,
      lostFromStageId: null,
    });
    expect(entries.map((entry: { kind: string }) => entry.kind)).toEqual(['created', 'lost', 'restored']);
    expect(entries[2].changes).toEqual(
      expect.arrayContaining([
        { field: 'lostReasonId', from: reasons.price, to: null },
        { field: 'closingNote', from: 'Too dear', to: null },
      ]),
    );
  });

  it('R-OPP-6 a won one returns to the stage it was won from', async () => {
    const created = await newOpportunity(api, rep, { stageId: stages.Qualified!.id });
    await api.post(`/opportunities/${created.id}/won`, { winReasonIds: [reasons.referral] }, as(rep));

    const restored = await api.post(`/opportunities/${created.id}/restore`, undefined, as(rep));

    expect(restored.body).toMatchObject({ status: 'open', stageId: stages.Qualified!.id, probability: 30, winReasonIds: [], closedFromStageId: null });
  });

  it('R-OPP-6 when the stage it was lost from is gone, it returns to the default stage', async () => {
    const temporary = await api.post('/stages', { name: 'Temporary', order: 15, probability: 25 });
    const lost = await lostOpportunity(rep, { stageId: temporary.body.id });
    expect((await api.delete(`/stages/${temporary.body.id}`)).status).toBe(204);

    const restored = await api.post(`/opportunities/${lost.id}/restore`, undefined, as(rep));

    expect(restored.body).toMatchObject({ status: 'open', stageId: stages.New!.id, probability: 10 });
  });

  it('R-OPP-6 restoring an open one is a 409 not_closed; unknown and invisible ids are 404s; nothing is written', async () => {
    const open = await newOpportunity(api, rep);
    const lost = await lostOpportunity(rep);

    await expectNothingWritten(api, async () => {
      const openAnswer = await api.post(`/opportunities/${open.id}/restore`, undefined, as(rep));
      const unknown = await api.post(`/opportunities/${UNKNOWN_ID}/restore`, undefined, as(rep));
      const invisible = await api.post(`/opportunities/${lost.id}/restore`, undefined, as(otherRep));

      expect([openAnswer.status, openAnswer.body.code]).toEqual([409, 'not_closed']);
      expect(unknown.status).toBe(404);
      expect(invisible.status).toBe(404);
    });
  });

  it('R-OPP-6 bulk: every id gets its result in order; a bad, open or invisible id does not stop the others', async () => {
    const [first, second] = await Promise.all([lostOpportunity(rep), lostOpportunity(rep)]);
    const open = await newOpportunity(api, rep);
    const othersLost = await lostOpportunity(otherRep);

    const answer = await api.post('/opportunities/restore', { ids: [first.id, open.id, UNKNOWN_ID, othersLost.id, second.id] }, as(rep));

    expect(answer.status).toBe(200);
    expect(answer.body.results).toEqual([
      { id: first.id, ok: true },
      { id: open.id, ok: false, error: expect.objectContaining({ status: 409, code: 'not_closed' }) },
      { id: UNKNOWN_ID, ok: false, error: expect.objectContaining({ status: 404, code: 'not_found' }) },
      { id: othersLost.id, ok: false, error: expect.objectContaining({ status: 404, code: 'not_found' }) },
      { id: second.id, ok: true },
    ]);
    expect((await api.get(`/opportunities/${second.id}`, as(rep))).body.status).toBe('open');
    expect((await api.get(`/opportunities/${othersLost.id}`, as(otherRep))).body.status).toBe('lost');
  });

  it('R-OPP-2 bulk: restoring two lost ones of one contact into active stages restores one and reports the duplicate', async () => {
    const first = await lostOpportunity(manager);
    const second = await lostOpportunity(manager, { contactId: first.contactId, allowDuplicate: true });

    const answer = await api.post('/opportunities/restore', { ids: [first.id, second.id] }, as(manager));

    expect(answer.body.results).toEqual([
      { id: first.id, ok: true },
      { id: second.id, ok: false, error: expect.objectContaining({ status: 409, code: 'duplicate_active_opportunity', existingId: first.id }) },
    ]);
  });

  it('R-OPP-6 bulk: 101 ids or none are 400s that write nothing', async () => {
    const ids = Array.from({ length: 101 }, (_, index) => `01J${String(index).padStart(23, '0')}`);

    await expectNothingWritten(api, async () => {
      const tooMany = await api.post('/opportunities/restore', { ids });
      const none = await api.post('/opportunities/restore', { ids: [] });

      expect([tooMany.status, paths(tooMany)]).toEqual([400, ['ids']]);
      expect(none.status).toBe(400);
    });
  });
});

describe('R-OPP-7 archive', () => {
  it('R-OPP-7 archive and unarchive toggle active; doing it twice is a 409 that writes nothing', async () => {
    const created = await newOpportunity(api, rep);

    const archived = await api.post(`/opportunities/${created.id}/archive`, undefined, as(rep));
    const defaultListing = await api.get('/opportunities?limit=100', as(rep));
    await expectNothingWritten(api, async () => {
      const again = await api.post(`/opportunities/${created.id}/archive`, undefined, as(rep));
      expect([again.status, again.body.code]).toEqual([409, 'already_archived']);
    });
    const unarchived = await api.post(`/opportunities/${created.id}/unarchive`, undefined, as(rep));
    await expectNothingWritten(api, async () => {
      const again = await api.post(`/opportunities/${created.id}/unarchive`, undefined, as(rep));
      expect([again.status, again.body.code]).toEqual([409, 'already_active']);
    });

    expect(archived.body).toMatchObject({ active: false, status: 'open' });
    expect(defaultListing.body.items.map((item: Opportunity) => item.id)).not.toContain(created.id);
    expect(unarchived.body).toMatchObject({ active: true, version: 3 });
    expect((await history(created.id)).map((entry: { kind: string }) => entry.kind)).toEqual(['created', 'archived', 'unarchived']);
  });

  it('R-OPP-7 probability 0 on an archived open opportunity marks it lost without a reason, even when reasons are required', async () => {
    const created = await newOpportunity(api, rep, { stageId: stages.Qualified!.id });
    await api.post(`/opportunities/${created.id}/archive`, undefined, as(rep));

    await withSettings({ requireLossReason: true }, async () => {
      const patched = await api.patch(`/opportunities/${created.id}`, { probability: 0 }, as(rep));

      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        status: 'lost',
        probability: 0,
        stageId: stages.Lost!.id,
        lostFromStageId: stages.Qualified!.id,
        lostReasonId: null,
        active: false,
        closedAt: expect.any(String),
      });
    });
    expect((await history(created.id)).map((entry: { kind: string }) => entry.kind)).toEqual(['created', 'archived', 'lost']);
  });
});

describe('R-OPP-8 merge', () => {
  it('R-OPP-8 a lost target merged with an open one is reinstated; tags, custom fields, notes and history are combined; the others are gone', async () => {
    const contactId = await newContact(api, manager);
    const older = await newOpportunity(api, manager, { contactId, tags: ['VIP'], customFields: { size: 1 }, stageId: stages.Qualified!.id });
    await api.post(`/opportunities/${older.id}/notes`, { body: 'Older note' });
    await api.post(`/opportunities/${older.id}/lost`, { lostReasonId: reasons.price });
    const newer = await newOpportunity(api, manager, { contactId, tags: ['vip', 'Renewal'], customFields: { size: 2, region: 'north' } });
    await api.post(`/opportunities/${newer.id}/notes`, { body: 'Newer note' });

    const merged = await api.post('/opportunities/merge', { ids: [newer.id, older.id] }, as(manager));
    const gone = await api.get(`/opportunities/${newer.id}`);
    const notes = await api.get(`/opportunities/${older.id}/notes`);
    const entries = await history(older.id);

    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({
      id: older.id,
      status: 'open',
      active: true,
      stageId: stages.Qualified!.id,
      probability: 30,
      lostReasonId: null,
      tags: ['VIP', 'Renewal'],
      customFields: { size: 1, region: 'north' },
      mergedIds: [newer.id],
    });
    expect(gone.status).toBe(404);
    expect(notes.body.items.map((note: { body: string }) => note.body)).toEqual(['Newer note', 'Older note']);
    expect(entries.map((entry: { kind: string; opportunityId: string }) => [entry.kind, entry.opportunityId])).toEqual([
      ['created', older.id],
      ['lost', older.id],
      ['created', newer.id],
      ['merged', older.id],
    ]);
    expect(await guardHolders(api, { contactId, companyId: null })).toEqual([older.id]);
  });

  it('R-OPP-8 R-CFG-4 a value the client sees survives a merge into a target that holds a hidden value of the same key', async () => {
    const contactId = await newContact(api, manager);
    const asNumber = await api.post('/custom-fields', { entity: 'opportunity', key: 'weight', label: 'Weight', type: 'number' });
    const target = await newOpportunity(api, manager, { contactId, customFields: { weight: 5 } });
    await api.delete(`/custom-fields/${asNumber.body.id}`);
    await api.post('/custom-fields', { entity: 'opportunity', key: 'weight', label: 'Weight', type: 'text' });
    const other = await newOpportunity(api, manager, { contactId, customFields: { weight: 'heavy' }, allowDuplicate: true });
    const shownBefore = await api.get(`/opportunities/${target.id}`);

    const merged = await api.post('/opportunities/merge', { ids: [target.id, other.id], targetId: target.id }, as(manager));

    expect(shownBefore.body.customFields).toEqual({});
    expect(merged.status).toBe(200);
    expect(merged.body.customFields).toEqual({ weight: 'heavy' });
  });

  it('R-OPP-8 R-CFG-4 a merge keeps at most 50 tags, the survivor\'s first: each is found by ?tag= and the survivor saves back as it is', async () => {
    const contactId = await newContact(api, manager);
    const tagged = (prefix: string) => Array.from({ length: 30 }, (_, index) => `${prefix}${index}`);
    const target = await newOpportunity(api, manager, { contactId, tags: tagged('keep') });
    const other = await newOpportunity(api, manager, { contactId, tags: tagged('more'), allowDuplicate: true });

    const merged = await api.post('/opportunities/merge', { ids: [target.id, other.id], targetId: target.id }, as(manager));
    const lastKept = await api.get('/opportunities?tag=more19&status=open');
    const saved = await api.patch(`/opportunities/${target.id}`, { tags: merged.body.tags }, as(manager));

    expect(merged.status).toBe(200);
    expect(merged.body.tags).toEqual([...tagged('keep'), ...tagged('more').slice(0, 20)]);
    expect(idsOf(lastKept)).toContain(target.id);
    expect(saved.status).toBe(200);
  });

  it('R-OPP-8 without a target the earliest created survives; merging again flattens mergedIds and keeps every history', async () => {
    const contactId = await newContact(api, manager);
    const [first, second, third] = [
      await newOpportunity(api, manager, { contactId }),
      await newOpportunity(api, manager, { contactId, allowDuplicate: true }),
      await newOpportunity(api, manager, { contactId, allowDuplicate: true }),
    ];

    const intoSecond = await api.post('/opportunities/merge', { ids: [second.id, third.id], targetId: second.id });
    const intoFirst = await api.post('/opportunities/merge', { ids: [second.id, first.id] });
    const page1 = await api.get(`/opportunities/${first.id}/history?limit=3`);
    const page2 = await api.get(`/opportunities/${first.id}/history?limit=3&cursor=${encodeURIComponent(page1.body.nextCursor)}`);

    expect(intoSecond.body.mergedIds).toEqual([third.id]);
    expect(intoFirst.body).toMatchObject({ id: first.id, mergedIds: [second.id, third.id] });
    expect([...page1.body.items, ...page2.body.items].map((entry: { kind: string; opportunityId: string }) => [entry.kind, entry.opportunityId])).toEqual([
      ['created', first.id],
      ['created', second.id],
      ['created', third.id],
      ['merged', second.id],
      ['merged', first.id],
    ]);
    expect(page2.body.nextCursor).toBeNull();
  });

  it('R-OPP-8 one id, a target not among the ids, repeated ids, or an invisible one are refused and write nothing', async () => {
    const own = await newOpportunity(api, rep);
    const others = await newOpportunity(api, otherRep);

    await expectNothingWritten(api, async () => {
      const single = await api.post('/opportunities/merge', { ids: [own.id] }, as(rep));
      const foreignTarget = await api.post('/opportunities/merge', { ids: [own.id, others.id], targetId: UNKNOWN_ID }, as(rep));
      const repeated = await api.post('/opportunities/merge', { ids: [own.id, own.id] }, as(rep));
      const invisible = await api.post('/opportunities/merge', { ids: [own.id, others.id] }, as(rep));
      const unknown = await api.post('/opportunities/merge', { ids: [own.id, UNKNOWN_ID] }, as(rep));

      expect([single.status, paths(single)]).toEqual([400, ['ids']]);
      expect([foreignTarget.status, paths(foreignTarget)]).toEqual([400, ['targetId']]);
      expect([repeated.status, paths(repeated)]).toEqual([400, ['ids']]);
      expect(invisible.status).toBe(404);
      expect(unknown.status).toBe(404);
    });
  });

  it('R-OPP-8 merging two lost ones leaves a lost one', async () => {
    const first = await lostOpportunity(rep, {}, { lostReasonId: reasons.price });
    const second = await lostOpportunity(rep);

    const merged = await api.post('/opportunities/merge', { ids: [first.id, second.id] }, as(rep));

    expect(merged.body).toMatchObject({ id: first.id, status: 'lost', lostReasonId: reasons.price, mergedIds: [second.id] });
  });
});

describe('R-OPP-10 history and notes', () => {
  it('R-OPP-10 stage, owner and probability changes are recorded with who and when, oldest first; a title change is not', async () => {
    const created = await newOpportunity(api, manager);

    await api.patch(`/opportunities/${created.id}`, { stageId: stages.Proposition!.id }, as(manager));
    await api.patch(`/opportunities/${created.id}`, { title: 'Renamed' }, as(manager));
    await api.patch(`/opportunities/${created.id}`, { ownerId: rep.id, probability: 55 }, as(manager));
    const entries = await history(created.id, rep);

    expect(entries).toEqual([
      expect.objectContaining({ kind: 'created', actorId: manager.id, opportunityId: created.id }),
      {
        id: expect.any(String),
        opportunityId: created.id,
        at: expect.any(String),
        actorId: manager.id,
        kind: 'updated',
        changes: [
          { field: 'stageId', from: stages.New!.id, to: stages.Proposition!.id },
          { field: 'probability', from: 10, to: 50 },
        ],
      },
      expect.objectContaining({
        kind: 'updated',
        changes: [
          { field: 'ownerId', from: manager.id, to: rep.id },
          { field: 'probability', from: 50, to: 55 },
        ],
      }),
    ]);
  });

  it('R-OPP-10 notes: 201 with author and time, listed newest first and paged; invisible and invalid ones refused', async () => {
    const created = await newOpportunity(api, rep);

    const first = await api.post(`/opportunities/${created.id}/notes`, { body: ' Called them ' }, as(rep));
    await api.post(`/opportunities/${created.id}/notes`, { body: 'Sent the offer' }, as(rep));
    const page1 = await api.get(`/opportunities/${created.id}/notes?limit=1`, as(rep));
    const page2 = await api.get(`/opportunities/${created.id}/notes?limit=1&cursor=${encodeURIComponent(page1.body.nextCursor)}`, as(rep));

    expect(first.status).toBe(201);
    expect(first.body).toEqual({ id: expect.any(String), opportunityId: created.id, body: 'Called them', authorId: rep.id, createdAt: expect.any(String) });
    expect(page1.body.items.map((note: { body: string }) => note.body)).toEqual(['Sent the offer']);
    expect(page2.body.items.map((note: { body: string }) => note.body)).toEqual(['Called them']);
    await expectNothingWritten(api, async () => {
      const invisible = await api.post(`/opportunities/${created.id}/notes`, { body: 'Hi' }, as(otherRep));
      const invisibleList = await api.get(`/opportunities/${created.id}/notes`, as(otherRep));
      const invisibleHistory = await api.get(`/opportunities/${created.id}/history`, as(otherRep));
      const tooLong = await api.post(`/opportunities/${created.id}/notes`, { body: 'x'.repeat(10_001) }, as(rep));
      const blank = await api.post(`/opportunities/${created.id}/notes`, { body: '   ' }, as(rep));

      expect([invisible.status, invisibleList.status, invisibleHistory.status]).toEqual([404, 404, 404]);
      expect([tooLong.status, paths(tooLong)]).toEqual([400, ['body']]);
      expect([blank.status, paths(blank)]).toEqual([400, ['body']]);
    });
  });
});

describe('R-OPP-10 a deleted opportunity leaves nothing behind', () => {
  it('R-OPP-10 deleting a merge survivor removes its history and notes and those of the opportunities merged into it', async () => {
    const contactId = await newContact(api, manager);
    const survivor = await newOpportunity(api, manager, { contactId });
    const mergedAway = await newOpportunity(api, manager, { contactId, allowDuplicate: true });
    await api.post(`/opportunities/${survivor.id}/notes`, { body: 'Kept note' }, as(manager));
    await api.post(`/opportunities/${mergedAway.id}/notes`, { body: 'Merged note' }, as(manager));
    await api.post('/opportunities/merge', { ids: [survivor.id, mergedAway.id], targetId: survivor.id }, as(manager));

    const deleted = await api.delete(`/opportunities/${survivor.id}`, as(manager));
    const left = (await api.tableSnapshot()).filter((item) => item.PK === `OPP#${survivor.id}` || item.PK === `OPP#${mergedAway.id}`);

    expect(deleted.status).toBe(204);
    expect(left).toEqual([]);
  });
});

describe('SPEC §1 refusals of the lifecycle routes', () => {
  it.each([
    ['lost', (id: string) => `/opportunities/${id}/lost`, { lostReasonId: 'nope', closingNote: 5 }, ['closingNote', 'lostReasonId']],
    ['merge', () => '/opportunities/merge', { ids: 'all', targetId: 5 }, ['ids', 'targetId']],
    ['bulk restore', () => '/opportunities/restore', { ids: [1, ''] }, ['ids.0', 'ids.1']],
    ['notes', (id: string) => `/opportunities/${id}/notes`, { body: 5 }, ['body']],
  ] as const)('SPEC §1 %s: every invalid field is listed in one 400 and nothing is written', async (_, path, body, invalid) => {
    const created = await newOpportunity(api, rep);

    await expectNothingWritten(api, async () => {
      const answer = await api.post(path(created.id), body, as(rep));

      expect(answer.status).toBe(400);
      expect(paths(answer)).toEqual(invalid);
    });
  });

  it("R-SHR-1 every lifecycle route answers 404 for another rep's opportunity and writes nothing", async () => {
    const others = await newOpportunity(api, otherRep);
    const own = await newOpportunity(api, rep);
    const path = `/opportunities/${others.id}`;

    await expectNothingWritten(api, async () => {
      const answers = await Promise.all([
        api.post(`${path}/won`, {}, as(rep)),
        api.post(`${path}/lost`, {}, as(rep)),
        api.post(`${path}/restore`, undefined, as(rep)),
        api.post(`${path}/archive`, undefined, as(rep)),
        api.post(`${path}/unarchive`, undefined, as(rep)),
        api.post(`${path}/notes`, { body: 'Hi' }, as(rep)),
        api.get(`${path}/notes`, as(rep)),
        api.get(`${path}/history`, as(rep)),
        api.post('/opportunities/merge', { ids: [own.id, others.id], targetId: own.id }, as(rep)),
      ]);

      expect(answers.map((answer) => answer.status)).toEqual([404, 404, 404, 404, 404, 404, 404, 404, 404]);
    });
  });
});
