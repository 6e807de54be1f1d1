import type { AppContext } from '../../app-context.ts';
import type { Condition } from '../store.ts';

export type Item = Record<string, unknown>;

/** One item's change: an update expression guarded by a condition that still sees the old shape. */
export interface ItemChange {
  update: Condition;
  /** Evaluated with the update's names and values: the write happens only if the item is still old. */
  condition: string;
}

/**
 * A numbered migration (`NNN-name.ts`): idempotent (a second run changes nothing) and resumable (a run stopped
 * anywhere is finished by the next one). `change`, `derive` and `remove` are applied to every item of the table,
 * read by a parallel Scan (the one place the project scans); `afterScan` runs once the scan is done, for changes
 * that are not per item.
 */
export interface Migration {
  id: number;
  name: string;
  /** What shape it brings the table from and to (the commit that changed the shape). */
  description: string;
  /** The change of one item, or undefined when the item is already in the new shape (or is not concerned). */
  change?: (item: Item) => ItemChange | undefined;
  /** Items derived from one item, put beside it (an index backfill): putting one again changes nothing. */
  derive?: (item: Item) => readonly Item[];
  /**
   * Whether one item is deleted (an item the code no longer writes nor reads, e.g. a stale index item): the condition
   * the delete is guarded by, or undefined to keep it. Deleting it again finds nothing (its condition fails).
   */
  remove?: (item: Item) => Condition | undefined;
  afterScan?: (ctx: AppContext) => Promise<void>;
}
