import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { HandlerBundle, SdkPackaging } from './bundle-size.ts';
import { median, verdict, type Verdict } from './report.ts';

export const IMPORT_LIMIT_MS = 50;
export const IMPORT_RUNS = 5;
const REPO_NODE_MODULES = fileURLToPath(new URL('../node_modules', import.meta.url));

/** What the stack gives every function; dummy values, since importing a handler must not call AWS. */
const LAMBDA_ENV = {
  TABLE_NAME: 'bench',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  CURSOR_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:bench',
  STACK_TIMEZONE: 'UTC',
  DEFAULT_CURRENCY: 'EUR',
  POWERTOOLS_SERVICE_NAME: 'pipeline-crm-bench',
  USER_POOL_ID: 'us-east-1_bench',
};

/** Runs in the fresh process: only the import of the handler module is timed, not Node's own start-up. */
const PROBE = `
import { pathToFileURL } from 'node:url';
const start = performance.now();
await import(pathToFileURL(process.argv[2]).href);
process.stdout.write(String(performance.now() - start));
`;

export interface ImportTime {
  name: string;
  packaging: SdkPackaging;
  runsMs: number[];
  medianMs: number;
  verdict: Verdict;
}

const run = promisify(execFile);

async function importOnce(probe: string, file: string): Promise<number> {
  const { stdout } = await run(process.execPath, [probe, file], { env: { PATH: process.env.PATH, ...LAMBDA_ENV }, timeout: 30_000 });
  const ms = Number(stdout);
  if (!Number.isFinite(ms)) throw new Error(`The import probe of ${file} printed ${JSON.stringify(stdout)}`);
  return ms;
}

/**
 * Each bundle is written as an .mjs file to a temp folder and imported by fresh Node processes, one after the
 * other (parallel runs would compete for the CPUs). Runtime-SDK bundles get a node_modules link next to them,
 * standing in for the SDK the Lambda runtime provides; bundled-SDK ones must load on their own.
 */
export async function measureImportTimes(bundles: readonly HandlerBundle[]): Promise<ImportTime[]> {
  const dir = await mkdtemp(join(tmpdir(), 'crm-bench-'));
  try {
    const probe = join(dir, 'probe.mjs');
    await writeFile(probe, PROBE);
    await mkdir(join(dir, 'runtime-sdk'));
    await mkdir(join(dir, 'bundled-sdk'));
    await symlink(REPO_NODE_MODULES, join(dir, 'runtime-sdk', 'node_modules'), 'dir');
    const times: ImportTime[] = [];
    for (const bundle of bundles) {
      const file = join(dir, bundle.packaging, `${bundle.name}.mjs`);
      await writeFile(file, bundle.code);
      const runsMs: number[] = [];
      for (let i = 0; i < IMPORT_RUNS; i++) runsMs.push(await importOnce(probe, file));
      const medianMs = median(runsMs);
      times.push({ name: bundle.name, packaging: bundle.packaging, runsMs, medianMs, verdict: verdict(medianMs, IMPORT_LIMIT_MS) });
    }
    return times;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
