import { mapLimited } from '../concurrency.ts';
import { notFound } from '../domain/errors.ts';
import { ULID_PATTERN } from '../schemas/common.ts';
import { logServerProblem, toProblem, type ProblemBody } from './problem.ts';

/** The answer of a bulk route: one result per id, in the order of the ids. */
export interface BulkResult {
  results: BulkItemResult[];
}

export interface BulkItemResult {
  id: string;
  ok: boolean;
  error?: ProblemBody;
}

export interface BulkOptions {
  /** What the ids name, for the log of an unexpected failure ("lead", "opportunity"). */
  label: string;
  /** Ids handled at a time. */
  concurrency: number;
  /** Ids of the same lane run one after the other (e.g. the opportunities of one party share its duplicate guard). */
  laneOf?: (id: string) => string;
}

/**
 * Runs `one` for each id, each on its own: a refused, invisible or failing id is reported in its result (its
 * problem, as a single request would answer it; a 500 is logged) and does not stop the others. A repeated id is run
 * once; each of its places in the results carries that outcome.
 */
export async function runBulk(ids: readonly string[], one: (id: string) => Promise<unknown>, options: BulkOptions): Promise<BulkResult> {
  const lanes = new Map<string, string[]>();
  for (const id of new Set(ids)) {
    const lane = options.laneOf?.(id) ?? id;
    lanes.set(lane, [...(lanes.get(lane) ?? []), id]);
  }
  const outcomes = new Map<string, BulkItemResult>();
  await mapLimited([...lanes.values()], options.concurrency, async (lane) => {
    for (const id of lane) {
      try {
        await one(id);
        outcomes.set(id, { id, ok: true });
      } catch (error) {
        const problem = toProblem(error);
        logServerProblem(problem, error, `Bulk request failed for one ${options.label}`, { id });
        outcomes.set(id, { id, ok: false, error: problem.toBody() });
      }
    }
  });
  return { results: ids.map((id) => outcomes.get(id)!) };
}

/** What a bulk route's ids may be before they are read. */
export interface BulkIdRules {
  /** Whether an id can name a record at all (a ULID). */
  wellFormed: (id: string) => boolean;
  /** The refusal an unknown id gets from a single request (a 404 not_found): a malformed id gets the same. */
  unknown: () => unknown;
}

/**
 * The ids of a bulk request as its route acts on them: `run` gets each well-formed id once, in the order first sent
 * (so one transaction never holds the same record twice); a malformed id is never read and is answered as an
 * unknown id is. The answer has one result per id sent, in the order sent; a repeated id's result is its first
 * occurrence's.
 */
export async function runBulkOnDistinctIds(ids: readonly string[], rules: BulkIdRules, run: (distinct: readonly string[]) => Promise<BulkResult>): Promise<BulkResult> {
  const distinct = [...new Set(ids.filter(rules.wellFormed))];
  const outcomes = new Map<string, BulkItemResult>();
  if (distinct.length > 0) for (const outcome of (await run(distinct)).results) outcomes.set(outcome.id, outcome);
  const unknown = toProblem(rules.unknown()).toBody();
  return {
    results: ids.map((id) => {
      const outcome = rules.wellFormed(id) ? outcomes.get(id) : { id, ok: false, error: unknown };
      if (!outcome) throw new Error(`The bulk route gave no result for ${id}`);
      return { ...outcome };
    }),
  };
}

/** The ids of records (ULIDs): any other id answers as an unknown `label` ("Lead", "Opportunity"), a 404. */
export const recordIdRules = (label: string): BulkIdRules => ({ wellFormed: (id) => ULID_PATTERN.test(id), unknown: () => notFound(label) });
