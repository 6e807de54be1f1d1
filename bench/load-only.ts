import './quiet-logs.ts';
import { loadavg } from 'node:os';
import { startLocalRuntime } from '../local/runtime.ts';
import { fixed } from './report.ts';
import { formatLoad, formatLoadSpread, measureLoad, type LoadRow } from './request-path.ts';
import { servedApi } from './scenarios.ts';

/** `tsx bench/load-only.ts`: the API/bare ratios alone (issue 14 item 2), RUNS=n times in one runtime, then their spread. */
const runtime = await startLocalRuntime({ throttle: false });
try {
  const runs: LoadRow[][] = [];
  for (let run = 0; run < Number(process.env.RUNS ?? 1); run++) {
    const load = loadavg()[0] ?? 0;
    const rows = await measureLoad(servedApi(runtime), (step) => process.stderr.write(`  ${step}…\n`));
    runs.push(rows);
    console.log(`Run ${run + 1} (load average at start ${fixed(load, 2)})\n${formatLoad(rows).join('\n')}\n`);
  }
  if (runs.length > 1) console.log(formatLoadSpread(runs).join('\n'));
} finally {
  await runtime.stop();
}
process.exit(0);
