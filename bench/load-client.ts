import { dynamoLoad, runDynamoLoad, type DynamoLoadJob, type DynamoTarget } from './dynamo-load.ts';
import { httpLoad, runHttpLoad, type HttpLoadJob, type HttpTarget } from './http-load.ts';
import type { LoadPhases } from './load-process.ts';

/** Both sides of a ratio, measured in turns by the same load process. */
export interface PairJob {
  kind: 'pair';
  api: HttpTarget;
  bare: DynamoTarget;
  phases: LoadPhases;
}

async function runPair({ api, bare, phases }: PairJob) {
  const apiLoad = httpLoad(api, phases.connections);
  const bareLoad = dynamoLoad(bare, phases.connections);
  // Warm-ups (not counted): each side's first calls pay JIT and connection set-up.
  await httpLoad(api, phases.connections).run(phases.warmupMs);
  await dynamoLoad(bare, phases.connections).run(phases.warmupMs);
  const turns = phases.turns ?? 1;
  for (let turn = 0; turn < turns; turn++) {
    await apiLoad.run(phases.durationMs / turns);
    await bareLoad.run(phases.durationMs / turns);
  }
  return { api: apiLoad.result(), bare: bareLoad.result() };
}

/** The load process (bench/load-process.ts): runs the job given as its argument, prints its figures as one JSON line. */
const job = JSON.parse(process.argv[2] ?? '{}') as HttpLoadJob | DynamoLoadJob | PairJob;
const figures = job.kind === 'http' ? await runHttpLoad(job) : job.kind === 'dynamo' ? await runDynamoLoad(job) : await runPair(job);
process.stdout.write(`${JSON.stringify(figures)}\n`);
process.exit(0);
