import { mapLimited } from '../concurrency.ts';
import { logServerProblem, toProblem, type ProblemBody } from './problem.ts';

/** The answer of a bulk route: one result per id, in the order of the ids. */
export interface BulkResult {
  results: { id: string; ok: boolean; error?: ProblemBody }[];
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
 * problem, as a single request would answer it; a 500 is logged) and does not stop the others.
 */
export async function runBulk(ids: readonly string[], one: (id: string) => Promise<unknown>, options: BulkOptions): Promise<BulkResult> {
  const lanes = new Map<string, string[]>();
  for (const id of ids) {
    const lane = options.laneOf?.(id) ?? id;
    lanes.set(lane, [...(lanes.get(lane) ?? []), id]);
  }
  const outcomes = new Map<string, BulkResult['results'][number]>();
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
