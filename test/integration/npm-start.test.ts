import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
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
});
