/**
 * Idempotency keys for start mutations: the same key (per account, for 24 h) answers the same
 * job and never starts a second one.
 *
 * `claimIdempotencyKey` is one atomic insert: of concurrent claimers exactly one gets
 * `claimed` and starts the job; the others see `in_flight` until it calls
 * `completeIdempotencyKey` with the answer (then `completed`), or `releaseIdempotencyKey` when the
 * start failed without starting anything, so that the client's retry may start it again. An
 * expired key is taken over by the next claim, in the same statement.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export interface IdempotencyRequest {
  readonly account: string;
  readonly key: string;
  /** Which mutation, e.g. `copyImageKitFolder`: a key reused for another one is a mismatch. */
  readonly operation: string;
  /** A hash of the request's input: a key reused with other input is a mismatch. */
  readonly requestHash: string;
  readonly now: Date;
  readonly ttlMs?: number;
}

export type IdempotencyClaim =
  /** This caller owns the key: start the job, then complete or release it. */
  | { readonly status: 'claimed' }
  /** Another start with this key has not answered yet. */
  | { readonly status: 'in_flight' }
  /** A start with this key answered `result` before. */
  | { readonly status: 'completed'; readonly result: unknown }
  /** The key was used for another operation or other input. */
  | { readonly status: 'mismatch' };

/** Claims `key` for this request, or says who has it (see the header). */
export async function claimIdempotencyKey(db: Db, request: IdempotencyRequest): Promise<IdempotencyClaim> {
  const expiresAt = new Date(request.now.getTime() + (request.ttlMs ?? IDEMPOTENCY_TTL_MS));
  const claimed = await db
    .insertInto('idempotency_keys')
    .values({
      account: request.account,
      key: request.key,
      operation: request.operation,
      request_hash: request.requestHash,
      created_at: request.now,
      expires_at: expiresAt,
    })
    .onConflict((conflict) =>
      conflict
        .columns(['account', 'key'])
        .doUpdateSet({
          operation: (eb) => eb.ref('excluded.operation'),
          request_hash: (eb) => eb.ref('excluded.request_hash'),
          result: null,
          created_at: (eb) => eb.ref('excluded.created_at'),
          expires_at: (eb) => eb.ref('excluded.expires_at'),
        })
        .where('idempotency_keys.expires_at', '<=', request.now),
    )
    .returning('key')
    .executeTakeFirst();
  if (claimed) return { status: 'claimed' };
  const existing = await db
    .selectFrom('idempotency_keys')
    .select(['operation', 'request_hash', 'result'])
    .where('account', '=', request.account)
    .where('key', '=', request.key)
    .executeTakeFirst();
  // Released between our insert and this read: the client may simply retry.
  if (!existing) return { status: 'in_flight' };
  if (existing.operation !== request.operation || existing.request_hash !== request.requestHash) return { status: 'mismatch' };
  if (existing.result === null) return { status: 'in_flight' };
  return { status: 'completed', result: existing.result };
}

/** Stores what the start answered (any JSON value), for later claims of the same key. */
export async function completeIdempotencyKey(db: Db, account: string, key: string, result: unknown): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ result: JSON.stringify(result) })
    .where('account', '=', account)
    .where('key', '=', key)
    .execute();
}

/** Gives the key up after a start that started nothing, so that a retry may claim it. */
export async function releaseIdempotencyKey(db: Db, account: string, key: string): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('account', '=', account).where('key', '=', key).where('result', 'is', null).execute();
}

/** Deletes expired keys; answers how many. */
export async function purgeExpiredIdempotencyKeys(db: Db, now: Date): Promise<number> {
  const result = await db.deleteFrom('idempotency_keys').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
