import { describe, expect, it } from 'vitest';
import { customFields, leadStatuses, opportunities, reasons, sharedWith, stages, users } from '../../shared/db/access-patterns.ts';
import { filterExpression } from '../../shared/db/filter-builder.ts';
import { leadsIn, leadsWithStatus, ownedBy } from '../../shared/db/keys.ts';
import { leadQuery, opportunityQueries, partyQuery } from '../../shared/db/list-queries.ts';
import { leadConditions, planLeadList } from '../../shared/domain/leads.ts';
import type { ListPlan, QueryPlan } from '../../shared/domain/list-plan.ts';
import { planOpportunityListing } from '../../shared/domain/opportunities.ts';
import { partyConditions, planCompanyList, planContactList } from '../../shared/domain/parties.ts';
import type { Principal } from '../../shared/domain/principal.ts';

/** The domain's list plans as DynamoDB Queries (shared/db/list-queries.ts): the index, the partition and the filter. */

const REP: Principal = { userId: '01REP00000000000000000000A', role: 'rep' };
const MANAGER: Principal = { userId: '01MANAGER00000000000000000', role: 'manager' };
const ADMIN: Principal = { userId: '01ADMIN0000000000000000000', role: 'admin' };
const CONTACT = '01CONTACT00000000000000000';
const COMPANY = '01COMPANY00000000000000000';
const STAGE = '01STAGENEW0000000000000000';
const OTHER_STAGE = '01STAGENEG0000000000000000';
const OTHER_REP = '01HZOTHER00000000000000000';
const STATUS = '01HZSTATUSOPEN000000000000';

/** The Query of a plan that reads one source (null: the plan reads nothing). */
const queried = <Source>(plan: ListPlan<Source> | { kind: 'overdue' }, toQuery: (plan: QueryPlan<Source>) => unknown) => (plan.kind === 'query' ? toQuery(plan) : null);

describe('access patterns', () => {
  it('name the index and the partition of each listing', () => {
    expect(users.all()).toEqual({ index: 'GSI1', partition: 'USERS' });
    expect(stages.inOrder()).toEqual({ index: 'GSI1', partition: 'STAGES' });
    expect(leadStatuses.inOrder()).toEqual({ index: 'GSI1', partition: 'LEADSTATUSES' });
    expect(reasons.ofKind('loss')).toEqual({ index: 'GSI2', partition: 'REASONS#loss' });
    expect(customFields.of('contact')).toEqual({ index: 'GSI2', partition: 'CUSTOMFIELDS#contact' });
    expect(opportunities.ofContact(CONTACT)).toEqual({ index: 'GSI3', partition: `CONTACT#${CONTACT}#OPPS` });
    expect(sharedWith(REP.userId, 'contacts')).toEqual({ index: 'GSI2', partition: `SHAREDWITH#${REP.userId}#CONTACTS` });
  });

  it('tell their index without arguments, for what declares the indexes a function queries', () => {
    expect([opportunities.ofContact.index, opportunities.ofCompany.index, users.all.index]).toEqual(['GSI3', 'GSI4', 'GSI1']);
  });
});

describe('filter expressions', () => {
  it('no condition is no expression', () => {
    expect(filterExpression([])).toBeUndefined();
    expect(filterExpression(partyConditions({}))).toBeUndefined();
  });

  it('R-CON-4 "is in" is = for one value, IN for several; "contains any" ORs contains() of distinct values', () => {
    expect(filterExpression(partyConditions({ tag: ['VIP', ' vip', 'Lead'], q: ' LoVe ', prospectStatus: ['current', 'lost'], customerStatus: ['past'] }))).toEqual({
      expression:
        '#prospectStatus IN (:prospectStatus0, :prospectStatus1) AND #customerStatus = :customerStatus0 AND (contains(#tagKeys, :tagKeys0) OR contains(#tagKeys, :tagKeys1)) AND contains(#searchText, :searchText0)',
      names: { '#prospectStatus': 'prospectStatus', '#customerStatus': 'customerStatus', '#tagKeys': 'tagKeys', '#searchText': 'searchText' },
      values: { ':prospectStatus0': 'current', ':prospectStatus1': 'lost', ':customerStatus0': 'past', ':tagKeys0': 'vip', ':tagKeys1': 'lead', ':searchText0': 'love' },
    });
    expect(filterExpression(partyConditions({ tag: ['Vip'] }))).toEqual({ expression: 'contains(#tagKeys, :tagKeys0)', names: { '#tagKeys': 'tagKeys' }, values: { ':tagKeys0': 'vip' } });
  });

  it('R-LEAD-2 several tags match any of them; an empty list is no condition', () => {
    expect(filterExpression(leadConditions({ tag: ['A', 'b', 'a'] }))).toEqual({
      expression: '(contains(#tagKeys, :tagKeys0) OR contains(#tagKeys, :tagKeys1))',
      names: { '#tagKeys': 'tagKeys' },
      values: { ':tagKeys0': 'a', ':tagKeys1': 'b' },
    });
    expect(filterExpression([{ field: 'ownerId', in: [] }])).toBeUndefined();
  });
});

describe('R-OPP-5 / R-SHR-1 opportunity listings as Queries', () => {
  // One Query per source: the one query when there is one.
  const query = (principal: Principal, filters: Parameters<typeof planOpportunityListing>[1]) =>
    queried(planOpportunityListing(principal, filters), (plan) => {
      const queries = opportunityQueries(plan);
      return queries.length === 1 ? queries[0] : queries;
    });

  it('R-OPP-5 several statuses read one partition per status, each with the same filter', () => {
    expect(query(REP, { status: ['won', 'lost'], tag: ['VIP'] })).toEqual([
      { index: 'GSI2', partition: `OWNER#${REP.userId}#OPPS#won`, filter: { expression: 'contains(#tagKeys, :tagKeys0)', names: { '#tagKeys': 'tagKeys' }, values: { ':tagKeys0': 'vip' } } },
      { index: 'GSI2', partition: `OWNER#${REP.userId}#OPPS#lost`, filter: { expression: 'contains(#tagKeys, :tagKeys0)', names: { '#tagKeys': 'tagKeys' }, values: { ':tagKeys0': 'vip' } } },
    ]);
    expect(query(ADMIN, { status: ['open', 'won'] })).toEqual([
      { index: 'GSI1', partition: 'OPPS#open' },
      { index: 'GSI1', partition: 'OPPS#won' },
    ]);
  });

  it("R-OPP-5 a rep's pipeline is its owner partition of the status, filtered to active ones", () => {
    expect(query(REP, {})).toEqual({
      index: 'GSI2',
      partition: `OWNER#${REP.userId}#OPPS#open`,
      filter: { expression: '#active = :active0', names: { '#active': 'active' }, values: { ':active0': true } },
    });
    expect(query(REP, { status: ['lost'] })).toEqual({ index: 'GSI2', partition: `OWNER#${REP.userId}#OPPS#lost` });
    expect(query(REP, { ownerId: [MANAGER.userId] })).toBeNull();
  });

  it.each([
    ['contactId', { contactId: [CONTACT], companyId: [COMPANY], stageId: [STAGE], ownerId: [REP.userId] }, 'GSI3', `CONTACT#${CONTACT}#OPPS`],
    ['companyId', { companyId: [COMPANY], stageId: [STAGE], ownerId: [REP.userId] }, 'GSI4', `COMPANY#${COMPANY}#OPPS`],
    ['stageId', { stageId: [STAGE], ownerId: [REP.userId] }, 'GSI5', `STAGE#${STAGE}#OPPS`],
    ['ownerId', { ownerId: [REP.userId], status: ['won' as const] }, 'GSI2', `OWNER#${REP.userId}#OPPS#won`],
    ['nothing', { status: ['won' as const] }, 'GSI1', 'OPPS#won'],
  ])('R-OPP-5 staff with a single %s read the narrowest partition', (_, filters, index, partition) => {
    expect(query(ADMIN, filters)).toMatchObject({ index, partition });
  });

  it('R-OPP-5 the conditions are one FilterExpression on that partition', () => {
    expect(query(MANAGER, { contactId: [CONTACT], ownerId: [REP.userId] })).toEqual({
      index: 'GSI3',
      partition: `CONTACT#${CONTACT}#OPPS`,
      filter: {
        expression: '#status = :status0 AND #active = :active0 AND #ownerId = :ownerId0',
        names: { '#status': 'status', '#active': 'active', '#ownerId': 'ownerId' },
        values: { ':status0': 'open', ':active0': true, ':ownerId0': REP.userId },
      },
    });
    expect(query(MANAGER, { status: ['open'], contactId: [CONTACT, '01CONTACTB0000000000000000'], stageId: [STAGE, OTHER_STAGE] })).toEqual({
      index: 'GSI1',
      partition: 'OPPS#open',
      filter: {
        expression: '#contactId IN (:contactId0, :contactId1) AND #stageId IN (:stageId0, :stageId1)',
        names: { '#contactId': 'contactId', '#stageId': 'stageId' },
        values: { ':contactId0': CONTACT, ':contactId1': '01CONTACTB0000000000000000', ':stageId0': STAGE, ':stageId1': OTHER_STAGE },
      },
    });
    expect(query(MANAGER, { status: ['lost'], tag: ['VIP', 'Big Deal'], lostReasonId: ['01LOSTA0000000000000000000'], winReasonId: ['01WINA00000000000000000000'] })).toMatchObject({
      filter: {
        expression: '(contains(#tagKeys, :tagKeys0) OR contains(#tagKeys, :tagKeys1)) AND #lostReasonId = :lostReasonId0 AND contains(#winReasonIds, :winReasonIds0)',
        values: { ':tagKeys0': 'vip', ':tagKeys1': 'big deal', ':lostReasonId0': '01LOSTA0000000000000000000', ':winReasonIds0': '01WINA00000000000000000000' },
      },
    });
  });
});

describe('R-CON-4 contact and company listings as Queries', () => {
  it('R-CON-4 each source is its index partition, the other filters a FilterExpression', () => {
    expect(queried(planContactList(REP, {}), partyQuery)).toEqual({ index: 'GSI2', partition: `OWNER#${REP.userId}#CONTACTS` });
    expect(queried(planCompanyList(MANAGER, {}), partyQuery)).toEqual({ index: 'GSI1', partition: 'COMPANIES' });
    expect(queried(planContactList(MANAGER, { companyId: [COMPANY], ownerId: [OTHER_REP] }), partyQuery)).toEqual({
      index: 'GSI3',
      partition: `COMPANY#${COMPANY}#CONTACTS`,
      filter: { expression: '#ownerId = :ownerId0', names: { '#ownerId': 'ownerId' }, values: { ':ownerId0': OTHER_REP } },
    });
    expect(queried(planContactList(MANAGER, { prospectStatus: ['lost'] }), partyQuery)).toEqual({ index: 'GSI4', partition: 'CONTACTS#PROSPECT#lost' });
    expect(queried(planCompanyList(MANAGER, { customerStatus: ['past'] }), partyQuery)).toEqual({ index: 'GSI5', partition: 'COMPANIES#CUSTOMER#past' });
    expect(queried(planContactList(REP, { ownerId: [OTHER_REP] }), partyQuery)).toBeNull();
  });
});

describe('R-LEAD-2 / R-LEAD-6 lead listings as Queries', () => {
  it('R-LEAD-2 all leads, an owner partition or a status partition with lost as a filter', () => {
    expect(queried(planLeadList(MANAGER, {}), leadQuery)).toEqual({ index: 'GSI1', partition: leadsIn(false) });
    expect(queried(planLeadList(MANAGER, { lost: true }), leadQuery)).toEqual({ index: 'GSI1', partition: leadsIn(true) });
    expect(queried(planLeadList(REP, {}), leadQuery)).toEqual({ index: 'GSI2', partition: ownedBy(REP.userId, leadsIn(false)) });
    expect(queried(planLeadList(MANAGER, { statusId: [STATUS] }), leadQuery)).toEqual({
      index: 'GSI5',
      partition: leadsWithStatus(STATUS),
      filter: { expression: '#lost = :lost0', names: { '#lost': 'lost' }, values: { ':lost0': false } },
    });
  });
});
