import { execFile } from 'node:child_process';
import { access, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

const run = promisify(execFile);

/** A folder of a package of the npm registry, kept under `.cache/` (the registry is the one download CI may reach). */
export interface CachedPackage {
  /** What `npm pack` fetches, e.g. `amplify-dynamodb-simulator@2.9.30`. */
  spec: string;
  /** The folder of its tarball to keep: `package` for all of it, `package/emulator` for a part. */
  folder: string;
  /** Where it is kept. */
  target: string;
  /** A file of `target` (relative to it) that exists once the folder is complete. */
  marker: string;
  /** Named in the one line printed when it is fetched. */
  label: string;
}

/**
 * `target`, fetched once: `npm pack` into a staging folder beside it, the wanted folder extracted, then renamed into
 * place (the same filesystem, so atomic). An interrupted fetch leaves nothing half-installed; when two processes
 * fetch at once, the second rename fails and finds the first one's complete folder. Answers `target`.
 */
export async function ensurePackageFolder(cached: CachedPackage): Promise<string> {
  const { spec, folder, target, label } = cached;
  if (await isComplete(cached)) return target;
  process.stderr.write(`Fetching ${label} (once)…\n`);
  await mkdir(dirname(target), { recursive: true });
  const staging = await mkdtemp(`${target}.staging-`);
  try {
    await run('npm', ['pack', spec, '--pack-destination', staging], { cwd: REPO_ROOT });
    const tarball = (await readdir(staging)).find((name) => name.endsWith('.tgz'));
    if (tarball === undefined) throw new Error(`npm pack ${spec} produced no tarball`);
    await run('tar', ['-xzf', join(staging, tarball), '-C', staging, folder]);
    await moveIntoPlace(join(staging, folder), cached);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return target;
}

async function isComplete({ target, marker }: CachedPackage): Promise<boolean> {
  try {
    await access(join(target, marker));
    return true;
  } catch {
    return false;
  }
}

async function moveIntoPlace(source: string, cached: CachedPackage): Promise<void> {
  try {
    await rename(source, cached.target);
  } catch {
    if (await isComplete(cached)) return; // another process won
    // A folder left incomplete (no marker) is replaced.
    await rm(cached.target, { recursive: true, force: true });
    await rename(source, cached.target);
  }
}
