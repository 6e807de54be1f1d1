import './quiet-logs.ts';
import { startLocalRuntime } from '../local/runtime.ts';
import { eventGate, measureRestore } from './lifecycle.ts';
import { formatSpread, spreadOf } from './report.ts';

/** `tsx bench/restore-only.ts`: the bulk vs single restore comparison alone (issue 14 item 5), for quick checks. */
const gate = eventGate();
const runtime = await startLocalRuntime({ throttle: false, events: { wrapPutEvents: gate.wrap } });
try {
  const speedups: number[] = [];
  for (let run = 0; run < Number(process.env.RUNS ?? 1); run++) {
    const restore = await measureRestore(runtime, gate);
    speedups.push(restore.speedup);
    console.log(JSON.stringify(restore));
  }
  console.log(`Bulk restore speed-up over single restores: ${formatSpread(spreadOf(speedups))} (target >= 5x)`);
} finally {
  await runtime.stop();
}
process.exit(0);
