import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { documentClient } from '../shared/app-context.ts';
import { contactModel } from '../shared/db/keys.ts';
import { toItem } from '../shared/db/records.ts';
import { searchTermsOf } from '../shared/db/search-index.ts';
import type { Contact } from '../shared/schemas/contacts.ts';
import { inLoadProcess, type LoadPhases } from './load-process.ts';
import { summarizeLoad, type LoadSummary } from './report.ts';

/** The one bare DynamoDB call that is the floor of a route's cost, described so that another process can make it. */
export type BareCall =
  | { operation: 'GetItem'; key: Record<string, string> }
  /** Stores the contact under a new id each call: the item POST /contacts stores, index keys included. */
  | { operation: 'PutItem'; contact: Contact }
  /** What POST /contacts commits: the new contact and its search index items in one transaction, under a new id. */
  | { operation: 'TransactWriteItems'; contact: Contact };

export interface DynamoTarget {
  endpoint: string;
  tableName: string;
  call: BareCall;
}

export interface DynamoLoadJob {
  kind: 'dynamo';
  target: DynamoTarget;
  phases: LoadPhases;
}

/** Its own client, configured like the handlers' one (shared/app-context.ts), on the runtime's table. */
function bareCall({ endpoint, tableName: TableName, call }: DynamoTarget): () => Promise<unknown> {
  const db = documentClient(endpoint);
  if (call.operation === 'GetItem') return () => db.send(new GetCommand({ TableName, Key: call.key }));
  if (call.operation === 'PutItem') return () => db.send(new PutCommand({ TableName, Item: toItem(contactModel, { ...call.contact, id: ulid() }) }));
  return () => {
    const contact = { ...call.contact, id: ulid() };
    const index = searchTermsOf('contacts', contact).map((Item) => ({ Put: { TableName, Item } }));
    return db.send(new TransactWriteCommand({ TransactItems: [...index, { Put: { TableName, Item: toItem(contactModel, contact), ConditionExpression: 'attribute_not_exists(PK)' } }] }));
  };
}

/** `connections` async workers, each calling one after the other until the time is up (the same shape as autocannon's load). */
async function loop(call: () => Promise<unknown>, connections: number, durationMs: number, latenciesMs: number[] = []): Promise<LoadSummary> {
  const start = performance.now();
  const end = start + durationMs;
  const worker = async () => {
    while (performance.now() < end) {
      const sent = performance.now();
      await call();
      latenciesMs.push(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  return summarizeLoad(latenciesMs, performance.now() - start);
}

/** Runs of the bare call that add up, like `httpLoad`'s. */
export function dynamoLoad(target: DynamoTarget, connections: number) {
  const call = bareCall(target);
  const latenciesMs: number[] = [];
  let elapsedMs = 0;
  return {
    async run(durationMs: number): Promise<void> {
      const start = performance.now();
      await loop(call, connections, durationMs, latenciesMs);
      elapsedMs += performance.now() - start;
    },
    result: (): LoadSummary => summarizeLoad(latenciesMs, elapsedMs),
  };
}

/** In the load process: a warm-up run, then the measured one; a failed call ends the measurement. */
export async function runDynamoLoad({ target, phases }: DynamoLoadJob): Promise<LoadSummary> {
  const call = bareCall(target);
  await loop(call, phases.connections, phases.warmupMs);
  return loop(call, phases.connections, phases.durationMs);
}

/** The bare call under load from a process of its own (bench/load-client.ts), like the API's load. */
export const measureDynamo = (target: DynamoTarget, phases: LoadPhases): Promise<LoadSummary> => inLoadProcess<LoadSummary, DynamoLoadJob>({ kind: 'dynamo', target, phases });
