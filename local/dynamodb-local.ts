import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { localEndpointConfig } from '../shared/app-context.ts';
import { freePort } from './free-port.ts';
import { ensurePackageFolder } from './npm-package-cache.ts';
import { spawnService, waitUntilReady, type RunningService } from './service-process.ts';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEFAULT_CACHE_DIR = join(REPO_ROOT, '.cache', 'dynamodb-local');
// This npm package ships the official DynamoDB Local build, so npm's registry and cache serve it.
const SIMULATOR_PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
const JAR = 'DynamoDBLocal.jar';
const NATIVE_LIBS = 'DynamoDBLocal_lib';
const PROBE_TIMEOUT_MS = 2_000;

/** The DynamoDB Local build of the npm package (its `emulator` folder), fetched once into `cacheDir`. */
export const ensureDynamoDbLocal = (cacheDir: string = DEFAULT_CACHE_DIR): Promise<string> =>
  ensurePackageFolder({ spec: SIMULATOR_PACKAGE, folder: 'package/emulator', target: cacheDir, marker: JAR, label: 'DynamoDB Local' });

/** Where a local table lives: DynamoDB Local's endpoint and the access key whose database holds it. */
export interface LocalDatabase {
  endpoint: string;
  accessKeyId: string;
}

export interface DynamoDbLocalOptions {
  dbPath?: string;
  port?: number;
  /**
   * One database for every access key and region (the default, so that any tool with any credentials sees the
   * tables of `npm start`). Tests turn it off and give each test file an access key, hence a database, of its own:
   * DynamoDB Local slows down on every stream-enabled table once much stream history has been written to its
   * database (measured: writes 5–15× slower on a table created after ~10,000 stream records), so one database
   * for a whole test run made each file slower than the last.
   */
  sharedDb?: boolean;
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<RunningService> {
  const home = await ensureDynamoDbLocal();
  const port = options.port ?? (await freePort());
  const storage = await storageArgs(options.dbPath);
  // cwd is the install folder because DynamoDB Local writes a metadata file into its working directory.
  const service = spawnService('java', [...launchArgs(home, port), ...(options.sharedDb === false ? [] : ['-sharedDb']), ...storage], home);
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilReady(service, 'DynamoDB Local', () => listTables(endpoint));
  return { endpoint, port, stop: service.stop, crashed: service.crashed };
}

async function storageArgs(dbPath: string | undefined): Promise<string[]> {
  if (dbPath === undefined) return ['-inMemory'];
  await mkdir(dbPath, { recursive: true });
  return ['-dbPath', dbPath];
}

function launchArgs(home: string, port: number): string[] {
  return [
    `-Djava.library.path=${join(home, NATIVE_LIBS)}`,
    '-jar',
    join(home, JAR),
    '-port',
    String(port),
    '-disableTelemetry',
  ];
}

async function listTables(endpoint: string): Promise<void> {
  const client = new DynamoDBClient({ ...localEndpointConfig(endpoint), maxAttempts: 1 });
  try {
    await client.send(new ListTablesCommand({}), { abortSignal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
  } finally {
    client.destroy();
  }
}
