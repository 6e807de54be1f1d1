import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AppContext } from '../app-context.ts';
import { validationFailed, type FieldError } from '../http/problem.ts';
import type { Company } from '../schemas/contacts.ts';
import { companyModel, userModel } from './keys.ts';
import { getRecord, type ExtraWrite } from './store.ts';
import { indexKeys, type IndexName } from './table-definition.ts';

/** Checks of the records a contact or company points to (R-CON-1), answered as field errors. */

const UNKNOWN_COMPANY: FieldError = { path: 'companyId', message: 'No such company' };

export async function ownerErrors(ctx: AppContext, ownerId: string): Promise<FieldError[]> {
  const owner = await getRecord(ctx, userModel, ownerId);
  return owner?.active ? [] : [{ path: 'ownerId', message: 'Must name an active user' }];
}

/** A company the caller may not see is reported exactly like a missing one. */
export async function companyErrors(ctx: AppContext, companyId: string, canSee: (company: Company) => boolean): Promise<FieldError[]> {
  const company = await getRecord(ctx, companyModel, companyId);
  return company && canSee(company) ? [] : [UNKNOWN_COMPANY];
}

/** Commits a contact's write only if its company still exists (it may be deleted between check and write). */
export const companyStillExists = (ctx: AppContext, companyId: string): ExtraWrite => ({
  write: { ConditionCheck: { TableName: ctx.tableName, Key: companyModel.key(companyId), ConditionExpression: 'attribute_exists(PK)' } },
  onConditionFailed: validationFailed([UNKNOWN_COMPANY]),
});

/** Whether an index partition holds anything (e.g. "does this company still have employees?"). */
export async function partitionHasItems(ctx: AppContext, index: IndexName, partition: string): Promise<boolean> {
  const { partitionKey } = indexKeys(index);
  const answer = await ctx.db.send(
    new QueryCommand({
      TableName: ctx.tableName,
      IndexName: index,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': partitionKey },
      ExpressionAttributeValues: { ':pk': partition },
      Limit: 1,
    }),
  );
  return (answer.Items?.length ?? 0) > 0;
}
