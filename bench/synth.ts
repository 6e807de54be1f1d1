import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * Issue 15 item 2: `cdk synth` of 20 tenants against one, each in a fresh Node process (imports, bundling, the
 * stacks, cdk-nag and writing cdk.out included, as `npx cdk synth` runs infra/app.ts). Target: 20 ≤ 2 × 1.
 * `npx tsx bench/synth.ts` on its own, or called by `npm run bench`.
 */
export const SYNTH_RATIO_LIMIT = 2;
const SELF = fileURLToPath(import.meta.url);
const TSX = fileURLToPath(new URL('../node_modules/tsx/dist/cli.mjs', import.meta.url));

/** In the child: synthesizes `count` tenants like infra/app.ts and prints the milliseconds it took since start. */
async function synthesize(count: number): Promise<void> {
  const started = performance.now();
  const [{ tenantApp }, { tenantConfigFromContext }] = await Promise.all([import('../infra/tenant-app.ts'), import('../infra/tenants.ts')]);
  const outdir = mkdtempSync(join(tmpdir(), 'crm-synth-'));
  try {
    const tenants = Array.from({ length: count }, (_, index) => tenantConfigFromContext((key) => (key === 'tenant' ? `bench-${index + 1}` : undefined)));
    tenantApp(tenants, { outdir }).synth();
    const cpu = process.cpuUsage();
    process.stdout.write(`${performance.now() - started} ${(cpu.user + cpu.system) / 1000}`);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Wall time (what a person waits) and CPU time of the process (steadier on a shared machine). */
export interface SynthRun {
  wallMs: number;
  cpuMs: number;
}

export interface SynthFigures {
  oneTenant: SynthRun;
  twentyTenants: SynthRun;
  wallRatio: number;
  cpuRatio: number;
  met: boolean;
}

async function timedChild(count: number): Promise<SynthRun> {
  const { stdout } = await promisify(execFile)(process.execPath, [TSX, SELF, '--tenants', String(count)], { timeout: 900_000, maxBuffer: 10_000_000 });
  const [wallMs, cpuMs] = stdout.trim().split('\n').at(-1)!.split(' ').map(Number);
  return { wallMs: wallMs!, cpuMs: cpuMs! };
}

export async function measureSynth(): Promise<SynthFigures> {
  const oneTenant = await timedChild(1);
  const twentyTenants = await timedChild(20);
  const wallRatio = twentyTenants.wallMs / oneTenant.wallMs;
  const cpuRatio = twentyTenants.cpuMs / oneTenant.cpuMs;
  return { oneTenant, twentyTenants, wallRatio, cpuRatio, met: Math.max(wallRatio, cpuRatio) <= SYNTH_RATIO_LIMIT };
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function formatSynth({ oneTenant, twentyTenants, wallRatio, cpuRatio, met }: SynthFigures): string {
  return (
    `\ncdk synth, fresh process, cdk-nag and CloudFormation validation included (wall / CPU):\n` +
    `  1 tenant ${s(oneTenant.wallMs)} / ${s(oneTenant.cpuMs)}, 20 tenants ${s(twentyTenants.wallMs)} / ${s(twentyTenants.cpuMs)}, ` +
    `ratio ${wallRatio.toFixed(2)}x / ${cpuRatio.toFixed(2)}x (<= ${SYNTH_RATIO_LIMIT}x: ${met ? 'met' : 'NOT met'})`
  );
}

/** For bench/run.ts: one line there. */
export async function printSynthBench(): Promise<SynthFigures> {
  const figures = await measureSynth();
  console.log(formatSynth(figures));
  return figures;
}

const tenantsArg = process.argv.indexOf('--tenants');
if (tenantsArg !== -1) {
  await synthesize(Number(process.argv[tenantsArg + 1]));
} else if (process.argv[1] === SELF) {
  await printSynthBench();
}
