import * as keys from '../keys.ts';
import type { Item, Migration } from './types.ts';

/** Every record label of keys.ts (`entity('User', …)` → 'User'). */
const LABELS = new Set(
  Object.values(keys).flatMap((value) => (value && typeof value === 'object' && typeof (value as { label?: unknown }).label === 'string' && typeof (value as { key?: unknown }).key === 'function' ? [(value as { label: string }).label] : [])),
);

/**
 * Unversioned → 1. Until commit 172eab1 a record's type was stored as `entity` ('Contact', 'User', …); it is
 * `recordType` since, so that it never clashes with a record's own `entity` field, and `entity` is no longer a
 * storage attribute (a record read back would carry it). Records of that shape get `recordType` and lose `entity`.
 */
export const recordType: Migration = {
  id: 1,
  name: 'record-type',
  description: "records' type attribute `entity` (before 172eab1) becomes `recordType`",
  change: (item: Item) => {
    if (item.recordType !== undefined || typeof item.entity !== 'string' || !LABELS.has(item.entity)) return undefined;
    return {
      update: { expression: 'SET #recordType = #entity REMOVE #entity', names: { '#recordType': 'recordType', '#entity': 'entity' }, values: { ':label': item.entity } },
      condition: 'attribute_not_exists(#recordType) AND #entity = :label',
    };
  },
};
