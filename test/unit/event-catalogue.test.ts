import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../../local/event-bus.ts';
import { busEntry } from '../../shared/events/bus.ts';
import { EVENT_CATALOGUE, EVENT_SOURCE, EVENT_TYPES, eventPattern, OPPORTUNITY_EVENT_TYPES, parseEvent } from '../../shared/events/catalogue.ts';
import { newEvent, outboxWrite, OUTBOX_TTL_SECONDS } from '../../shared/events/outbox.ts';
import type { AppContext } from '../../shared/app-context.ts';

const eventId = ulid();
const ctx = { tableName: 'crm', now: () => new Date('2026-11-23T10:00:00.000Z'), newId: () => eventId } as unknown as AppContext;
const [opp, contact, owner, stage] = [ulid(), ulid(), ulid(), ulid()];

describe('R-EVT-1 the event catalogue', () => {
  it('R-EVT-1 declares every event type of the spec, once, with a version', () => {
    expect(EVENT_TYPES).toEqual([
      'opportunity.created',
      'opportunity.won',
      'opportunity.lost',
      'opportunity.restored',
      'opportunity.reassigned',
      'opportunity.merged',
      'opportunity.deleted',
      'opportunity.updated',
      'lead.converted',
      'contact.moved',
      'buynow.clicked',
      'buynow.purchased',
      'postsale.created',
      'postsale.completed',
    ]);
    for (const definition of EVENT_CATALOGUE) expect(definition.version).toBeGreaterThanOrEqual(1);
    expect(OPPORTUNITY_EVENT_TYPES).toHaveLength(8);
  });

  it('R-EVT-1 a producer\'s event is { id, occurredAt, actorId, version, data } with data checked by its schema', () => {
    const event = newEvent(ctx, 'opportunity.created', owner, { opportunityId: opp, contactId: contact, companyId: null, ownerId: owner, stageId: stage });

    expect(event).toEqual({
      type: 'opportunity.created',
      detail: { id: eventId, occurredAt: '2026-11-23T10:00:00.000Z', actorId: owner, version: 1, data: { opportunityId: opp, contactId: contact, companyId: null, ownerId: owner, stageId: stage } },
    });
  });

  it('R-EVT-1 a producer cannot emit data its schema refuses (nothing is written then)', () => {
    expect(() => newEvent(ctx, 'opportunity.won', owner, { opportunityId: 'not-an-id', contactId: null, companyId: null, ownerId: owner, winReasonIds: [] })).toThrow();
  });

  it('R-EVT-1 the consumer\'s parser accepts what the producer made, and refuses another version, another shape or an unknown type', () => {
    const event = newEvent(ctx, 'opportunity.reassigned', owner, { opportunityId: opp, contactId: contact, companyId: null, ownerId: owner, fromOwnerId: stage });
    const delivered = JSON.parse(JSON.stringify(event.detail));

    expect(parseEvent('opportunity.reassigned', delivered)).toEqual(event);
    expect(() => parseEvent('opportunity.reassigned', { ...delivered, version: 2 })).toThrow(/Invalid opportunity.reassigned/);
    expect(() => parseEvent('opportunity.reassigned', { ...delivered, data: { opportunityId: opp } })).toThrow(/Invalid/);
    expect(() => parseEvent('opportunity.archived', delivered)).toThrow(/Unknown event type/);
  });

  it('R-EVT-1 R-CON-2 contact.moved: the parser accepts a change of employer (to none too) and refuses a bad one', () => {
    const [company, previous] = [ulid(), ulid()];
    const moved = newEvent(ctx, 'contact.moved', owner, { contactId: contact, companyId: company, fromCompanyId: previous, ownerId: owner });
    const removed = newEvent(ctx, 'contact.moved', owner, { contactId: contact, companyId: null, fromCompanyId: company, ownerId: owner });
    const delivered = JSON.parse(JSON.stringify(moved.detail));

    expect(parseEvent('contact.moved', delivered)).toEqual(moved);
    expect(parseEvent('contact.moved', JSON.parse(JSON.stringify(removed.detail)))).toEqual(removed);
    expect(() => parseEvent('contact.moved', { ...delivered, data: { contactId: contact, companyId: company, ownerId: owner } })).toThrow(/Invalid contact.moved/);
    expect(() => parseEvent('contact.moved', { ...delivered, data: { ...delivered.data, companyId: 'not-an-id' } })).toThrow(/Invalid contact.moved/);
    expect(() => parseEvent('contact.moved', { ...delivered, version: 2 })).toThrow(/Invalid contact.moved/);
  });

  it('R-EVT-1 the bus entry: the product\'s source, the type as detail-type, the detail as JSON', () => {
    const event = newEvent(ctx, 'lead.converted', owner, { leadId: opp, contactId: contact, companyId: null, opportunityId: null, ownerId: owner });

    expect(busEntry(event, 'the-bus')).toEqual({
      EventBusName: 'the-bus',
      Source: EVENT_SOURCE,
      DetailType: 'lead.converted',
      Detail: JSON.stringify(event.detail),
      Time: new Date('2026-11-23T10:00:00.000Z'),
    });
  });
});

describe('R-EVT-1 rule patterns come from the catalogue', () => {
  it('R-EVT-1 a pattern names the product\'s source and exactly the types given', () => {
    expect(eventPattern(['opportunity.won', 'opportunity.lost', 'opportunity.won'])).toEqual({ source: ['pipeline-crm'], 'detail-type': ['opportunity.won', 'opportunity.lost'] });
  });

  it('R-EVT-1 a pattern needs a known type', () => {
    expect(() => eventPattern([])).toThrow();
    expect(() => eventPattern(['opportunity.archived' as never])).toThrow(/Unknown event type/);
  });

  it('SPEC §10 the local bus matches events with those patterns as EventBridge does', () => {
    const pattern = eventPattern(['opportunity.won']);

    expect(matchesPattern(pattern, { source: 'pipeline-crm', 'detail-type': 'opportunity.won', detail: {} })).toBe(true);
    expect(matchesPattern(pattern, { source: 'pipeline-crm', 'detail-type': 'opportunity.lost', detail: {} })).toBe(false);
    expect(matchesPattern(pattern, { source: 'someone-else', 'detail-type': 'opportunity.won', detail: {} })).toBe(false);
    expect(matchesPattern({ detail: { data: { status: ['won'] } } }, { detail: { data: { status: 'won' } } })).toBe(true);
    expect(matchesPattern({ detail: { data: { status: ['won'] } } }, { detail: 'won' })).toBe(false);
  });
});

describe('R-EVT-2 the outbox item', () => {
  it('R-EVT-2 is a new item keyed by the event id, with the event and a 7-day TTL', () => {
    const event = newEvent(ctx, 'buynow.clicked', null, { opportunityId: opp, linkId: stage, contactId: null, ownerId: owner });

    expect(outboxWrite(ctx, event)).toEqual({
      write: {
        Put: {
          TableName: 'crm',
          Item: {
            PK: `OUTBOX#${eventId}`,
            SK: 'OUTBOX',
            recordType: 'Outbox event',
            eventType: 'buynow.clicked',
            detail: event.detail,
            expiresAt: Date.parse('2026-11-23T10:00:00.000Z') / 1000 + OUTBOX_TTL_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    });
    expect(OUTBOX_TTL_SECONDS).toBe(7 * 24 * 3600);
  });
});

describe('R-PS-2 the won event carries the post-sale decision', () => {
  const won = { opportunityId: opp, contactId: contact, companyId: null, ownerId: owner, winReasonIds: [] };

  it('R-PS-2 a process to create names its id and template; an event without the field (written before) means none', () => {
    const processId = ulid();
    const create = parseEvent('opportunity.won', newEvent(ctx, 'opportunity.won', owner, { ...won, postSale: { kind: 'create', processId, templateId: null } }).detail);
    const older = parseEvent('opportunity.won', { ...newEvent(ctx, 'opportunity.won', owner, won).detail, data: won });

    expect(create.detail.data).toMatchObject({ postSale: { kind: 'create', processId, templateId: null } });
    expect(older.detail.data).toMatchObject({ postSale: { kind: 'none' } });
  });
});
