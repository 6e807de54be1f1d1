import * as z from 'zod';
import { defineContracts } from '../http/contract.ts';
import { ADMIN_ONLY, EVERYONE } from '../domain/principal.ts';
import { csv, idParams, pageOf, pageQuery } from '../schemas/common.ts';
import { CUSTOM_FIELD_ENTITIES, createCustomFieldBody, customFieldDefinition, updateCustomFieldBody } from '../schemas/custom-fields.ts';

const customFieldListQuery = z.strictObject({ ...pageQuery, entity: csv(z.enum(CUSTOM_FIELD_ENTITIES)).optional() });

export const customFieldContracts = defineContracts({
  listCustomFields: {
    method: 'GET',
    path: '/custom-fields',
    summary: 'List custom field definitions, of the entities `entity` names (`contact,lead`: either) when given',
    roles: EVERYONE,
    query: customFieldListQuery,
    response: pageOf(customFieldDefinition),
  },
  createCustomField: {
    method: 'POST',
    path: '/custom-fields',
    summary: 'Define a custom field (key unique per entity; options required for select)',
    roles: ADMIN_ONLY,
    body: createCustomFieldBody,
    response: customFieldDefinition,
    successStatus: 201,
    statuses: [409],
  },
  getCustomField: {
    method: 'GET',
    path: '/custom-fields/{id}',
    summary: 'Read a custom field definition (its ETag is the If-Match of a change)',
    roles: EVERYONE,
    params: idParams,
    response: customFieldDefinition,
  },
  updateCustomField: {
    method: 'PATCH',
    path: '/custom-fields/{id}',
    summary: 'Change a custom field (label, options of a select field)',
    roles: ADMIN_ONLY,
    params: idParams,
    body: updateCustomFieldBody,
    response: customFieldDefinition,
    statuses: [412],
  },
  deleteCustomField: {
    method: 'DELETE',
    path: '/custom-fields/{id}',
    summary: 'Delete a custom field definition (stored values are kept but no longer returned)',
    roles: ADMIN_ONLY,
    params: idParams,
    successStatus: 204,
    statuses: [412],
  },
});
