import { accessSync, constants, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { localThrottle, type ThrottleLimit } from '../shared/http/throttle.ts';

/** What `npm start` reads from its environment (SPEC §10: PORT, LOCAL_DATA_DIR, LOCAL_THROTTLE), checked. */
export interface StartSettings {
  port: number;
  dataDir: string;
  throttle: ThrottleLimit | false;
}

export const DEFAULT_PORT = 3000;

/**
 * The settings, or every problem with them in one line each: a wrong value is reported by its variable's name and what
 * it must be, before anything starts, rather than as a stack trace (or a random port for `PORT=abc`).
 */
export function startSettings(env: NodeJS.ProcessEnv): { settings: StartSettings } | { problems: string[] } {
  const problems: string[] = [];
  const portText = env.PORT?.trim() || String(DEFAULT_PORT);
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) problems.push(`PORT must be a port number from 0 to 65535 (0: any free port), got ${JSON.stringify(env.PORT)}`);
  let throttle: ThrottleLimit | false = false;
  try {
    throttle = localThrottle(env.LOCAL_THROTTLE);
  } catch (error) {
    problems.push((error as Error).message);
  }
  const dataDir = resolve(env.LOCAL_DATA_DIR || '.local/data');
  try {
    mkdirSync(dataDir, { recursive: true });
    accessSync(dataDir, constants.W_OK);
  } catch (error) {
    problems.push(`LOCAL_DATA_DIR must be a folder this user can write, got ${JSON.stringify(dataDir)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return problems.length > 0 ? { problems } : { settings: { port, dataDir, throttle } };
}
