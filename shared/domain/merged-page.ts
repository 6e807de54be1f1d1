/**
 * One newest-first page out of several sources that share one sort order (record ids, ULIDs): a rep's own
 * partition and its shared-with partition (R-SHR-1). Each source read its items below the same bound; `readUpTo`
 * is the last sort key it read when it has more beyond (null: exhausted), so nothing it has not read sorts above it.
 */
export interface SourceRead<T extends { id: string }> {
  items: T[];
  readUpTo: string | null;
}

export interface MergedPage<T> {
  items: T[];
  /** The bound (exclusive) the next page reads below; null when every source is exhausted. */
  nextBefore: string | null;
}

export function mergeNewestFirst<T extends { id: string }>(sources: readonly SourceRead<T>[], limit: number): MergedPage<T> {
  const byId = new Map<string, T>();
  for (const source of sources) for (const item of source.items) byId.set(item.id, item);
  const merged = [...byId.values()].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  // Only what sorts at or above every unfinished source's read position is final: below it, unread items may come.
  const cut = sources.reduce<string | null>((highest, source) => (source.readUpTo !== null && (highest === null || source.readUpTo > highest) ? source.readUpTo : highest), null);
  const safe = cut === null ? merged : merged.filter((item) => item.id >= cut);
  const items = safe.slice(0, limit);
  if (safe.length > limit) return { items, nextBefore: items.at(-1)!.id };
  return { items, nextBefore: cut };
}
