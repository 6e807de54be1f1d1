/**
 * What an opportunity's history records (R-OPP-10): the kinds of entries and the fields whose changes they keep.
 * Zod-free, so that the rules (opportunity-lifecycle.ts) read them without building the opportunity schemas that
 * declare them for the API (shared/schemas/opportunities.ts): zod builds every schema of a module at import.
 */
export const HISTORY_KINDS = ['created', 'updated', 'won', 'lost', 'restored', 'archived', 'unarchived', 'merged'] as const;
export type HistoryKind = (typeof HISTORY_KINDS)[number];

/** The fields whose changes the history records (R-OPP-10). */
export const HISTORY_FIELDS = [
  'status',
  'active',
  'stageId',
  'ownerId',
  'probability',
  'winReasonIds',
  'lostReasonId',
  'closingNote',
  'mergedIds',
] as const;
export type HistoryField = (typeof HISTORY_FIELDS)[number];
