import * as z from 'zod';
import type { AppContext } from '../../shared/app-context.ts';
import { customFields } from '../../shared/db/access-patterns.ts';
import { customFieldKeyGuard, customFieldModel } from '../../shared/db/keys.ts';
import { createRecord, deleteRecord, newRecord, queryPage, updateRecord } from '../../shared/db/store.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { defineRoute } from '../../shared/http/route.ts';
import { idParams, pageOf, pageQuery } from '../../shared/schemas/common.ts';
import {
  createCustomFieldBody,
  CUSTOM_FIELD_ENTITIES,
  customFieldDefinition,
  updateCustomFieldBody,
  type CustomFieldDefinition,
} from '../../shared/schemas/custom-fields.ts';
import { conflict, validationFailed } from '../../shared/domain/errors.ts';
import { ADMIN_ONLY, EVERYONE } from '../../shared/domain/principal.ts';

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

const customFieldListQuery = z.strictObject({ ...pageQuery, entity: z.enum(CUSTOM_FIELD_ENTITIES).optional() });

export const customFieldRoutes = [
  defineRoute({
    method: 'GET',
    path: '/custom-fields',
    summary: 'List custom field definitions, of one entity when `entity` is given',
    roles: EVERYONE,
    query: customFieldListQuery,
    response: pageOf(customFieldDefinition),
    handler: ({ ctx, query: { entity, ...page } }) =>
      queryPage<CustomFieldDefinition>(ctx, {
        ...(entity ? customFields.of(entity) : customFields.all()),
        ...page,
      }),
  }),
  defineRoute({
    method: 'POST',
    path: '/custom-fields',
    summary: 'Define a custom field (key unique per entity; options required for select)',
    roles: ADMIN_ONLY,
    body: createCustomFieldBody,
    response: customFieldDefinition,
    successStatus: 201,
    handler: ({ ctx, body }) => createCustomField(ctx, body),
  }),
  defineRoute({
    method: 'PATCH',
    path: '/custom-fields/{id}',
    summary: 'Change a custom field (label, options of a select field)',
    roles: ADMIN_ONLY,
    params: idParams,
    body: updateCustomFieldBody,
    response: customFieldDefinition,
    handler: ({ ctx, params, body, ifMatch }) => updateRecord(ctx, customFieldModel, params.id, (current) => changeCustomField(current, body), { ifMatch }),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/custom-fields/{id}',
    summary: 'Delete a custom field definition (stored values are kept but no longer returned)',
    roles: ADMIN_ONLY,
    params: idParams,
    successStatus: 204,
    handler: ({ ctx, params, ifMatch }) => deleteCustomField(ctx, params.id, ifMatch),
  }),
];

export const handler = createApiHandler(customFieldRoutes);
