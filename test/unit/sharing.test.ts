import { describe, expect, it } from 'vitest';
import { mergeNewestFirst } from '../../shared/domain/merged-page.ts';
import { buildOpportunity, matchesOpportunityFilters, type StoredOpportunity } from '../../shared/domain/opportunities.ts';
import { matchesPartyFilters } from '../../shared/domain/parties.ts';
import {
  closedOpportunitiesToHandOver,
  ownsOrManages,
  partiesOf,
  partyMove,
  planPartyFollow,
  primaryPartyOf,
  shareTargetErrors,
  survivorSharesAfterMerge,
  unshareCandidatesAfterRemoval,
} from '../../shared/domain/sharing.ts';
import type { Stage } from '../../shared/schemas/pipeline.ts';
import type { Principal } from '../../shared/domain/principal.ts';

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

  it('R-SHR-1 several statuses match any of them, as for the rep\'s own opportunities', () => {
    expect(matchesOpportunityFilters(stored({ status: 'lost' }), { status: ['won', 'lost'] })).toBe(true);
    expect(matchesOpportunityFilters(stored({ status: 'open' }), { status: ['won', 'lost'] })).toBe(false);
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

describe('R-SHR-2 / R-SHR-3 the parties follow their opportunity', () => {
  const all = { syncContactOwner: true, shareContactWhenAssigned: true, unshareContactWhenUnassigned: true };
  const NEW_OWNER = '01NEWOWNER0000000000000000';
  const COMPANY = '01COMPANY00000000000000000';
  const primary = { ownerId: OWNER, primary: true };
  const secondary = { ownerId: OWNER, primary: false };

  it('R-SHR-2 an opportunity’s parties are its contact and its company; the primary one is the contact, else the company', () => {
    const contactOnly = { contactId: CONTACT, companyId: null };
    const both = { contactId: CONTACT, companyId: COMPANY };
    const companyOnly = { contactId: null, companyId: COMPANY };

    expect(partiesOf(contactOnly)).toEqual([{ collection: 'contacts', id: CONTACT }]);
    expect(partiesOf(both)).toEqual([
      { collection: 'contacts', id: CONTACT },
      { collection: 'companies', id: COMPANY },
    ]);
    expect(primaryPartyOf(both)).toEqual({ collection: 'contacts', id: CONTACT });
    expect(primaryPartyOf(companyOnly)).toEqual({ collection: 'companies', id: COMPANY });
  });

  it('R-SHR-2 a move to another contact leaves the old contact and joins the new one; the unchanged company is neither', () => {
    const OTHER = '01OTHERCONTACT000000000000';

    expect(partyMove({ contactId: CONTACT, companyId: COMPANY }, { contactId: OTHER, companyId: COMPANY })).toEqual({
      left: [{ collection: 'contacts', id: CONTACT }],
      joined: [{ collection: 'contacts', id: OTHER }],
    });
    expect(partyMove({ contactId: CONTACT, companyId: null }, { contactId: CONTACT, companyId: null })).toEqual({ left: [], joined: [] });
  });

  it('R-SHR-3 with syncContactOwner, a creation makes the rep the primary party’s owner and shares the other party', () => {
    const created = { kind: 'created' as const, opportunityOwnerId: NEW_OWNER };

    expect(planPartyFollow(created, primary, all)).toEqual({ newOwnerId: NEW_OWNER, keepSharedIfAssigned: OWNER });
    expect(planPartyFollow(created, primary, { ...all, shareContactWhenAssigned: false })).toEqual({ newOwnerId: NEW_OWNER });
    expect(planPartyFollow(created, secondary, all)).toEqual({ shareWith: NEW_OWNER });
  });

  it('R-SHR-2 without syncContactOwner, a creation for another rep shares the party with it', () => {
    const created = { kind: 'created' as const, opportunityOwnerId: NEW_OWNER };

    expect(planPartyFollow(created, primary, { ...all, syncContactOwner: false })).toEqual({ shareWith: NEW_OWNER });
    expect(planPartyFollow(created, primary, { ...all, syncContactOwner: false, shareContactWhenAssigned: false })).toEqual({});
  });

  it('R-SHR-2 a reassignment shares with the new owner and may unshare from the previous one', () => {
    const change = { kind: 'reassigned' as const, opportunityOwnerId: NEW_OWNER, fromOwnerId: REP.userId };

    expect(planPartyFollow(change, primary, all)).toEqual({ shareWith: NEW_OWNER, unshareCandidate: REP.userId });
    expect(planPartyFollow(change, primary, { ...all, unshareContactWhenUnassigned: false })).toEqual({ shareWith: NEW_OWNER });
  });

  it('R-SHR-2 the party’s owner is never shared nor unshared its own party', () => {
    expect(planPartyFollow({ kind: 'reassigned', opportunityOwnerId: OWNER, fromOwnerId: REP.userId }, primary, all)).toEqual({ unshareCandidate: REP.userId });
    expect(planPartyFollow({ kind: 'reassigned', opportunityOwnerId: NEW_OWNER, fromOwnerId: OWNER }, primary, all)).toEqual({ shareWith: NEW_OWNER });
  });
});

describe('R-SHR-3 syncOwnerOfClosedLeads', () => {
  const NEW_OWNER = '01NEWOWNER0000000000000000';
  const both = { syncContactOwner: true, syncOwnerOfClosedLeads: true };
  const created = { id: '01CREATED00000000000000000', ownerId: NEW_OWNER, contactId: CONTACT, companyId: null };
  const of = (id: string, status: 'open' | 'won' | 'lost', ownerId = OWNER, contactId: string | null = CONTACT) => ({ id, status, ownerId, contactId, companyId: null });

  it('R-SHR-3 the primary party’s won and lost opportunities of other reps are handed over; open ones, the rep’s own and the new one stay', () => {
    const opportunities = [of('won', 'won'), of('lost', 'lost'), of('open', 'open'), of('mine', 'lost', NEW_OWNER), { ...created, status: 'open' as const }];

    expect(closedOpportunitiesToHandOver(created, opportunities, both)).toEqual(['won', 'lost']);
  });

  it('R-SHR-3 nothing moves unless both syncContactOwner and syncOwnerOfClosedLeads are on', () => {
    const opportunities = [of('won', 'won')];

    expect(closedOpportunitiesToHandOver(created, opportunities, { ...both, syncOwnerOfClosedLeads: false })).toEqual([]);
    expect(closedOpportunitiesToHandOver(created, opportunities, { ...both, syncContactOwner: false })).toEqual([]);
  });

  it('R-SHR-3 for a company alone, only the company’s closed opportunities without a contact move', () => {
    const COMPANY = '01COMPANY00000000000000000';
    const forCompany = { ...created, contactId: null, companyId: COMPANY };
    const companyOnly = { ...of('company-only', 'won', OWNER, null), companyId: COMPANY };
    const employeeDeal = { ...of('employee', 'won'), companyId: COMPANY };

    expect(closedOpportunitiesToHandOver(forCompany, [companyOnly, employeeDeal], both)).toEqual(['company-only']);
  });
});

describe('R-SHR-2 when an opportunity is gone', () => {
  const switches = { unshareContactWhenUnshared: true, unshareContactWhenUnassigned: true };
  const SHARED = '01SHARED000000000000000000';

  it('R-SHR-2 its sharees (unshareContactWhenUnshared) and its owner (unshareContactWhenUnassigned) may lose its parties, never the party’s owner', () => {
    const sight = { ownerId: REP.userId, sharedWith: [SHARED, OWNER] };

    expect(unshareCandidatesAfterRemoval(sight, OWNER, switches)).toEqual([SHARED, REP.userId]);
    expect(unshareCandidatesAfterRemoval(sight, OWNER, { ...switches, unshareContactWhenUnshared: false })).toEqual([REP.userId]);
    expect(unshareCandidatesAfterRemoval(sight, OWNER, { ...switches, unshareContactWhenUnassigned: false })).toEqual([SHARED]);
  });

  it('R-OPP-8 the survivor of a merge is shared with the owners and sharees of the merged-away ones, once each, not with its own owner', () => {
    const removed = [
      { ownerId: REP.userId, sharedWith: [SHARED, OWNER] },
      { ownerId: OWNER, sharedWith: [SHARED] },
    ];

    expect(survivorSharesAfterMerge({ ownerId: OWNER }, removed)).toEqual([REP.userId, SHARED]);
  });
});
