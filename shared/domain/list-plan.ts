/**
 * How a list is read, in the domain's terms: the records of one named source (the planner's `Source`: all of a
 * collection, an owner's, a contact's opportunities …) that meet every condition. shared/db/list-queries.ts turns
 * a plan into a Query (index, partition, FilterExpression).
 */

/** A field of the stored record is one of `in`, or (a list, or text) contains one of `containsAny`. */
export type Condition = { field: string; in: readonly unknown[] } | { field: string; containsAny: readonly unknown[] };

export interface QueryPlan<Source> {
  kind: 'query';
  by: Source;
  filters: Condition[];
}

export type ListPlan<Source> = { kind: 'empty' } | QueryPlan<Source>;

export const EMPTY = { kind: 'empty' } as const;

/** A list filter means "any of" (SPEC §1); an absent or empty list is no condition. */
export const isIn = (field: string, wanted: readonly unknown[] | undefined): Condition[] => (wanted && wanted.length > 0 ? [{ field, in: wanted }] : []);

export const containsAny = (field: string, wanted: readonly unknown[] | undefined): Condition[] =>
  wanted && wanted.length > 0 ? [{ field, containsAny: [...new Set(wanted)] }] : [];
