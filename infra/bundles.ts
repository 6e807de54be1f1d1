import { existsSync, linkSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, buildSync, type Metafile } from 'esbuild';
import { apiDocument } from '../functions/api/openapi-document.ts';
import { routeGroups, type RouteGroup } from '../functions/api/route-table.ts';
import { consumers } from '../functions/events/consumer-table.ts';
import { scheduledJobs, type ScheduledJob } from '../functions/jobs/job-table.ts';

export const handlerEntry = (group: RouteGroup) => fileURLToPath(new URL(`../functions/api/${group.name}.ts`, import.meta.url));
export const jobEntry = (job: ScheduledJob) => fileURLToPath(new URL(`../functions/jobs/${job.name}.ts`, import.meta.url));
export const eventsEntry = (name: string) => fileURLToPath(new URL(`../functions/events/${name}.ts`, import.meta.url));
export const TOKEN_CLAIMS_ENTRY = fileURLToPath(new URL('../functions/auth/token-claims.ts', import.meta.url));

/** Every function of a tenant stack: the route groups, the publisher, the consumers, the jobs and the token claims trigger. */
export function allFunctionEntries(): string[] {
  return [
    ...routeGroups.map(handlerEntry),
    eventsEntry('publisher'),
    ...consumers.map((consumer) => eventsEntry(consumer.name)),
    ...scheduledJobs.map(jobEntry),
    TOKEN_CLAIMS_ENTRY,
  ];
}

/**
 * How the AWS SDK v3 reaches a function: bundled, tree-shaken and minified with the function's code
 * (`bundled-sdk`, deployed: it imports faster than the runtime's copy and ships the versions package-lock.json
 * pins, README "Benchmarks"), or left to the copy the Lambda runtime ships (`runtime-sdk`, measured beside it).
 */
export type SdkPackaging = 'runtime-sdk' | 'bundled-sdk';
export const SDK_EXTERNALS: Record<SdkPackaging, string[]> = { 'runtime-sdk': ['@aws-sdk/*'], 'bundled-sdk': [] };
export const DEPLOYED_SDK_PACKAGING: SdkPackaging = 'bundled-sdk';

/** The name of an entry's bundle directory: `api-contacts`, `events-publisher`, `jobs-recap`. */
export const bundleNameOf = (entry: string) => `${basename(dirname(entry))}-${basename(entry).replace(/\.[cm]?[jt]s$/, '')}`;

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The settings every bundle is built with: ESM for Node 24, minified, the AWS SDK packaged as
 * DEPLOYED_SDK_PACKAGING says. Code splitting puts what a function imports only with `await import()` (the Tracer,
 * the Cognito, SES and Secrets Manager clients, stripe...) in chunks that a cold start neither reads nor parses.
 * The source maps hold no sources (stack traces need only the mappings): a map of a few hundred KB instead of
 * several MB is what `--enable-source-maps` reads at import.
 */
export const BUNDLE_OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  mainFields: ['module', 'main'],
  // Some dependencies still call require(); an ESM bundle has none unless it makes one.
  banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  external: SDK_EXTERNALS[DEPLOYED_SDK_PACKAGING],
  // ESM imports of node:http (Powertools Tracer's) would load undici on Node 24: infra/shims/node-http.ts says why.
  alias: { 'node:http': join(REPO_ROOT, 'infra/shims/node-http.ts') },
  outExtension: { '.js': '.mjs' },
  absWorkingDir: REPO_ROOT,
  metafile: true,
  logLevel: 'error',
};

/** One file of a function's directory: `index.mjs` or a chunk, `lazy` when only an `await import()` reaches it. */
export interface BundleFile {
  path: string;
  bytes: number;
  lazy: boolean;
  /** Bytes of this file by input module (esbuild's metafile). */
  inputs: Record<string, number>;
}

export interface FunctionBundleDir {
  dir: string;
  files: BundleFile[];
}

/**
 * Bundles `entries` in one esbuild run per kind of function (`api`, `events`, `jobs`, `auth`: code shared within a kind
 * is emitted once), then gives each function a directory of its own holding its `index.mjs`, its map and only the
 * chunks it can reach (hard links), so that each deploys as one self-contained asset. Why per kind: esbuild puts each
 * set of modules shared by the same functions in a chunk of its own, so one run for all 23 functions left api-contacts
 * 42 files to load at init, and one run per kind 29: 15 ms less of its cold import on Node 24. One run per function
 * would leave 13, but take ten times as long to build (10.8 s instead of 1.1 s for one run for all).
 */
export function buildFunctionBundles(entries: readonly string[], outRoot: string, packaging: SdkPackaging = DEPLOYED_SDK_PACKAGING): Map<string, FunctionBundleDir> {
  const kinds = [...new Set(entries.map(kindOf))];
  return new Map(
    kinds.flatMap((kind) => [...buildKind(entries.filter((entry) => kindOf(entry) === kind), join(outRoot, 'esbuild', kind), outRoot, packaging)]),
  );
}

/** The folder of a function's entry under functions/: `api`, `events`, `jobs`, `auth`. */
const kindOf = (entry: string) => basename(dirname(entry));

function buildKind(entries: readonly string[], out: string, outRoot: string, packaging: SdkPackaging): Map<string, FunctionBundleDir> {
  const names = entries.map(bundleNameOf);
  const { metafile } = buildSync({
    ...BUNDLE_OPTIONS,
    external: SDK_EXTERNALS[packaging],
    define: { BUNDLED_OPENAPI_DOCUMENT: JSON.stringify(bundledOpenApiDocument()) },
    entryPoints: Object.fromEntries(entries.map((entry, i) => [names[i]!, entry])),
    outdir: out,
  });
  const outputs = Object.fromEntries(Object.entries(metafile!.outputs).map(([path, output]) => [join(REPO_ROOT, path), output]));
  const bundles = new Map<string, FunctionBundleDir>();
  entries.forEach((entry, i) => {
    const dir = join(outRoot, names[i]!);
    mkdirSync(join(dir, 'chunks'), { recursive: true });
    const main = join(out, `${names[i]}.mjs`);
    const files = reachableFiles(outputs, main);
    for (const file of files) {
      const at = file.path === main ? join(dir, 'index.mjs') : join(dir, relative(out, file.path));
      linkSync(file.path, at);
      // The map keeps its name: `index.mjs` ends with `//# sourceMappingURL=<name>.mjs.map`.
      if (existsSync(`${file.path}.map`)) linkSync(`${file.path}.map`, join(dirname(at), `${basename(file.path)}.map`));
    }
    bundles.set(entry, { dir, files: files.map((file) => ({ ...file, path: file.path === main ? 'index.mjs' : relative(out, file.path) })) });
  });
  return bundles;
}

let openApiDocumentText: string | undefined;

/**
 * The OpenAPI document as a JSON text, built once per process from the contracts (functions/api/openapi-document.ts)
 * and written into the openapi function's bundle (`BUNDLED_OPENAPI_DOCUMENT` in functions/api/openapi.ts).
 */
function bundledOpenApiDocument(): string {
  return (openApiDocumentText ??= JSON.stringify(apiDocument()));
}

/** `main` and every chunk it imports, statically (loaded at cold start) or through `await import()` (lazy). */
function reachableFiles(outputs: Metafile['outputs'], main: string): BundleFile[] {
  const found = new Map<string, BundleFile>();
  const visit = (path: string, lazy: boolean) => {
    const known = found.get(path);
    if (known && (lazy || !known.lazy)) return;
    const output = outputs[path]!;
    found.set(path, { path, bytes: output.bytes, lazy, inputs: Object.fromEntries(Object.entries(output.inputs).map(([input, { bytesInOutput }]) => [input, bytesInOutput])) });
    for (const imported of output.imports) {
      const target = join(REPO_ROOT, imported.path);
      if (imported.external || !outputs[target]) continue;
      visit(target, lazy || imported.kind === 'dynamic-import');
    }
  };
  visit(main, false);
  return [...found.values()];
}

/** entry file → its bundle directory, for this process (one synth). */
const built = new Map<string, string>();
let root: string | undefined;

/**
 * The directory of `entry`'s bundle (`index.mjs`, its map and its chunks), built at most once per process: the
 * first call builds every function of the stack in one esbuild run, so 20 tenants reuse the same 20-odd
 * directories, and CDK's asset staging (keyed by the directory's content hash) copies each once into cdk.out.
 */
export function bundleDirOf(entry: string): string {
  if (!built.has(entry)) {
    const wanted = built.size === 0 ? [...new Set([...allFunctionEntries(), entry])] : [entry];
    root ??= mkdtempSync(join(tmpdir(), 'pipeline-crm-bundles-'));
    for (const [builtEntry, { dir }] of buildFunctionBundles(wanted, mkdtempSync(join(root, 'build-')))) built.set(builtEntry, dir);
  }
  return built.get(entry)!;
}
