import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { routeImplementations } from '../functions/api/route-implementations.ts';
import { routeGroups } from '../functions/api/route-table.ts';
import { scheduledJobs } from '../functions/jobs/job-table.ts';
import { createAppContext, documentClient, stackConfigFromEnv, type AppContext } from '../shared/app-context.ts';
import { localDirectory } from '../shared/auth/user-directory.ts';
import { localSesClient, sesMailer } from '../shared/mail/mailer.ts';
import { requireRecord } from '../shared/db/store.ts';
import { userModel } from '../shared/db/keys.ts';
import { seedTenant } from '../shared/db/seed.ts';
import { findUserByEmail } from '../shared/db/users.ts';
import { createTableInput } from '../shared/db/table-definition.ts';
import { createApiHandler } from '../shared/http/api-handler.ts';
import { createCursorCodec } from '../shared/http/cursor.ts';
import { badRequest } from '../shared/http/problem.ts';
import { id } from '../shared/schemas/common.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import { freePort } from './free-port.ts';
import { startLocalEvents, type LocalEvents, type LocalEventsOptions } from './events.ts';
import { createLocalAuth } from './local-auth.ts';
import { startLocalServer, type LocalRoute } from './server.ts';
import { readEmulatorInbox, startSesLocal } from './ses-local.ts';
import { forbidden, notFound } from '../shared/domain/errors.ts';
import type { ThrottleLimit } from '../shared/http/throttle.ts';

export const FIRST_ADMIN = { email: 'admin@example.com', name: 'Admin' } as const;

export interface LocalRuntimeOptions {
  port?: number;
  /** Folder for DynamoDB data and local keys; without it everything lives in memory (tests). */
  dataDir?: string;
  /** Reuse a running DynamoDB Local / SES emulator (tests share one per run) instead of starting one. */
  dynamoEndpoint?: string;
  /** The access key of the runtime's DynamoDB calls: tests give each file its own database this way. */
  dynamoAccessKey?: string;
  sesEndpoint?: string;
  tableName?: string;
  corsOrigins?: readonly string[];
  /** The API's limit (the stage's unless set), or false to lift every limit (`LOCAL_THROTTLE`, benchmarks). */
  throttle?: ThrottleLimit | false;
  /** Overrides of the app context (a fixed clock, ids …). */
  context?: Partial<AppContext>;
  /** Extra consumers and a PutEvents wrapper for the local event path (tests). */
  events?: LocalEventsOptions;
}

export interface LocalRuntime {
  url: string;
  ctx: AppContext;
  adminToken: string;
  sesEndpoint: string;
  dynamoEndpoint: string;
  stop(): Promise<void>;
  /**
   * Resolves with the name and last output of a service this runtime started (DynamoDB Local, the SES emulator) that
   * exited on its own; never for services it was given or once stopping. `npm start` then stops the rest and exits.
   */
  serviceCrashed: Promise<{ service: string; output: string }>;
}

/** The whole stack on one machine (SPEC §10): DynamoDB Local, the SES emulator and the API's handlers. */
export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const stops: (() => Promise<void>)[] = [];
  const crashes: Promise<{ service: string; output: string }>[] = [];
  const watch = (service: string, started: { crashed: Promise<string> }) => crashes.push(started.crashed.then((output) => ({ service, output })));
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    const dynamo = options.dynamoEndpoint
      ? { endpoint: options.dynamoEndpoint }
      : await startDynamoDbLocal({ dbPath: options.dataDir ? join(options.dataDir, 'dynamodb') : undefined });
    if ('stop' in dynamo) {
      stops.push(dynamo.stop);
      watch('DynamoDB Local', dynamo);
    }
    const dynamoAccessKey = options.dynamoAccessKey ?? 'local';
    const ses = options.sesEndpoint ? { endpoint: options.sesEndpoint } : await startSesLocal();
    if ('stop' in ses) {
      stops.push(ses.stop);
      watch('The SES emulator', ses);
    }

    const secrets = loadOrCreateSecrets(options.dataDir);
    // The port is chosen before the handlers' context exists, so that the context knows the API's own URL
    // (R-PS-8 calendar feed addresses); API_URL still wins, e.g. behind a proxy.
    const port = options.port || (await freePort());
    const config = { ...stackConfigFromEnv(), apiUrl: process.env.API_URL ?? `http://127.0.0.1:${port}` };
    const ctx = createAppContext({
      db: documentClient(dynamo.endpoint, dynamoAccessKey),
      tableName: options.tableName ?? 'pipeline-crm',
      cursors: createCursorCodec(async () => secrets.cursorSecret),
      directory: localDirectory,
      mailer: sesMailer(config.mailFrom, await localSesClient(ses.endpoint)),
      config,
      ...options.context,
    });
    await ensureTable(ctx);
    const admin = await seedTenant(ctx, FIRST_ADMIN);
    const auth = await createLocalAuth(options.dataDir ? join(options.dataDir, 'local-keys.json') : undefined);
    const events = await startLocalEvents(ctx, { endpoint: dynamo.endpoint, accessKeyId: dynamoAccessKey }, options.events);
    stops.push(events.stop);

    const server = await startLocalServer({
      functions: routeGroups.map(({ name }) => ({ name, routes: routeImplementations[name], handler: createApiHandler(routeImplementations[name], () => ctx) })),
      localRoutes: localRoutes(ctx, auth, ses.endpoint, events),
      auth,
      corsOrigins: options.corsOrigins ?? (process.env.CORS_ORIGINS ?? 'http://localhost:5173').split(','),
      port,
      throttle: options.throttle,
    });
    stops.push(server.close);

    return {
      url: server.url,
      ctx,
      adminToken: await auth.issueToken(admin),
      sesEndpoint: ses.endpoint,
      dynamoEndpoint: dynamo.endpoint,
      stop: stopAll,
      serviceCrashed: Promise.race(crashes),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

const tokenRequest = z.union([z.strictObject({ userId: id }), z.strictObject({ email: z.email() })]);
const runRequest = z.strictObject({ now: z.iso.datetime({ offset: true }).optional() });

function localRoutes(ctx: AppContext, auth: Awaited<ReturnType<typeof createLocalAuth>>, sesEndpoint: string, events: LocalEvents): LocalRoute[] {
  return [
    {
      method: 'POST',
      path: '/_local/token',
      async handle(body) {
        const parsed = tokenRequest.safeParse(body);
        if (!parsed.success) throw badRequest('validation_failed', 'Send { userId } or { email }', [{ path: '', message: 'Expected { userId } or { email }' }]);
        const user = 'userId' in parsed.data
          ? await requireRecord(ctx, userModel, parsed.data.userId)
          : await findUserByEmail(ctx, parsed.data.email);
        if (!user) throw notFound('User');
        if (!user.active) throw forbidden('This user is deactivated');
        return { status: 200, body: { token: await auth.issueToken(user) } };
      },
    },
    {
      method: 'GET',
      path: '/_local/emails',
      handle: async () => ({ status: 200, body: { items: await readEmulatorInbox(sesEndpoint) } }),
    },
    // One route per scheduled job: runs it now, with a clock that reads `now`, and answers its report when done.
    ...scheduledJobs.map(
      (job): LocalRoute => ({
        method: 'POST',
        path: `/_local/run/${job.name}`,
        async handle(body) {
          const parsed = runRequest.safeParse(body);
          if (!parsed.success) {
            throw badRequest('validation_failed', 'Send {} or { now } with now an ISO 8601 date-time', [{ path: 'now', message: 'Expected an ISO 8601 date-time, e.g. 2026-11-24T07:00:00Z' }]);
          }
          const now = parsed.data.now ? new Date(parsed.data.now) : ctx.now();
          const report = await job.runByHand({ ...ctx, now: () => now }, now);
          await events.settle();
          return { status: 200, body: { report } };
        },
      }),
    ),
    {
      // Answers once every event committed so far is published and consumed (and what consuming it wrote).
      method: 'POST',
      path: '/_local/settle',
      async handle() {
        await events.settle();
        return { status: 200, body: { settled: true } };
      },
    },
    {
      method: 'GET',
      path: '/_local/dead-letters',
      handle: async () => ({ status: 200, body: { items: events.deadLetters() } }),
    },
    {
      // Issue 13 item 4: puts the events the bus refused (parked by the publisher) on the bus again, then settles.
      method: 'POST',
      path: '/_local/redrive-events',
      async handle() {
        const report = await events.redrive();
        await events.settle();
        return { status: 200, body: report };
      },
    },
  ];
}

async function ensureTable(ctx: AppContext): Promise<void> {
  try {
    await ctx.db.send(new DescribeTableCommand({ TableName: ctx.tableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await ctx.db.send(new CreateTableCommand(createTableInput(ctx.tableName)));
  }
}

/** Secrets that AWS keeps in Secrets Manager; locally a file in the data folder, so cursors survive restarts. */
function loadOrCreateSecrets(dataDir: string | undefined): { cursorSecret: string } {
  const file = dataDir ? join(dataDir, 'secrets.json') : undefined;
  if (file && existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const secrets = { cursorSecret: randomBytes(32).toString('base64url') };
  if (file && dataDir) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
  }
  return secrets;
}
