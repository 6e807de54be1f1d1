import { contactModel, opportunityModel } from '../../shared/db/keys.ts';
import { getPipelineSettings } from '../../shared/db/pipeline-config.ts';
import { seesOpportunityOfContact, shareContact, unshareContact } from '../../shared/db/shares.ts';
import { getRecord, updateRecord } from '../../shared/db/store.ts';
import { planContactFollow } from '../../shared/domain/sharing.ts';
import { defineConsumer } from '../../shared/events/consumer.ts';
import { consumerHandler } from './consumer-handler.ts';

/**
 * R-SHR-2 (assign half) and R-SHR-3: when an opportunity is created or reassigned, its contact follows its
 * owner (a new owner with `syncContactOwner`, a share with `shareContactWhenAssigned`), and the previous owner
 * loses the contact's share once it sees no opportunity of that contact (`unshareContactWhenUnassigned`).
 * It reads the opportunity and the contact as they are now, so a late event acts on the current owner.
 */
export const contactSharing = defineConsumer({
  name: 'contact-sharing',
  description: 'makes an opportunity’s contact follow its owner (R-SHR-2, R-SHR-3)',
  events: ['opportunity.created', 'opportunity.reassigned'],
  access: {
    // The opportunity, the contact, settings, shares (GetItem, BatchGetItem); owner change and shares (PutItem, DeleteItem).
    items: ['GetItem', 'BatchGetItem', 'PutItem', 'DeleteItem'],
    // GSI3: a contact's opportunities (does the previous owner still see one?).
    queryIndexes: ['GSI3'],
  },
  async handle(event, ctx) {
    const { data } = event.detail;
    const [opportunity, settings] = await Promise.all([getRecord(ctx, opportunityModel, data.opportunityId), getPipelineSettings(ctx)]);
    const contactId = opportunity?.contactId;
    if (!opportunity || !contactId) return;
    const contact = await getRecord(ctx, contactModel, contactId);
    if (!contact) return;
    const plan = planContactFollow(
      {
        kind: event.type === 'opportunity.created' ? 'created' : 'reassigned',
        opportunityOwnerId: opportunity.ownerId,
        fromOwnerId: event.type === 'opportunity.reassigned' ? event.detail.data.fromOwnerId : undefined,
      },
      contact.ownerId,
      settings.sharing,
    );
    if (plan.newOwnerId) {
      const newOwnerId = plan.newOwnerId;
      await updateRecord(ctx, contactModel, contactId, (current) => ({ ...current, ownerId: newOwnerId }));
    }
    if (plan.shareWith) await shareContact(ctx, contactId, plan.shareWith, event.detail.actorId);
    if (plan.unshareCandidate && !(await seesOpportunityOfContact(ctx, contactId, plan.unshareCandidate))) {
      await unshareContact(ctx, contactId, plan.unshareCandidate);
    }
  },
});

export const handler = consumerHandler(contactSharing);
