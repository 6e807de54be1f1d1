import type { AppContext } from '../../shared/app-context.ts';
import { contactModel } from '../../shared/db/keys.ts';
import { batchGetAll } from '../../shared/db/store.ts';
import { currentEmployers, freshOpportunities, recomputeCompanyStatuses, recomputeContactStatuses } from '../../shared/db/statuses.ts';
import { OPPORTUNITY_EVENT_TYPES, type DomainEvent, type OpportunityEventType } from '../../shared/events/catalogue.ts';
import { defineConsumer } from '../../shared/events/consumer.ts';
import { consumerHandler } from './consumer-handler.ts';

/**
 * R-EVT-3 → R-CON-2: on every opportunity event, recompute the statuses of the contacts and companies it
 * touches: its contact and company, their previous ones (a move, a merge) and each contact's employer; on a
 * contact's change of employer, those of the company it left and the one it joined. The statuses are derived
 * from the opportunities as they are now, so a replayed or late event rewrites the same values, and nothing is
 * written when they did not change.
 */

type OpportunityEvent = DomainEvent<OpportunityEventType>;

const present = (ids: readonly (string | null)[]) => [...new Set(ids.filter((id): id is string => id !== null))];

/** The contacts and companies named by the event, and the opportunities to read afresh. */
function touchedBy(event: OpportunityEvent): { contactIds: string[]; companyIds: string[]; opportunityIds: string[] } {
  const { data } = event.detail;
  const contacts = [data.contactId];
  const companies = [data.companyId];
  const opportunityIds = [data.opportunityId];
  if (event.type === 'opportunity.reassigned') {
    contacts.push(event.detail.data.fromContactId ?? null);
    companies.push(event.detail.data.fromCompanyId ?? null);
  }
  if (event.type === 'opportunity.merged') {
    contacts.push(...event.detail.data.mergedParties.map((party) => party.contactId));
    companies.push(...event.detail.data.mergedParties.map((party) => party.companyId));
    opportunityIds.push(...event.detail.data.mergedIds);
  }
  return { contactIds: present(contacts), companyIds: present(companies), opportunityIds: present(opportunityIds) };
}

/** The employers of these contacts (contacts deleted since are skipped). */
async function employersOf(ctx: AppContext, contactIds: readonly string[]): Promise<string[]> {
  if (contactIds.length === 0) return [];
  const contacts = await batchGetAll(ctx, contactIds.map((id) => contactModel.key(id)), { consistent: true, attributes: ['companyId'] });
  return contacts.flatMap((contact) => (typeof contact.companyId === 'string' ? [contact.companyId] : []));
}

export const contactStatuses = defineConsumer({
  name: 'contact-statuses',
  description: 'recomputes contact and company statuses (R-CON-2)',
  // Not opportunity.updated (the board's): statuses depend on status and parties, which other events report.
  events: [...OPPORTUNITY_EVENT_TYPES.filter((type) => type !== 'opportunity.updated'), 'contact.moved'],
  access: {
    // Contacts, companies and fresh opportunities (GetItem, BatchGetItem); new statuses (PutItem, updateRecord).
    items: ['GetItem', 'BatchGetItem', 'PutItem'],
    // GSI3: a contact's opportunities and a company's employees; GSI4: a company's own opportunities.
    queryIndexes: ['GSI3', 'GSI4'],
  },
  async handle(event, ctx) {
    if (event.type === 'contact.moved') {
      const { contactId, companyId, fromCompanyId } = event.detail.data;
      // The employees index may still show the move half done: the contact itself says where it works now (nowhere once deleted).
      const freshEmployers = await currentEmployers(ctx, [contactId]);
      await Promise.all(present([companyId, fromCompanyId]).map((id) => recomputeCompanyStatuses(ctx, id, new Map(), freshEmployers)));
      return;
    }
    const { contactIds, companyIds, opportunityIds } = touchedBy(event);
    const [fresh, employers] = await Promise.all([freshOpportunities(ctx, opportunityIds), employersOf(ctx, contactIds)]);
    const companies = [...new Set([...companyIds, ...employers])];
    await Promise.all([
      ...contactIds.map((contactId) => recomputeContactStatuses(ctx, contactId, fresh)),
      ...companies.map((companyId) => recomputeCompanyStatuses(ctx, companyId, fresh)),
    ]);
  },
});

export const handler = consumerHandler(contactStatuses);
