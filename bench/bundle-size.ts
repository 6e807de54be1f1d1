import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allFunctionEntries, buildFunctionBundles, bundleNameOf, DEPLOYED_SDK_PACKAGING, type SdkPackaging } from '../infra/bundles.ts';
import { kilobytes, verdict, type Verdict } from './report.ts';

export const BUNDLE_LIMIT_KB = 250;

/** The deployed packaging first, then the alternative it was chosen over. */
export const SDK_PACKAGINGS: readonly SdkPackaging[] = [DEPLOYED_SDK_PACKAGING, ...(['bundled-sdk', 'runtime-sdk'] as const).filter((packaging) => packaging !== DEPLOYED_SDK_PACKAGING)];
export type { SdkPackaging };

export interface FunctionBundle {
  /** `api-contacts`, `events-publisher`, `jobs-recap`: the bundle's directory name in infra/bundles.ts. */
  name: string;
  packaging: SdkPackaging;
  /** The function's directory as deployed (`index.mjs`, chunks, maps). */
  dir: string;
  /** What a cold start loads: `index.mjs` and the chunks it imports statically. */
  initKb: number;
  /** Everything in the directory, lazily imported chunks included (maps excluded). */
  totalKb: number;
  verdict: Verdict;
  /** KB loaded at cold start by npm package (`(project)`: this repository's code), largest first. */
  packages: { name: string; kb: number }[];
}

/** `node_modules/@aws-sdk/client-dynamodb/dist-es/…` → `@aws-sdk/client-dynamodb`; the project's files → `(project)`. */
export function packageOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return '(project)';
  const [scope, name] = input.slice(at + 'node_modules/'.length).split('/');
  return scope!.startsWith('@') ? `${scope}/${name}` : scope!;
}

/**
 * Every function of the stack built by infra/bundles.ts (what `cdk synth` deploys), once per SDK packaging, into
 * `root/<packaging>/<function>/`.
 */
export async function bundleFunctions(root: string): Promise<FunctionBundle[]> {
  const entries = allFunctionEntries();
  return SDK_PACKAGINGS.flatMap((packaging) => {
    const built = buildFunctionBundles(entries, join(root, packaging), packaging);
    return entries.map((entry) => {
      const { dir, files } = built.get(entry)!;
      const init = files.filter((file) => !file.lazy);
      const bytes = new Map<string, number>();
      for (const [input, size] of init.flatMap((file) => Object.entries(file.inputs))) bytes.set(packageOf(input), (bytes.get(packageOf(input)) ?? 0) + size);
      const initKb = kilobytes(init.reduce((sum, file) => sum + file.bytes, 0));
      return {
        name: bundleNameOf(entry),
        packaging,
        dir,
        initKb,
        totalKb: kilobytes(files.reduce((sum, file) => sum + file.bytes, 0)),
        verdict: verdict(initKb, BUNDLE_LIMIT_KB),
        packages: [...bytes].map(([name, size]) => ({ name, kb: kilobytes(size) })).sort((a, b) => b.kb - a.kb),
      };
    });
  });
}

export const bundleRoot = () => mkdtemp(join(tmpdir(), 'crm-bench-bundles-'));
