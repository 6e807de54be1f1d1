import { describe, expect, it } from 'vitest';
import {
  applyOpportunityPatch,
  buildOpportunity,
  initialStageId,
  missingPartyErrors,
  planOpportunityListing,
  type StoredOpportunity,
} from '../../shared/domain/opportunities.ts';
import type { Stage } from '../../shared/schemas/pipeline.ts';
import type { Principal } from '../../shared/domain/principal.ts';

const STAMP = { version: 1, createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z' };
const stage = (id: string, probability: number): Stage => ({ ...STAMP, id, name: id, order: 10, probability });
const NEW = stage('01STAGENEW0000000000000000', 10);
const NEGOTIATION = stage('01STAGENEG0000000000000000', 70);

const REP: Principal = { userId: '01REP00000000000000000000A', role: 'rep' };
const MANAGER: Principal = { userId: '01MANAGER00000000000000000', role: 'manager' };
const ADMIN: Principal = { userId: '01ADMIN0000000000000000000', role: 'admin' };
const CONTACT = '01CONTACT00000000000000000';
const COMPANY = '01COMPANY00000000000000000';

const facts = { ownerId: REP.userId, stage: NEW, contactCompanyId: null, customFields: {}, defaultCurrency: 'EUR' };

function stored(overrides: Partial<StoredOpportunity> = {}): StoredOpportunity {
  return { ...STAMP, id: '01OPP000000000000000000000', ...buildOpportunity({ title: 'Deal', contactId: CONTACT }, facts), ...overrides };
}

describe('R-OPP-1 building a new opportunity', () => {
  it('R-OPP-1 a new opportunity is open, active, unclosed, in the given stage with its probability', () => {
    const built = buildOpportunity({ title: 'Deal', contactId: CONTACT }, facts);

    expect(built).toEqual({
      title: 'Deal',
      contactId: CONTACT,
      companyId: null,
      ownerId: REP.userId,
      stageId: NEW.id,
      value: null,
      probability: 10,
      expectedCloseDate: null,
      tags: [],
      tagKeys: [],
      customFields: {},
      status: 'open',
      active: true,
      closedAt: null,
      winReasonIds: [],
      lostReasonId: null,
      closingNote: null,
      lostFromStageId: null,
      closedFromStageId: null,
      mergedIds: [],
    });
  });

  it('R-OPP-1 starts in the default stage unless a stage is given', () => {
    const settings = { defaultStageId: NEW.id };

    expect(initialStageId({}, settings)).toBe(NEW.id);
    expect(initialStageId({ stageId: NEGOTIATION.id }, settings)).toBe(NEGOTIATION.id);
  });

  it('R-OPP-1 a given probability wins over the stage probability', () => {
    const built = buildOpportunity({ title: 'Deal', contactId: CONTACT, probability: 55 }, { ...facts, stage: NEGOTIATION });

    expect(built.probability).toBe(55);
    expect(built.stageId).toBe(NEGOTIATION.id);
  });

  it('SPEC §1 a value without currency takes the stack currency; a given currency is kept', () => {
    const withoutCurrency = buildOpportunity({ title: 'Deal', contactId: CONTACT, value: { amount: 1000 } }, { ...facts, defaultCurrency: 'CHF' });
    const withCurrency = buildOpportunity({ title: 'Deal', contactId: CONTACT, value: { amount: 1000, currency: 'USD' } }, facts);

    expect(withoutCurrency.value).toEqual({ amount: 1000, currency: 'CHF' });
    expect(withCurrency.value).toEqual({ amount: 1000, currency: 'USD' });
  });

  it("R-OPP-1 a contact's company is copied when the body names no company, never over a given one", () => {
    const copied = buildOpportunity({ title: 'Deal', contactId: CONTACT }, { ...facts, contactCompanyId: COMPANY });
    const given = buildOpportunity({ title: 'Deal', contactId: CONTACT, companyId: '01OTHERCOMPANY000000000000' }, { ...facts, contactCompanyId: COMPANY });

    expect(copied.companyId).toBe(COMPANY);
    expect(given.companyId).toBe('01OTHERCOMPANY000000000000');
  });

  it('R-CFG-4 tags are normalised and kept lower-cased for the case-insensitive tag filter', () => {
    const built = buildOpportunity({ title: 'Deal', contactId: CONTACT, tags: [' VIP ', 'vip', 'Big Deal'] }, facts);

    expect(built.tags).toEqual(['VIP', 'Big Deal']);
    expect(built.tagKeys).toEqual(['vip', 'big deal']);
  });
});

describe('R-OPP-1 applying a PATCH', () => {
  const patchFacts = { customFields: {}, defaultCurrency: 'EUR' };

  it('R-OPP-1 a stage change without a probability takes the new stage probability', () => {
    const next = applyOpportunityPatch(stored(), { stageId: NEGOTIATION.id }, { ...patchFacts, stage: NEGOTIATION });

    expect(next.stageId).toBe(NEGOTIATION.id);
    expect(next.probability).toBe(70);
  });

  it('R-OPP-1 a stage change with a probability keeps the given probability', () => {
    const next = applyOpportunityPatch(stored(), { stageId: NEGOTIATION.id, probability: 42 }, { ...patchFacts, stage: NEGOTIATION });

    expect(next.probability).toBe(42);
  });

  it('R-OPP-1 naming the current stage again leaves a hand-set probability alone', () => {
    const next = applyOpportunityPatch(stored({ probability: 33 }), { stageId: NEW.id }, { ...patchFacts, stage: NEW });

    expect(next.probability).toBe(33);
  });

  it('R-OPP-1 a closed opportunity cannot change stage (409) but may change title, value and tags', () => {
    const won = stored({ status: 'won' });

    const move = () => applyOpportunityPatch(won, { stageId: NEGOTIATION.id }, { ...patchFacts, stage: NEGOTIATION });
    const edited = applyOpportunityPatch(won, { title: 'Renamed', value: { amount: 5 }, tags: ['Later'] }, patchFacts);

    expect(move).toThrow(expect.objectContaining({ kind: 'conflict', code: 'opportunity_closed' }));
    expect(edited).toMatchObject({ title: 'Renamed', value: { amount: 5, currency: 'EUR' }, tags: ['Later'], tagKeys: ['later'], status: 'won' });
  });

  it('R-OPP-1 null clears value and expected close date; the merged custom fields replace the stored ones', () => {
    const current = stored({ value: { amount: 10, currency: 'EUR' }, expectedCloseDate: '2025-06-01', customFields: { size: 3 } });

    const next = applyOpportunityPatch(current, { value: null, expectedCloseDate: null }, { ...patchFacts, customFields: { size: 4 } });

    expect(next).toMatchObject({ value: null, expectedCloseDate: null, customFields: { size: 4 } });
  });

  it("R-OPP-1 a new contact brings its company to a company-less opportunity only", () => {
    const companyless = applyOpportunityPatch(stored(), { contactId: '01NEWCONTACT00000000000000' }, { ...patchFacts, contactCompanyId: COMPANY });
    const withCompany = applyOpportunityPatch(stored({ companyId: '01OTHERCOMPANY000000000000' }), { contactId: '01NEWCONTACT00000000000000' }, { ...patchFacts, contactCompanyId: COMPANY });

    expect(companyless.companyId).toBe(COMPANY);
    expect(withCompany.companyId).toBe('01OTHERCOMPANY000000000000');
  });

  it('R-OPP-1 an opportunity left without contact and company is reported on contactId', () => {
    const next = applyOpportunityPatch(stored(), { contactId: null }, patchFacts);

    expect(missingPartyErrors(next)).toEqual([{ path: 'contactId', message: 'Give a contactId or a companyId' }]);
    expect(missingPartyErrors(stored())).toEqual([]);
  });
});

describe('R-OPP-5 / R-SHR-1 list planner', () => {
  it('R-OPP-5 a rep without filters reads its own open opportunities, on condition that they are active', () => {
    const plan = planOpportunityListing(REP, {});

    expect(plan).toEqual({ kind: 'query', by: [{ pattern: 'ownedBy', ownerId: REP.userId, status: 'open' }], filters: [{ field: 'active', in: [true] }] });
  });

  it('R-OPP-5 a status filter alone lists that status whatever active is', () => {
    const plan = planOpportunityListing(REP, { status: ['lost'] });

    expect(plan).toEqual({ kind: 'query', by: [{ pattern: 'ownedBy', ownerId: REP.userId, status: 'lost' }], filters: [] });
  });

  it('R-OPP-5 an active filter alone keeps the open status of the pipeline', () => {
    const plan = planOpportunityListing(MANAGER, { active: false });

    expect(plan).toEqual({ kind: 'query', by: [{ pattern: 'withStatus', status: 'open' }], filters: [{ field: 'active', in: [false] }] });
  });

  it('R-OPP-5 several statuses are "is in": one partition per status where the status keys the source, a condition elsewhere', () => {
    const staff = planOpportunityListing(MANAGER, { status: ['won', 'lost', 'won'] });
    const rep = planOpportunityListing(REP, { status: ['open', 'lost'] });
    const ofContact = planOpportunityListing(MANAGER, { status: ['won', 'lost'], contactId: [CONTACT] });

    expect(staff).toEqual({ kind: 'query', by: [{ pattern: 'withStatus', status: 'won' }, { pattern: 'withStatus', status: 'lost' }], filters: [] });
    expect(rep).toEqual({ kind: 'query', by: [{ pattern: 'ownedBy', ownerId: REP.userId, status: 'open' }, { pattern: 'ownedBy', ownerId: REP.userId, status: 'lost' }], filters: [] });
    expect(ofContact).toEqual({ kind: 'query', by: [{ pattern: 'ofContact', contactId: CONTACT }], filters: [{ field: 'status', in: ['won', 'lost'] }] });
  });

  it('R-SHR-1 a rep stays in its own opportunities whatever it filters on; other filters become conditions', () => {
    const plan = planOpportunityListing(REP, { status: ['open'], contactId: [CONTACT], stageId: [NEW.id], ownerId: [REP.userId] });

    expect(plan).toEqual({
      kind: 'query',
      by: [{ pattern: 'ownedBy', ownerId: REP.userId, status: 'open' }],
      filters: [
        { field: 'contactId', in: [CONTACT] },
        { field: 'stageId', in: [NEW.id] },
      ],
    });
  });

  it("R-SHR-1 a rep asking for someone else's opportunities gets no query at all", () => {
    expect(planOpportunityListing(REP, { ownerId: [MANAGER.userId] })).toEqual({ kind: 'empty' });
  });

  it.each([
    ['contactId', { contactId: [CONTACT], companyId: [COMPANY], stageId: [NEW.id], ownerId: [REP.userId] }, { pattern: 'ofContact', contactId: CONTACT }],
    ['companyId', { companyId: [COMPANY], stageId: [NEW.id], ownerId: [REP.userId] }, { pattern: 'ofCompany', companyId: COMPANY }],
    ['stageId', { stageId: [NEW.id], ownerId: [REP.userId] }, { pattern: 'inStage', stageId: NEW.id }],
    ['ownerId', { ownerId: [REP.userId], status: ['won' as const] }, { pattern: 'ownedBy', ownerId: REP.userId, status: 'won' }],
    ['nothing', { status: ['won' as const] }, { pattern: 'withStatus', status: 'won' }],
  ])('R-OPP-5 staff with a single %s read the narrowest source', (_, filters, by) => {
    const plan = planOpportunityListing(ADMIN, filters);

    expect(plan.kind === 'query' && plan.by).toEqual([by]);
  });

  it('R-OPP-5 staff reading a contact\'s opportunities filter on status, the other single ids and active', () => {
    const plan = planOpportunityListing(MANAGER, { contactId: [CONTACT], ownerId: [REP.userId] });

    expect(plan.kind === 'query' && plan.filters).toEqual([
      { field: 'status', in: ['open'] },
      { field: 'active', in: [true] },
      { field: 'ownerId', in: [REP.userId] },
    ]);
  });

  it('R-OPP-5 comma lists are "is in" conditions on the opportunities of the status', () => {
    const plan = planOpportunityListing(MANAGER, { status: ['open'], contactId: [CONTACT, '01CONTACTB0000000000000000'], stageId: [NEW.id, NEGOTIATION.id] });

    expect(plan).toEqual({
      kind: 'query',
      by: [{ pattern: 'withStatus', status: 'open' }],
      filters: [
        { field: 'contactId', in: [CONTACT, '01CONTACTB0000000000000000'] },
        { field: 'stageId', in: [NEW.id, NEGOTIATION.id] },
      ],
    });
  });

  it('R-OPP-5 tags match case-insensitively, reasons by "is in" and win reasons by list membership', () => {
    const plan = planOpportunityListing(MANAGER, { status: ['lost'], tag: ['VIP', 'Big Deal'], lostReasonId: ['01LOSTA0000000000000000000'], winReasonId: ['01WINA00000000000000000000'] });

    expect(plan.kind === 'query' && plan.filters).toEqual([
      { field: 'tagKeys', containsAny: ['vip', 'big deal'] },
      { field: 'lostReasonId', in: ['01LOSTA0000000000000000000'] },
      { field: 'winReasonIds', containsAny: ['01WINA00000000000000000000'] },
    ]);
  });
});
