import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { type AppContext, localEndpointConfig } from '../shared/app-context.ts';
import type { LocalDatabase } from './dynamodb-local.ts';
import { logger } from '../shared/logger.ts';
import type { StreamHandler } from '../functions/events/publisher.ts';

/**
 * The event source mapping of the publisher, on one machine: reads the DynamoDB Local stream of the table and
 * hands its records to the same stream handler, in order, shard after shard (a closed shard's children are
 * found when it closes). Records the handler reports as failed are read again from the first of them, after
 * a growing pause, a bounded number of times (then, as in AWS, the batch is given up and reported). `settle`
 * answers once the stream has been read up to now, everything read has been handled, and the deliveries it
 * caused (the local bus) are done, with nothing new in the stream since.
 */

export interface StreamPoller {
  /** Resolves once every record written so far has been handled, and what handling it wrote too. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export interface StreamRetry {
  /** Retries of a failed batch before it is given up (the CDK event source mapping has the same bound). */
  attempts: number;
  backoffMs: number;
  maxBackoffMs: number;
}

export const LOCAL_STREAM_RETRY: StreamRetry = { attempts: 10, backoffMs: 20, maxBackoffMs: 1_000 };

export interface Deliveries {
  idle(): Promise<void>;
  inFlight(): number;
  /** How many deliveries have finished so far (grows only). */
  finished(): number;
}

export interface StreamPollerOptions {
  ctx: AppContext;
  database: LocalDatabase;
  handler: StreamHandler;
  /** The work the handled records start (the local bus's deliveries), which settle waits for. */
  deliveries: Deliveries;
  /** Pause after a read that found records (and before the first read). */
  intervalMs?: number;
  /**
   * Issue 14 item 2: the longest pause between reads of an idle stream; each empty read doubles the pause up to it.
   * Reads of an idle stream are DynamoDB calls that compete with the API's on the same process and DynamoDB Local.
   */
  idleMaxMs?: number;
  retry?: StreamRetry;
  /** A batch given up after its retries (in AWS: the on-failure destination). */
  onGiveUp?: (failure: { shardId: string; sequenceNumbers: string[] }) => void;
}

/** GetRecords' own maximum; the handler gets them in one call like a Lambda batch. */
const RECORDS_PER_READ = 1000;

interface ShardState {
  id: string;
  parentId: string | undefined;
  iterator: string | undefined;
  /** Last record handled, to read on after it when an iterator expires. */
  lastSequence: string | undefined;
  closed: boolean;
  failures: number;
  retryAt: number;
}

type Pass = { read: number; waiting: boolean };

export async function startStreamPoller(options: StreamPollerOptions): Promise<StreamPoller> {
  const { ctx, handler, deliveries, intervalMs = 50, idleMaxMs = 400, retry = LOCAL_STREAM_RETRY } = options;
  const streams = new DynamoDBStreamsClient(localEndpointConfig(options.database.endpoint, options.database.accessKeyId));
  const { Table: table } = await ctx.db.send(new DescribeTableCommand({ TableName: ctx.tableName }));
  const streamArn = table?.LatestStreamArn;
  if (!streamArn) throw new Error(`The table ${ctx.tableName} has no stream`);

  const shards = new Map<string, ShardState>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  // One pass at a time: the timer's and settle's passes share the iterators.
  let running: Promise<Pass> = Promise.resolve({ read: 0, waiting: false });

  async function discoverShards(): Promise<void> {
    let start: string | undefined;
    do {
      const { StreamDescription: description } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }));
      for (const shard of description?.Shards ?? []) if (shard.ShardId && !shards.has(shard.ShardId)) shards.set(shard.ShardId, newShard(shard));
      start = description?.LastEvaluatedShardId;
    } while (start);
  }

  const newShard = (shard: Shard): ShardState => ({
    id: shard.ShardId!,
    parentId: shard.ParentShardId,
    iterator: undefined,
    lastSequence: undefined,
    closed: false,
    failures: 0,
    retryAt: 0,
  });

  async function iteratorAt(shard: ShardState, position: { at: string } | { after: string } | 'start'): Promise<string | undefined> {
    const { ShardIterator: iterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shard.id,
        ...(position === 'start'
          ? { ShardIteratorType: 'TRIM_HORIZON' }
          : 'at' in position
            ? { ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: position.at }
            : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: position.after }),
      }),
    );
    return iterator;
  }

  /** A child shard is read once its parent is closed and read to its end (records of one item stay in order). */
  const readable = (shard: ShardState) => !shard.closed && (!shard.parentId || !shards.has(shard.parentId) || shards.get(shard.parentId)!.closed);

  /** Reads one shard until it has nothing more for now; `waiting`: a failed batch waits for its retry. */
  async function drainShard(shard: ShardState): Promise<Pass> {
    let read = 0;
    for (;;) {
      if (shard.failures > 0 && Date.now() < shard.retryAt) return { read, waiting: true };
      shard.iterator ??= await iteratorAt(shard, shard.lastSequence ? { after: shard.lastSequence } : 'start');
      let answer;
      try {
        answer = await streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: RECORDS_PER_READ }));
      } catch (error) {
        if (!(error instanceof ExpiredIteratorException)) throw error;
        shard.iterator = undefined;
        continue;
      }
      const records = answer.Records ?? [];
      read += records.length;
      if (records.length > 0) {
        const retryFrom = await handleBatch(shard, records);
        if (retryFrom) {
          shard.iterator = await iteratorAt(shard, { at: retryFrom });
          return { read, waiting: true };
        }
      }
      shard.iterator = answer.NextShardIterator;
      if (!shard.iterator) {
        shard.closed = true;
        return { read, waiting: false };
      }
      if (records.length === 0) return { read, waiting: false };
    }
  }

  /** Hands records to the handler; answers the sequence number to read again from when some failed. */
  async function handleBatch(shard: ShardState, records: StreamRecord[]): Promise<string | undefined> {
    const { batchItemFailures } = await handler({ Records: records.map(toLambdaRecord) });
    const sequences = records.map((record) => record.dynamodb!.SequenceNumber!);
    const failedAt = batchItemFailures.map((failure) => sequences.indexOf(failure.itemIdentifier)).filter((at) => at >= 0);
    if (failedAt.length === 0) {
      shard.lastSequence = sequences.at(-1);
      shard.failures = 0;
      return undefined;
    }
    const firstFailed = Math.min(...failedAt);
    shard.failures++;
    if (shard.failures > retry.attempts) {
      options.onGiveUp?.({ shardId: shard.id, sequenceNumbers: sequences.slice(firstFailed) });
      logger.error('Stream records given up after their retries', { shardId: shard.id, records: sequences.length - firstFailed });
      shard.lastSequence = sequences.at(-1);
      shard.failures = 0;
      return undefined;
    }
    // Read again from the first failed record, as the event source mapping does with ReportBatchItemFailures.
    shard.retryAt = Date.now() + Math.min(retry.backoffMs * 2 ** (shard.failures - 1), retry.maxBackoffMs);
    return sequences[firstFailed];
  }

  async function pass(): Promise<Pass> {
    if (shards.size === 0 || [...shards.values()].every((shard) => shard.closed)) await discoverShards();
    const total: Pass = { read: 0, waiting: false };
    for (;;) {
      const open = [...shards.values()].filter(readable);
      if (open.length === 0) return total;
      let closedOne = false;
      for (const shard of open) {
        const result = await drainShard(shard);
        total.read += result.read;
        total.waiting ||= result.waiting;
        if (shard.closed) closedOne = true;
      }
      if (!closedOne) return total;
      // A shard closed: its children (created by then) are read in the same pass.
      await discoverShards();
    }
  }

  function serialized(): Promise<Pass> {
    const next = running.then(pass, pass);
    running = next.catch(() => ({ read: 0, waiting: false }));
    return next;
  }

  function schedule(pauseMs: number) {
    if (stopped) return;
    timer = setTimeout(() => {
      serialized().then(
        ({ read, waiting }) => schedule(read > 0 || waiting ? intervalMs : Math.min(pauseMs * 2, idleMaxMs)),
        (error) => {
          logger.error('Reading the local table stream failed', { error });
          schedule(intervalMs);
        },
      );
    }, pauseMs);
  }
  schedule(intervalMs);

  return {
    async settle() {
      for (;;) {
        await deliveries.idle();
        const delivered = deliveries.finished();
        const { read, waiting } = await serialized();
        // Settled: nothing new in the stream, and no delivery ran meanwhile (its writes could be unread).
        if (read === 0 && !waiting && deliveries.inFlight() === 0 && deliveries.finished() === delivered) return;
        if (waiting) await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      streams.destroy();
    },
  };
}

type LambdaImage = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;

/** A stream record as the Lambda event source mapping delivers it (the attribute values have the same JSON shape). */
function toLambdaRecord(record: StreamRecord): DynamoDBRecord {
  const change = record.dynamodb!;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: record.eventSource,
    awsRegion: record.awsRegion,
    dynamodb: {
      ApproximateCreationDateTime: change.ApproximateCreationDateTime ? change.ApproximateCreationDateTime.getTime() / 1000 : undefined,
      Keys: change.Keys as LambdaImage | undefined,
      NewImage: change.NewImage as LambdaImage | undefined,
      OldImage: change.OldImage as LambdaImage | undefined,
      SequenceNumber: change.SequenceNumber,
      SizeBytes: change.SizeBytes,
      StreamViewType: change.StreamViewType,
    },
  };
}
