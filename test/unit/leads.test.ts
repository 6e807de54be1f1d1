import { describe, expect, it } from 'vitest';
import {
  buildLeadStatus,
  carriedCustomFields,
  checkDefaultStatusRules,
  checkStatusDeletable,
  concludeLead,
  conversionInput,
  conversionRefusal,
  convertLead,
  creationEntry,
  leadConditions,
  markLeadLost,
  moveToStatus,
  newLeadFields,
  nextStatusOrder,
  patchLead,
  planLeadList,
  reassignmentEntry,
  replacedDefault,
  restoreLead,
  splitPersonName,
  withoutDefault,
  type StoredLead,
} from '../../shared/domain/leads.ts';
import type { CustomFieldDefinition } from '../../shared/schemas/custom-fields.ts';
import type { LeadStatus, LeadStatusType } from '../../shared/schemas/leads.ts';
import type { Principal } from '../../shared/domain/principal.ts';

const rep: Principal = { userId: '01HZREP0000000000000000000', role: 'rep' };
const otherRep = '01HZOTHER00000000000000000';
const manager: Principal = { userId: '01HZMANAGER000000000000000', role: 'manager' };
const NOW = '2026-03-10T09:00:00.000Z';
const EARLIER = '2026-03-01T09:00:00.000Z';

const stamp = (id: string) => ({ id, version: 2, createdAt: EARLIER, updatedAt: EARLIER });

const status = (type: LeadStatusType, fields: Partial<LeadStatus> = {}): LeadStatus => ({
  ...stamp(`01HZSTATUS${type.toUpperCase().replace('_', '').padEnd(16, '0').slice(0, 16)}`),
  name: type,
  order: 10,
  active: true,
  expiryDays: 3,
  type,
  isDefault: false,
  ...fields,
});
const open = status('open');
const working = status('open', { id: '01HZWORKING000000000000000', name: 'Working' });
const frozen = status('frozen');
const qualified = status('qualified');
const junk = status('not_interested');

const storedLead = (fields: Partial<StoredLead> = {}): StoredLead => ({
  ...stamp('01HZLEAD000000000000000000'),
  name: 'Maria De Luca',
  email: 'maria@example.com',
  phone: '+39 06 1234',
  companyName: 'Rossi Srl',
  source: 'web',
  ownerId: rep.userId,
  statusId: open.id,
  statusEnteredAt: EARLIER,
  tags: ['VIP'],
  customFields: { size: 3 },
  concludedAt: null,
  lost: false,
  lostReasonId: null,
  closingNote: null,
  lostAt: null,
  convertedTo: null,
  tagKeys: ['vip'],
  searchText: 'maria de luca maria@example.com +39 06 1234 rossi srl',
  ...fields,
});

const codeOf = (act: () => unknown) => {
  try {
    act();
  } catch (error) {
    return [(error as { kind: string }).kind, (error as { code: string }).code];
  }
  return undefined;
};
const pathsOf = (act: () => unknown) => {
  try {
    act();
  } catch (error) {
    return (error as { errors?: { path: string }[] }).errors?.map((fieldError) => fieldError.path);
  }
  return undefined;
};

describe('R-LEAD-1 lead statuses and the one default', () => {
  it('R-LEAD-1 a new status without an order goes after the last one; with none it starts at 10', () => {
    expect(nextStatusOrder([open, status('frozen', { order: 70 })])).toBe(80);
    expect(nextStatusOrder([])).toBe(10);
    expect(buildLeadStatus({ name: 'Call back', active: true, expiryDays: 0, type: 'open', isDefault: false }, [status('open', { order: 30 })]).order).toBe(40);
    expect(buildLeadStatus({ name: 'First', order: 5, active: true, expiryDays: 0, type: 'open', isDefault: false }, [open]).order).toBe(5);
  });

  it('R-LEAD-1 only an active open or frozen status can become the default (400 on isDefault)', () => {
    const fields = { name: 'X', order: 10, expiryDays: 0 };
    expect(pathsOf(() => checkDefaultStatusRules(undefined, { ...fields, active: false, type: 'open', isDefault: true }))).toEqual(['isDefault']);
    expect(pathsOf(() => checkDefaultStatusRules(undefined, { ...fields, active: true, type: 'qualified', isDefault: true }))).toEqual(['isDefault']);
    expect(codeOf(() => checkDefaultStatusRules(undefined, { ...fields, active: true, type: 'frozen', isDefault: true }))).toBeUndefined();
    expect(codeOf(() => checkDefaultStatusRules(open, { ...open, active: false }))).toBeUndefined();
  });

  it('R-LEAD-1 the default cannot be unset, deactivated or turned into a status leads do not start in (409)', () => {
    const theDefault = status('open', { isDefault: true });

    expect(codeOf(() => checkDefaultStatusRules(theDefault, { ...theDefault, isDefault: false }))).toEqual(['conflict', 'default_lead_status']);
    expect(codeOf(() => checkDefaultStatusRules(theDefault, { ...theDefault, active: false }))).toEqual(['conflict', 'default_lead_status']);
    expect(codeOf(() => checkDefaultStatusRules(theDefault, { ...theDefault, type: 'abandoned' }))).toEqual(['conflict', 'default_lead_status']);
    expect(codeOf(() => checkDefaultStatusRules(theDefault, { ...theDefault, type: 'frozen', name: 'Waiting' }))).toBeUndefined();
    expect(codeOf(() => checkStatusDeletable(theDefault))).toEqual(['conflict', 'default_lead_status']);
    expect(codeOf(() => checkStatusDeletable(open))).toBeUndefined();
  });

  it('R-LEAD-1 a status becoming the default takes the flag from the previous one', () => {
    const previous = status('open', { isDefault: true });
    const next = { ...frozen, isDefault: true };

    expect(replacedDefault([previous, frozen], next)).toBe(previous);
    expect(replacedDefault([previous, frozen], frozen)).toBeUndefined();
    expect(replacedDefault([next], next)).toBeUndefined();
    expect(withoutDefault(previous, NOW)).toEqual({ ...previous, isDefault: false, version: 3, updatedAt: NOW });
  });
});

describe('R-LEAD-2 building and changing leads', () => {
  it('R-LEAD-2 a new lead: missing fields null, tags normalised, clock started now, in progress, with folded search keys', () => {
    const fields = newLeadFields(
      { name: 'Mario Rossi', email: 'Mario@Example.com', tags: [' Fiera ', 'fiera'] },
      { ownerId: rep.userId, statusId: open.id, customFields: { size: 2 }, now: NOW },
    );

    expect(fields).toEqual({
      name: 'Mario Rossi',
      email: 'Mario@Example.com',
      phone: null,
      companyName: null,
      source: null,
      ownerId: rep.userId,
      statusId: open.id,
      statusEnteredAt: NOW,
      tags: ['Fiera'],
      customFields: { size: 2 },
      concludedAt: null,
      lost: false,
      lostReasonId: null,
      closingNote: null,
      lostAt: null,
      convertedTo: null,
      tagKeys: ['fiera'],
      searchText: 'mario rossi mario@example.com',
    });
    expect(creationEntry(fields)).toEqual({
      kind: 'created',
      changes: [
        { field: 'statusId', from: null, to: open.id },
        { field: 'ownerId', from: null, to: rep.userId },
      ],
    });
  });

  it('R-LEAD-2 PATCH changes the named fields, null clears, search keys follow; a new owner is a reassignment', () => {
    const current = storedLead();

    const next = patchLead(current, { companyName: null, tags: ['Hot'], ownerId: otherRep }, { size: 3 });

    expect(next).toMatchObject({ name: 'Maria De Luca', companyName: null, tags: ['Hot'], tagKeys: ['hot'], ownerId: otherRep, statusId: open.id });
    expect(next.searchText).toBe('maria de luca maria@example.com +39 06 1234');
    expect(reassignmentEntry(current, next)).toEqual({ kind: 'reassigned', changes: [{ field: 'ownerId', from: rep.userId, to: otherRep }] });
    expect(reassignmentEntry(current, patchLead(current, { name: 'Maria' }, {}))).toBeUndefined();
  });

  it('R-LEAD-2 a status move records the new status and restarts the clock', () => {
    const moved = moveToStatus(storedLead(), working, NOW);

    expect(moved?.lead).toMatchObject({ statusId: working.id, statusEnteredAt: NOW });
    expect(moved?.entry).toEqual({ kind: 'moved', changes: [{ field: 'statusId', from: open.id, to: working.id }] });
  });

  it('R-LEAD-2 moving a lead to the status it is in changes nothing (its clock keeps running)', () => {
    expect(moveToStatus(storedLead(), open, NOW)).toBeUndefined();
  });

  it.each([
    ['an unknown status', undefined],
    ['an inactive status', status('open', { active: false })],
    ['a qualified status (reached by concluding)', qualified],
    ['a not-interested status (reached by concluding)', junk],
  ])('R-LEAD-2 a move to %s is a 400 on statusId', (_, target) => {
    expect(pathsOf(() => moveToStatus(storedLead(), target, NOW))).toEqual(['statusId']);
  });

  it('R-LEAD-2 frozen and abandoned statuses can be chosen', () => {
    expect(moveToStatus(storedLead(), frozen, NOW)?.lead.statusId).toBe(frozen.id);
    expect(moveToStatus(storedLead(), status('abandoned'), NOW)?.lead.statusId).toBe(status('abandoned').id);
  });

  it('R-LEAD-2 a concluded lead no longer moves (409 lead_concluded), a lost one is restored first (409 lead_lost)', () => {
    expect(codeOf(() => moveToStatus(storedLead({ statusId: qualified.id, concludedAt: EARLIER }), working, NOW))).toEqual(['conflict', 'lead_concluded']);
    expect(codeOf(() => moveToStatus(storedLead({ lost: true }), working, NOW))).toEqual(['conflict', 'lead_lost']);
  });
});

describe('R-LEAD-4 concluding a lead', () => {
  it('R-LEAD-4 concluding as qualified sets the status, its entry time and concludedAt', () => {
    const concluded = concludeLead(storedLead(), qualified, NOW);

    expect(concluded?.lead).toMatchObject({ statusId: qualified.id, statusEnteredAt: NOW, concludedAt: NOW });
    expect(concluded?.entry).toEqual({
      kind: 'concluded',
      changes: [
        { field: 'statusId', from: open.id, to: qualified.id },
        { field: 'concludedAt', from: null, to: NOW },
      ],
    });
  });

  it('R-LEAD-4 not-interested statuses conclude too', () => {
    expect(concludeLead(storedLead(), junk, NOW)?.lead.statusId).toBe(junk.id);
  });

  it.each([
    ['an open status', working],
    ['a frozen status', frozen],
    ['an abandoned status', status('abandoned')],
    ['an inactive qualified status', status('qualified', { active: false })],
    ['an unknown status', undefined],
  ])('R-LEAD-4 concluding with %s is a 400 on statusId', (_, target) => {
    expect(pathsOf(() => concludeLead(storedLead(), target, NOW))).toEqual(['statusId']);
  });

  it('R-LEAD-4 concluding again with the same status changes nothing; with another one it is a 409', () => {
    const concluded = storedLead({ statusId: qualified.id, concludedAt: EARLIER });

    expect(concludeLead(concluded, qualified, NOW)).toBeUndefined();
    expect(codeOf(() => concludeLead(concluded, junk, NOW))).toEqual(['conflict', 'lead_concluded']);
    expect(codeOf(() => concludeLead(storedLead({ lost: true }), qualified, NOW))).toEqual(['conflict', 'lead_lost']);
  });
});

describe('R-LEAD-5 converting a lead', () => {
  it.each([
    ['Mario Rossi', { firstName: 'Mario', lastName: 'Rossi' }],
    ['Maria  De Luca ', { firstName: 'Maria', lastName: 'De Luca' }],
    ['Madonna', { firstName: null, lastName: 'Madonna' }],
  ])('R-LEAD-5 the name "%s" splits into first and last name', (name, expected) => {
    expect(splitPersonName(name)).toEqual(expected);
  });

  it('R-LEAD-5 only a qualified lead that is not lost converts', () => {
    expect(conversionRefusal(storedLead({ statusId: qualified.id, concludedAt: EARLIER }), qualified)).toBeUndefined();
    expect(conversionRefusal(storedLead(), open)?.code).toBe('lead_not_qualified');
    expect(conversionRefusal(storedLead(), junk)?.code).toBe('lead_not_qualified');
    expect(conversionRefusal(storedLead(), undefined)?.code).toBe('lead_not_qualified');
    expect(conversionRefusal(storedLead({ lost: true }), qualified)?.code).toBe('lead_lost');
  });

  it('R-LEAD-5 into a contact: split name, email, phone, tags and owner; the company name stays on the lead', () => {
    expect(conversionInput(storedLead(), 'contact', { size: 3 })).toEqual({
      into: 'contact',
      contact: { firstName: 'Maria', lastName: 'De Luca', email: 'maria@example.com', phone: '+39 06 1234', ownerId: rep.userId, tags: ['VIP'], customFields: { size: 3 } },
    });
  });

  it('R-LEAD-5 into a company: named after the company name, else the lead name', () => {
    expect(conversionInput(storedLead(), 'company', {})).toEqual({
      into: 'company',
      company: { name: 'Rossi Srl', ownerId: rep.userId, tags: ['VIP'], customFields: {} },
    });
    expect(conversionInput(storedLead({ companyName: null }), 'company', {})).toMatchObject({ company: { name: 'Maria De Luca' } });
  });

  it('R-LEAD-5 custom field values carry over when the target defines the same key and accepts the value', () => {
    const definitions: CustomFieldDefinition[] = [
      { ...stamp('01HZFIELD10000000000000000'), entity: 'contact', key: 'size', label: 'Size', type: 'number' },
      { ...stamp('01HZFIELD20000000000000000'), entity: 'contact', key: 'region', label: 'Region', type: 'select', options: ['north'] },
    ];

    expect(carriedCustomFields({ size: 3, region: 'south', budget: 10 }, definitions)).toEqual({ size: 3 });
  });

  it('R-LEAD-5 the converted lead links what it became, concluded when it was not yet, and records it', () => {
    const convertedTo = { contactId: '01HZCONTACT000000000000000', companyId: null, opportunityId: '01HZOPP0000000000000000000' };

    const converted = convertLead(storedLead({ statusId: qualified.id }), convertedTo, NOW);
    const alreadyConcluded = convertLead(storedLead({ statusId: qualified.id, concludedAt: EARLIER }), convertedTo, NOW);

    expect(converted.lead).toMatchObject({ convertedTo, concludedAt: NOW });
    expect(converted.entry).toEqual({
      kind: 'converted',
      changes: [
        { field: 'convertedTo.contactId', from: null, to: convertedTo.contactId },
        { field: 'convertedTo.opportunityId', from: null, to: convertedTo.opportunityId },
        { field: 'concludedAt', from: null, to: NOW },
      ],
    });
    expect(alreadyConcluded.lead.concludedAt).toBe(EARLIER);
    expect(alreadyConcluded.entry.changes.map((change) => change.field)).toEqual(['convertedTo.contactId', 'convertedTo.opportunityId']);
  });
});

describe('R-LEAD-6 lost and restored leads', () => {
  const rules = { requireLossReason: false };

  it('R-LEAD-6 a lost lead keeps its reason, note and time', () => {
    const lost = markLeadLost(storedLead(), { lostReasonId: '01HZREASON0000000000000000', closingNote: 'Budget cut' }, rules, NOW);

    expect(lost.lead).toMatchObject({ lost: true, lostReasonId: '01HZREASON0000000000000000', closingNote: 'Budget cut', lostAt: NOW });
    expect(lost.entry).toEqual({
      kind: 'lost',
      changes: [
        { field: 'lost', from: false, to: true },
        { field: 'lostReasonId', from: null, to: '01HZREASON0000000000000000' },
        { field: 'closingNote', from: null, to: 'Budget cut' },
      ],
    });
  });

  it('R-LEAD-6 requireLossReason makes the reason mandatory (400 on lostReasonId)', () => {
    expect(pathsOf(() => markLeadLost(storedLead(), { lostReasonId: null, closingNote: null }, { requireLossReason: true }, NOW))).toEqual(['lostReasonId']);
    expect(markLeadLost(storedLead(), { lostReasonId: null, closingNote: null }, rules, NOW).lead.lost).toBe(true);
  });

  it('R-LEAD-6 a lost lead cannot be lost again, a converted one not at all (409)', () => {
    expect(codeOf(() => markLeadLost(storedLead({ lost: true }), { lostReasonId: null, closingNote: null }, rules, NOW))).toEqual(['conflict', 'already_lost']);
    const converted = storedLead({ convertedTo: { contactId: '01HZCONTACT000000000000000', companyId: null, opportunityId: null } });
    expect(codeOf(() => markLeadLost(converted, { lostReasonId: null, closingNote: null }, rules, NOW))).toEqual(['conflict', 'lead_converted']);
  });

  it('R-LEAD-6 restore clears reason and note (the history keeps them) and restarts the overdue clock', () => {
    const lost = storedLead({ lost: true, lostReasonId: '01HZREASON0000000000000000', closingNote: 'Budget cut', lostAt: EARLIER });

    const restored = restoreLead(lost, NOW);

    expect(restored.lead).toMatchObject({ lost: false, lostReasonId: null, closingNote: null, lostAt: null, statusEnteredAt: NOW, statusId: open.id });
    expect(restored.entry).toEqual({
      kind: 'restored',
      changes: [
        { field: 'lost', from: true, to: false },
        { field: 'lostReasonId', from: '01HZREASON0000000000000000', to: null },
        { field: 'closingNote', from: 'Budget cut', to: null },
        { field: 'statusEnteredAt', from: EARLIER, to: NOW },
      ],
    });
    expect(codeOf(() => restoreLead(storedLead(), NOW))).toEqual(['conflict', 'lead_not_lost']);
  });
});

describe('R-LEAD-3, R-LEAD-6, R-SHR-1 planning lead listings', () => {
  const query = (by: object, filters: object[] = []) => ({ kind: 'query', by, filters });

  it('R-SHR-1 a rep reads its own leads that are not lost, whatever it filters', () => {
    expect(planLeadList(rep, {})).toEqual(query({ pattern: 'ownedBy', ownerId: rep.userId, lost: false }));
    expect(planLeadList(rep, { statusId: [open.id], tag: ['VIP'] })).toEqual(
      query({ pattern: 'ownedBy', ownerId: rep.userId, lost: false }, [
        { field: 'statusId', in: [open.id] },
        { field: 'tagKeys', containsAny: ['vip'] },
      ]),
    );
  });

  it('R-SHR-1 a rep naming only other owners gets an empty page without a query', () => {
    expect(planLeadList(rep, { ownerId: [otherRep] })).toEqual({ kind: 'empty' });
    expect(planLeadList(rep, { ownerId: [otherRep], overdue: true })).toEqual({ kind: 'empty' });
  });

  it("R-LEAD-2 staff read all leads, an owner's, or a status's with lost as a condition", () => {
    expect(planLeadList(manager, {})).toEqual(query({ pattern: 'all', lost: false }));
    expect(planLeadList(manager, { ownerId: [otherRep] })).toEqual(query({ pattern: 'ownedBy', ownerId: otherRep, lost: false }));
    expect(planLeadList(manager, { statusId: [open.id] })).toEqual(query({ pattern: 'withStatus', statusId: open.id }, [{ field: 'lost', in: [false] }]));
    expect(planLeadList(manager, { statusId: [open.id, working.id], q: ' Rossi ' })).toEqual(
      query({ pattern: 'all', lost: false }, [
        { field: 'statusId', in: [open.id, working.id] },
        { field: 'searchText', containsAny: ['rossi'] },
      ]),
    );
  });

  it('R-LEAD-6 lost=true lists the lost leads; a lostReasonId filter alone lists lost leads too', () => {
    const reasons = ['01HZREASONA000000000000000', '01HZREASONB000000000000000'];
    expect(planLeadList(manager, { lost: true })).toEqual(query({ pattern: 'all', lost: true }));
    expect(planLeadList(manager, { lostReasonId: reasons })).toEqual(query({ pattern: 'all', lost: true }, [{ field: 'lostReasonId', in: reasons }]));
  });

  it('R-LEAD-3 overdue=true reads the overdue leads, for a rep only its own, never lost ones', () => {
    expect(planLeadList(manager, { overdue: true })).toEqual({ kind: 'overdue', filters: [] });
    expect(planLeadList(manager, { overdue: true, statusId: [open.id], ownerId: [otherRep] })).toEqual({
      kind: 'overdue',
      statusIds: [open.id],
      filters: [{ field: 'ownerId', in: [otherRep] }],
    });
    expect(planLeadList(rep, { overdue: true })).toEqual({ kind: 'overdue', filters: [{ field: 'ownerId', in: [rep.userId] }] });
    expect(planLeadList(manager, { overdue: true, lost: true })).toEqual({ kind: 'empty' });
    expect(planLeadList(manager, { overdue: true, lostReasonId: ['01HZREASONA000000000000000'] })).toEqual({ kind: 'empty' });
  });

  it('R-LEAD-2 several tags match any of them; no filter is no condition', () => {
    expect(leadConditions({ tag: ['A', 'b', 'a'] })).toEqual([{ field: 'tagKeys', containsAny: ['a', 'b'] }]);
    expect(leadConditions({ ownerId: [] })).toEqual([]);
  });
});
