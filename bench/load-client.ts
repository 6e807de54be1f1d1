import { runDynamoLoad, type DynamoLoadJob } from './dynamo-load.ts';
import { runHttpLoad, type HttpLoadJob } from './http-load.ts';

/** The load process (bench/load-process.ts): runs the job given as its argument, prints its figures as one JSON line. */
const job = JSON.parse(process.argv[2] ?? '{}') as HttpLoadJob | DynamoLoadJob;
const figures = job.kind === 'http' ? await runHttpLoad(job) : await runDynamoLoad(job);
process.stdout.write(`${JSON.stringify(figures)}\n`);
process.exit(0);
