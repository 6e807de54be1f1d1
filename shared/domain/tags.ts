/** Trimmed, case-insensitively unique tags; the first spelling met is kept (SPEC R-CFG-4). */
export function normalizeTags(tags: readonly string[]): string[] {
  const seen = new Set<string>();
  const result: string[] = [];
  for (const raw of tags) {
    const tag = raw.trim();
    const folded = tag.toLocaleLowerCase('en');
    if (tag === '' || seen.has(folded)) continue;
    seen.add(folded);
    result.push(tag);
  }
  return result;
}

export const tagMatches = (tags: readonly string[], wanted: string) =>
  tags.some((tag) => tag.toLocaleLowerCase('en') === wanted.trim().toLocaleLowerCase('en'));
