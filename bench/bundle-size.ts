import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { routeGroups, type RouteGroup } from '../functions/api/route-table.ts';
import { kilobytes, verdict, type Verdict } from './report.ts';

export const BUNDLE_LIMIT_KB = 250;
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** How the SDK is treated: left to the Lambda runtime (NodejsFunction's default) or bundled into the function. */
export type SdkPackaging = 'runtime-sdk' | 'bundled-sdk';
export const SDK_PACKAGINGS: readonly SdkPackaging[] = ['runtime-sdk', 'bundled-sdk'];

/** The bundling options of infra/constructs/tenant-function.ts (NodejsFunction), for esbuild's JS API. */
const LAMBDA_BUNDLING: BuildOptions = {
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  mainFields: ['module', 'main'],
  banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  write: false,
  absWorkingDir: REPO_ROOT,
  logLevel: 'silent',
};

const EXTERNALS: Record<SdkPackaging, string[]> = {
  // What the stack deploys: the Node 24 Lambda runtime ships the AWS SDK v3.
  'runtime-sdk': ['@aws-sdk/*'],
  'bundled-sdk': [],
};

export interface HandlerBundle {
  name: string;
  packaging: SdkPackaging;
  code: Uint8Array;
  bytes: number;
  kb: number;
  verdict: Verdict;
}

async function bundle({ name }: RouteGroup, packaging: SdkPackaging): Promise<HandlerBundle> {
  const result = await build({ ...LAMBDA_BUNDLING, entryPoints: [`functions/api/${name}.ts`], external: EXTERNALS[packaging] });
  const output = result.outputFiles?.[0];
  if (!output) throw new Error(`esbuild produced no output for functions/api/${name}.ts`);
  const kb = kilobytes(output.contents.byteLength);
  return { name, packaging, code: output.contents, bytes: output.contents.byteLength, kb, verdict: verdict(kb, BUNDLE_LIMIT_KB) };
}

/** Every route group's handler, bundled both ways. */
export function bundleHandlers(): Promise<HandlerBundle[]> {
  return Promise.all(routeGroups.flatMap((group) => SDK_PACKAGINGS.map((packaging) => bundle(group, packaging))));
}
