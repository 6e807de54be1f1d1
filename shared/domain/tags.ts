/** How tags and search text are compared: trimmed, case-folded (so "VIP", " vip" and "Vip" are one). */
export const searchKey = (text: string) => text.trim().toLocaleLowerCase('en');

/** The most tags a record holds (SPEC R-CFG-4): what a body may send, what a merge keeps, what the tag index holds. */
export const MAX_TAGS = 50;

/** Trimmed, case-insensitively unique tags; the first spelling met is kept (SPEC R-CFG-4). */
export function normalizeTags(tags: readonly string[]): string[] {
  const seen = new Set<string>();
  const result: string[] = [];
  for (const raw of tags) {
    const tag = raw.trim();
    const folded = searchKey(tag);
    if (tag === '' || seen.has(folded)) continue;
    seen.add(folded);
    result.push(tag);
  }
  return result;
}

export const tagMatches = (tags: readonly string[], wanted: string) => tags.some((tag) => searchKey(tag) === searchKey(wanted));
