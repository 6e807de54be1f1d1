import * as z from 'zod';
import { id, isoDateTime, storedMoney } from '../schemas/common.ts';

/**
 * The domain events of R-EVT-1, each declared once: its type, its version and the zod schema of its data. The
 * producer's types (`EventData`), the consumers' parser (`parseEventDetail`) and the CDK rules' patterns
 * (`eventPattern`) all come from this catalogue, so they cannot drift apart.
 */

/** EventBridge `source` of every event of the product. */
export const EVENT_SOURCE = 'pipeline-crm';

/** One event type: `detail-type` on the bus, the version of its data, and the data's schema. */
export interface EventDefinition<T extends string = string, D extends z.ZodType = z.ZodType> {
  type: T;
  version: number;
  data: D;
  /** The whole EventBridge `detail`: `{ id, occurredAt, actorId, version, data }`. */
  detail: z.ZodType<EventDetail<z.output<D>>>;
}

export interface EventDetail<D = unknown> {
  /** The event's own id (a ULID): stays the same through every redelivery, so consumers deduplicate on it. */
  id: string;
  occurredAt: string;
  /** The signed-in user who caused it; null for what nobody signed in did (a public buy-now link). */
  actorId: string | null;
  version: number;
  data: D;
}

export function defineEvent<const T extends string, D extends z.ZodType>(type: T, version: number, data: D): EventDefinition<T, D> {
  const detail = z.object({ id, occurredAt: isoDateTime, actorId: id.nullable(), version: z.literal(version), data });
  return { type, version, data, detail: detail as unknown as z.ZodType<EventDetail<z.output<D>>> };
}

/** The parties of an opportunity as they are after the change: whose statuses and sharing a consumer recomputes (R-EVT-3). */
const opportunityParties = {
  opportunityId: id,
  contactId: id.nullable(),
  companyId: id.nullable(),
  ownerId: id,
};
const parties = z.object({ contactId: id.nullable(), companyId: id.nullable(), ownerId: id });

export const opportunityCreated = defineEvent('opportunity.created', 1, z.object({ ...opportunityParties, stageId: id }));

/**
 * R-PS-2: `postSale` says what the winner's preference asked for: a process to create (`create`, with the id it
 * gets and the template named in the won request, null for the default one) or none (`none`, also for "ask").
 * Absent in events written before post-sale processes existed: none.
 */
export const opportunityWon = defineEvent(
  'opportunity.won',
  1,
  z.object({
    ...opportunityParties,
    winReasonIds: z.array(id),
    postSale: z
      .discriminatedUnion('kind', [z.object({ kind: z.literal('create'), processId: id, templateId: id.nullable() }), z.object({ kind: z.literal('none') })])
      .default({ kind: 'none' }),
  }),
);

export const opportunityLost = defineEvent('opportunity.lost', 1, z.object({ ...opportunityParties, lostReasonId: id.nullable() }));

export const opportunityRestored = defineEvent('opportunity.restored', 1, z.object({ ...opportunityParties, restoredFrom: z.enum(['won', 'lost']) }));

/**
 * A new owner (`ownerId`, from `fromOwnerId`), or a move to another contact or company: `fromContactId` /
 * `fromCompanyId` name the parties it left, whose statuses change too.
 */
export const opportunityReassigned = defineEvent(
  'opportunity.reassigned',
  1,
  z.object({ ...opportunityParties, fromOwnerId: id, fromContactId: id.nullable().optional(), fromCompanyId: id.nullable().optional() }),
);

/** `opportunityId` is the survivor; the merged ones are deleted, and their parties lose them. */
export const opportunityMerged = defineEvent(
  'opportunity.merged',
  1,
  z.object({ ...opportunityParties, mergedIds: z.array(id).min(1), mergedParties: z.array(parties) }),
);

/** The parties are the deleted record's, as it was; `mergedIds` the opportunities merged into it, whose entries it kept. */
export const opportunityDeleted = defineEvent('opportunity.deleted', 1, z.object({ ...opportunityParties, mergedIds: z.array(id).default([]) }));

/**
 * R-OPP-11 (issue 16): a change that moves the pipeline board and that no other event reports (a stage move, a new
 * value or probability, archive, unarchive): emitted by `opportunityOutboxWrites` for any such change.
 */
export const opportunityUpdated = defineEvent('opportunity.updated', 1, z.object({ ...opportunityParties, stageId: id }));

/** R-LEAD-5: the lead became a contact or a company, and an opportunity when one was asked for. */
export const leadConverted = defineEvent(
  'lead.converted',
  1,
  z.object({ leadId: id, contactId: id.nullable(), companyId: id.nullable(), opportunityId: id.nullable(), ownerId: id }),
);

/**
 * R-CON-2: a contact changed employer (`companyId`, from `fromCompanyId`; null for none). A company's statuses
 * cover its employees' opportunities, so both companies' statuses change though no opportunity did.
 */
export const contactMoved = defineEvent('contact.moved', 1, z.object({ contactId: id, companyId: id.nullable(), fromCompanyId: id.nullable(), ownerId: id }));

/** R-BUY-2 (the buy-now issue produces them): a click on a link, and a purchase through it. */
export const buyNowClicked = defineEvent('buynow.clicked', 1, z.object({ opportunityId: id, linkId: id, contactId: id.nullable(), ownerId: id }));

export const buyNowPurchased = defineEvent(
  'buynow.purchased',
  1,
  z.object({ opportunityId: id, linkId: id, contactId: id.nullable(), ownerId: id, paymentRef: z.string().min(1), amount: storedMoney }),
);

/** R-PS-2: a post-sale process was created (on won, or by hand). */
export const postSaleCreated = defineEvent('postsale.created', 1, z.object({ processId: id, opportunityId: id, ownerId: id, templateId: id.nullable() }));

/** R-PS-4: a process's status reached done (its last open task was done or removed). */
export const postSaleCompleted = defineEvent('postsale.completed', 1, z.object({ processId: id, opportunityId: id, ownerId: id }));

export const EVENT_CATALOGUE = [
  opportunityCreated,
  opportunityWon,
  opportunityLost,
  opportunityRestored,
  opportunityReassigned,
  opportunityMerged,
  opportunityDeleted,
  opportunityUpdated,
  leadConverted,
  contactMoved,
  buyNowClicked,
  buyNowPurchased,
  postSaleCreated,
  postSaleCompleted,
] as const;

type Catalogue = (typeof EVENT_CATALOGUE)[number];
export type EventType = Catalogue['type'];
type DefinitionOf<T extends EventType> = Extract<Catalogue, { type: T }>;
/** What a producer gives for an event of type T (parsed, so defaults and checks apply). */
export type EventData<T extends EventType> = z.input<DefinitionOf<T>['data']>;
/** What a consumer receives for an event of type T. */
export type ParsedEventData<T extends EventType> = z.output<DefinitionOf<T>['data']>;

export const EVENT_TYPES = EVENT_CATALOGUE.map((definition) => definition.type) as EventType[];
export type OpportunityEventType = Extract<EventType, `opportunity.${string}`>;
export const OPPORTUNITY_EVENT_TYPES = EVENT_TYPES.filter((type): type is OpportunityEventType => type.startsWith('opportunity.'));

const byType = new Map<string, EventDefinition>(EVENT_CATALOGUE.map((definition) => [definition.type, definition as EventDefinition]));

export function eventDefinition<T extends EventType>(type: T): DefinitionOf<T> {
  const definition = byType.get(type);
  if (!definition) throw new Error(`Unknown event type ${type}`);
  return definition as DefinitionOf<T>;
}

export const isEventType = (type: string): type is EventType => byType.has(type);

/** An event as it travels: its type (EventBridge `detail-type`) and its detail. */
export type DomainEvent<T extends EventType = EventType> = { [K in T]: { type: K; detail: EventDetail<ParsedEventData<K>> } }[T];

/**
 * Checks an event received from the bus against the catalogue; an unknown type or a detail that does not match
 * its schema throws (the delivery fails, is retried, then lands in the consumer's dead-letter queue).
 */
export function parseEvent(type: string, detail: unknown): DomainEvent {
  if (!isEventType(type)) throw new Error(`Unknown event type ${JSON.stringify(type)}`);
  const parsed = eventDefinition(type).detail.safeParse(detail);
  if (!parsed.success) throw new Error(`Invalid ${type} event: ${z.prettifyError(parsed.error)}`);
  return { type, detail: parsed.data } as DomainEvent;
}

/**
 * The EventBridge rule pattern matching exactly these types of the product's source: what a consumer declares
 * it handles is what its rule delivers, in AWS and in the local runtime.
 */
export function eventPattern(types: readonly EventType[]): { source: string[]; 'detail-type': string[] } {
  if (types.length === 0) throw new Error('A rule needs at least one event type');
  for (const type of types) eventDefinition(type);
  return { source: [EVENT_SOURCE], 'detail-type': [...new Set(types)] };
}
