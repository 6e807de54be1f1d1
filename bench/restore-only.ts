import './quiet-logs.ts';
import { startLocalRuntime } from '../local/runtime.ts';
import { eventGate, measureRestore } from './lifecycle.ts';

/** `tsx bench/restore-only.ts`: the bulk vs single restore comparison alone (issue 14 item 5), for quick checks. */
const gate = eventGate();
const runtime = await startLocalRuntime({ throttle: false, events: { wrapPutEvents: gate.wrap } });
try {
  for (let run = 0; run < Number(process.env.RUNS ?? 1); run++) console.log(JSON.stringify(await measureRestore(runtime, gate)));
} finally {
  await runtime.stop();
}
process.exit(0);
