import { DEPLOYED_SDK_PACKAGING } from '../infra/bundles.ts';
import { rm } from 'node:fs/promises';
import { BUNDLE_LIMIT_KB, bundleFunctions, bundleRoot, SDK_PACKAGINGS, type FunctionBundle, type SdkPackaging } from './bundle-size.ts';
import { deployedNode, DEPLOYED_NODE_MAJOR } from './deployed-node.ts';
import { BARE_SDK, IMPORT_RUNS, measureImportTimes, type ImportTime } from './import-time.ts';
import { fixed, formatTable, median, verdict, type Verdict } from './report.ts';

/** Issue 14 item 4: every function's cold import at most the bare DynamoDB SDK's, measured in the same run. */
export const IMPORT_RATIO_LIMIT = 1;

export interface ColdStarts {
  /** The Node that imported the bundles and the bare SDK: the deployed runtime's major when it could be had. */
  node: string;
  bundles: FunctionBundle[];
  imports: ImportTime[];
  bareSdkMs: number;
}

export const COLD_START_LEGEND = `  ${DEPLOYED_SDK_PACKAGING}   as infra/bundles.ts deploys it (${DEPLOYED_SDK_PACKAGING === 'bundled-sdk' ? '@aws-sdk/* bundled, tree-shaken and minified with the function' : '@aws-sdk/* left to the Lambda runtime, loaded here from node_modules'}).
  ${SDK_PACKAGINGS[1]}   the alternative, for comparison.
  import ms     median of ${IMPORT_RUNS} fresh \`node\` processes of the deployed runtime's major (Node ${DEPLOYED_NODE_MAJOR}, fetched once from the
                npm registry when the machine runs another), timing only \`await import(<function>/index.mjs)\`, with the Lambda
                environment (the Tracer loads, source maps are enabled as the stack enables them), in rounds over all rows.
  no Tracer ms  the deployed bundle imported with POWERTOOLS_TRACE_ENABLED=false: what the Tracer's chunk costs.
  init KB       index.mjs and the chunks it imports statically (what a cold start reads); all KB adds the lazy chunks.
  vs bare SDK   import ms / the bare \`import '@aws-sdk/client-dynamodb'; import '@aws-sdk/lib-dynamodb'\` from
                node_modules in the same run; target <= ${IMPORT_RATIO_LIMIT}x (issue 14 item 4). Bundle target <= ${BUNDLE_LIMIT_KB} KB.`;

export async function measureColdStarts(progress: (step: string) => void = () => {}): Promise<ColdStarts> {
  const root = await bundleRoot();
  try {
    progress('bundling every function both ways');
    const bundles = await bundleFunctions(root);
    const node = (await deployedNode()) ?? { path: process.execPath, version: `${process.version} (no Node ${DEPLOYED_NODE_MAJOR} to be had: not the deployed runtime's major)` };
    const imports = await measureImportTimes(node.path, root, bundles, DEPLOYED_SDK_PACKAGING, (round) => progress(`importing every bundle in fresh Node ${node.version} processes, round ${round} of ${IMPORT_RUNS}`));
    const bareSdkMs = imports.find((time) => time.name === BARE_SDK)!.medianMs;
    return { node: node.version, bundles, imports, bareSdkMs };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

export const importRatio = (time: ImportTime, bareSdkMs: number) => time.medianMs / bareSdkMs;
const ratioVerdict = (time: ImportTime, bareSdkMs: number): Verdict => verdict(importRatio(time, bareSdkMs), IMPORT_RATIO_LIMIT);

export function formatColdStarts({ node, bundles, imports, bareSdkMs }: ColdStarts): string[] {
  const find = <T extends { name: string; packaging?: SdkPackaging; tracing?: boolean }>(items: readonly T[], name: string, packaging: SdkPackaging, tracing = true) =>
    items.find((item) => item.name === name && item.packaging === packaging && (item.tracing ?? true) === tracing)!;
  const names = [...new Set(bundles.map((bundle) => bundle.name))];
  const headers = ['function', ...SDK_PACKAGINGS.flatMap((packaging) => [`${packaging} init KB`, `<=${BUNDLE_LIMIT_KB}KB`, 'all KB', 'import ms', 'vs bare SDK', `<=${IMPORT_RATIO_LIMIT}x`]), 'no Tracer ms'];
  const rows = names.map((name) => [
    name,
    ...SDK_PACKAGINGS.flatMap((packaging) => {
      const size = find(bundles, name, packaging);
      const time = find(imports, name, packaging);
      return [fixed(size.initKb), size.verdict, fixed(size.totalKb), fixed(time.medianMs), `${fixed(importRatio(time, bareSdkMs), 2)}x`, ratioVerdict(time, bareSdkMs)];
    }),
    fixed(find(imports, name, DEPLOYED_SDK_PACKAGING, false).medianMs),
  ]);
  const deployed = bundles.filter((bundle) => bundle.packaging === DEPLOYED_SDK_PACKAGING);
  const heaviest = deployed.map((bundle) => `  ${bundle.name}: ${bundle.packages.slice(0, 6).map((pkg) => `${pkg.name} ${fixed(pkg.kb)}`).join(', ')}`);
  const deployedTimes = imports.filter((time) => time.packaging === DEPLOYED_SDK_PACKAGING && time.tracing);
  const tracerMs = deployedTimes.map((time) => time.medianMs - find(imports, time.name, DEPLOYED_SDK_PACKAGING, false).medianMs);
  const worst = Math.max(...deployedTimes.map((time) => time.medianMs));
  return [
    `Lambda functions: minified ESM bundle and cold import on Node ${node} (${BARE_SDK}: ${fixed(bareSdkMs)} ms in this run)`,
    formatTable(headers, rows),
    `Deployed (${DEPLOYED_SDK_PACKAGING}): loaded at init ${fixed(Math.min(...deployed.map((bundle) => bundle.initKb)))}–${fixed(Math.max(...deployed.map((bundle) => bundle.initKb)))} KB, slowest import ${fixed(worst)} ms = ${fixed(worst / bareSdkMs, 2)}x the bare SDK; the Tracer adds ${fixed(median(tracerMs))} ms (median over the functions).`,
    `What each deployed function loads at init (KB by package, esbuild metafile, largest six):`,
    ...heaviest,
  ];
}
