import * as z from 'zod';
import { recordFields, singleLine } from './common.ts';

export const CUSTOM_FIELD_ENTITIES = ['contact', 'company', 'lead', 'opportunity'] as const;
export type CustomFieldEntity = (typeof CUSTOM_FIELD_ENTITIES)[number];
export const CUSTOM_FIELD_TYPES = ['text', 'number', 'date', 'boolean', 'select'] as const;

export const customFieldKey = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'Lower-case letters, digits and _, starting with a letter, at most 40');

const options = z.array(z.string().trim().min(1).max(100)).min(1).max(200);

export const customFieldDefinition = z
  .object({
    ...recordFields,
    entity: z.enum(CUSTOM_FIELD_ENTITIES),
    key: z.string(),
    label: z.string(),
    type: z.enum(CUSTOM_FIELD_TYPES),
    options: z.array(z.string()).optional(),
  })
  .meta({ id: 'CustomField' });
export type CustomFieldDefinition = z.infer<typeof customFieldDefinition>;

export const createCustomFieldBody = z
  .strictObject({
    entity: z.enum(CUSTOM_FIELD_ENTITIES),
    key: customFieldKey,
    label: singleLine(100),
    type: z.enum(CUSTOM_FIELD_TYPES),
    options: options.optional(),
  })
  .superRefine((value, issues) => {
    if (value.type === 'select' && !value.options) issues.addIssue({ code: 'custom', path: ['options'], message: 'Required for a select field' });
    if (value.type !== 'select' && value.options) issues.addIssue({ code: 'custom', path: ['options'], message: 'Only a select field has options' });
  })
  .meta({ id: 'CreateCustomField' });

export const updateCustomFieldBody = z
  .strictObject({ label: singleLine(100).optional(), options: options.optional() })
  .meta({ id: 'UpdateCustomField' });
