import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { ensureDynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { readEmulatorInbox, startSesLocal } from '../../local/ses-local.ts';
import type { RunningService } from '../../local/service-process.ts';
import { localSesClient, sesMailer } from '../../shared/mail/mailer.ts';

const TEST_TIMEOUT_MS = 60_000;
// The first run downloads DynamoDB Local; that must not eat into a test's own timeout.
const INSTALL_TIMEOUT_MS = 300_000;
const LOCAL_CLIENT_CONFIG = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
};
const TABLE = 'Things';
const KEY = { id: { S: 'thing-1' } };
const ITEM = { ...KEY, name: { S: 'Ada' } };

const started: RunningService[] = [];
const clients: { destroy(): void }[] = [];
let scratchDir: string;

beforeAll(async () => {
  await ensureDynamoDbLocal();
  scratchDir = await mkdtemp(join(tmpdir(), 'local-services-'));
}, INSTALL_TIMEOUT_MS);

// Failed tests leave services running; stop() is idempotent, so stopping all of them again is safe.
afterAll(async () => {
  clients.forEach((client) => client.destroy());
  await Promise.all(started.map((service) => service.stop()));
  await rm(scratchDir, { recursive: true, force: true });
});

describe('DynamoDB Local', () => {
  it('stores and reads an item in memory, then frees its port when stopped', async () => {
    const dynamo = track(await startDynamoDbLocal());
    const db = dynamoClient(dynamo.endpoint);
    await createTable(db);
    expect(await isPortFree(dynamo.port)).toBe(false);

    await db.send(new PutItemCommand({ TableName: TABLE, Item: ITEM }));
    const read = await getItem(db);
    await dynamo.stop();

    expect(read).toEqual(ITEM);
    expect(await isPortFree(dynamo.port)).toBe(true);
  }, TEST_TIMEOUT_MS);

  it('keeps data written to a dbPath across a restart', async () => {
    const dbPath = join(scratchDir, 'dynamodb');
    const first = track(await startDynamoDbLocal({ dbPath }));
    const firstDb = dynamoClient(first.endpoint);
    await createTable(firstDb);
    await firstDb.send(new PutItemCommand({ TableName: TABLE, Item: ITEM }));
    await first.stop();

    const second = track(await startDynamoDbLocal({ dbPath }));
    const read = await getItem(dynamoClient(second.endpoint));

    expect(read).toEqual(ITEM);
  }, TEST_TIMEOUT_MS);
});

describe('SES emulator', () => {
  it('keeps a sent email in an inbox that can be read back', async () => {
    const ses = track(await startSesLocal());
    const sender = new SESv2Client({ ...LOCAL_CLIENT_CONFIG, endpoint: ses.endpoint });
    clients.push(sender);
    const sentAfter = Date.now() - 1_000;

    await sender.send(
      new SendEmailCommand({
        FromEmailAddress: 'recap@example.com',
        Destination: { ToAddresses: ['ada@example.com'] },
        Content: {
          Simple: {
            Subject: { Data: 'Your morning recap' },
            Body: { Text: { Data: 'Three deals moved.' }, Html: { Data: '<p>Three deals moved.</p>' } },
          },
        },
      }),
    );
    const inbox = await readEmulatorInbox(ses.endpoint);

    expect(inbox).toEqual([
      {
        to: ['ada@example.com'],
        subject: 'Your morning recap',
        text: 'Three deals moved.',
        html: '<p>Three deals moved.</p>',
        sentAt: expect.any(String),
      },
    ]);
    expect(Date.parse(inbox[0]!.sentAt)).toBeGreaterThanOrEqual(sentAfter);
  }, TEST_TIMEOUT_MS);

  it('R-REC-3 a send to an SES endpoint that never answers fails after the client\'s timeout instead of hanging the run', async () => {
    const silent = createServer(() => {}); // accepts the connection, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const mailer = sesMailer('recap@example.com', await localSesClient(`http://127.0.0.1:${port}`, 300));
    const started = Date.now();

    const outcome = await mailer.send({ to: 'ada@example.com', subject: 'Recap', text: 'x', html: '<p>x</p>' }).then(
      () => 'sent',
      (error: Error) => error.name,
    );
    silent.close();

    expect(outcome).toMatch(/Timeout/i);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, TEST_TIMEOUT_MS);
});

function track(service: RunningService): RunningService {
  started.push(service);
  return service;
}

function dynamoClient(endpoint: string): DynamoDBClient {
  const client = new DynamoDBClient({ ...LOCAL_CLIENT_CONFIG, endpoint });
  clients.push(client);
  return client;
}

async function createTable(db: DynamoDBClient): Promise<void> {
  await db.send(
    new CreateTableCommand({
      TableName: TABLE,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

async function getItem(db: DynamoDBClient): Promise<Record<string, AttributeValue> | undefined> {
  const { Item } = await db.send(new GetItemCommand({ TableName: TABLE, Key: KEY }));
  return Item;
}

async function isPortFree(port: number): Promise<boolean> {
  const server = createServer();
  const bound = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (bound) await new Promise((resolve) => server.close(resolve));
  return bound;
}
