import type { AppContext } from '../../shared/app-context.ts';
import { companyModel, contactModel, opportunityModel } from '../../shared/db/keys.ts';
import { transitionOpportunity } from '../../shared/db/opportunity-writes.ts';
import { getPipelineSettings } from '../../shared/db/pipeline-config.ts';
import {
  opportunitySharedWith,
  partyOpportunities,
  partyShareWrite,
  removeOpportunityShare,
  seesOpportunityOfParty,
  shareOpportunity,
  shareParty,
  unshareParty,
} from '../../shared/db/shares.ts';
import { getRecord, type ExtraWrite } from '../../shared/db/store.ts';
import { transition } from '../../shared/db/aggregate-writer.ts';
import { companyAggregate, contactAggregate } from '../../shared/db/party-writes.ts';
import { patch } from '../../shared/domain/opportunity-lifecycle.ts';
import type { StoredOpportunity } from '../../shared/domain/opportunities.ts';
import {
  closedOpportunitiesToHandOver,
  partiesOf,
  partyMove,
  planPartyFollow,
  primaryPartyOf,
  sameParty,
  survivorSharesAfterMerge,
  unshareCandidatesAfterRemoval,
  type Party,
  type RemovedSight,
} from '../../shared/domain/sharing.ts';
import type { DomainEvent } from '../../shared/events/catalogue.ts';
import { defineConsumer } from '../../shared/events/consumer.ts';
import type { PipelineSettings } from '../../shared/schemas/pipeline.ts';
import { consumerHandler } from './consumer-handler.ts';

/**
 * R-EVT-3 → §8: the sharing rules, applied to an opportunity's contact and company (its parties) when the
 * opportunity is created, reassigned, merged away or deleted. Each step reads the records as they are now and
 * writes what they should be, so a replayed or late event does nothing new; every step that depends on an
 * item it removes runs before the removal, so a failure part-way is finished by the redelivery.
 */

type Sharing = PipelineSettings['sharing'];

/**
 * A contact or company deleted since the event is left alone. Each step reads what it changes first and skips
 * what is gone; a record deleted between that read and the write fails the delivery, and the redelivery reads it
 * gone (no refusal is taken to mean "deleted").
 */
const readParty = (ctx: AppContext, party: Party) => (party.collection === 'contacts' ? getRecord(ctx, contactModel, party.id) : getRecord(ctx, companyModel, party.id));

/**
 * R-SHR-3: the party (read just before: it exists) gets a new owner through its aggregate (its search index items
 * follow the owner), in one transaction with `extra` (issue 13 item 7: the previous owner's share, so that a failure
 * leaves both undone and the redelivery does both).
 */
async function setPartyOwner(ctx: AppContext, party: Party, ownerId: string, extra: ExtraWrite[]): Promise<void> {
  const options = { actorId: ownerId, canSee: () => true };
  if (party.collection === 'contacts') await transition(ctx, contactAggregate, party.id, options, (current) => ({ next: { ...current, ownerId }, extra }));
  else await transition(ctx, companyAggregate, party.id, options, (current) => ({ next: { ...current, ownerId }, extra }));
}

const ownsOpportunityOfParty = async (ctx: AppContext, party: Party, userId: string) =>
  (await partyOpportunities(ctx, party)).some((opportunity) => opportunity.ownerId === userId);

/** R-SHR-2: the party is unshared from the user unless the user still sees an opportunity of it. */
async function unshareUnlessStillSeen(ctx: AppContext, party: Party, userId: string): Promise<void> {
  if (!(await seesOpportunityOfParty(ctx, party, userId))) await unshareParty(ctx, party, userId);
}

/**
 * R-SHR-2 / R-SHR-3: each party of a created or reassigned opportunity follows its owner. A creation is a past
 * fact: its rep and parties are the event's, so a late delivery syncs the owner it would have synced in order,
 * and shares nothing with a rep that has handed the opportunity over since (that reassignment's event shares with
 * the next one). A reassignment follows the owner the opportunity has now, so a late one changes nothing.
 */
async function followOwner(ctx: AppContext, event: DomainEvent<'opportunity.created' | 'opportunity.reassigned'>, sharing: Sharing): Promise<void> {
  const { data } = event.detail;
  const opportunity = await getRecord<StoredOpportunity>(ctx, opportunityModel, data.opportunityId);
  let change: Parameters<typeof planPartyFollow>[0];
  let followed: { contactId: string | null; companyId: string | null };
  if (event.type === 'opportunity.created') {
    change = { kind: 'created', opportunityOwnerId: data.ownerId };
    followed = data;
  } else {
    if (!opportunity) return;
    change = { kind: 'reassigned', opportunityOwnerId: opportunity.ownerId, fromOwnerId: event.detail.data.fromOwnerId };
    followed = opportunity;
  }
  const mayShare = change.kind === 'reassigned' || opportunity?.ownerId === data.ownerId;
  const primary = primaryPartyOf(followed);
  for (const party of partiesOf(followed)) {
    const record = await readParty(ctx, party);
    if (!record) continue;
    const plan = planPartyFollow(change, { ownerId: record.ownerId, primary: sameParty(party, primary) }, sharing);
    if (plan.newOwnerId) {
      // The previous owner keeps it shared while it owns one of its opportunities (planned only with a new owner):
      // committed with the change of owner.
      const keeper = plan.keepSharedIfAssigned;
      const keepsSight = keeper && (await ownsOpportunityOfParty(ctx, party, keeper)) ? [partyShareWrite(ctx, party, keeper, event.detail.actorId)] : [];
      await setPartyOwner(ctx, party, plan.newOwnerId, keepsSight);
    }
    if (plan.shareWith && mayShare) await shareParty(ctx, party, plan.shareWith, event.detail.actorId);
    if (plan.unshareCandidate) await unshareUnlessStillSeen(ctx, party, plan.unshareCandidate);
  }
  if (event.type === 'opportunity.reassigned') await followPartyMove(ctx, event, sharing);
}

/**
 * R-SHR-2 when a change moved the opportunity to another contact or company: the users it is shared with get the
 * parties it joined (`shareContactWhenShared`), and they and its previous owner may lose the parties it left. The
 * parties come from the event, not the record, so a redelivery after a later move still undoes this move only.
 */
async function followPartyMove(ctx: AppContext, event: DomainEvent<'opportunity.reassigned'>, sharing: Sharing): Promise<void> {
  const { data } = event.detail;
  const before = {
    contactId: data.fromContactId === undefined ? data.contactId : data.fromContactId,
    companyId: data.fromCompanyId === undefined ? data.companyId : data.fromCompanyId,
  };
  const { left, joined } = partyMove(before, data);
  if (left.length === 0 && joined.length === 0) return;
  const sharedWith = await opportunitySharedWith(ctx, data.opportunityId);
  if (sharing.shareContactWhenShared) {
    for (const party of joined) for (const userId of sharedWith) await shareParty(ctx, party, userId, event.detail.actorId);
  }
  await loseSightOfParties(ctx, left, { ownerId: data.fromOwnerId, sharedWith }, sharing);
}

/**
 * R-SHR-3 `syncOwnerOfClosedLeads`: the primary party's closed opportunities move to the new opportunity's rep,
 * each as a reassignment of its own (history entry, `opportunity.reassigned` event, so their sharing follows).
 */
async function handOverClosedOpportunities(ctx: AppContext, event: DomainEvent<'opportunity.created'>, settings: PipelineSettings): Promise<void> {
  const { data } = event.detail;
  const created = { id: data.opportunityId, ownerId: data.ownerId, contactId: data.contactId, companyId: data.companyId };
  const primary = primaryPartyOf(created);
  if (!primary || !settings.sharing.syncContactOwner || !settings.sharing.syncOwnerOfClosedLeads) return;
  const toHandOver = closedOpportunitiesToHandOver(created, await partyOpportunities(ctx, primary), settings.sharing);
  for (const id of toHandOver) {
    // Deleted or merged away since it was listed: nothing to hand over.
    const read = await getRecord<StoredOpportunity>(ctx, opportunityModel, id);
    if (!read) continue;
    await transitionOpportunity(ctx, id, { actorId: event.detail.actorId ?? created.ownerId, canSee: () => true, read }, (current) =>
      // Reopened or handed over meanwhile: nothing to do (a plan that changes nothing writes nothing).
      current.status === 'open' || current.ownerId === created.ownerId
        ? { next: current, history: [], events: [] }
        : patch(current, { ...current, ownerId: created.ownerId }, {}, settings, ctx.now().toISOString()),
    );
  }
}

/** R-SHR-2: who saw a removed opportunity may lose its parties, unless they still see another opportunity of them. */
async function loseSightOfParties(ctx: AppContext, parties: readonly Party[], sight: RemovedSight, sharing: Sharing): Promise<void> {
  for (const party of parties) {
    const record = await readParty(ctx, party);
    if (!record) continue;
    for (const userId of unshareCandidatesAfterRemoval(sight, record.ownerId, sharing)) await unshareUnlessStillSeen(ctx, party, userId);
  }
}

/** The shares of a removed opportunity go last: until then a redelivery still knows whom they concerned. */
async function removeShares(ctx: AppContext, opportunityId: string, sharedWith: readonly string[]): Promise<void> {
  for (const userId of sharedWith) await removeOpportunityShare(ctx, opportunityId, userId);
}

async function forgetDeleted(ctx: AppContext, event: DomainEvent<'opportunity.deleted'>, sharing: Sharing): Promise<void> {
  const { data } = event.detail;
  const sharedWith = await opportunitySharedWith(ctx, data.opportunityId);
  await loseSightOfParties(ctx, partiesOf(data), { ownerId: data.ownerId, sharedWith }, sharing);
  await removeShares(ctx, data.opportunityId, sharedWith);
}

/**
 * R-OPP-8 with §8: whoever saw a merged-away opportunity gets the survivor shared (with its parties under
 * `shareContactWhenShared`), then may lose the merged-away parties it no longer sees an opportunity of.
 */
async function carryOverMerged(ctx: AppContext, event: DomainEvent<'opportunity.merged'>, sharing: Sharing): Promise<void> {
  const { data } = event.detail;
  const sights = await Promise.all(
    data.mergedIds.map(async (id, index) => ({ id, parties: data.mergedParties[index]!, sight: { ownerId: data.mergedParties[index]!.ownerId, sharedWith: await opportunitySharedWith(ctx, id) } })),
  );
  // Deleted since: its own event cleans up after it.
  const survivor = await getRecord<StoredOpportunity>(ctx, opportunityModel, data.opportunityId);
  if (survivor) {
    for (const userId of survivorSharesAfterMerge(survivor, sights.map(({ sight }) => sight))) {
      await shareOpportunity(ctx, survivor, { userId, sharedBy: event.detail.actorId ?? survivor.ownerId, withParties: sharing.shareContactWhenShared });
    }
  }
  for (const { id, parties, sight } of sights) {
    await loseSightOfParties(ctx, partiesOf(parties), sight, sharing);
    await removeShares(ctx, id, sight.sharedWith);
  }
}

export const sharingRules = defineConsumer({
  name: 'sharing-rules',
  description: 'applies the sharing rules to the contacts and companies of opportunities (R-SHR-2, R-SHR-3)',
  events: ['opportunity.created', 'opportunity.reassigned', 'opportunity.merged', 'opportunity.deleted'],
  access: {
    // Opportunities, parties, settings and shares (GetItem, BatchGetItem, Query of a record's shares); party owners,
    // shares and handed-over opportunities with their history, guards and outbox (PutItem, DeleteItem, ConditionCheckItem).
    items: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'DeleteItem', 'ConditionCheckItem'],
    // GSI3: a contact's opportunities; GSI4: a company's.
    queryIndexes: ['GSI3', 'GSI4'],
  },
  async handle(event, ctx) {
    const settings = await getPipelineSettings(ctx);
    switch (event.type) {
      case 'opportunity.created':
        await followOwner(ctx, event, settings.sharing);
        return handOverClosedOpportunities(ctx, event, settings);
      case 'opportunity.reassigned':
        await followOwner(ctx, event, settings.sharing);
        return;
      case 'opportunity.deleted':
        return forgetDeleted(ctx, event, settings.sharing);
      case 'opportunity.merged':
        return carryOverMerged(ctx, event, settings.sharing);
    }
  },
});

export const handler = consumerHandler(sharingRules);
