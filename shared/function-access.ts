import type { IndexName } from './db/table-definition.ts';

/**
 * DynamoDB actions on the table's own items, as IAM names them. Each item of a TransactWriteItems is authorised
 * as PutItem, UpdateItem, DeleteItem or ConditionCheckItem. No Scan: every access pattern is a key or index query.
 */
export type ItemAction = 'GetItem' | 'BatchGetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'ConditionCheckItem' | 'BatchWriteItem';

/**
 * What one Lambda function's code calls besides writing its own logs: an API route group, an event consumer or a
 * scheduled job declares it next to its code, the stack grants exactly this (infra/constructs/grant-access.ts), and
 * the integration tests record every call the code makes and check it against the declaration
 * (test/integration/function-access.test.ts for route groups and jobs, consumer-grants.test.ts for consumers).
 */
export interface FunctionAccess {
  /** DynamoDB actions on the table's items. */
  items: readonly ItemAction[];
  /** The indexes it queries (Query on each, never `index/*`). */
  queryIndexes: readonly IndexName[];
  /** Reads the cursor secret: a listing with a next page signs its cursor, and a given cursor is checked. */
  cursorSecret?: boolean;
  /** Sends mail from the stack's SES identity. */
  sendMail?: boolean;
  /** Creates and updates users of the tenant's Cognito user pool (shared/auth/user-directory.ts). */
  userDirectory?: boolean;
  /** Reads the Stripe webhook's signing secret (R-BUY-3, functions/api/buy-now-webhook.ts). */
  stripeWebhookSecret?: boolean;
}
