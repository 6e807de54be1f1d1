import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAppContext, type AppContext } from '../../shared/app-context.ts';
import { batchGetAll, batchWriteAll, MAX_BATCH_ATTEMPTS, type WriteRequest } from '../../shared/db/store.ts';

/**
 * Issue 10 item 5: the store's batch calls split into DynamoDB's chunk sizes and retry what DynamoDB left
 * unprocessed, with backoff, up to a bound. A fake `ctx.db` injects the faults.
 */

type Send = (command: unknown) => Promise<unknown>;
const TABLE = 'batches';

function contextWith(send: Send): { ctx: AppContext; calls: unknown[] } {
  const calls: unknown[] = [];
  const db = {
    send: async (command: unknown) => {
      calls.push(command);
      return send(command);
    },
  } as unknown as DynamoDBDocumentClient;
  return { ctx: createAppContext({ tableName: TABLE, db }), calls };
}

const keys = (count: number) => Array.from({ length: count }, (_, at) => ({ PK: `ITEM#${at}`, SK: 'ITEM' }));
const keysOf = (command: unknown) => (command as BatchGetCommand).input.RequestItems![TABLE]!.Keys as { PK: string; SK: string }[];
const requestsOf = (command: unknown) => (command as BatchWriteCommand).input.RequestItems![TABLE]! as WriteRequest[];

afterEach(() => vi.restoreAllMocks());

describe('batchGetAll (issue 10 item 5)', () => {
  it('splits 250 keys into 3 calls of at most 100 and returns every item', async () => {
    const { ctx, calls } = contextWith(async (command) => ({ Responses: { [TABLE]: keysOf(command).map((key) => ({ ...key, id: key.PK })) } }));
    const items = await batchGetAll(ctx, keys(250), { consistent: true });
    expect(calls).toHaveLength(3);
    expect(calls.map((call) => keysOf(call).length)).toEqual([100, 100, 50]);
    expect(calls.every((call) => call instanceof BatchGetCommand && call.input.RequestItems![TABLE]!.ConsistentRead === true)).toBe(true);
    expect(items.map((item) => item.id).sort()).toEqual(keys(250).map((key) => key.PK).sort());
  });

  it('asks again for the unprocessed keys only, after a growing pause', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    let call = 0;
    const { ctx, calls } = contextWith(async (command) => {
      call++;
      const asked = keysOf(command);
      // The first two calls leave the last 30, then the last 10 keys unprocessed.
      const left = call === 1 ? 30 : call === 2 ? 10 : 0;
      return {
        Responses: { [TABLE]: asked.slice(0, asked.length - left).map((key) => ({ ...key })) },
        UnprocessedKeys: left ? { [TABLE]: { Keys: asked.slice(asked.length - left) } } : {},
      };
    });
    const started = Date.now();
    const items = await batchGetAll(ctx, keys(80));
    expect(calls.map((command) => keysOf(command).length)).toEqual([80, 30, 10]);
    expect(keysOf(calls[2])).toEqual(keys(80).slice(70));
    expect(items).toHaveLength(80);
    // Backoff of 10 ms × 2^attempt at most (jitter pinned to its maximum here): 20 ms, then 40 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('gives up after a bounded number of calls when keys stay unprocessed', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const { ctx, calls } = contextWith(async (command) => ({ Responses: { [TABLE]: [] }, UnprocessedKeys: { [TABLE]: { Keys: keysOf(command) } } }));
    await expect(batchGetAll(ctx, keys(5))).rejects.toThrow(/unprocessed/);
    expect(calls).toHaveLength(MAX_BATCH_ATTEMPTS);
  });

  it('drops duplicate keys and projects the asked attributes', async () => {
    const { ctx, calls } = contextWith(async () => ({ Responses: { [TABLE]: [] } }));
    await batchGetAll(ctx, [...keys(3), ...keys(3)], { attributes: ['id', 'companyId'] });
    const input = (calls[0] as BatchGetCommand).input.RequestItems![TABLE]!;
    expect(input.Keys).toHaveLength(3);
    expect(input.ProjectionExpression).toBe('#a0, #a1');
    expect(input.ExpressionAttributeNames).toEqual({ '#a0': 'id', '#a1': 'companyId' });
  });

  it('makes no call for no keys', async () => {
    const { ctx, calls } = contextWith(async () => ({}));
    expect(await batchGetAll(ctx, [])).toEqual([]);
    expect(calls).toHaveLength(0);
  });
});

describe('batchWriteAll (issue 10 item 5)', () => {
  const deletes = (count: number): WriteRequest[] => keys(count).map((key) => ({ DeleteRequest: { Key: key } }));

  it('splits 60 requests into calls of at most 25', async () => {
    const { ctx, calls } = contextWith(async () => ({ UnprocessedItems: {} }));
    await batchWriteAll(ctx, deletes(60));
    expect(calls.map((call) => requestsOf(call).length)).toEqual([25, 25, 10]);
  });

  it('sends the unprocessed items again until they are written', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    let call = 0;
    const { ctx, calls } = contextWith(async (command) => {
      call++;
      const asked = requestsOf(command);
      return { UnprocessedItems: call < 3 ? { [TABLE]: asked.slice(1) } : {} };
    });
    await batchWriteAll(ctx, deletes(4));
    expect(calls.map((command) => requestsOf(command).length)).toEqual([4, 3, 2]);
  });

  it('throws after a bounded number of calls when items stay unprocessed', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const { ctx, calls } = contextWith(async (command) => ({ UnprocessedItems: { [TABLE]: requestsOf(command) } }));
    await expect(batchWriteAll(ctx, deletes(2))).rejects.toThrow(/unprocessed/);
    expect(calls).toHaveLength(MAX_BATCH_ATTEMPTS);
  });
});
