import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_SHAPE_VERSION } from '../../shared/db/migrations/index.ts';
import { freePort } from '../../local/free-port.ts';

/**
 * SPEC §10 as an ops engineer meets it: `npm start` (the same command, run as a process) serves the API,
 * prints the admin token, keeps data across a restart and stops DynamoDB Local and the SES emulator with it.
 */
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'npm-start-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
}

async function npmStart(port: number): Promise<Started> {
  const child = spawn('npm', ['start'], { env: { ...process.env, PORT: String(port), LOCAL_DATA_DIR: dataDir }, detached: true });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  for (let waited = 0; waited < 90_000; waited += 250) {
    if (/Admin token\s+\S+/.test(output) && (await fetch(`${url}/openapi.json`).then((r) => r.status, () => 0)) === 200) return { child, url, output: () => output };
    if (child.exitCode !== null) break;
    await delay(250);
  }
  child.kill('SIGKILL');
  throw new Error(`npm start did not become ready:\n${output}`);
}

/** Ctrl-C in a terminal signals the whole process group: npm and the server it runs. */
async function stop(started: Started): Promise<void> {
  const exited = new Promise<void>((resolve) => started.child.once('exit', () => resolve()));
  process.kill(-started.child.pid!, 'SIGINT');
  await exited;
}

const portOf = (output: string, label: string) => Number(new RegExp(`${label}\\s+http://127\\.0\\.0\\.1:(\\d+)`).exec(output)?.[1]);

/** Whether anything still answers on the port, polled for a while (shutdown takes a moment). */
async function stillListening(port: number): Promise<boolean> {
  for (let waited = 0; waited < 15_000; waited += 250) {
    if ((await fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false)) === false) return false;
    await delay(250);
  }
  return true;
}

/** The pid of the process whose command line holds every one of `parts` (Linux /proc), for killing it as a crash would. */
async function pidOf(...parts: string[]): Promise<number> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const commandLine = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (parts.every((part) => commandLine.split('\0').includes(part))) return Number(entry);
  }
  throw new Error(`No process with ${parts.join(' ')}`);
}

describe('SPEC §10 npm start', () => {
  it('SPEC §10 serves the API with the printed admin token, keeps data across a restart, and stops cleanly', { timeout: 240_000 }, async () => {
    const port = await freePort();
    const first = await npmStart(port);
    const token = /Admin token\s+(\S+)/.exec(first.output())![1]!;
    const created = await fetch(`${first.url}/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'kept@example.com', name: 'Kept', role: 'rep' }),
    });
    await stop(first);
    const firstServices = [port, portOf(first.output(), 'Mail inbox \\(SES\\)'), portOf(first.output(), 'DynamoDB Local')];

    const second = await npmStart(port);
    const read = await fetch(`${second.url}/users/${((await created.json()) as { id: string }).id}`, { headers: { authorization: `Bearer ${token}` } });
    await stop(second);

    expect(created.status).toBe(201);
    expect(read.status).toBe(200);
    expect(second.output()).toContain('Stopping');
    // Issue 15 item 3: the data folder is migrated at start: a fresh table once, a current one not again.
    expect(first.output()).toContain(`Data migrated: shape version 0 → ${CURRENT_SHAPE_VERSION}`);
    expect(second.output()).not.toContain('Data migrated');
    for (const servicePort of [...firstServices, portOf(second.output(), 'Mail inbox \\(SES\\)')]) {
      expect(await stillListening(servicePort), `port ${servicePort}`).toBe(false);
    }
  });

  it('SPEC §10 DynamoDB Local dying under it: npm start says so, stops the rest and exits with an error, instead of serving errors', { timeout: 240_000 }, async () => {
    const port = await freePort();
    const started = await npmStart(port);
    const sesPort = portOf(started.output(), 'Mail inbox \\(SES\\)');
    const exited = new Promise<number | null>((resolve) => started.child.once('exit', (code) => resolve(code)));

    process.kill(await pidOf('-port', String(portOf(started.output(), 'DynamoDB Local'))), 'SIGKILL');
    const code = await exited;

    expect(code).not.toBe(0);
    expect(started.output()).toContain('DynamoDB Local stopped on its own');
    expect(await stillListening(port)).toBe(false);
    expect(await stillListening(sesPort)).toBe(false);
  });
});
