import type { AppContext } from '../app-context.ts';
import type { ExtraWrite } from '../db/store.ts';
import type { StoredOpportunity } from '../domain/opportunities.ts';
import type { EventDraft } from '../domain/opportunity-lifecycle.ts';
import type { EventData, OpportunityEventType } from './catalogue.ts';
import { newEvent, outboxWrite } from './outbox.ts';

/** The fields the pipeline board counts (shared/domain/board.ts): a change of one of them is an event. */
const BOARD_FIELDS = ['status', 'active', 'stageId', 'ownerId', 'value', 'probability'] as const;
const movesBoard = (before: StoredOpportunity, after: StoredOpportunity) => BOARD_FIELDS.some((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]));

/**
 * R-EVT-1/2 for opportunities: the outbox items of one committed change (`commitOpportunityChange`), from the
 * event drafts of its transitions. A record that leaves its contact or company (a PATCH moving it) reports the
 * parties it left, so that their statuses are recomputed too (R-CON-2): the `opportunity.reassigned` draft gets
 * them, or such an event is added when the change had none for that record. A change that moves the pipeline board
 * (R-OPP-11) and that no event of the change reports gets an `opportunity.updated`.
 */
export function opportunityOutboxWrites(
  ctx: AppContext,
  records: readonly { before?: StoredOpportunity | undefined; after?: StoredOpportunity | undefined }[],
  drafts: readonly EventDraft[],
  actorId: string,
): ExtraWrite[] {
  const events = drafts.map((draft): { type: OpportunityEventType; data: Record<string, unknown> } => ({ type: draft.type, data: { opportunityId: draft.opportunityId, ...draft.data } as Record<string, unknown> }));
  for (const { before, after } of records) {
    if (!before || !after || (before.contactId === after.contactId && before.companyId === after.companyId)) continue;
    const left = { fromContactId: before.contactId, fromCompanyId: before.companyId };
    const reassigned = events.find((event) => event.type === 'opportunity.reassigned' && event.data.opportunityId === after.id);
    if (reassigned) Object.assign(reassigned.data, left);
    else {
      events.push({
        type: 'opportunity.reassigned',
        data: { opportunityId: after.id, contactId: after.contactId, companyId: after.companyId, ownerId: after.ownerId, fromOwnerId: before.ownerId, ...left },
      });
    }
  }
  // R-OPP-11: a change of what the board counts that no event of this change reports still reaches the board's consumer.
  for (const { before, after } of records) {
    if (!before || !after || events.some((event) => event.data.opportunityId === after.id) || !movesBoard(before, after)) continue;
    events.push({ type: 'opportunity.updated', data: { opportunityId: after.id, contactId: after.contactId, companyId: after.companyId, ownerId: after.ownerId, stageId: after.stageId } });
  }
  // The drafts are checked against the catalogue here (newEvent parses them): a mismatch throws before anything is written.
  return events.map(({ type, data }) => outboxWrite(ctx, newEvent(ctx, type, actorId, data as EventData<OpportunityEventType>)));
}
