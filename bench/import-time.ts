import { execFile } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { FunctionBundle, SdkPackaging } from './bundle-size.ts';
import { median } from './report.ts';

/** Fresh processes per row and median taken: on this 2-core machine a row moves by ±15 ms from run to run with 5. */
export const IMPORT_RUNS = 9;
const REPO_NODE_MODULES = fileURLToPath(new URL('../node_modules', import.meta.url));

/** The row every handler is held against (issue 14 item 4): the two DynamoDB packages alone, from node_modules. */
export const BARE_SDK = 'bare @aws-sdk/client-dynamodb + lib-dynamodb';
const BARE_SDK_MODULE = "import '@aws-sdk/client-dynamodb';\nimport '@aws-sdk/lib-dynamodb';\n";

/**
 * What the stack and the Lambda runtime give every function (dummy values: importing a handler must not call AWS).
 * AWS_EXECUTION_ENV and AWS_LAMBDA_FUNCTION_NAME make it load what it loads in Lambda (the Tracer, shared/metrics.ts),
 * and NODE_OPTIONS is the stack's (tenant-function.ts): source maps are read as Lambda reads them.
 */
const LAMBDA_ENV = {
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  AWS_LAMBDA_FUNCTION_NAME: 'PipelineCrm-bench',
  LAMBDA_TASK_ROOT: '/var/task',
  _HANDLER: 'index.handler',
  NODE_OPTIONS: '--enable-source-maps',
  POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
  POWERTOOLS_METRICS_NAMESPACE: 'PipelineCrm',
  POWERTOOLS_SERVICE_NAME: 'pipeline-crm-bench',
  TENANT: 'bench',
  TABLE_NAME: 'bench',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  CURSOR_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:bench',
  STRIPE_WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:stripe',
  STACK_TIMEZONE: 'UTC',
  DEFAULT_CURRENCY: 'EUR',
  USER_POOL_ID: 'us-east-1_bench',
  MAIL_FROM: 'bench@example.com',
  APP_URL: 'https://bench.example.com',
  SELLER_NAME: 'bench',
};

/** Runs in the fresh process: only the import of the module is timed, not Node's own start-up. */
const PROBE = `
import { pathToFileURL } from 'node:url';
const start = performance.now();
await import(pathToFileURL(process.argv[2]).href);
process.stdout.write(String(performance.now() - start));
`;

export interface ImportTime {
  name: string;
  /** Absent for the bare SDK row. */
  packaging?: SdkPackaging;
  /** False when imported with POWERTOOLS_TRACE_ENABLED=false: what the Tracer costs, for the deployed packaging. */
  tracing: boolean;
  runsMs: number[];
  medianMs: number;
}

const run = promisify(execFile);

async function importOnce(node: string, probe: string, file: string, tracing: boolean): Promise<number> {
  const env = { PATH: process.env.PATH, ...LAMBDA_ENV, ...(tracing ? {} : { POWERTOOLS_TRACE_ENABLED: 'false' }) };
  const { stdout } = await run(node, [probe, file], { env, timeout: 30_000 });
  const ms = Number(stdout);
  if (!Number.isFinite(ms)) throw new Error(`The import probe of ${file} printed ${JSON.stringify(stdout)}`);
  return ms;
}

/**
 * Each function's directory, as deployed, is imported (`index.mjs`) by fresh Node processes, one after the other
 * (parallel runs would compete for the CPUs), in rounds: each round imports every bundle and the bare SDK once,
 * so that a burst of load from elsewhere weighs on all rows alike. The `untraced` packaging's bundles are imported
 * a second time without the Tracer, to tell what it costs. `root/runtime-sdk` gets a node_modules link,
 * standing in for the SDK the Lambda runtime provides; bundled-SDK directories must load on their own.
 */
export async function measureImportTimes(
  node: string,
  root: string,
  bundles: readonly FunctionBundle[],
  untraced: SdkPackaging,
  onRound?: (round: number) => void,
): Promise<ImportTime[]> {
  const probe = join(root, 'probe.mjs');
  await writeFile(probe, PROBE);
  await mkdir(join(root, 'runtime-sdk'), { recursive: true });
  await symlink(REPO_NODE_MODULES, join(root, 'runtime-sdk', 'node_modules'), 'dir');
  const bare = join(root, 'runtime-sdk', 'bare-sdk.mjs');
  await writeFile(bare, BARE_SDK_MODULE);
  const row = (name: string, file: string, tracing: boolean, packaging?: SdkPackaging) => ({ time: { name, packaging, tracing, runsMs: [] as number[] }, file });
  const files = [
    row(BARE_SDK, bare, true),
    ...bundles.map((bundle) => row(bundle.name, join(bundle.dir, 'index.mjs'), true, bundle.packaging)),
    ...bundles.filter((bundle) => bundle.packaging === untraced).map((bundle) => row(bundle.name, join(bundle.dir, 'index.mjs'), false, bundle.packaging)),
  ];
  for (let round = 1; round <= IMPORT_RUNS; round++) {
    onRound?.(round);
    for (const { time, file } of files) time.runsMs.push(await importOnce(node, probe, file, time.tracing));
  }
  return files.map(({ time }) => ({ ...time, medianMs: median(time.runsMs) }));
}
