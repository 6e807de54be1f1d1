import { describe, expect, it } from 'vitest';
import { planCompanyList, planContactList } from '../../shared/domain/parties.ts';
import {
  companyOpportunities,
  customerStatusOf,
  deriveStatuses,
  manualStatusRefusal,
  prospectStatusOf,
  withFreshOpportunities,
  withManualStatus,
  type OpportunityFacts,
  type PartyStatuses,
} from '../../shared/domain/statuses.ts';
import type { Principal } from '../../shared/domain/principal.ts';

let sequence = 0;
const opportunity = (status: OpportunityFacts['status'], closedAt: string | null = status === 'open' ? null : '2026-03-01T10:00:00.000Z'): OpportunityFacts => ({
  id: `01HZ0PP${String(++sequence).padStart(19, '0')}`,
  status,
  closedAt,
});
const open = () => opportunity('open');
const won = (closedAt?: string) => opportunity('won', closedAt);
const lost = () => opportunity('lost');

describe('R-CON-2 status derivation', () => {
  const table: { name: string; opportunities: OpportunityFacts[]; pastSetAt?: string; expected: PartyStatuses }[] = [
    { name: 'no opportunity at all', opportunities: [], expected: { prospectStatus: 'none', customerStatus: 'none' } },
    { name: 'one open', opportunities: [open()], expected: { prospectStatus: 'current', customerStatus: 'none' } },
    { name: 'one lost', opportunities: [lost()], expected: { prospectStatus: 'lost', customerStatus: 'none' } },
    { name: 'lost, then a new open one', opportunities: [lost(), open()], expected: { prospectStatus: 'current', customerStatus: 'none' } },
    { name: 'one won', opportunities: [won()], expected: { prospectStatus: 'none', customerStatus: 'current' } },
    { name: 'won and lost', opportunities: [won(), lost()], expected: { prospectStatus: 'none', customerStatus: 'current' } },
    { name: 'won and open', opportunities: [won(), open()], expected: { prospectStatus: 'current', customerStatus: 'current' } },
    { name: 'won, lost and open', opportunities: [won(), lost(), open()], expected: { prospectStatus: 'current', customerStatus: 'current' } },
    {
      name: 'manual past after the only win',
      opportunities: [won('2026-03-01T10:00:00.000Z')],
      pastSetAt: '2026-04-01T00:00:00.000Z',
      expected: { prospectStatus: 'none', customerStatus: 'past' },
    },
    {
      name: 'a win after the manual past',
      opportunities: [won('2026-03-01T10:00:00.000Z'), won('2026-05-01T10:00:00.000Z')],
      pastSetAt: '2026-04-01T00:00:00.000Z',
      expected: { prospectStatus: 'none', customerStatus: 'current' },
    },
    {
      name: 'manual past without any win (a customer from before the CRM)',
      opportunities: [open()],
      pastSetAt: '2026-04-01T00:00:00.000Z',
      expected: { prospectStatus: 'current', customerStatus: 'past' },
    },
    {
      name: 'manual past, a lost one since: still past',
      opportunities: [won('2026-03-01T10:00:00.000Z'), lost()],
      pastSetAt: '2026-04-01T00:00:00.000Z',
      expected: { prospectStatus: 'none', customerStatus: 'past' },
    },
  ];

  for (const { name, opportunities, pastSetAt, expected } of table) {
    it(`R-CON-2 ${name} → prospect ${expected.prospectStatus}, customer ${expected.customerStatus}`, () => {
      expect(deriveStatuses(opportunities, { customerPastSetAt: pastSetAt ?? null })).toEqual(expected);
    });
  }

  it('R-CON-2 the order of the opportunities does not matter (replayed or reordered events recompute the same)', () => {
    const set = [won('2026-01-01T00:00:00.000Z'), lost(), open(), won('2026-06-01T00:00:00.000Z')];

    const results = [set, [...set].reverse(), [set[2]!, set[0]!, set[3]!, set[1]!]].map((order) => deriveStatuses(order, { customerPastSetAt: '2026-03-01T00:00:00.000Z' }));

    expect(new Set(results.map((result) => JSON.stringify(result))).size).toBe(1);
    expect(results[0]).toEqual({ prospectStatus: 'current', customerStatus: 'current' });
  });

  it('R-CON-2 a win closed exactly at the manual past does not undo it; one a millisecond later does', () => {
    expect(customerStatusOf([won('2026-04-01T00:00:00.000Z')], '2026-04-01T00:00:00.000Z')).toBe('past');
    expect(customerStatusOf([won('2026-04-01T00:00:00.001Z')], '2026-04-01T00:00:00.000Z')).toBe('current');
  });

  it('R-CON-2 prospect precedence: open over won over lost', () => {
    expect(prospectStatusOf([lost(), won(), open()])).toBe('current');
    expect(prospectStatusOf([lost(), won()])).toBe('none');
    expect(prospectStatusOf([lost(), lost()])).toBe('lost');
  });
});

describe('R-CON-2 company propagation', () => {
  it('R-CON-2 a company counts its own opportunities and its employees\', each once', () => {
    const own = won();
    const shared = open();
    const ofAda = [shared, lost()];
    const ofBob = [shared];

    const all = companyOpportunities([own], [ofAda, ofBob]);

    expect(all.map((item) => item.id).sort()).toEqual([own.id, shared.id, ofAda[1]!.id].sort());
    expect(deriveStatuses(all, {})).toEqual({ prospectStatus: 'current', customerStatus: 'current' });
  });

  it('R-CON-2 a company whose only opportunity is an employee\'s lost one is a lost prospect', () => {
    expect(deriveStatuses(companyOpportunities([], [[lost()], []]), {})).toEqual({ prospectStatus: 'lost', customerStatus: 'none' });
  });

  it('R-CON-2 an employee\'s win makes the company a current customer, even after a manual past set before it', () => {
    const all = companyOpportunities([], [[won('2026-05-01T00:00:00.000Z')]]);

    expect(deriveStatuses(all, { customerPastSetAt: '2026-04-01T00:00:00.000Z' })).toEqual({ prospectStatus: 'none', customerStatus: 'current' });
  });
});

describe('R-CON-2 opportunities read afresh over a lagging index', () => {
  const contactId = '01HZC0NTACT000000000000000';
  const listedAs = (facts: OpportunityFacts, party: string | null) => ({ ...facts, contactId: party, companyId: null });

  it('R-CON-2 a fresh record replaces its listed copy, joins when it belongs, leaves when it moved or is gone', () => {
    const stillOpen = listedAs(open(), contactId);
    const nowWon = listedAs(open(), contactId);
    const moved = listedAs(open(), contactId);
    const deleted = listedAs(open(), contactId);
    const notListedYet = listedAs(lost(), contactId);
    const fresh = new Map([
      [nowWon.id, { ...nowWon, status: 'won' as const, closedAt: '2026-01-01T00:00:00.000Z' }],
      [moved.id, { ...moved, contactId: '01HZ0THERC0NTACT0000000000' }],
      [deleted.id, null],
      [notListedYet.id, notListedYet],
    ]);

    const result = withFreshOpportunities([stillOpen, nowWon, moved, deleted], fresh, (item) => item.contactId === contactId);

    expect(result.map((item) => [item.id, item.status])).toEqual([
      [stillOpen.id, 'open'],
      [nowWon.id, 'won'],
      [notListedYet.id, 'lost'],
    ]);
  });
});

describe('R-CON-3 statuses set by hand', () => {
  it('R-CON-3 with an open opportunity, neither a none nor a lost prospect (409); current is fine', () => {
    for (const prospectStatus of ['none', 'lost'] as const) {
      const refusal = manualStatusRefusal([open(), won()], { prospectStatus }, 'contact');
      expect(refusal).toMatchObject({ kind: 'conflict', code: 'status_not_allowed' });
    }
    expect(manualStatusRefusal([open()], { prospectStatus: 'current' }, 'contact')).toBeUndefined();
  });

  it('R-CON-3 with a won opportunity, not a lost prospect (409); none is fine', () => {
    expect(manualStatusRefusal([won(), lost()], { prospectStatus: 'lost' }, 'company')).toMatchObject({ kind: 'conflict', code: 'status_not_allowed' });
    expect(manualStatusRefusal([won()], { prospectStatus: 'none' }, 'company')).toBeUndefined();
  });

  it('R-CON-3 without open or won opportunities any prospect status may be set; customer statuses always', () => {
    expect(manualStatusRefusal([lost()], { prospectStatus: 'none' }, 'contact')).toBeUndefined();
    expect(manualStatusRefusal([], { prospectStatus: 'lost' }, 'contact')).toBeUndefined();
    expect(manualStatusRefusal([open(), won()], { customerStatus: 'past' }, 'contact')).toBeUndefined();
    expect(manualStatusRefusal([open(), won()], { customerStatus: 'none' }, 'contact')).toBeUndefined();
  });

  it('R-CON-3 past remembers when it was set; current or none forgets it; an absent status is kept', () => {
    const party = { prospectStatus: 'lost' as const, customerStatus: 'current' as const, customerPastSetAt: null, name: 'Acme' };

    const past = withManualStatus(party, { customerStatus: 'past' }, '2026-04-01T00:00:00.000Z');
    const backToCurrent = withManualStatus(past, { customerStatus: 'current', prospectStatus: undefined }, '2026-05-01T00:00:00.000Z');
    const prospectOnly = withManualStatus(past, { prospectStatus: 'none' }, '2026-05-01T00:00:00.000Z');

    expect(past).toEqual({ ...party, customerStatus: 'past', customerPastSetAt: '2026-04-01T00:00:00.000Z' });
    expect(backToCurrent).toEqual({ ...party, customerStatus: 'current', customerPastSetAt: null });
    expect(prospectOnly).toEqual({ ...past, prospectStatus: 'none' });
  });

  it('R-CON-2 a manual past survives the next recompute until a later win', () => {
    const party = withManualStatus({ prospectStatus: 'none' as const, customerStatus: 'current' as const, customerPastSetAt: null }, { customerStatus: 'past' }, '2026-04-01T00:00:00.000Z');

    expect(deriveStatuses([won('2026-03-01T00:00:00.000Z'), lost()], party)).toEqual({ prospectStatus: 'none', customerStatus: 'past' });
    expect(deriveStatuses([won('2026-03-01T00:00:00.000Z'), won('2026-04-02T00:00:00.000Z')], party)).toEqual({ prospectStatus: 'none', customerStatus: 'current' });
  });
});

describe('R-CON-4 status filters are served by an index', () => {
  const manager: Principal = { userId: '01HZMANAGER000000000000000', role: 'manager' };
  const rep: Principal = { userId: '01HZREP0000000000000000000', role: 'rep' };

  const query = (by: object, filters: object[] = []) => ({ kind: 'query', by, filters });

  it('R-CON-4 one prospect status, or one customer status, is the source (the other status filtered on top)', () => {
    expect(planContactList(manager, { prospectStatus: ['lost'] })).toEqual(query({ collection: 'contacts', pattern: 'withProspectStatus', status: 'lost' }));
    expect(planCompanyList(manager, { customerStatus: ['past', 'past'] })).toEqual(query({ collection: 'companies', pattern: 'withCustomerStatus', status: 'past' }));
    expect(planContactList(manager, { prospectStatus: ['current'], customerStatus: ['current', 'past'] })).toEqual(
      query({ collection: 'contacts', pattern: 'withProspectStatus', status: 'current' }, [{ field: 'customerStatus', in: ['current', 'past'] }]),
    );
  });

  it('R-CON-4 several prospect statuses and one customer status: the customer status is the source, the prospect statuses filtered', () => {
    expect(planCompanyList(manager, { prospectStatus: ['current', 'lost'], customerStatus: ['none'] })).toEqual(
      query({ collection: 'companies', pattern: 'withCustomerStatus', status: 'none' }, [{ field: 'prospectStatus', in: ['current', 'lost'] }]),
    );
  });

  it('R-CON-4 a company or an owner stays the narrower source; a rep keeps its own records with the status filtered', () => {
    expect(planContactList(manager, { companyId: ['01HZCOMPANYA00000000000000'], prospectStatus: ['lost'] })).toMatchObject({ by: { pattern: 'employeesOf' } });
    expect(planCompanyList(manager, { ownerId: [rep.userId], customerStatus: ['current'] })).toMatchObject({ by: { pattern: 'ownedBy' } });
    expect(planContactList(rep, { customerStatus: ['current'] })).toEqual(
      query({ collection: 'contacts', pattern: 'ownedBy', ownerId: rep.userId }, [{ field: 'customerStatus', in: ['current'] }]),
    );
  });
});
