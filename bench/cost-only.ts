import './quiet-logs.ts';
import { startLocalRuntime } from '../local/runtime.ts';
import { formatCosts, measureCosts } from './cost.ts';

/** `tsx bench/cost-only.ts`: the cost per route family alone (issue 14 item 6). */
const runtime = await startLocalRuntime({ throttle: false });
try {
  console.log(formatCosts(await measureCosts(runtime)).join('\n'));
} finally {
  await runtime.stop();
}
process.exit(0);
