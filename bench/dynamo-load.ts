import type { LoadPhases } from './http-load.ts';
import { summarizeLoad, type LoadSummary } from './report.ts';

/** One bare DynamoDB call; it throws on failure, which ends the measurement. */
export type DynamoCall = () => Promise<unknown>;

/** `connections` async workers, each calling one after the other until the time is up (the same shape as autocannon's load). */
async function loop(call: DynamoCall, connections: number, durationMs: number): Promise<LoadSummary> {
  const latenciesMs: number[] = [];
  const start = performance.now();
  const end = start + durationMs;
  const worker = async () => {
    while (performance.now() < end) {
      const sent = performance.now();
      await call();
      latenciesMs.push(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  return summarizeLoad(latenciesMs, performance.now() - start);
}

export async function measureDynamo(call: DynamoCall, phases: LoadPhases): Promise<LoadSummary> {
  await loop(call, phases.connections, phases.warmupMs);
  return loop(call, phases.connections, phases.durationMs);
}
