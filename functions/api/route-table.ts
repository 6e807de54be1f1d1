import type { FunctionAccess, ItemAction } from '../../shared/function-access.ts';
import type { Route } from '../../shared/http/route.ts';
import { contactRoutes } from './contacts.ts';
import { customFieldRoutes } from './custom-fields.ts';
import { groupRoutes } from './groups.ts';
import { leadConversionRoutes } from './lead-conversion.ts';
import { leadStatusRoutes } from './lead-statuses.ts';
import { leadRoutes } from './leads.ts';
import { apiDocument } from './openapi-document.ts';
import { openApiRoutes, SHIPPED_DOCUMENT } from './openapi.ts';
import { opportunityRoutes } from './opportunities.ts';
import { opportunityLifecycleRoutes } from './opportunity-lifecycle.ts';
import { opportunityShareRoutes } from './opportunity-shares.ts';
import { pipelineRoutes } from './pipeline.ts';
import { userRoutes } from './users.ts';

/**
 * Every route of the API, grouped by the Lambda function that serves it. A group's handler lives in
 * `functions/api/<name>.ts` (exported as `handler`); the CDK stack, the local server, the OpenAPI document
 * and the contract tests all read this table.
 */
export interface RouteGroup {
  name: string;
  routes: readonly Route[];
  /**
   * What the group's code calls besides writing its logs: the stack grants exactly this, and
   * test/integration/function-access.test.ts checks it against the calls of every route.
   */
  access: FunctionAccess;
  /**
   * Built when the stack is synthesized and shipped beside the bundle instead of being computed by the function:
   * each file's name and content, and the modules (paths from the repository root) the bundle then leaves out.
   */
  shipped?: { files: () => Record<string, string>; leftOut: readonly string[] };
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
    routes: userRoutes,
    // GSI1: the user list, the user with an email, the other active admins.
    access: { items: RECORDS, queryIndexes: ['GSI1'], cursorSecret: true, userDirectory: true },
  },
  {
    name: 'contacts',
    routes: contactRoutes,
    // BatchGetItem: parties shared with a rep; Query: a party's use items before its deletion. Every index: the list
    // planners' partitions (shared/domain/parties.ts), custom fields, a party's opportunities and employees.
    access: { items: [...RECORDS, ...TRANSACTIONS, 'BatchGetItem', 'Query'], queryIndexes: ['GSI1', 'GSI2', 'GSI3', 'GSI4', 'GSI5'], cursorSecret: true },
  },
  {
    name: 'pipeline',
    routes: pipelineRoutes,
    // BatchGetItem: the stages the settings name; Query: use items before a deletion. GSI1: stages and reasons,
    // GSI2: reasons of a kind, GSI5: a stage's opportunities before its deletion.
    access: { items: [...RECORDS, ...TRANSACTIONS, 'BatchGetItem', 'Query'], queryIndexes: ['GSI1', 'GSI2', 'GSI5'], cursorSecret: true },
  },
  {
    name: 'custom-fields',
    routes: customFieldRoutes,
    // GSI1: every field, GSI2: the fields of an entity.
    access: { items: RECORDS, queryIndexes: ['GSI1', 'GSI2'], cursorSecret: true },
  },
  {
    name: 'groups',
    routes: groupRoutes,
    // BatchGetItem: the members named; GSI1: the group list.
    access: { items: [...RECORDS, 'BatchGetItem'], queryIndexes: ['GSI1'], cursorSecret: true },
  },
  {
    name: 'opportunities',
    routes: opportunityRoutes,
    // BatchGetItem: duplicate guards' opportunities, records shared with a rep. Every index: the list planner
    // (shared/domain/opportunities.ts) and a rep's shares.
    access: { items: [...RECORDS, ...TRANSACTIONS, 'BatchGetItem'], queryIndexes: ['GSI1', 'GSI2', 'GSI3', 'GSI4', 'GSI5'], cursorSecret: true },
  },
  {
    name: 'leads',
    routes: [...leadStatusRoutes, ...leadRoutes, ...leadConversionRoutes],
    // Query: a lead's history; BatchWriteItem: a deleted lead's history. GSI1: leads and statuses, GSI2: a rep's
    // leads and the custom fields, GSI4: overdue leads, GSI5: the leads of a status.
    access: { items: [...RECORDS, ...TRANSACTIONS, 'Query', 'BatchWriteItem'], queryIndexes: ['GSI1', 'GSI2', 'GSI4', 'GSI5'], cursorSecret: true },
  },
  {
    name: 'opportunity-lifecycle',
    routes: opportunityLifecycleRoutes,
    // BatchGetItem: bulk restores, merges and duplicate guards; Query: history and notes. GSI2: the custom fields
    // of opportunities (a merge's values).
    access: { items: [...RECORDS, ...TRANSACTIONS, 'BatchGetItem', 'Query'], queryIndexes: ['GSI2'], cursorSecret: true },
  },
  {
    name: 'opportunity-shares',
    routes: opportunityShareRoutes,
    // Query: an opportunity's shares. Unsharing checks the other opportunities of its contact and company (GSI3,
    // GSI4) and their shares (BatchGetItem).
    access: { items: [...RECORDS, ...TRANSACTIONS, 'BatchGetItem', 'Query'], queryIndexes: ['GSI3', 'GSI4'], cursorSecret: true },
  },
  {
    name: 'openapi',
    routes: openApiRoutes,
    access: { items: [], queryIndexes: [] },
    // Every route group's code would more than double this function's bundle: it ships the document instead.
    shipped: { files: () => ({ [SHIPPED_DOCUMENT]: JSON.stringify(apiDocument()) }), leftOut: ['./functions/api/openapi-document.ts'] },
  },
];

export const apiRoutes = (): Route[] => routeGroups.flatMap((group) => group.routes);
