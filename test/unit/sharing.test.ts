import { describe, expect, it } from 'vitest';
import { mergeNewestFirst } from '../../shared/domain/merged-page.ts';
import { buildOpportunity, matchesOpportunityFilters, type StoredOpportunity } from '../../shared/domain/opportunities.ts';
import { matchesPartyFilters } from '../../shared/domain/parties.ts';
import { ownsOrManages, planContactFollow, shareTargetErrors } from '../../shared/domain/sharing.ts';
import type { Principal } from '../../shared/http/route.ts';
import type { Stage } from '../../shared/schemas/pipeline.ts';

const STAMP = { version: 1, createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z' };
const STAGE: Stage = { ...STAMP, id: '01STAGENEW0000000000000000', name: 'New', order: 10, probability: 10 };
const OWNER = '01OWNER0000000000000000000';
const REP: Principal = { userId: '01REP00000000000000000000A', role: 'rep' };
const MANAGER: Principal = { userId: '01MANAGER00000000000000000', role: 'manager' };
const CONTACT = '01CONTACT00000000000000000';

function stored(overrides: Partial<StoredOpportunity> = {}): StoredOpportunity {
  const built = buildOpportunity(
    { title: 'Deal', contactId: CONTACT, tags: ['Hot'] },
    { ownerId: OWNER, stage: STAGE, contactCompanyId: null, customFields: {}, defaultCurrency: 'EUR' },
  );
  return { ...STAMP, id: '01OPP000000000000000000000', ...built, ...overrides };
}

const item = (id: string) => ({ id });

describe('R-SHR-1 merging the own and shared partitions newest first', () => {
  it('R-SHR-1 exhausted sources merge whole, newest first, each record once', () => {
    const page = mergeNewestFirst(
      [
        { items: [item('5'), item('3')], readUpTo: null },
        { items: [item('4'), item('3'), item('1')], readUpTo: null },
      ],
      10,
    );

    expect(page).toEqual({ items: [item('5'), item('4'), item('3'), item('1')], nextBefore: null });
  });

  it('R-SHR-1 a full page resumes below its last item', () => {
    const page = mergeNewestFirst(
      [
        { items: [item('9'), item('7')], readUpTo: '7' },
        { items: [item('8'), item('6')], readUpTo: null },
      ],
      2,
    );

    expect(page).toEqual({ items: [item('9'), item('8')], nextBefore: '8' });
  });

  it('R-SHR-1 nothing below an unfinished source’s read position is returned before that source is read further', () => {
    const page = mergeNewestFirst(
      [
        { items: [item('9')], readUpTo: '7' },
        { items: [item('8'), item('2')], readUpTo: null },
      ],
      5,
    );

    expect(page).toEqual({ items: [item('9'), item('8')], nextBefore: '7' });
  });

  it('R-SHR-1 a source whose read items were all filtered out still moves the bound down', () => {
    const page = mergeNewestFirst(
      [
        { items: [], readUpTo: '6' },
        { items: [item('3')], readUpTo: null },
      ],
      5,
    );

    expect(page).toEqual({ items: [], nextBefore: '6' });
  });
});

describe('R-SHR-1 listing filters on shared opportunities', () => {
  it('R-SHR-1 without filters, the open active pipeline matches', () => {
    expect(matchesOpportunityFilters(stored(), {})).toBe(true);
    expect(matchesOpportunityFilters(stored({ active: false }), {})).toBe(false);
    expect(matchesOpportunityFilters(stored({ status: 'won' }), {})).toBe(false);
  });

  it('R-SHR-1 a status alone lists active and archived ones of that status', () => {
    expect(matchesOpportunityFilters(stored({ status: 'won', active: false }), { status: ['won'] })).toBe(true);
  });

  it('R-SHR-1 tags match case-insensitively, reasons and parties by any of the values', () => {
    const record = stored({ status: 'lost', lostReasonId: '01REASON000000000000000000' });

    expect(matchesOpportunityFilters(stored(), { tag: ['HOT', 'cold'] })).toBe(true);
    expect(matchesOpportunityFilters(stored(), { tag: ['cold'] })).toBe(false);
    expect(matchesOpportunityFilters(record, { status: ['lost'], lostReasonId: ['01REASON000000000000000000'] })).toBe(true);
    expect(matchesOpportunityFilters(stored(), { contactId: [CONTACT, '01OTHER0000000000000000000'] })).toBe(true);
    expect(matchesOpportunityFilters(stored(), { companyId: ['01COMPANY00000000000000000'] })).toBe(false);
    expect(matchesOpportunityFilters(stored(), { ownerId: [REP.userId] })).toBe(false);
  });
});

describe('R-OPP-9 who shares, with whom', () => {
  it('R-OPP-9 the owner and staff manage shares; a rep that only sees it does not', () => {
    expect(ownsOrManages({ userId: OWNER, role: 'rep' }, { ownerId: OWNER })).toBe(true);
    expect(ownsOrManages(MANAGER, { ownerId: OWNER })).toBe(true);
    expect(ownsOrManages(REP, { ownerId: OWNER })).toBe(false);
  });

  it('R-OPP-9 the user must be active and not the owner', () => {
    expect(shareTargetErrors({ ownerId: OWNER }, { id: REP.userId, active: true })).toEqual([]);
    expect(shareTargetErrors({ ownerId: OWNER }, undefined)).toEqual([{ path: 'userId', message: expect.any(String) }]);
    expect(shareTargetErrors({ ownerId: OWNER }, { id: REP.userId, active: false })).toEqual([{ path: 'userId', message: expect.any(String) }]);
    expect(shareTargetErrors({ ownerId: OWNER }, { id: OWNER, active: true })).toEqual([{ path: 'userId', message: expect.any(String) }]);
  });
});

describe('R-SHR-2 listing filters on shared contacts', () => {
  const contact = { ownerId: OWNER, companyId: null, prospectStatus: 'current', customerStatus: 'none', tagKeys: ['vip'], searchText: 'mario rossi' };

  it('R-SHR-2 a shared contact matches the same filters as the Query', () => {
    expect(matchesPartyFilters(contact, {})).toBe(true);
    expect(matchesPartyFilters(contact, { tag: ['VIP'], q: 'Rossi', ownerId: [OWNER] })).toBe(true);
    expect(matchesPartyFilters(contact, { companyId: ['01COMPANY00000000000000000'] })).toBe(false);
    expect(matchesPartyFilters(contact, { q: 'bianchi' })).toBe(false);
    expect(matchesPartyFilters(contact, { ownerId: [REP.userId] })).toBe(false);
  });
});

describe('R-SHR-2 / R-SHR-3 the contact follows its opportunity', () => {
  const all = { syncContactOwner: true, shareContactWhenAssigned: true, unshareContactWhenUnassigned: true };
  const NEW_OWNER = '01NEWOWNER0000000000000000';

  it('R-SHR-3 with syncContactOwner, a creation makes the rep the contact’s owner', () => {
    expect(planContactFollow({ kind: 'created', opportunityOwnerId: NEW_OWNER }, OWNER, all)).toEqual({ newOwnerId: NEW_OWNER });
  });

  it('R-SHR-2 without syncContactOwner, a creation for another rep shares the contact with it', () => {
    expect(planContactFollow({ kind: 'created', opportunityOwnerId: NEW_OWNER }, OWNER, { ...all, syncContactOwner: false })).toEqual({ shareWith: NEW_OWNER });
    expect(planContactFollow({ kind: 'created', opportunityOwnerId: NEW_OWNER }, OWNER, { ...all, syncContactOwner: false, shareContactWhenAssigned: false })).toEqual({});
  });

  it('R-SHR-2 a reassignment shares with the new owner and may unshare from the previous one', () => {
    const change = { kind: 'reassigned' as const, opportunityOwnerId: NEW_OWNER, fromOwnerId: REP.userId };

    expect(planContactFollow(change, OWNER, all)).toEqual({ shareWith: NEW_OWNER, unshareCandidate: REP.userId });
    expect(planContactFollow(change, OWNER, { ...all, unshareContactWhenUnassigned: false })).toEqual({ shareWith: NEW_OWNER });
  });

  it('R-SHR-2 the contact’s owner is never shared nor unshared its own contact', () => {
    expect(planContactFollow({ kind: 'reassigned', opportunityOwnerId: OWNER, fromOwnerId: REP.userId }, OWNER, all)).toEqual({ unshareCandidate: REP.userId });
    expect(planContactFollow({ kind: 'reassigned', opportunityOwnerId: NEW_OWNER, fromOwnerId: OWNER }, OWNER, all)).toEqual({ shareWith: NEW_OWNER });
  });
});
