import type { AppContext } from '../app-context.ts';
import { withVisibleCustomFields, type CustomFieldValues } from '../domain/custom-fields.ts';
import type { CustomFieldEntity } from '../schemas/custom-fields.ts';
import { customFieldDefinitions } from './pipeline-config.ts';
import type { BaseRecord, EntityModel } from './records.ts';
import { queryPage, requireRecord, type ListQuery, type Page } from './store.ts';

/**
 * Reads of records with custom fields as clients are shown them: values whose definition was deleted stay stored
 * but are hidden (R-CFG-4). The entity's definitions are read in parallel with the records.
 */

type WithCustomFields = { customFields: CustomFieldValues };

export async function requireShownRecord<T extends BaseRecord & WithCustomFields>(
  ctx: AppContext,
  model: EntityModel<T>,
  entity: CustomFieldEntity,
  id: string,
  canSee: (record: T) => boolean,
): Promise<T> {
  const [record, definitions] = await Promise.all([requireRecord(ctx, model, id, canSee), customFieldDefinitions(ctx, entity)]);
  return withVisibleCustomFields(record, definitions);
}

export async function queryShownPage<T extends WithCustomFields>(ctx: AppContext, entity: CustomFieldEntity, query: ListQuery): Promise<Page<T>> {
  const [page, definitions] = await Promise.all([queryPage<T>(ctx, query), customFieldDefinitions(ctx, entity)]);
  return { items: page.items.map((record) => withVisibleCustomFields(record, definitions)), nextCursor: page.nextCursor };
}
