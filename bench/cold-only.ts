import { loadavg } from 'node:os';
import { COLD_START_LEGEND, formatColdStarts, measureColdStarts } from './cold-starts.ts';

/** `tsx bench/cold-only.ts`: the bundle sizes and cold imports alone (issue 14 item 4), for quick checks. */
console.log(`Load average (1 min) at start: ${loadavg()[0]!.toFixed(2)}\n${COLD_START_LEGEND}\n`);
const coldStarts = await measureColdStarts((step) => process.stderr.write(`  ${step}…\n`));
console.log(formatColdStarts(coldStarts).join('\n'));
console.log(`Load average (1 min) at the end: ${loadavg()[0]!.toFixed(2)}`);
