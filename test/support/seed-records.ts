import type { AppContext } from '../../shared/app-context.ts';
import { contactModel } from '../../shared/db/keys.ts';
import { toItem } from '../../shared/db/records.ts';
import { searchTermsOf } from '../../shared/db/search-index.ts';
import { batchWriteAll, newRecord } from '../../shared/db/store.ts';
import { newContactFields, type ContactInput } from '../../shared/domain/parties.ts';

/**
 * Many contacts written straight through the store (BatchWriteItem), each with its search index items, as the
 * writers would: for tests and the bench that need a large table fast. Answers the ids, in the order given.
 */
export async function seedContacts(ctx: AppContext, ownerId: string, inputs: readonly ContactInput[]): Promise<string[]> {
  const records = inputs.map((input) => newRecord(ctx, newContactFields(input, ownerId, {})));
  const items = records.flatMap((record) => [toItem(contactModel, record), ...searchTermsOf('contacts', record)]);
  await batchWriteAll(ctx, items.map((Item) => ({ PutRequest: { Item } })));
  return records.map((record) => record.id);
}
