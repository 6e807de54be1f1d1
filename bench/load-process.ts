import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * Issue 14 item 2: load comes from a process of its own, as a real client's would, so the measured server (the
 * bench's local runtime, like `npm start`) does not share its event loop with the load it answers. The API's load
 * (autocannon) and the bare DynamoDB loop both run in such a child, so both sides are measured alike: the child
 * prints its figures as one JSON line.
 */

export interface LoadPhases {
  connections: number;
  warmupMs: number;
  durationMs: number;
  /** The measured time cut in this many turns, each side in turn (a pair of loads): a burst of load from elsewhere on
   * the machine then falls on both sides alike. */
  turns?: number;
}

const CLIENT = fileURLToPath(new URL('./load-client.ts', import.meta.url));
const run = promisify(execFile);

export async function inLoadProcess<T, J extends { kind: string; phases: LoadPhases } = { kind: string; phases: LoadPhases }>(job: J): Promise<T> {
  const timeout = job.phases.warmupMs + job.phases.durationMs + 60_000;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', CLIENT, JSON.stringify(job)], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    timeout,
    maxBuffer: 16 * 1024 * 1024,
  });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(`The load process of ${job.kind} printed ${JSON.stringify(stdout.slice(-500))}`);
  }
}
