import { describe, expect, it } from 'vitest';
import { buildOpportunity, type StoredOpportunity } from '../../shared/domain/opportunities.ts';
import {
  archive,
  chooseSurvivor,
  create,
  historyChanges,
  holdsParty,
  lose,
  merge,
  patch,
  restore,
  restoreStageId,
  unarchive,
  win,
} from '../../shared/domain/opportunity-lifecycle.ts';
import type { Stage } from '../../shared/schemas/pipeline.ts';

const STAMP = { version: 3, createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-02T00:00:00.000Z' };
const NOW = '2025-03-01T10:00:00.000Z';
const stage = (id: string, probability: number): Stage => ({ ...STAMP, id, name: id, order: 10, probability });
const NEW = stage('01STAGENEW0000000000000000', 10);
const QUALIFIED = stage('01STAGEQUA0000000000000000', 30);
const WON = stage('01STAGEWON0000000000000000', 100);
const LOST = stage('01STAGELST0000000000000000', 0);
const CONTACT = '01CONTACT00000000000000000';
const OWNER = '01OWNER0000000000000000000';
const OTHER_OWNER = '01OWNERB000000000000000000';
const REASON = '01REASON000000000000000000';

const settings = { winStageId: WON.id, lossStageId: LOST.id, requireWinReason: false, requireLossReason: false };

function opp(overrides: Partial<StoredOpportunity> = {}): StoredOpportunity {
  const built = buildOpportunity({ title: 'Deal', contactId: CONTACT }, { ownerId: OWNER, stage: QUALIFIED, contactCompanyId: null, customFields: {}, defaultCurrency: 'EUR' });
  return { ...STAMP, id: '01OPP000000000000000000000', ...built, ...overrides };
}

const lostOpp = (overrides: Partial<StoredOpportunity> = {}) =>
  opp({ status: 'lost', stageId: LOST.id, probability: 0, closedAt: NOW, lostFromStageId: QUALIFIED.id, closedFromStageId: QUALIFIED.id, lostReasonId: REASON, closingNote: 'Too late', ...overrides });
const wonOpp = (overrides: Partial<StoredOpportunity> = {}) =>
  opp({ status: 'won', stageId: WON.id, probability: 100, closedAt: NOW, closedFromStageId: QUALIFIED.id, winReasonIds: [REASON], ...overrides });

describe('R-OPP-2 who holds a party for duplicate prevention', () => {
  it.each([
    ['open and active', opp(), true],
    ['open and archived', opp({ active: false }), false],
    ['lost and active', lostOpp(), false],
    ['won and active', wonOpp(), false],
  ])('R-OPP-2 %s', (_, record, holds) => {
    expect(holdsParty(record)).toBe(holds);
  });
});

describe('R-OPP-3 won', () => {
  it('R-OPP-3 won: probability 100, in the win stage, closed now, the stage it was won from kept; history and event', () => {
    const { next, history, events } = win(opp(), { winReasonIds: [REASON], closingNote: 'Signed' }, settings, NOW);

    expect(next).toMatchObject({ status: 'won', probability: 100, stageId: WON.id, closedAt: NOW, closedFromStageId: QUALIFIED.id, winReasonIds: [REASON], closingNote: 'Signed' });
    expect(history).toEqual([
      {
        opportunityId: next.id,
        kind: 'won',
        changes: [
          { field: 'status', from: 'open', to: 'won' },
          { field: 'stageId', from: QUALIFIED.id, to: WON.id },
          { field: 'probability', from: 30, to: 100 },
          { field: 'winReasonIds', from: [], to: [REASON] },
          { field: 'closingNote', from: null, to: 'Signed' },
        ],
      },
    ]);
    expect(events).toEqual([{ type: 'opportunity.won', opportunityId: next.id, data: { ownerId: OWNER, contactId: CONTACT, companyId: null, winReasonIds: [REASON] } }]);
  });

  it.each([
    ['won', wonOpp(), 'already_won'],
    ['lost', lostOpp(), 'already_lost'],
  ])('R-OPP-3 winning a %s opportunity is a 409 %s', (_, record, code) => {
    expect(() => win(record, { winReasonIds: [], closingNote: null }, settings, NOW)).toThrow(expect.objectContaining({ kind: 'conflict', code }));
  });

  it('R-OPP-3 an archived opportunity can be won and stays archived', () => {
    const { next } = win(opp({ active: false }), { winReasonIds: [], closingNote: null }, settings, NOW);

    expect(next).toMatchObject({ status: 'won', active: false });
  });

  it('R-OPP-3 without a win stage the opportunity stays in its stage', () => {
    const { next } = win(opp(), { winReasonIds: [], closingNote: null }, { ...settings, winStageId: null }, NOW);

    expect(next.stageId).toBe(QUALIFIED.id);
  });

  it('R-CFG-2 requireWinReason: no reason is a 400 on winReasonIds', () => {
    const missing = () => win(opp(), { winReasonIds: [], closingNote: null }, { ...settings, requireWinReason: true }, NOW);

    expect(missing).toThrow(expect.objectContaining({ kind: 'invalid', errors: [{ path: 'winReasonIds', message: 'A win reason is required' }] }));
  });
});

describe('R-OPP-4 lost', () => {
  it('R-OPP-4 lost: probability 0, in the loss stage, lostFromStageId kept, reason and note set', () => {
    const { next, events } = lose(opp(), { lostReasonId: REASON, closingNote: 'Too late' }, settings, NOW);

    expect(next).toMatchObject({
      status: 'lost',
      probability: 0,
      stageId: LOST.id,
      closedAt: NOW,
      lostFromStageId: QUALIFIED.id,
      closedFromStageId: QUALIFIED.id,
      lostReasonId: REASON,
      closingNote: 'Too late',
    });
    expect(events).toEqual([{ type: 'opportunity.lost', opportunityId: next.id, data: { ownerId: OWNER, contactId: CONTACT, companyId: null, lostReasonId: REASON } }]);
  });

  it('R-OPP-4 with the loss stage null the opportunity stays in the stage it was lost from', () => {
    const { next } = lose(opp(), { lostReasonId: null, closingNote: null }, { ...settings, lossStageId: null }, NOW);

    expect(next).toMatchObject({ status: 'lost', stageId: QUALIFIED.id, lostFromStageId: QUALIFIED.id });
  });

  it.each([
    ['won', wonOpp(), 'already_won'],
    ['lost', lostOpp(), 'already_lost'],
  ])('R-OPP-4 losing a %s opportunity is a 409 %s', (_, record, code) => {
    expect(() => lose(record, { lostReasonId: null, closingNote: null }, settings, NOW)).toThrow(expect.objectContaining({ kind: 'conflict', code }));
  });

  it('R-CFG-2 requireLossReason: no reason is a 400 on lostReasonId', () => {
    const missing = () => lose(opp(), { lostReasonId: null, closingNote: 'x' }, { ...settings, requireLossReason: true }, NOW);

    expect(missing).toThrow(expect.objectContaining({ kind: 'invalid', errors: [{ path: 'lostReasonId', message: 'A loss reason is required' }] }));
  });
});

describe('R-OPP-6 restore', () => {
  it.each([
    ['a lost one returns to the stage it was lost from', lostOpp({ closedFromStageId: NEW.id }), QUALIFIED.id],
    ['a lost one without lostFromStageId falls back to the stage it was closed from', lostOpp({ lostFromStageId: null, closedFromStageId: NEW.id }), NEW.id],
    ['a won one returns to the stage it was won from', wonOpp(), QUALIFIED.id],
    ['one closed without a known stage goes to the default stage', lostOpp({ lostFromStageId: null, closedFromStageId: null }), null],
  ])('R-OPP-6 %s', (_, record, stageId) => {
    expect(restoreStageId(record)).toBe(stageId);
  });

  it.each([
    ['lost', lostOpp(), 'lost'],
    ['won', wonOpp(), 'won'],
  ])('R-OPP-6 a %s opportunity is open again: stage probability, reasons, note and close time cleared (kept in history)', (_, record, from) => {
    const { next, history, events } = restore(record, QUALIFIED);

    expect(next).toMatchObject({
      status: 'open',
      stageId: QUALIFIED.id,
      probability: 30,
      closedAt: null,
      lostFromStageId: null,
      closedFromStageId: null,
      lostReasonId: null,
      winReasonIds: [],
      closingNote: null,
      active: true,
    });
    expect(history[0]!.kind).toBe('restored');
    expect(history[0]!.changes).toContainEqual({ field: 'status', from, to: 'open' });
    expect(events[0]).toMatchObject({ type: 'opportunity.restored', data: { restoredFrom: from } });
  });

  it('R-OPP-6 restoring keeps an archived one archived', () => {
    expect(restore(lostOpp({ active: false }), QUALIFIED).next.active).toBe(false);
  });

  it('R-OPP-6 restoring an open opportunity is a 409 not_closed', () => {
    expect(() => restore(opp(), QUALIFIED)).toThrow(expect.objectContaining({ kind: 'conflict', code: 'not_closed' }));
  });
});

describe('R-OPP-7 archive', () => {
  it.each([
    ['archive', archive, opp(), false, 'archived'],
    ['unarchive', unarchive, opp({ active: false }), true, 'unarchived'],
  ] as const)('R-OPP-7 %s toggles active and records it', (_, transition, record, active, kind) => {
    const { next, history, events } = transition(record);

    expect(next.active).toBe(active);
    expect(history).toEqual([{ opportunityId: record.id, kind, changes: [{ field: 'active', from: !active, to: active }] }]);
    expect(events).toEqual([]);
  });

  it.each([
    ['archiving an archived one', archive, opp({ active: false }), 'already_archived'],
    ['unarchiving an active one', unarchive, opp(), 'already_active'],
  ] as const)('R-OPP-7 %s is a 409 %s', (_, transition, record, code) => {
    expect(() => transition(record)).toThrow(expect.objectContaining({ kind: 'conflict', code }));
  });
});

describe('R-OPP-1 / R-OPP-7 / R-OPP-10 PATCH', () => {
  it('R-OPP-7 probability 0 on an archived open opportunity marks it lost without a reason, even when reasons are required', () => {
    const current = opp({ active: false });

    const { next, history, events } = patch(current, { ...current, probability: 0 }, { probability: 0 }, { lossStageId: LOST.id }, NOW);

    expect(next).toMatchObject({ status: 'lost', probability: 0, stageId: LOST.id, lostFromStageId: QUALIFIED.id, lostReasonId: null, closedAt: NOW, active: false });
    expect(history.map((entry) => entry.kind)).toEqual(['lost']);
    expect(events.map((event) => event.type)).toEqual(['opportunity.lost']);
  });

  it.each([
    ['an active open opportunity', opp()],
    ['an archived lost opportunity', lostOpp({ active: false })],
  ])('R-OPP-7 probability 0 on %s is only a probability change', (_, current) => {
    const { next } = patch(current, { ...current, probability: 0 }, { probability: 0 }, { lossStageId: LOST.id }, NOW);

    expect(next.status).toBe(current.status);
    expect(next.probability).toBe(0);
  });

  it('R-OPP-10 a new owner and stage are recorded as one update; a new owner is a reassignment', () => {
    const current = opp();

    const { history, events } = patch(current, { ...current, ownerId: OTHER_OWNER, stageId: NEW.id, probability: 10 }, {}, { lossStageId: LOST.id }, NOW);

    expect(history).toEqual([
      {
        opportunityId: current.id,
        kind: 'updated',
        changes: [
          { field: 'stageId', from: QUALIFIED.id, to: NEW.id },
          { field: 'ownerId', from: OWNER, to: OTHER_OWNER },
          { field: 'probability', from: 30, to: 10 },
        ],
      },
    ]);
    expect(events).toEqual([{ type: 'opportunity.reassigned', opportunityId: current.id, data: { ownerId: OTHER_OWNER, contactId: CONTACT, companyId: null, fromOwnerId: OWNER } }]);
  });

  it('R-OPP-10 a change of title only leaves no history entry', () => {
    const current = opp();

    expect(patch(current, { ...current, title: 'Renamed' }, {}, { lossStageId: LOST.id }, NOW).history).toEqual([]);
  });

  it('R-OPP-10 a creation records every tracked field from null', () => {
    const record = opp();

    const { history, events } = create(record);

    expect(history[0]!.kind).toBe('created');
    expect(history[0]!.changes).toEqual(historyChanges(undefined, record));
    expect(history[0]!.changes).toContainEqual({ field: 'status', from: null, to: 'open' });
    expect(events[0]!.type).toBe('opportunity.created');
  });
});

describe('R-OPP-8 merge', () => {
  const older = (overrides: Partial<StoredOpportunity>) => opp({ id: '01OPPOLDER0000000000000000', createdAt: '2024-06-01T00:00:00.000Z', ...overrides });
  const newer = (overrides: Partial<StoredOpportunity>) => opp({ id: '01OPPNEWER0000000000000000', createdAt: '2025-02-01T00:00:00.000Z', ...overrides });

  it('R-OPP-8 the target survives when named, else the earliest created', () => {
    const records = [newer({}), older({})];

    expect(chooseSurvivor(records, undefined).id).toBe(older({}).id);
    expect(chooseSurvivor(records, newer({}).id).id).toBe(newer({}).id);
  });

  it('R-OPP-8 tags are the normalised union, custom fields keep the survivor value, merged ids are flattened', () => {
    const survivor = older({ tags: ['VIP'], tagKeys: ['vip'], customFields: { size: 1 }, mergedIds: ['01OPPMERGEDEARLIER00000000'] });
    const other = newer({ tags: ['vip', 'Renewal'], tagKeys: ['vip', 'renewal'], customFields: { size: 2, region: 'north' }, mergedIds: ['01OPPMERGEDINTOOTHER000000'] });

    const { next, removed, history, events } = merge(survivor, [other], undefined, []);

    expect(next).toMatchObject({
      id: survivor.id,
      tags: ['VIP', 'Renewal'],
      tagKeys: ['vip', 'renewal'],
      customFields: { size: 1, region: 'north' },
      mergedIds: ['01OPPMERGEDEARLIER00000000', other.id, '01OPPMERGEDINTOOTHER000000'],
    });
    expect(removed.map((record) => record.id)).toEqual([other.id]);
    expect(history).toEqual([
      {
        opportunityId: survivor.id,
        kind: 'merged',
        changes: [{ field: 'mergedIds', from: ['01OPPMERGEDEARLIER00000000'], to: ['01OPPMERGEDEARLIER00000000', other.id, '01OPPMERGEDINTOOTHER000000'] }],
      },
    ]);
    expect(events[0]).toMatchObject({ type: 'opportunity.merged', opportunityId: survivor.id, data: { mergedIds: [other.id] } });
  });

  it('R-OPP-8 a custom field value a client sees wins over a hidden one: a stale value of a deleted definition never erases it', () => {
    const weightAsText = { ...STAMP, id: '01FIELDWEIGHT0000000000000', entity: 'opportunity' as const, key: 'weight', label: 'Weight', type: 'text' as const };
    const sizeAsNumber = { ...weightAsText, id: '01FIELDSIZE000000000000000', key: 'size', type: 'number' as const };
    const survivor = older({ customFields: { weight: 5, size: 1, legacy: 'old' } });
    const other = newer({ customFields: { weight: 'heavy', size: 2, legacy: 'older still' } });

    const { next } = merge(survivor, [other], undefined, [weightAsText, sizeAsNumber]);

    // weight: the survivor's 5 is hidden (weight is text now), the other's "heavy" is seen; size: both seen, the
    // survivor wins; legacy: no definition, both hidden, the survivor's stays stored.
    expect(next.customFields).toEqual({ weight: 'heavy', size: 1, legacy: 'old' });
  });

  it('R-OPP-8 a lost survivor merged with an open active one is reinstated like a restore', () => {
    const { next } = merge(older(lostOpp()), [newer({})], QUALIFIED, []);

    expect(next).toMatchObject({ status: 'open', active: true, stageId: QUALIFIED.id, probability: 30, lostReasonId: null, closingNote: null, closedAt: null });
  });

  it('R-OPP-8 an archived open survivor merged with an open active one is active again', () => {
    expect(merge(older({ active: false }), [newer({})], undefined, []).next).toMatchObject({ status: 'open', active: true });
  });

  it('R-OPP-8 two lost ones merge into a lost one, reason kept', () => {
    const { next } = merge(older(lostOpp()), [newer(lostOpp({ lostReasonId: '01REASONB00000000000000000' }))], QUALIFIED, []);

    expect(next).toMatchObject({ status: 'lost', lostReasonId: REASON, stageId: LOST.id });
  });

  it('R-OPP-8 an open survivor merged with archived and lost ones keeps its state', () => {
    const { next } = merge(older({ active: false }), [newer(lostOpp())], undefined, []);

    expect(next).toMatchObject({ status: 'open', active: false });
  });
});
