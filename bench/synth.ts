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
    process.stdout.write(String(performance.now() - started));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export interface SynthFigures {
  oneTenantMs: number;
  twentyTenantsMs: number;
  ratio: number;
  met: boolean;
}

async function timedChild(count: number): Promise<number> {
  const { stdout } = await promisify(execFile)(process.execPath, [TSX, SELF, '--tenants', String(count)], { timeout: 600_000, maxBuffer: 10_000_000 });
  return Number(stdout.trim().split('\n').at(-1));
}

export async function measureSynth(): Promise<SynthFigures> {
  const oneTenantMs = await timedChild(1);
  const twentyTenantsMs = await timedChild(20);
  const ratio = twentyTenantsMs / oneTenantMs;
  return { oneTenantMs, twentyTenantsMs, ratio, met: ratio <= SYNTH_RATIO_LIMIT };
}

export function formatSynth({ oneTenantMs, twentyTenantsMs, ratio, met }: SynthFigures): string {
  return (
    `\ncdk synth (fresh process, cdk-nag included): 1 tenant ${(oneTenantMs / 1000).toFixed(1)} s, ` +
    `20 tenants ${(twentyTenantsMs / 1000).toFixed(1)} s, ratio ${ratio.toFixed(2)}x (<= ${SYNTH_RATIO_LIMIT}x: ${met ? 'met' : 'NOT met'})`
  );
}

const tenantsArg = process.argv.indexOf('--tenants');
if (tenantsArg !== -1) {
  await synthesize(Number(process.argv[tenantsArg + 1]));
} else if (process.argv[1] === SELF) {
  console.log(formatSynth(await measureSynth()));
}
