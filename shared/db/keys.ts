import type { Contact, Company, CustomerStatus, ProspectStatus } from '../schemas/contacts.ts';
import type { CustomFieldDefinition } from '../schemas/custom-fields.ts';
import type { Lead, LeadStatus } from '../schemas/leads.ts';
import type { Opportunity } from '../schemas/opportunities.ts';
import type { PipelineSettings, Reason, Stage } from '../schemas/pipeline.ts';
import type { PostSaleProcess, PostSaleTemplate } from '../schemas/post-sale.ts';
import type { Group, User } from '../schemas/users.ts';
import type { BaseRecord, EntityModel } from './records.ts';

/**
 * Every key of the single table is built here (docs/data-model.md explains each one). Index sort keys are
 * ULIDs unless said otherwise, so Query with ScanIndexForward=false lists newest first.
 */
const entity = <T extends BaseRecord>(
  label: string,
  prefix: string,
  indexKeys: EntityModel<T>['indexKeys'],
): EntityModel<T> => ({
  label,
  key: (id) => ({ PK: `${prefix}#${id}`, SK: prefix }),
  indexKeys,
});

export const COLLECTIONS = {
  users: 'USERS',
  groups: 'GROUPS',
  stages: 'STAGES',
  reasons: 'REASONS',
  customFields: 'CUSTOMFIELDS',
  contacts: 'CONTACTS',
  companies: 'COMPANIES',
  leadStatuses: 'LEADSTATUSES',
  postSaleTemplates: 'POSTSALETEMPLATES',
  postSaleProcesses: 'POSTSALES',
} as const;

export const userModel = entity<User>('User', 'USER', (user) => ({ GSI1PK: COLLECTIONS.users, GSI1SK: user.id }));

export const groupModel = entity<Group>('Group', 'GROUP', (group) => ({ GSI1PK: COLLECTIONS.groups, GSI1SK: group.id }));

/** Stages list in pipeline order: the sort key is the zero-padded order, then the id. */
export const stageModel = entity<Stage>('Stage', 'STAGE', (stage) => ({
  GSI1PK: COLLECTIONS.stages,
  GSI1SK: `${String(stage.order).padStart(4, '0')}#${stage.id}`,
}));

export const reasonModel = entity<Reason>('Reason', 'REASON', (reason) => ({
  GSI1PK: COLLECTIONS.reasons,
  GSI1SK: reason.id,
  GSI2PK: reasonsOfKind(reason.kind),
  GSI2SK: reason.id,
}));
export const reasonsOfKind = (kind: Reason['kind']) => `${COLLECTIONS.reasons}#${kind}`;

export const customFieldModel = entity<CustomFieldDefinition>('Custom field', 'CUSTOMFIELD', (field) => ({
  GSI1PK: COLLECTIONS.customFields,
  GSI1SK: field.id,
  GSI2PK: customFieldsOf(field.entity),
  GSI2SK: field.id,
}));
export const customFieldsOf = (entityName: CustomFieldDefinition['entity']) => `${COLLECTIONS.customFields}#${entityName}`;

/** The one pipeline-settings document (SPEC R-CFG-2). */
export const settingsModel: EntityModel<PipelineSettings> = {
  label: 'Pipeline settings',
  key: () => ({ PK: 'SETTINGS', SK: 'PIPELINE' }),
  indexKeys: () => ({}),
};
export const PIPELINE_SETTINGS_ID = 'pipeline';

export const contactModel = entity<Contact>('Contact', 'CONTACT', (contact) => ({
  GSI1PK: COLLECTIONS.contacts,
  GSI1SK: contact.id,
  GSI2PK: ownedBy(contact.ownerId, COLLECTIONS.contacts),
  GSI2SK: contact.id,
  ...(contact.companyId ? { GSI3PK: employeesOf(contact.companyId), GSI3SK: contact.id } : {}),
  GSI4PK: withProspectStatus(COLLECTIONS.contacts, contact.prospectStatus),
  GSI4SK: contact.id,
  GSI5PK: withCustomerStatus(COLLECTIONS.contacts, contact.customerStatus),
  GSI5SK: contact.id,
}));
export const employeesOf = (companyId: string) => `COMPANY#${companyId}#CONTACTS`;

export const companyModel = entity<Company>('Company', 'COMPANY', (company) => ({
  GSI1PK: COLLECTIONS.companies,
  GSI1SK: company.id,
  GSI2PK: ownedBy(company.ownerId, COLLECTIONS.companies),
  GSI2SK: company.id,
  GSI4PK: withProspectStatus(COLLECTIONS.companies, company.prospectStatus),
  GSI4SK: company.id,
  GSI5PK: withCustomerStatus(COLLECTIONS.companies, company.customerStatus),
  GSI5SK: company.id,
}));

/** R-CON-4: the contacts (or companies) of one prospect status (GSI4) or customer status (GSI5). */
export const withProspectStatus = (collection: string, status: ProspectStatus) => `${collection}#PROSPECT#${status}`;
export const withCustomerStatus = (collection: string, status: CustomerStatus) => `${collection}#CUSTOMER#${status}`;

export const opportunityModel = entity<Opportunity>('Opportunity', 'OPP', (opp) => ({
  GSI1PK: opportunitiesWithStatus(opp.status),
  GSI1SK: opp.id,
  GSI2PK: ownedBy(opp.ownerId, opportunitiesWithStatus(opp.status)),
  GSI2SK: opp.id,
  ...(opp.contactId ? { GSI3PK: opportunitiesOfContact(opp.contactId), GSI3SK: opp.id } : {}),
  ...(opp.companyId ? { GSI4PK: opportunitiesOfCompany(opp.companyId), GSI4SK: opp.id } : {}),
  GSI5PK: opportunitiesInStage(opp.stageId),
  GSI5SK: opp.id,
}));
export const opportunitiesWithStatus = (status: Opportunity['status']) => `OPPS#${status}`;
export const opportunitiesOfContact = (contactId: string) => `CONTACT#${contactId}#OPPS`;
export const opportunitiesOfCompany = (companyId: string) => `COMPANY#${companyId}#OPPS`;
export const opportunitiesInStage = (stageId: string) => `STAGE#${stageId}#OPPS`;

/** Partition of one owner's records of one collection (a rep's default listing). */
export const ownedBy = (ownerId: string, collection: string) => `OWNER#${ownerId}#${collection}`;

/** Uniqueness guard: one user per email address (also the lookup for POST /_local/token { email }). */
export const userEmailKey = (email: string) => ({ PK: `USEREMAIL#${email.toLowerCase()}`, SK: 'USEREMAIL' });

/**
 * The ids of the tenant's active admins, versioned: every change that makes or unmakes an active admin rewrites it in
 * the same transaction, so "the last admin" is counted exactly and two admins demoting each other cannot both win.
 */
export const activeAdminsKey = { PK: 'ACTIVEADMINS', SK: 'GUARD' };

/** Uniqueness guard: one custom field definition per entity and key. */
export const customFieldKeyGuard = (entityName: string, key: string) => ({ PK: `CUSTOMFIELDKEY#${entityName}#${key}`, SK: 'CUSTOMFIELDKEY' });

/** Idempotency records are scoped to the calling user (SPEC §1) and expire by TTL. */
export const idempotencyKey = (userId: string, key: string) => ({ PK: `IDEMPOTENCY#${userId}#${key}`, SK: 'IDEMPOTENCY' });

/** Entries kept inside a record's own partition, newest last by ULID: history (R-OPP-10, R-LEAD-2) and notes. */
export const CHILD_PREFIXES = { history: 'HISTORY#', note: 'NOTE#' } as const;
export const childKey = (parent: { PK: string }, kind: keyof typeof CHILD_PREFIXES, childId: string) => ({
  PK: parent.PK,
  SK: `${CHILD_PREFIXES[kind]}${childId}`,
});

/**
 * R-OPP-2 duplicate guard of one contact (or, without a contact, one company): the set of its open, active
 * opportunities, versioned so that two concurrent creations cannot both pass the duplicate check.
 */
export const openOpportunitiesGuardKey = (party: { contactId: string | null; companyId: string | null }) =>
  party.contactId
    ? { PK: `OPENOPP#CONTACT#${party.contactId}`, SK: 'GUARD' }
    : { PK: `OPENOPP#COMPANY#${party.companyId}`, SK: 'GUARD' };

/** R-OPP-4 a typed-in lost reason reuses the reason of the same kind and description (case-insensitive). */
export const reasonDescriptionKey = (kind: Reason['kind'], description: string) => ({
  PK: `REASONDESC#${kind}#${description.trim().toLocaleLowerCase('en')}`,
  SK: 'REASONDESC',
});

/** Lead statuses list in their `order`, like stages. */
export const leadStatusModel = entity<LeadStatus>('Lead status', 'LEADSTATUS', (status) => ({
  GSI1PK: COLLECTIONS.leadStatuses,
  GSI1SK: `${String(status.order).padStart(4, '0')}#${status.id}`,
}));

/**
 * Leads. GSI1/GSI2: the tenant's and an owner's leads, lost ones apart. GSI5: the leads of a status (filter,
 * "status in use"). GSI4 (sparse, only while the lead is in progress: not lost, not concluded): the leads of a
 * status ordered by when they entered it. The recap and `?overdue=true` query, per status that can be overdue,
 * the entries old enough to be overdue: reads grow with overdue leads, not with the table (R-REC-2), and a
 * change of a status's expiry days or of the recap time zone needs no re-indexing.
 */
export const leadModel = entity<Lead>('Lead', 'LEAD', (lead) => ({
  GSI1PK: leadsIn(lead.lost),
  GSI1SK: lead.id,
  GSI2PK: ownedBy(lead.ownerId, leadsIn(lead.lost)),
  GSI2SK: lead.id,
  ...(lead.lost || lead.concludedAt ? {} : { GSI4PK: leadsInProgressIn(lead.statusId), GSI4SK: `${lead.statusEnteredAt}#${lead.id}` }),
  GSI5PK: leadsWithStatus(lead.statusId),
  GSI5SK: lead.id,
}));
export const leadsIn = (lost: boolean) => (lost ? 'LEADS#lost' : 'LEADS#active');
export const leadsInProgressIn = (statusId: string) => `LEADSTATUS#${statusId}#INPROGRESS`;
export const leadsWithStatus = (statusId: string) => `LEADSTATUS#${statusId}#LEADS`;

/**
 * R-REC-3 what the recap sent to one user one morning, the day's date in the recap time zone: a second run sends
 * nothing twice. The zone is part of it, as one date is another morning in another zone (a zone changed after the
 * day's run still gets that zone's morning).
 */
export const recapReceiptKey = (day: string, timeZone: string, userId: string) => ({ PK: `RECAP#${day}#${timeZone}`, SK: `USER#${userId}` });

/**
 * R-EVT-2 outbox: one item per domain event, written in the transaction of the state change it reports and
 * published from the table's stream (an INSERT of a key starting with OUTBOX_PREFIX); kept 7 days by TTL.
 */
export const OUTBOX_PREFIX = 'OUTBOX#';
export const outboxKey = (eventId: string) => ({ PK: `${OUTBOX_PREFIX}${eventId}`, SK: 'OUTBOX' });

/** R-EVT-2 idempotent consumers: one receipt per consumer and event handled, kept by TTL beyond any redelivery. */
export const consumerReceiptKey = (consumer: string, eventId: string) => ({ PK: `CONSUMED#${consumer}#${eventId}`, SK: 'CONSUMED' });

/**
 * R-OPP-9, R-SHR-1/2 shares: one item per record and user it is shared with, kept in the record's own partition;
 * GSI2 lists what is shared with a user (sort key: the record's id, so newest first like the owner partitions).
 */
export const SHARE_PREFIX = 'SHARE#';
export const SHARED_COLLECTIONS = { opportunities: 'OPPS', contacts: 'CONTACTS', companies: 'COMPANIES' } as const;
export type SharedCollection = keyof typeof SHARED_COLLECTIONS;
const sharedModels = { opportunities: opportunityModel, contacts: contactModel, companies: companyModel } satisfies Record<SharedCollection, unknown>;
export const sharedWith = (userId: string, collection: SharedCollection) => `SHAREDWITH#${userId}#${SHARED_COLLECTIONS[collection]}`;
/** The partition holding a record and its share items. */
export const sharedRecordPartition = (collection: SharedCollection, recordId: string) => sharedModels[collection].key(recordId).PK;
export const shareKey = (collection: SharedCollection, recordId: string, userId: string) => ({
  PK: sharedRecordPartition(collection, recordId),
  SK: `${SHARE_PREFIX}${userId}`,
});
export const shareIndexKeys = (collection: SharedCollection, recordId: string, userId: string) => ({
  GSI2PK: sharedWith(userId, collection),
  GSI2SK: recordId,
});

/**
 * R-PS-6 / R-SHR-1 post-sale grants: a process assigned (or one of its tasks) to a user lets it see the process's
 * opportunity and that opportunity's contact and company. One item per record and user, in the record's partition
 * beside its shares but under another prefix (so that unsharing never removes a grant, nor a grant blocks an
 * unshare), listed in the same shared-with partition (GSI2) as the shares: a listing merges them by record id.
 * An opportunity's grant names the parties its user was granted with it; a contact's or company's grant holds the
 * set of opportunities it comes from (`grantedVia`) and goes when the last one does.
 */
export const POSTSALE_GRANT_PREFIX = 'PSGRANT#';
export const postSaleGrantKey = (collection: SharedCollection, recordId: string, userId: string) => ({
  PK: sharedRecordPartition(collection, recordId),
  SK: `${POSTSALE_GRANT_PREFIX}${userId}`,
});

/**
 * "In use" (shared/db/uses.ts): one item per record that uses another (an opportunity its stage, contact and
 * company; a lead its status; a contact its company), kept in the used record's partition, written with the user.
 */
export const USE_PREFIX = 'USEDBY#';
/** The use of `used` by `user` (its key, e.g. `OPP#<id>`), so the uses of one kind share a sort-key prefix. */
export const useKey = (used: { PK: string }, user: { PK: string }) => ({ PK: used.PK, SK: `${USE_PREFIX}${user.PK}` });

// ---------------------------------------------------------------------------------------------------------------
// Post-sale processes (SPEC §7, R-PS-1..8)

/** R-PS-1 templates: a small collection (GSI1), oldest first by id. */
export const postSaleTemplateModel = entity<PostSaleTemplate>('Post-sale template', 'PSTEMPLATE', (template) => ({
  GSI1PK: COLLECTIONS.postSaleTemplates,
  GSI1SK: template.id,
}));

/** R-PS-1 the one default template: a pointer holding its id, versioned so that two switches cannot both win. */
export const defaultTemplateKey = () => ({ PK: COLLECTIONS.postSaleTemplates, SK: 'DEFAULT' });

/**
 * R-PS-2..R-PS-4 processes. GSI1: all of them; GSI2: those of one owner (its assignee, else the opportunity's
 * owner); GSI5: those of one derived status. Sort keys are ids: newest first.
 */
export const postSaleProcessModel = entity<PostSaleProcess>('Post-sale process', 'POSTSALE', (process) => ({
  GSI1PK: COLLECTIONS.postSaleProcesses,
  GSI1SK: process.id,
  GSI2PK: ownedBy(process.ownerId, COLLECTIONS.postSaleProcesses),
  GSI2SK: process.id,
  GSI5PK: processesWithStatus(process.status),
  GSI5SK: process.id,
}));
export const processesWithStatus = (status: PostSaleProcess['status']) => `${COLLECTIONS.postSaleProcesses}#${status}`;

/** R-PS-2 one process per opportunity: a guard in the opportunity's partition holding the process's id. */
export const postSaleGuardKey = (opportunityId: string) => ({ PK: opportunityModel.key(opportunityId).PK, SK: 'POSTSALE' });

/**
 * Index items of a process, kept in its own partition and written in the process's transaction (the difference
 * between before and after): one per task that has a pending reminder or an open assignee, one per label, one per
 * user who may see it.
 */
export const POSTSALE_ITEM_PREFIXES = { task: 'TASK#', label: 'LABEL#', grant: 'GRANT#' } as const;
export const postSaleItemKey = (processId: string, kind: keyof typeof POSTSALE_ITEM_PREFIXES, name: string) => ({
  PK: postSaleProcessModel.key(processId).PK,
  SK: `${POSTSALE_ITEM_PREFIXES[kind]}${name}`,
});

/** R-PS-8 (GSI3, sparse): the tasks whose reminder is pending, by `reminderAt#taskId`: a Query up to now reads the due ones. */
export const POSTSALE_REMINDERS = 'POSTSALEREMINDERS';
export const reminderSortKey = (reminderAt: string, taskId: string) => `${reminderAt}#${taskId}`;
/** R-PS-6 (GSI4, sparse): the open tasks assigned to a user, whoever owns their process. */
export const openTasksOf = (userId: string) => `USER#${userId}#OPENTASKS`;
/** R-PS-5 (GSI3): the processes with a label (case-folded), newest first. */
export const processesLabelled = (label: string) => `POSTSALELABEL#${label}`;
/** R-PS-6 (GSI2): the processes a user may see (owner, assignee, a task's assignee), newest first. */
export const processesVisibleTo = (userId: string) => `POSTSALES#VISIBLETO#${userId}`;

/** R-PS-8 a reminder sent: one receipt per task and reminder time (a rescheduled reminder is another one). */
export const reminderReceiptKey = (taskId: string, reminderAt: string) => ({ PK: `REMINDER#${taskId}#${reminderAt}`, SK: 'REMINDER' });

/**
 * R-PS-8 calendar feeds. The secret token is never stored: the item of a token is keyed by its SHA-256 (a lookup
 * by key, no comparison of secrets) and names its user; the user's current feed names that hash, so issuing a new
 * token deletes the old token's item in the same transaction (rotation: the old URL answers 404).
 */
export const calendarTokenKey = (tokenHash: string) => ({ PK: `CALFEED#${tokenHash}`, SK: 'CALFEED' });
export const userCalendarFeedKey = (userId: string) => ({ PK: `CALFEEDOF#${userId}`, SK: 'CALFEED' });

/**
 * Issue 12 buy-now links (R-BUY-1..3): a link lives in its opportunity's partition (listed with it); its token is
 * never stored, only its SHA-256, as the key of an item naming the link (a lookup by hash: no string compare).
 */
export const BUYNOW_LINK_PREFIX = 'BUYNOW#';
export const buyNowLinkKey = (opportunityId: string, linkId: string) => ({ PK: opportunityModel.key(opportunityId).PK, SK: `${BUYNOW_LINK_PREFIX}${linkId}` });
export const buyNowTokenKey = (tokenHash: string) => ({ PK: `BUYNOWTOKEN#${tokenHash}`, SK: 'BUYNOWTOKEN' });
/** R-BUY-3: a Stripe event already handled (a replayed event id changes nothing). */
export const stripeEventKey = (eventId: string) => ({ PK: `STRIPEEVENT#${eventId}`, SK: 'STRIPEEVENT' });
/** The rep's mail about a link's click of one day, or its purchase, sent once. */
export const buyNowMailReceiptKey = (linkId: string, what: string) => ({ PK: `BUYNOWMAIL#${linkId}#${what}`, SK: 'BUYNOWMAIL' });

// ---------------------------------------------------------------------------------------------------------------
// R-OPP-11 pipeline board totals (issue 16), kept by the `board-totals` consumer

/**
 * Counters of the open, active opportunities: one item per stage and currency (`-` for opportunities without a
 * value), for the whole tenant (`BOARD#ALL`) and per owner. Holds `count`, `amount` and `weighted` (Σ amount ×
 * probability: hundredths of minor units, divided once when read). A summary queries one partition.
 */
export const BOARD_ALL = 'BOARD#ALL';
export const boardOwnerPartition = (ownerId: string) => `BOARD#OWNER#${ownerId}`;
export const NO_CURRENCY = '-';
export const boardCounterKey = (partition: string, stageId: string, currency: string | null) => ({ PK: partition, SK: `${stageId}#${currency ?? NO_CURRENCY}` });

/** What one opportunity adds to the counters, at the record version it was computed from (replays and late events are no-ops). */
export const boardContributionKey = (opportunityId: string) => ({ PK: `BOARD#OPP#${opportunityId}`, SK: 'CONTRIBUTION' });

/**
 * Issue 13 item 4: an event the bus refused, kept (with its whole event) until a redrive republishes it. One
 * partition, sorted by event id (time): found with a key query, no index. Written only when the bus refuses.
 */
export const UNPUBLISHED_PARTITION = 'UNPUBLISHED';
export const unpublishedKey = (eventId: string) => ({ PK: UNPUBLISHED_PARTITION, SK: `EVENT#${eventId}` });

// ---------------------------------------------------------------------------------------------------------------
// Search (SPEC §1 "Search", issue 14): index items derived from a record, written and removed in its transaction.

/**
 * One item per indexed word of a record (shared/domain/search.ts): partition by entity and the word's first two
 * characters (`bucketOf`: a query reads one partition; ~1,000 partitions per entity, so no hot one), sort key
 * `<word>#<id>`, read strongly consistent on the table by staff. The same item is in the owner's partition of GSI2
 * (`SEARCH#<entity>#OWNER#<ownerId>#<bucket>`), which a rep's search reads, so it reads its own matches only.
 */
export const searchWordPartition = (entity: string, bucket: string) => `SEARCH#${entity}#${bucket}`;
export const ownedSearchWordPartition = (entity: string, ownerId: string, bucket: string) => `SEARCH#${entity}#OWNER#${ownerId}#${bucket}`;

/**
 * One item per tag of a record (lower-cased tag key): partition by entity and tag, sort key the record's id (newest
 * first), and the same in the owner's partition of GSI2. A tag on most records is one large partition: DynamoDB splits
 * it by sort key under load, and a tag page reads its matches only.
 */
export const taggedPartition = (entity: string, tagKey: string) => `TAGGED#${entity}#${tagKey}`;
export const ownedTaggedPartition = (entity: string, ownerId: string, tagKey: string) => `TAGGED#${entity}#OWNER#${ownerId}#${tagKey}`;
