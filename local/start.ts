import { FIRST_ADMIN, startLocalRuntime } from './runtime.ts';
import { startSettings } from './start-settings.ts';
import { migrateTable } from '../shared/db/migrations/runner.ts';
import { progressLine } from '../scripts/migrate.ts';

/** `npm start`: the whole stack on this machine, data kept in LOCAL_DATA_DIR across restarts. */
const checked = startSettings(process.env);
if ('problems' in checked) {
  console.error(`npm start: nothing started.\n- ${checked.problems.join('\n- ')}`);
  process.exit(2);
}
const { port, dataDir, throttle } = checked.settings;
const runtime = await startLocalRuntime({ port, dataDir, throttle }).catch((error: NodeJS.ErrnoException) => {
  // A port taken by another program is the usual cause: say so in one line (the services it started are stopped).
  console.error(`npm start: could not start: ${error.code === 'EADDRINUSE' ? `port ${port} is in use (set PORT to another one)` : error.message}`);
  process.exit(1);
});
// Issue 15 item 3: data kept from an earlier version is brought to this version's item shapes.
const migrated = await migrateTable(runtime.ctx, { report: (progress) => console.log(progressLine(progress)) });
if (migrated.applied.length > 0) console.log(`Data migrated: shape version ${migrated.from} → ${migrated.to}`);

console.log(`Pipeline CRM API  ${runtime.url}   (OpenAPI: ${runtime.url}/openapi.json)
Data folder       ${dataDir}
DynamoDB Local    ${runtime.dynamoEndpoint}   (table ${runtime.ctx.tableName})
Mail inbox (SES)  ${runtime.sesEndpoint}   (or GET ${runtime.url}/_local/emails)
Admin             ${FIRST_ADMIN.email}
Admin token       ${runtime.adminToken}
Other tokens      curl -X POST ${runtime.url}/_local/token -d '{"email":"…"}'
Ctrl-C stops everything.`);

let stopping = false;
const stopAndExit = (code: number) => {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping…');
  runtime.stop().then(() => process.exit(code), () => process.exit(1));
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stopAndExit(0));
// Without its database or mail the stack can only answer errors: say which service stopped, and stop with it.
void runtime.serviceCrashed.then(({ service, output }) => {
  if (stopping) return;
  console.error(`\n${service} stopped on its own. Its last output:\n${output.split('\n').slice(-20).join('\n')}`);
  stopAndExit(1);
});
