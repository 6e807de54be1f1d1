import './quiet-logs.ts';
import { startLocalRuntime } from '../local/runtime.ts';
import { formatSearchReads, measureSearchReads } from './search-reads.ts';

/** `tsx bench/search-only.ts`: the search figures alone (issue 14 item 1), for quick checks. */
const runtime = await startLocalRuntime({ throttle: false });
try {
  const rows = await measureSearchReads(runtime, (step) => process.stderr.write(`  ${step}…\n`));
  console.log(formatSearchReads(rows).join('\n'));
} finally {
  await runtime.stop();
}
process.exit(0);
