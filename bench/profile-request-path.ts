import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatPerRequest, formatProfile, summarizeProfile, type CpuProfile } from './cpu-profile.ts';
import { freePort } from '../local/free-port.ts';
import { measureHttp } from './http-load.ts';
import { fixed } from './report.ts';
import { prepareScenarios } from './scenarios.ts';

/**
 * `tsx bench/profile-request-path.ts [route]`: `npm start` (local/start.ts, throttle off, a fresh data folder) in a
 * process started with `node --cpu-prof`, the bench's routes loaded from another process (CONNECTIONS, default 1;
 * SECONDS each, default 10), then the server stopped and its profile summarized: where one request's time goes.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv[2];
const connections = Number(process.env.CONNECTIONS ?? 1);
const durationMs = Number(process.env.SECONDS ?? 10) * 1000;

const dir = await mkdtemp(join(tmpdir(), 'crm-profile-'));
const port = await freePort();
const server = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${join(dir, 'profile')}`, '--import', 'tsx', join(ROOT, 'local/start.ts')], {
  cwd: ROOT,
  env: { ...process.env, PORT: String(port), LOCAL_DATA_DIR: join(dir, 'data'), LOCAL_THROTTLE: 'off', POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const exited = new Promise((resolve) => server.once('exit', resolve));
let requests = 0;
try {
  const printed = await new Promise<string>((resolve, reject) => {
    let text = '';
    server.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('Ctrl-C')) resolve(text);
    });
    server.once('exit', (code) => reject(new Error(`The server exited (${code}) before it was ready:\n${text}`)));
  });
  const field = (pattern: RegExp) => pattern.exec(printed)?.[1] ?? '';
  const api = {
    url: `http://127.0.0.1:${port}`,
    adminToken: field(/Admin token\s+(\S+)/),
    dynamoEndpoint: field(/DynamoDB Local\s+(\S+)/),
    tableName: field(/\(table (\S+)\)/),
  };
  for (const scenario of await prepareScenarios(api)) {
    if (only && !scenario.route.includes(only)) continue;
    const figures = await measureHttp(scenario.api, { connections, warmupMs: 1_000, durationMs });
    requests += figures.requests;
    console.log(`${scenario.route} at ${connections} connection(s): ${figures.requests} requests, p50 ${fixed(figures.p50Ms, 2)} ms, non-2xx ${figures.non2xx}`);
  }
} finally {
  server.kill('SIGINT');
  await exited;
}
// The main thread's profile (tsx's loader thread writes one too).
const [file] = (await readdir(join(dir, 'profile'))).filter((name) => /\.0\.\d+\.cpuprofile$/.test(name));
if (!file) throw new Error('The server wrote no profile');
const profile = JSON.parse(await readFile(join(dir, 'profile', file), 'utf8')) as CpuProfile;
const summary = summarizeProfile(profile, ROOT);
console.log([...formatProfile(summary), `Per request (${requests} measured; the warm-up's and set-up's requests are also in the time)\n${formatPerRequest(summary, requests)}`].join('\n\n'));
if (process.env.KEEP_PROFILE) console.log(`Profile kept in ${join(dir, 'profile', file)}`);
else await rm(dir, { recursive: true, force: true });
process.exit(0);
