import { createHash } from 'node:crypto';
import type { AppContext } from '../app-context.ts';
import { idempotencyKey } from '../db/keys.ts';
import { deleteItem, getItem, putItem, updateItem } from '../db/store.ts';
import { conflict } from '../domain/errors.ts';

/** SPEC §1: the same Idempotency-Key and body within 24 h replays the first answer; another body is a 409. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

export interface StoredResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export type IdempotencyClaim =
  | { kind: 'new'; complete(response: StoredResponse): Promise<void>; release(): Promise<void> }
  | { kind: 'replay'; response: StoredResponse };

export async function claimIdempotencyKey(
  ctx: AppContext,
  userId: string,
  key: string,
  request: { routeKey: string; path: string; body: string },
): Promise<IdempotencyClaim> {
  const itemKey = idempotencyKey(userId, key);
  const fingerprint = createHash('sha256').update(`${request.routeKey}\n${request.path}\n${request.body}`).digest('hex');
  const nowSeconds = Math.floor(ctx.now().getTime() / 1000);
  const claimed = await putItem(
    ctx,
    { ...itemKey, fingerprint, state: 'in_progress', expiresAt: nowSeconds + IDEMPOTENCY_TTL_SECONDS },
    // TTL deletion lags; an expired record counts as absent.
    { expression: 'attribute_not_exists(PK) OR expiresAt < :now', values: { ':now': nowSeconds } },
  );
  if (!claimed) {
    const existing = await getItem(ctx, itemKey, { consistent: true });
    if (!existing || existing.fingerprint !== fingerprint) {
      throw conflict('idempotency_key_reused', 'This Idempotency-Key was already used with another request');
    }
    if (existing.state !== 'done') {
      throw conflict('idempotency_in_progress', 'A request with this Idempotency-Key is still being processed');
    }
    return { kind: 'replay', response: existing.response as StoredResponse };
  }
  return {
    kind: 'new',
    async complete(response) {
      await updateItem(ctx, itemKey, {
        expression: 'SET #state = :done, #response = :response',
        names: { '#state': 'state', '#response': 'response' },
        values: { ':done': 'done', ':response': response },
      });
    },
    // A failed request leaves nothing behind, so the client may retry it with the same key.
    async release() {
      await deleteItem(ctx, itemKey);
    },
  };
}
