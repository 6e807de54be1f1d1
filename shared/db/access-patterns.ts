import type { CustomerStatus, ProspectStatus } from '../schemas/contacts.ts';
import type { CustomFieldEntity } from '../schemas/custom-fields.ts';
import type { Opportunity } from '../schemas/opportunities.ts';
import type { Reason } from '../schemas/pipeline.ts';
import type { ProcessStatus } from '../schemas/post-sale.ts';
import {
  COLLECTIONS,
  customFieldsOf,
  employeesOf,
  leadsIn,
  leadsInProgressIn,
  leadsWithStatus,
  opportunitiesInStage,
  opportunitiesOfCompany,
  opportunitiesOfContact,
  opportunitiesWithStatus,
  ownedBy,
  ownedSearchWordPartition,
  ownedTaggedPartition,
  openTasksOf,
  POSTSALE_REMINDERS,
  processesLabelled,
  processesVisibleTo,
  processesWithStatus,
  reasonsOfKind,
  sharedWith as sharedWithPartition,
  withCustomerStatus,
  withProspectStatus,
  type SharedCollection,
} from './keys.ts';
import type { IndexName, IndexPartition } from './table-definition.ts';

/**
 * Every Query on an index, by name: `opportunities.ofContact(id)` is the index and partition that hold a contact's
 * opportunities. The partitions are the ones the entity models of keys.ts write (docs/data-model.md); the index
 * names appear here and in the table definition only. Each pattern also tells its index (`opportunities.ofContact.index`),
 * for what declares the indexes a function queries.
 */
export type AccessPattern<A extends unknown[]> = ((...args: A) => IndexPartition) & { readonly index: IndexName };

const pattern = <A extends unknown[]>(index: IndexName, partition: (...args: A) => string): AccessPattern<A> =>
  Object.assign((...args: A) => ({ index, partition: partition(...args) }), { index });

export const users = { all: pattern('GSI1', () => COLLECTIONS.users) };

export const groups = { all: pattern('GSI1', () => COLLECTIONS.groups) };

/** In pipeline order (ascending). */
export const stages = { inOrder: pattern('GSI1', () => COLLECTIONS.stages) };

export const reasons = {
  all: pattern('GSI1', () => COLLECTIONS.reasons),
  ofKind: pattern('GSI2', (kind: Reason['kind']) => reasonsOfKind(kind)),
};

export const customFields = {
  all: pattern('GSI1', () => COLLECTIONS.customFields),
  of: pattern('GSI2', (entity: CustomFieldEntity) => customFieldsOf(entity)),
};

/** In their `order` (ascending). */
export const leadStatuses = { inOrder: pattern('GSI1', () => COLLECTIONS.leadStatuses) };

/** Contacts and companies are listed alike (R-CON-4); only contacts have an employer. */
const parties = (collection: string) => ({
  all: pattern('GSI1', () => collection),
  ownedBy: pattern('GSI2', (ownerId: string) => ownedBy(ownerId, collection)),
  withProspectStatus: pattern('GSI4', (status: ProspectStatus) => withProspectStatus(collection, status)),
  withCustomerStatus: pattern('GSI5', (status: CustomerStatus) => withCustomerStatus(collection, status)),
});

export const contacts = { ...parties(COLLECTIONS.contacts), employeesOf: pattern('GSI3', (companyId: string) => employeesOf(companyId)) };

export const companies = parties(COLLECTIONS.companies);

type OpportunityStatus = Opportunity['status'];

export const opportunities = {
  withStatus: pattern('GSI1', (status: OpportunityStatus) => opportunitiesWithStatus(status)),
  ownedBy: pattern('GSI2', (ownerId: string, status: OpportunityStatus) => ownedBy(ownerId, opportunitiesWithStatus(status))),
  ofContact: pattern('GSI3', (contactId: string) => opportunitiesOfContact(contactId)),
  /** A company's own opportunities (its employees' are theirs: `ofContact`). */
  ofCompany: pattern('GSI4', (companyId: string) => opportunitiesOfCompany(companyId)),
  inStage: pattern('GSI5', (stageId: string) => opportunitiesInStage(stageId)),
};

export const leads = {
  all: pattern('GSI1', (lost: boolean) => leadsIn(lost)),
  ownedBy: pattern('GSI2', (ownerId: string, lost: boolean) => ownedBy(ownerId, leadsIn(lost))),
  /** Sparse: only leads in progress (not lost, not concluded), sorted by when they entered the status. */
  inProgressIn: pattern('GSI4', (statusId: string) => leadsInProgressIn(statusId)),
  withStatus: pattern('GSI5', (statusId: string) => leadsWithStatus(statusId)),
};

/** R-SHR-1 the records of one collection shared with a user, newest first like the owner partitions. */
export const sharedWith = pattern('GSI2', (userId: string, collection: SharedCollection) => sharedWithPartition(userId, collection));

/** R-PS-1 templates, oldest first. */
export const postSaleTemplates = { all: pattern('GSI1', () => COLLECTIONS.postSaleTemplates) };

/** R-PS-2..R-PS-8 processes and their index items (keys.ts), newest first unless said otherwise. */
export const postSaleProcesses = {
  all: pattern('GSI1', () => COLLECTIONS.postSaleProcesses),
  ownedBy: pattern('GSI2', (ownerId: string) => ownedBy(ownerId, COLLECTIONS.postSaleProcesses)),
  withStatus: pattern('GSI5', (status: ProcessStatus) => processesWithStatus(status)),
  /** Label items: `processId` of each process with the label (case-folded). */
  labelled: pattern('GSI3', (label: string) => processesLabelled(label)),
  /** Grant items: `processId` of each process the user may see. */
  visibleTo: pattern('GSI2', (userId: string) => processesVisibleTo(userId)),
  /** Task items (sparse): the user's open tasks. */
  openTasksOf: pattern('GSI4', (userId: string) => openTasksOf(userId)),
  /** Task items (sparse): pending reminders by `reminderAt#taskId` (ascending: oldest due first). */
  reminders: pattern('GSI3', () => POSTSALE_REMINDERS),
};

/** Search (issue 14): the index items of a rep's own records, by word bucket (sort key `<word>#<id>`) and by tag (sort key id). */
export const search = {
  ownWords: pattern('GSI2', (entity: string, ownerId: string, bucket: string) => ownedSearchWordPartition(entity, ownerId, bucket)),
  ownTagged: pattern('GSI2', (entity: string, ownerId: string, tagKey: string) => ownedTaggedPartition(entity, ownerId, tagKey)),
};
