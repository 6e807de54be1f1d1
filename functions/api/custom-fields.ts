import * as z from 'zod';
import type { AppContext } from '../../shared/app-context.ts';
import { customFieldContracts } from '../../shared/contracts/custom-fields.ts';
import { customFields } from '../../shared/db/access-patterns.ts';
import { customFieldKeyGuard, customFieldModel } from '../../shared/db/keys.ts';
import { createRecord, deleteRecord, newRecord, queryPage, requireRecord, updateRecord } from '../../shared/db/store.ts';
import { filterExpression } from '../../shared/db/filter-builder.ts';
import { conflict, validationFailed } from '../../shared/domain/errors.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { implement } from '../../shared/http/route.ts';
import { createCustomFieldBody, type CustomFieldDefinition, updateCustomFieldBody } from '../../shared/schemas/custom-fields.ts';

type NewCustomField = z.infer<typeof createCustomFieldBody>;
type CustomFieldChange = z.infer<typeof updateCustomFieldBody>;

/** R-CFG-4: the key is unique per entity, enforced by a guard item committed with the definition. */
function createCustomField(ctx: AppContext, input: NewCustomField): Promise<CustomFieldDefinition> {
  const record = newRecord(ctx, input);
  return createRecord(ctx, customFieldModel, record, [
    {
      write: {
        Put: {
          TableName: ctx.tableName,
          Item: { ...customFieldKeyGuard(record.entity, record.key), customFieldId: record.id },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      onConditionFailed: conflict('duplicate_custom_field', `A ${record.entity} custom field with key ${record.key} already exists`),
    },
  ]);
}

/** Options belong to select fields only, and a select field always keeps some (the body cannot remove them). */
function changeCustomField(current: CustomFieldDefinition, change: CustomFieldChange): CustomFieldDefinition {
  if (change.options && current.type !== 'select') throw validationFailed([{ path: 'options', message: 'Only a select field has options' }]);
  return { ...current, ...change };
}

/** Deleting frees the key; values stored on records stay but are no longer returned (visibleCustomFields). */
async function deleteCustomField(ctx: AppContext, id: string, ifMatch: number | undefined): Promise<void> {
  await deleteRecord(ctx, customFieldModel, id, {
    ifMatch,
    extra: (definition) => [{ write: { Delete: { TableName: ctx.tableName, Key: customFieldKeyGuard(definition.entity, definition.key) } } }],
  });
}

export const customFieldRoutes = [
  implement(customFieldContracts.listCustomFields, ({ ctx, query: { entity, ...page } }) => {
    // A comma list is "is in" (SPEC §1): one entity reads its own partition, several filter the collection.
    const entities = [...new Set(entity ?? [])];
    const filter = entities.length > 1 ? filterExpression([{ field: 'entity', in: entities }]) : undefined;
    return queryPage<CustomFieldDefinition>(ctx, {
      ...(entities.length === 1 ? customFields.of(entities[0]!) : customFields.all()),
      ...(filter ? { filter } : {}),
      ...page,
    });
  }),
  implement(customFieldContracts.getCustomField, ({ ctx, params }) => requireRecord(ctx, customFieldModel, params.id)),
  implement(customFieldContracts.createCustomField, ({ ctx, body }) => createCustomField(ctx, body)),
  implement(customFieldContracts.updateCustomField, ({ ctx, params, body, ifMatch }) => updateRecord(ctx, customFieldModel, params.id, (current) => changeCustomField(current, body), { ifMatch })),
  implement(customFieldContracts.deleteCustomField, ({ ctx, params, ifMatch }) => deleteCustomField(ctx, params.id, ifMatch)),
];

export const handler = createApiHandler(customFieldRoutes);
