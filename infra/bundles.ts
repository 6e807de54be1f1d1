import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, buildSync } from 'esbuild';
import { routeGroups, type RouteGroup } from '../functions/api/route-table.ts';
import { consumers } from '../functions/events/consumer-table.ts';
import { scheduledJobs, type ScheduledJob } from '../functions/jobs/job-table.ts';

export const handlerEntry = (group: RouteGroup) => fileURLToPath(new URL(`../functions/api/${group.name}.ts`, import.meta.url));
export const jobEntry = (job: ScheduledJob) => fileURLToPath(new URL(`../functions/jobs/${job.name}.ts`, import.meta.url));
export const eventsEntry = (name: string) => fileURLToPath(new URL(`../functions/events/${name}.ts`, import.meta.url));

/** Every function of a tenant stack: the route groups, the publisher, the consumers and the jobs. */
export function allFunctionEntries(): string[] {
  return [...routeGroups.map(handlerEntry), eventsEntry('publisher'), ...consumers.map((consumer) => eventsEntry(consumer.name)), ...scheduledJobs.map(jobEntry)];
}

/**
 * How the AWS SDK v3 reaches a function: left to the copy the Lambda runtime ships (`runtime-sdk`), or bundled,
 * tree-shaken and minified with the function's code (`bundled-sdk`). `npm run bench` measures both.
 */
export type SdkPackaging = 'runtime-sdk' | 'bundled-sdk';
export const SDK_EXTERNALS: Record<SdkPackaging, string[]> = { 'runtime-sdk': ['@aws-sdk/*'], 'bundled-sdk': [] };
export const DEPLOYED_SDK_PACKAGING: SdkPackaging = 'runtime-sdk';

/** The name of an entry's bundle directory: `api-contacts`, `events-publisher`, `jobs-recap`. */
export const bundleNameOf = (entry: string) => `${basename(dirname(entry))}-${basename(entry).replace(/\.[cm]?[jt]s$/, '')}`;

/**
 * The settings every bundle is built with (what NodejsFunction was given before): an ESM bundle for Node 24 with
 * a source map, the AWS SDK packaged as DEPLOYED_SDK_PACKAGING says.
 */
export const BUNDLE_OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  sourcemap: true,
  mainFields: ['module', 'main'],
  // Some dependencies still call require(); an ESM bundle has none unless it makes one.
  banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  external: SDK_EXTERNALS[DEPLOYED_SDK_PACKAGING],
  outExtension: { '.js': '.mjs' },
  logLevel: 'error',
};

/** entry file → the directory holding its `index.mjs`, for this process (one synth). */
const built = new Map<string, string>();
let root: string | undefined;

/**
 * The directory of `entry`'s bundle (`index.mjs` and its map), built at most once per process: the first call
 * builds every function of the stack in one esbuild run, so 20 tenants reuse the same 20-odd directories, and
 * CDK's asset staging (keyed by the directory's content hash) copies each once into cdk.out.
 */
export function bundleDirOf(entry: string): string {
  if (!built.has(entry)) {
    const wanted = built.size === 0 ? [...new Set([...allFunctionEntries(), entry])] : [entry];
    build(wanted);
  }
  return built.get(entry)!;
}

function build(entries: string[]): void {
  root ??= mkdtempSync(join(tmpdir(), 'pipeline-crm-bundles-'));
  const names = entries.map(bundleNameOf);
  buildSync({ ...BUNDLE_OPTIONS, entryPoints: Object.fromEntries(entries.map((entry, i) => [`${names[i]}/index`, entry])), outdir: root });
  entries.forEach((entry, i) => built.set(entry, join(root!, names[i]!)));
}
