import type { CustomFieldDefinition } from '../schemas/custom-fields.ts';
import type { FieldError } from './errors.ts';

export type CustomFieldValue = string | number | boolean | null;
export type CustomFieldValues = Record<string, CustomFieldValue>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isRealDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/**
 * The numbers a `number` field holds: what DynamoDB and the AWS SDK store exactly (issue: a value outside made every
 * write a 500). The SDK refuses numbers beyond ±Number.MAX_SAFE_INTEGER (above it a JSON number is no longer the
 * number the client sent: 9007199254740993 arrives as …992), and DynamoDB refuses non-zero magnitudes below 1e-130.
 */
export const CUSTOM_NUMBER_MAX = Number.MAX_SAFE_INTEGER;
export const CUSTOM_NUMBER_SMALLEST = 1e-130;
const NUMBER_RANGE = `A number from ${-CUSTOM_NUMBER_MAX} to ${CUSTOM_NUMBER_MAX}`;
const NUMBER_NEAR_ZERO = `A number from ${-CUSTOM_NUMBER_MAX} to ${CUSTOM_NUMBER_MAX}: 0, or at least ${CUSTOM_NUMBER_SMALLEST} away from 0`;

function numberError(value: number): string | undefined {
  if (!Number.isFinite(value) || Math.abs(value) > CUSTOM_NUMBER_MAX) return NUMBER_RANGE;
  if (value !== 0 && Math.abs(value) < CUSTOM_NUMBER_SMALLEST) return NUMBER_NEAR_ZERO;
  return undefined;
}

function valueError(definition: CustomFieldDefinition, value: Exclude<CustomFieldValue, null>): string | undefined {
  switch (definition.type) {
    case 'text':
      return typeof value === 'string' && value.length <= 2000 ? undefined : 'Must be a text of at most 2000 characters';
    case 'number':
      return typeof value === 'number' ? numberError(value) : 'Must be a number';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'Must be true or false';
    case 'date':
      return typeof value === 'string' && isRealDate(value) ? undefined : 'Must be a date YYYY-MM-DD';
    case 'select':
      return typeof value === 'string' && definition.options?.includes(value) ? undefined : `Must be one of: ${definition.options?.join(', ')}`;
  }
}

/**
 * Applies a change of custom field values to the stored ones: every key must be defined for the entity and
 * every value of its type; `null` removes a value. Returns the new values or every offending field.
 */
export function applyCustomFields(
  stored: CustomFieldValues,
  change: CustomFieldValues,
  definitions: readonly CustomFieldDefinition[],
): { values: CustomFieldValues; errors: FieldError[] } {
  const byKey = new Map(definitions.map((definition) => [definition.key, definition]));
  const values: CustomFieldValues = { ...stored };
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(change)) {
    const definition = byKey.get(key);
    const path = `customFields.${key}`;
    if (!definition) {
      errors.push({ path, message: 'Unknown custom field' });
      continue;
    }
    if (value === null) {
      delete values[key];
      continue;
    }
    const message = valueError(definition, value);
    if (message) errors.push({ path, message });
    else values[key] = value;
  }
  return { values, errors };
}

/**
 * The stored values a client is shown (SPEC R-CFG-4): a value is shown only while its key has a definition and the
 * value is valid for that definition as it is now (its type, a select's options). So a value whose definition was
 * deleted is hidden, and stays hidden when the key is defined again with another type (or an option is removed);
 * values stay stored, and a value valid for the key's current definition is shown again.
 */
export function visibleCustomFields(stored: CustomFieldValues, definitions: readonly CustomFieldDefinition[]): CustomFieldValues {
  const byKey = new Map(definitions.map((definition) => [definition.key, definition]));
  return Object.fromEntries(
    Object.entries(stored).filter(([key, value]) => {
      const definition = byKey.get(key);
      return definition !== undefined && value !== null && valueError(definition, value) === undefined;
    }),
  );
}

/** A record as clients see it: values no current definition accepts are hidden, the rest of the record unchanged. */
export function withVisibleCustomFields<T extends { customFields: CustomFieldValues }>(record: T, definitions: readonly CustomFieldDefinition[]): T {
  return { ...record, customFields: visibleCustomFields(record.customFields, definitions) };
}
