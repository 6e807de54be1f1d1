import type { BaseRecord } from '../domain/record.ts';
import { INDEX_NAMES, TABLE_KEYS, TTL_ATTRIBUTE } from './table-definition.ts';

export type { BaseRecord };

export type Item = Record<string, unknown>;

export type IndexKeys = Partial<Record<`${(typeof INDEX_NAMES)[number]}${'PK' | 'SK'}`, string>>;

/**
 * How one kind of record is stored: its primary key and the index keys derived from its fields.
 * Index keys are recomputed on every write, so a moved record is always found under its new keys.
 */
export interface EntityModel<T extends BaseRecord> {
  /** Human name used in errors ("Contact not found"). */
  label: string;
  key(id: string): { PK: string; SK: string };
  indexKeys(record: T): IndexKeys;
}

const STORAGE_ATTRIBUTES = new Set<string>([
  TABLE_KEYS.partitionKey,
  TABLE_KEYS.sortKey,
  TTL_ATTRIBUTE,
  'recordType',
  ...INDEX_NAMES.flatMap((name) => [`${name}PK`, `${name}SK`]),
]);

export function toItem<T extends BaseRecord>(model: EntityModel<T>, record: T): Item {
  return { ...(record as Item), ...model.key(record.id), ...model.indexKeys(record), recordType: model.label };
}

/** Strips storage-only attributes so a record read back is exactly what the domain wrote. */
export function fromItem<T>(item: Item): T {
  const record: Item = {};
  for (const [name, value] of Object.entries(item)) {
    if (!STORAGE_ATTRIBUTES.has(name)) record[name] = value;
  }
  return record as T;
}
