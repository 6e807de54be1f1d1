import type { AppContext } from '../app-context.ts';
import { withVisibleCustomFields, type CustomFieldValues } from '../domain/custom-fields.ts';
import type { CustomFieldEntity } from '../schemas/custom-fields.ts';
import { customFieldDefinitions } from './pipeline-config.ts';
import type { BaseRecord, EntityModel } from './records.ts';
import { queryPage, requireRecord, type ListQuery, type Page } from './store.ts';

/**
 * Reads of records with custom fields as clients are shown them: values whose definition was deleted stay stored
 * but are hidden (R-CFG-4). The entity's definitions are read only when a record has custom values at all, so
 * a record without any costs one read.
 */

type WithCustomFields = { customFields: CustomFieldValues };

async function shown<T extends WithCustomFields>(ctx: AppContext, entity: CustomFieldEntity, records: T[]): Promise<T[]> {
  if (!records.some((record) => Object.keys(record.customFields).length > 0)) return records;
  const definitions = await customFieldDefinitions(ctx, entity);
  return records.map((record) => withVisibleCustomFields(record, definitions));
}

export async function requireShownRecord<T extends BaseRecord & WithCustomFields>(
  ctx: AppContext,
  model: EntityModel<T>,
  entity: CustomFieldEntity,
  id: string,
  canSee: (record: T) => boolean | Promise<boolean>,
): Promise<T> {
  const [record] = await shown(ctx, entity, [await requireRecord(ctx, model, id, canSee)]);
  return record!;
}

/** A page read otherwise (e.g. a merged listing, R-SHR-1) as clients are shown it. */
export async function shownRecords<T extends WithCustomFields>(ctx: AppContext, entity: CustomFieldEntity, page: Page<T>): Promise<Page<T>> {
  return { items: await shown(ctx, entity, page.items), nextCursor: page.nextCursor };
}

export async function queryShownPage<T extends WithCustomFields>(ctx: AppContext, entity: CustomFieldEntity, query: ListQuery): Promise<Page<T>> {
  const page = await queryPage<T>(ctx, query);
  return { items: await shown(ctx, entity, page.items), nextCursor: page.nextCursor };
}
