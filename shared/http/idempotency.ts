import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import type { AppContext } from '../app-context.ts';
import { addCommitHook } from '../db/aggregate-writer.ts';
import { idempotencyKey } from '../db/keys.ts';
import { deleteItem, getItem, putItem, updateItem, type ExtraWrite } from '../db/store.ts';
import { conflict } from '../domain/errors.ts';
import { logger } from '../logger.ts';

/** SPEC §1: the same Idempotency-Key and body within 24 h replays the first answer; another body is a 409. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/**
 * Issue 13 item 3: how long a claim stays "in progress" (409 to a retry) unless its request completes: the API
 * functions' timeout (10 s, infra/constructs/tenant-function.ts) and 5 s more. A request that died after claiming
 * frees its key after that; one still running cannot commit once another took the key over (its transaction is
 * conditioned on its claim).
 */
export const IDEMPOTENCY_LEASE_SECONDS = 15;

/** Attempts at storing the answer after the request succeeded. */
const COMPLETE_ATTEMPTS = 3;

export interface StoredResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export type IdempotencyClaim =
  | { kind: 'new'; run<T>(call: () => Promise<T>): Promise<T>; complete(response: StoredResponse): Promise<void>; release(): Promise<void> }
  | { kind: 'replay'; response: StoredResponse }
  /** The first request committed its write but its answer was never stored: the record it wrote (none for a deletion). */
  | { kind: 'committed'; record: Record<string, unknown> | undefined };

interface Scope {
  itemKey: { PK: string; SK: string };
  claimId: string;
}

const requestScope = new AsyncLocalStorage<Scope>();

/**
 * Issue 13 item 3: every aggregate transaction of a request with an Idempotency-Key also marks its key `committed`
 * (with the first record written), on condition that the request still holds the claim. So the write and its key
 * commit together: a replay after the commit never runs the write again, even if storing the answer failed, and a
 * request whose claim was taken over after its lease cannot commit a second time.
 */
addCommitHook((ctx, written): ExtraWrite[] => {
  const scope = requestScope.getStore();
  if (!scope) return [];
  return [
    {
      write: {
        Update: {
          TableName: ctx.tableName,
          Key: scope.itemKey,
          UpdateExpression: 'SET #state = :committed, #record = :record',
          ConditionExpression: '#claim = :claim',
          ExpressionAttributeNames: { '#state': 'state', '#record': 'committedRecord', '#claim': 'claimId' },
          ExpressionAttributeValues: { ':committed': 'committed', ':record': written[0] ?? null, ':claim': scope.claimId },
        },
      },
      onConditionFailed: conflict('idempotency_in_progress', 'Another request with this Idempotency-Key took it over'),
    },
  ];
});

export async function claimIdempotencyKey(
  ctx: AppContext,
  userId: string,
  key: string,
  request: { routeKey: string; path: string; body: string },
): Promise<IdempotencyClaim> {
  const itemKey = idempotencyKey(userId, key) as { PK: string; SK: string };
  const fingerprint = createHash('sha256').update(`${request.routeKey}\n${request.path}\n${request.body}`).digest('hex');
  const nowSeconds = Math.floor(ctx.now().getTime() / 1000);
  const claimId = ctx.newId();
  const claimed = await putItem(
    ctx,
    { ...itemKey, fingerprint, state: 'in_progress', claimId, leaseUntil: nowSeconds + IDEMPOTENCY_LEASE_SECONDS, expiresAt: nowSeconds + IDEMPOTENCY_TTL_SECONDS },
    // TTL deletion lags; an expired record counts as absent. A claim whose lease ran out without a commit is free.
    {
      expression: 'attribute_not_exists(PK) OR expiresAt < :now OR (#state = :inProgress AND leaseUntil < :now)',
      names: { '#state': 'state' },
      values: { ':now': nowSeconds, ':inProgress': 'in_progress' },
    },
  );
  if (!claimed) {
    const existing = await getItem(ctx, itemKey, { consistent: true });
    if (!existing || existing.fingerprint !== fingerprint) {
      throw conflict('idempotency_key_reused', 'This Idempotency-Key was already used with another request');
    }
    if (existing.state === 'done') return { kind: 'replay', response: existing.response as StoredResponse };
    if (existing.state === 'committed') return { kind: 'committed', record: (existing.committedRecord as Record<string, unknown> | null) ?? undefined };
    throw conflict('idempotency_in_progress', 'A request with this Idempotency-Key is still being processed');
  }
  const scope: Scope = { itemKey, claimId };
  const mine = { expression: '#claim = :claim', names: { '#claim': 'claimId' }, values: { ':claim': claimId } };
  return {
    kind: 'new',
    run: (call) => requestScope.run(scope, call),
    async complete(response) {
      for (let attempt = 1; attempt <= COMPLETE_ATTEMPTS; attempt++) {
        try {
          await updateItem(
            ctx,
            itemKey,
            {
              expression: 'SET #state = :done, #response = :response REMOVE #record',
              names: { '#state': 'state', '#response': 'response', '#record': 'committedRecord', ...mine.names },
              values: { ':done': 'done', ':response': response, ...mine.values },
            },
            { expression: mine.expression },
          );
          return;
        } catch (error) {
          // The write itself is done and, where it went through the aggregate writer, its key says so: a replay
          // answers from the record committed. The client gets its answer anyway.
          if (attempt === COMPLETE_ATTEMPTS) logger.error('idempotency_answer_not_stored', { error, key: itemKey.SK });
        }
      }
    },
    // A request that failed before committing leaves nothing behind, so the client may retry it with the same key;
    // one that committed keeps its key (the replay answers from the record committed).
    async release() {
      await deleteItem(ctx, itemKey, { expression: '#claim = :claim AND #state = :inProgress', names: { ...mine.names, '#state': 'state' }, values: { ...mine.values, ':inProgress': 'in_progress' } });
    },
  };
}
