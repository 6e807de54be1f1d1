import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { allFunctionEntries, BUNDLE_OPTIONS, bundleNameOf, DEPLOYED_SDK_PACKAGING, SDK_EXTERNALS, type SdkPackaging } from '../infra/bundles.ts';
import { kilobytes, verdict, type Verdict } from './report.ts';

export const BUNDLE_LIMIT_KB = 250;
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The deployed packaging first, then the alternative it was chosen over. */
export const SDK_PACKAGINGS: readonly SdkPackaging[] = [DEPLOYED_SDK_PACKAGING, ...(['bundled-sdk', 'runtime-sdk'] as const).filter((packaging) => packaging !== DEPLOYED_SDK_PACKAGING)];
export type { SdkPackaging };

export interface FunctionBundle {
  /** `api-contacts`, `events-publisher`, `jobs-recap`: the bundle's directory name in infra/bundles.ts. */
  name: string;
  packaging: SdkPackaging;
  code: Uint8Array;
  sourceMap: Uint8Array;
  bytes: number;
  kb: number;
  verdict: Verdict;
  /** Bytes of the bundle by npm package (or `(project)` for this repository's code), largest first. */
  packages: { name: string; bytes: number }[];
}

/** `node_modules/@aws-sdk/client-dynamodb/dist-es/…` → `@aws-sdk/client-dynamodb`; the project's files → `(project)`. */
export function packageOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return '(project)';
  const [scope, name] = input.slice(at + 'node_modules/'.length).split('/');
  return scope!.startsWith('@') ? `${scope}/${name}` : scope!;
}

function packagesOf(output: Metafile['outputs'][string]): FunctionBundle['packages'] {
  const bytes = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) bytes.set(packageOf(input), (bytes.get(packageOf(input)) ?? 0) + bytesInOutput);
  return [...bytes].map(([name, size]) => ({ name, bytes: size })).sort((a, b) => b.bytes - a.bytes);
}

/**
 * Every function of the stack bundled with infra/bundles.ts's settings (what `cdk synth` deploys), once per SDK
 * packaging, each in one esbuild run; with the metafile, to tell what each bundle pulls in.
 */
async function bundleAll(packaging: SdkPackaging): Promise<FunctionBundle[]> {
  const entries = allFunctionEntries();
  const outdir = mkdtempSync(join(tmpdir(), 'crm-bench-bundles-'));
  const result = await build({
    ...BUNDLE_OPTIONS,
    entryPoints: Object.fromEntries(entries.map((entry) => [`${bundleNameOf(entry)}/index`, entry])),
    external: SDK_EXTERNALS[packaging],
    outdir,
    write: false,
    metafile: true,
    absWorkingDir: REPO_ROOT,
    logLevel: 'silent',
  });
  const file = (name: string, suffix: string) => result.outputFiles.find((output) => relative(outdir, output.path) === `${name}/index.mjs${suffix}`);
  return entries.map((entry) => {
    const name = bundleNameOf(entry);
    const code = file(name, '');
    const sourceMap = file(name, '.map');
    if (!code || !sourceMap) throw new Error(`esbuild produced no bundle for ${entry}`);
    const kb = kilobytes(code.contents.byteLength);
    const meta = result.metafile.outputs[relative(REPO_ROOT, code.path)] ?? Object.entries(result.metafile.outputs).find(([path]) => path.endsWith(`${name}/index.mjs`))?.[1];
    if (!meta) throw new Error(`esbuild's metafile has no output for ${entry}`);
    return { name, packaging, code: code.contents, sourceMap: sourceMap.contents, bytes: code.contents.byteLength, kb, verdict: verdict(kb, BUNDLE_LIMIT_KB), packages: packagesOf(meta) };
  });
}

/** Every function bundled both ways: deployed packaging first. */
export async function bundleFunctions(): Promise<FunctionBundle[]> {
  return (await Promise.all(SDK_PACKAGINGS.map(bundleAll))).flat();
}
