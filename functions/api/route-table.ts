import { contractsOf, type GroupName } from '../../shared/contracts/index.ts';
import type { FunctionAccess, ItemAction } from '../../shared/function-access.ts';
import type { AnyContract } from '../../shared/http/contract.ts';

/**
 * The API's route groups: one Lambda function each, whose handler lives in `functions/api/<name>.ts` (exported as
 * `handler`). The CDK stack reads this table without loading any handler code: the routes are the group's contracts.
 */
export interface RouteGroup {
  name: GroupName;
  contracts: readonly AnyContract[];
  /**
   * What the group's code calls besides writing its logs: the stack grants exactly this, and
   * test/integration/function-access.test.ts checks it against the calls of every route.
   */
  access: FunctionAccess;
}

/**
 * Records read and written one by one, and the Idempotency-Key of any POST (shared/http/idempotency.ts): claimed
 * (PutItem), replayed (GetItem), completed with the answer (UpdateItem) or released when the request failed (DeleteItem).
 */
const RECORDS: readonly ItemAction[] = ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'];
/** An aggregate's transaction (shared/db/store.ts writeAll): the guards and uses it checks are ConditionCheckItem. */
const TRANSACTIONS: readonly ItemAction[] = ['ConditionCheckItem'];

export const routeGroups: readonly RouteGroup[] = [
  {
    name: 'users',
    contracts: contractsOf('users'),
    // GSI1: the user list, the user with an email, the other active admins. BatchGetItem: a batch read by id (?id=).
    access: { items: [...RECORDS, 'BatchGetItem'], queryIndexes: ['GSI1'], cursorSecret: true, userDirectory: true },
  },
  {
    name: 'contacts',
    contracts: contractsOf('contacts'),
    // BatchGetItem: parties shared with a rep; Query: a party's use items before its deletion. Every index: the list
    // planners' partitions (shared/domain/parties.ts), custom fields, a party's opportunities and employees.
    access: { items: [...RECORDS, ...TRANSACTIONS, 'BatchGetItem', 'Query'], queryIndexes: ['GSI1', 'GSI2', 'GSI3', 'GSI4', 'GSI5'], cursorSecret: true },
  },
  {
    name: 'pipeline',
    contracts: contractsOf('pipeline'),
    // BatchGetItem: the stages the settings name; Query: use items before a deletion. GSI1: stages and reasons,
    // GSI2: reasons of a kind, GSI5: a stage's opportunities before its deletion.
    access: { items: [...RECORDS, ...TRANSACTIONS, 'BatchGetItem', 'Query'], queryIndexes: ['GSI1', 'GSI2', 'GSI5'], cursorSecret: true },
  },
  {
    name: 'custom-fields',
    contracts: contractsOf('custom-fields'),
    // GSI1: every field, GSI2: the fields of an entity.
    access: { items: RECORDS, queryIndexes: ['GSI1', 'GSI2'], cursorSecret: true },
  },
  {
    name: 'groups',
    contracts: contractsOf('groups'),
    // BatchGetItem: the members named; GSI1: the group list.
    access: { items: [...RECORDS, 'BatchGetItem'], queryIndexes: ['GSI1'], cursorSecret: true },
  },
  {
    name: 'opportunities',
    contracts: contractsOf('opportunities'),
    // BatchGetItem: duplicate guards' opportunities, records shared with a rep, ?id= and ?expand=. Every index: the list
    // planner (shared/domain/opportunities.ts) and a rep's shares. Query: the board's counters (R-OPP-11) and the
    // search index's partitions (shared/db/search.ts).
    access: { items: [...RECORDS, ...TRANSACTIONS, 'BatchGetItem', 'Query'], queryIndexes: ['GSI1', 'GSI2', 'GSI3', 'GSI4', 'GSI5'], cursorSecret: true },
  },
  {
    name: 'leads',
    contracts: contractsOf('leads'),
    // Query: a lead's history; BatchWriteItem: a deleted lead's history. GSI1: leads and statuses, GSI2: a rep's
    // leads and the custom fields, GSI4: overdue leads, GSI5: the leads of a status.
    // BatchGetItem: ?id= and ?expand= (issue 16).
    access: { items: [...RECORDS, ...TRANSACTIONS, 'Query', 'BatchWriteItem', 'BatchGetItem'], queryIndexes: ['GSI1', 'GSI2', 'GSI4', 'GSI5'], cursorSecret: true },
  },
  {
    name: 'opportunity-lifecycle',
    contracts: contractsOf('opportunity-lifecycle'),
    // BatchGetItem: bulk restores, merges and duplicate guards; Query: history and notes. GSI2: the custom fields
    // of opportunities (a merge's values).
    access: { items: [...RECORDS, ...TRANSACTIONS, 'BatchGetItem', 'Query'], queryIndexes: ['GSI2'], cursorSecret: true },
  },
  {
    name: 'opportunity-shares',
    contracts: contractsOf('opportunity-shares'),
    // Query: an opportunity's shares. Unsharing checks the other opportunities of its contact and company (GSI3,
    // GSI4) and their shares (BatchGetItem).
    access: { items: [...RECORDS, ...TRANSACTIONS, 'BatchGetItem', 'Query'], queryIndexes: ['GSI3', 'GSI4'], cursorSecret: true },
  },
  {
    name: 'post-sale',
    contracts: contractsOf('post-sale'),
    // BatchGetItem: the processes a listing's index items name, the users a process names, the statuses of the
    // summary. GSI1: templates and processes, GSI2: an owner's and a grantee's processes, GSI3: a label's, GSI4: a
    // user's open tasks, GSI5: the processes of a status.
    access: { items: [...RECORDS, 'BatchGetItem'], queryIndexes: ['GSI1', 'GSI2', 'GSI3', 'GSI4', 'GSI5'], cursorSecret: true },
  },
  {
    name: 'calendar',
    contracts: contractsOf('calendar'),
    // R-PS-8: GetItem the token's item, the user's feed and the user; a rotation's transaction puts the new token and
    // the user's feed and deletes the old token (PutItem, DeleteItem). GSI4: the user's open tasks; BatchGetItem: their
    // processes and opportunities. No idempotency record: the answer holds a secret (contract `secretResponse`).
    access: { items: ['GetItem', 'PutItem', 'DeleteItem', 'BatchGetItem'], queryIndexes: ['GSI4'] },
  },
  {
    name: 'openapi',
    contracts: contractsOf('openapi'),
    access: { items: [], queryIndexes: [] },
  },
  {
    name: 'buy-now',
    contracts: contractsOf('buy-now'),
    // Issue 12 (R-BUY-1..2): GetItem the token's item, the link, the opportunity, the settings, the owner, the default
    // template and a mail receipt; a purchase's transaction puts the opportunity, its history, guard, stage use and
    // events, the tagged contact (PutItem), moves the stage use (DeleteItem), updates the link (UpdateItem) and checks
    // the win stage (ConditionCheckItem); clicks are counted (UpdateItem); Query: the links of an opportunity (its
    // partition, no index). No idempotency record: the link's answer holds a secret, the public routes have no caller.
    access: { items: [...RECORDS, ...TRANSACTIONS, 'Query'], queryIndexes: [], cursorSecret: true, sendMail: true },
  },
  {
    name: 'buy-now-webhook',
    contracts: contractsOf('buy-now-webhook'),
    // R-BUY-3: the purchase of buy-now (same reads and transaction) with the Stripe event's receipt (PutItem), and the
    // only function that reads the webhook's signing secret.
    access: { items: [...RECORDS, ...TRANSACTIONS], queryIndexes: [], sendMail: true, stripeWebhookSecret: true },
  },
];
