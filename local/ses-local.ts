import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { freePort } from './free-port.ts';
import { spawnService, waitUntilReady, type RunningService } from './service-process.ts';

export interface EmulatedEmail {
  to: string[];
  subject: string;
  text?: string;
  html?: string;
  sentAt: string;
}

// The part of aws-ses-v2-local's store (dist/store.d.ts) that we read; v1 and v2 sends share it.
interface StoredEmail {
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

interface EmulatorStore {
  emails: StoredEmail[];
}

const STORE_TIMEOUT_MS = 5_000;

export async function startSesLocal(options: { port?: number } = {}): Promise<RunningService> {
  const port = options.port ?? (await freePort());
  const service = spawnService(process.execPath, [emulatorCli(), '--host', '127.0.0.1', '--port', String(port)]);
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilReady(service, 'SES emulator', () => fetchStore(endpoint));
  return { endpoint, port, stop: service.stop, crashed: service.crashed };
}

export async function readEmulatorInbox(endpoint: string): Promise<EmulatedEmail[]> {
  const store = await fetchStore(endpoint);
  return store.emails.map(toEmulatedEmail);
}

export async function clearEmulatorInbox(endpoint: string): Promise<void> {
  const response = await fetch(new URL('/clear-store', endpoint), { method: 'POST' });
  if (!response.ok) throw new Error(`SES emulator refused to clear its store: HTTP ${response.status}`);
}

function emulatorCli(): string {
  const manifest = createRequire(import.meta.url).resolve('aws-ses-v2-local/package.json');
  return join(dirname(manifest), 'dist', 'cli.js');
}

async function fetchStore(endpoint: string): Promise<EmulatorStore> {
  const response = await fetch(new URL('/store', endpoint), { signal: AbortSignal.timeout(STORE_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`SES emulator store answered HTTP ${response.status}`);
  return (await response.json()) as EmulatorStore;
}

function toEmulatedEmail(email: StoredEmail): EmulatedEmail {
  return {
    to: email.destination.to,
    subject: email.subject,
    text: email.body.text,
    html: email.body.html,
    sentAt: new Date(email.at * 1000).toISOString(),
  };
}
