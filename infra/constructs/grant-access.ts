import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as ses from 'aws-cdk-lib/aws-ses';
import type { FunctionAccess } from '../../shared/function-access.ts';
import type { CrmTable } from './crm-table.ts';
import type { TenantUserPool } from './tenant-user-pool.ts';

/** What an access may name. A kind of function is handed only the resources the stack means it to have. */
export interface AccessTargets {
  table: CrmTable;
  cursorSecret?: secretsmanager.ISecret;
  mailIdentity?: ses.EmailIdentity;
  users?: TenantUserPool;
  /** R-BUY-3: the Stripe webhook's signing secret. */
  stripeWebhookSecret?: secretsmanager.ISecret;
}

/**
 * Grants exactly `access` (shared/function-access.ts), the one way every function of the stack gets its rights
 * (route groups, event consumers, scheduled jobs): its item actions on the table, Query on each index it names
 * (never `index/*`), and, when declared, reading the cursor secret, SendEmail from the stack's identity and the
 * Cognito admin calls on the tenant's pool.
 */
export function grantAccess(grantee: iam.IGrantable, access: FunctionAccess, targets: AccessTargets): void {
  const { tableArn } = targets.table.table;
  if (access.items.length > 0) {
    iam.Grant.addToPrincipal({ grantee, actions: [...new Set(access.items)].map((action) => `dynamodb:${action}`), resourceArns: [tableArn] });
  }
  if (access.queryIndexes.length > 0) {
    iam.Grant.addToPrincipal({ grantee, actions: ['dynamodb:Query'], resourceArns: access.queryIndexes.map((index) => `${tableArn}/index/${index}`) });
  }
  if (access.cursorSecret) handed(targets.cursorSecret, 'the cursor secret').grantRead(grantee);
  if (access.sendMail) handed(targets.mailIdentity, 'a mail identity').grant(grantee, 'ses:SendEmail');
  if (access.userDirectory) handed(targets.users, 'the user directory').grantDirectoryAdmin(grantee);
  if (access.stripeWebhookSecret) handed(targets.stripeWebhookSecret, 'the Stripe webhook secret').grantRead(grantee);
}

function handed<T>(target: T | undefined, what: string): T {
  if (target === undefined) throw new Error(`The access declares ${what}, which the stack does not hand to this kind of function`);
  return target;
}
