import autocannon from 'autocannon';
import { inLoadProcess, type LoadPhases } from './load-process.ts';
import { summarizeLoad, type LoadSummary } from './report.ts';

export type { LoadPhases } from './load-process.ts';

export interface HttpTarget {
  method: 'GET' | 'POST';
  url: string;
  token: string;
  body?: unknown;
}

export interface HttpLoadResult extends LoadSummary {
  /** Responses outside 2xx, plus connection errors and timeouts: any of them voids the figures. */
  non2xx: number;
  errors: number;
}

export interface HttpLoadJob {
  kind: 'http';
  target: HttpTarget;
  phases: LoadPhases;
}

interface Shot {
  latenciesMs: number[];
  elapsedMs: number;
  result: autocannon.Result;
}

/** One autocannon run; latencies come from its per-response event, in fractional ms (its histogram keeps whole ms). */
function fire(target: HttpTarget, connections: number, durationMs: number): Promise<Shot> {
  return new Promise((resolve, reject) => {
    const latenciesMs: number[] = [];
    const start = performance.now();
    const instance = autocannon(
      {
        url: target.url,
        method: target.method,
        headers: { authorization: `Bearer ${target.token}`, ...(target.body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(target.body === undefined ? {} : { body: JSON.stringify(target.body) }),
        connections,
        duration: durationMs / 1000,
      },
      (error, result) => (error ? reject(error) : resolve({ latenciesMs, elapsedMs: performance.now() - start, result })),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      if (statusCode >= 200 && statusCode < 300) latenciesMs.push(responseTimeMs);
    });
  });
}

/** Runs of load on the API that add up: every 2xx latency, the time under load, the failures. */
export function httpLoad(target: HttpTarget, connections: number) {
  const totals = { latenciesMs: [] as number[], elapsedMs: 0, non2xx: 0, errors: 0 };
  return {
    async run(durationMs: number): Promise<void> {
      const { latenciesMs, elapsedMs, result } = await fire(target, connections, durationMs);
      totals.latenciesMs.push(...latenciesMs);
      totals.elapsedMs += elapsedMs;
      totals.non2xx += result.non2xx;
      totals.errors += result.errors + result.timeouts;
    },
    result(): HttpLoadResult {
      if (totals.latenciesMs.length === 0) throw new Error(`${target.method} ${target.url}: no 2xx response (non-2xx: ${totals.non2xx}, errors: ${totals.errors})`);
      return { ...summarizeLoad(totals.latenciesMs, totals.elapsedMs), non2xx: totals.non2xx, errors: totals.errors };
    },
  };
}

/** In the load process: a warm-up run, then the measured one. */
export async function runHttpLoad({ target, phases }: HttpLoadJob): Promise<HttpLoadResult> {
  await fire(target, phases.connections, phases.warmupMs);
  const load = httpLoad(target, phases.connections);
  await load.run(phases.durationMs);
  return load.result();
}

/** The API under load from a process of its own (bench/load-client.ts). */
export const measureHttp = (target: HttpTarget, phases: LoadPhases): Promise<HttpLoadResult> => inLoadProcess<HttpLoadResult, HttpLoadJob>({ kind: 'http', target, phases });
