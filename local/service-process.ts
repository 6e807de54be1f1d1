import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';

export interface RunningService {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
  /** Resolves with the service's last output if it exits before `stop` (it crashed or was killed); else never. */
  crashed: Promise<string>;
}

export interface ServiceProcess {
  hasExited(): boolean;
  recentOutput(): string;
  stop(): Promise<void>;
  crashed: Promise<string>;
}

const STOP_GRACE_MS = 5_000;
const READY_POLL_INTERVAL_MS = 100;
const KEPT_OUTPUT_CHARS = 20_000;

export function spawnService(command: string, args: string[], cwd?: string): ServiceProcess {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = captureOutput(child);
  const exited = whenExited(child);
  let stopping: Promise<void> | undefined;
  return {
    hasExited: () => hasExited(child),
    recentOutput: output,
    stop: () => (stopping ??= terminate(child, exited)),
    crashed: exited.then(() => (stopping ? new Promise<string>(() => {}) : output())),
  };
}

export async function waitUntilReady(
  service: ServiceProcess,
  name: string,
  probe: () => Promise<unknown>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !service.hasExited()) {
    if (await succeeds(probe)) return;
    await delay(READY_POLL_INTERVAL_MS);
  }
  const reason = service.hasExited() ? 'exited before it was ready' : `was not ready after ${timeoutMs} ms`;
  await service.stop();
  throw new Error(`${name} ${reason}. Its output:\n${service.recentOutput()}`);
}

async function succeeds(probe: () => Promise<unknown>): Promise<boolean> {
  try {
    await probe();
    return true;
  } catch {
    return false;
  }
}

// Only the tail is kept: a long-running local runtime must not grow this without bound.
function captureOutput(child: ChildProcess): () => string {
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-KEPT_OUTPUT_CHARS);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  child.on('error', (error) => append(Buffer.from(`${error.message}\n`)));
  return () => output;
}

// 'exit' alone is not enough: a command that cannot be spawned only emits 'error'.
function whenExited(child: ChildProcess): Promise<void> {
  const killWithParent = () => child.kill('SIGKILL');
  process.on('exit', killWithParent);
  return new Promise((resolve) => {
    const settle = () => {
      process.off('exit', killWithParent);
      resolve();
    };
    child.once('exit', settle);
    child.once('error', settle);
  });
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null || child.pid === undefined;
}

async function terminate(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (hasExited(child)) return;
  child.kill('SIGTERM');
  const forceKill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(forceKill);
}
