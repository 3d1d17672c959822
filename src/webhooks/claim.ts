/**
 * Claiming due deliveries: one statement, safe with any number of instances claiming together.
 *
 * - Due: `PENDING` or `FAILED` with `next_attempt_at` passed, of an enabled webhook.
 * - Order per job and webhook: a delivery is due only when no earlier delivery of the same
 *   webhook and job is still in flight (PENDING, claimed or not, or FAILED awaiting its retry).
 *   So a claim holds at most one delivery per (webhook, job), the oldest, and the next one becomes
 *   due only once this one is recorded DELIVERED or GAVE_UP. Different jobs go in parallel;
 *   `webhook.test` deliveries have no job and no order.
 * - `FOR UPDATE … SKIP LOCKED`: instances claiming at the same moment never pick the same row,
 *   and in the same statement the claim sets `next_attempt_at` to a lease (`leaseUntil`) and
 *   counts the attempt, then commits: no lock is held while receivers are asked. A process killed
 *   mid-attempt leaves the lease to lapse; the delivery is then claimed again (at least once).
 * - Batches: up to `limit` rows, at most `perWebhook` of any one webhook (its oldest due), none of
 *   the webhooks in `skipWebhooks` (those this instance already has enough of in hand). Rows a
 *   webhook's lateral locked beyond the overall `limit` are released unchanged at the end of
 *   the statement (its own transaction). Bounding what a webhook
 *   has claimed, not only what it has in flight, keeps every claimed delivery well inside its
 *   lease even when its receiver times out on every attempt.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../registry/schema.js';

/** A claimed delivery with what an attempt needs of its webhook. */
export interface ClaimedDelivery {
  readonly id: number;
  readonly webhookId: string;
  readonly payload: string;
  readonly messageId: string;
  /** Attempts made, this one included. */
  readonly attempts: number;
  readonly url: string;
  readonly secretSealed: string;
  readonly previousSecretSealed: string | null;
  readonly previousSecretUntil: Date | null;
}

export interface ClaimRequest {
  readonly now: Date;
  readonly leaseUntil: Date;
  /** At most this many rows in all. */
  readonly limit: number;
  /** At most this many rows of one webhook. */
  readonly perWebhook: number;
  /** Webhooks not to claim for this time. */
  readonly skipWebhooks?: readonly string[];
}

interface ClaimRow {
  id: number | string;
  webhook_id: string;
  payload: string;
  message_id: string;
  attempts: number;
  url: string;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_until: Date | string | null;
}

/** Claims due deliveries (see the header), oldest id first. */
export async function claimDue(db: Kysely<Database>, request: ClaimRequest): Promise<ClaimedDelivery[]> {
  if (request.limit <= 0 || request.perWebhook <= 0) return [];
  const result = await claimStatement(request).execute(db);
  return result.rows
    .map((row) => ({
      id: Number(row.id),
      webhookId: row.webhook_id,
      payload: row.payload,
      messageId: row.message_id,
      attempts: Number(row.attempts),
      url: row.url,
      secretSealed: row.secret_sealed,
      previousSecretSealed: row.previous_secret_sealed,
      previousSecretUntil: row.previous_secret_until === null ? null : new Date(row.previous_secret_until),
    }))
    .sort((a, b) => a.id - b.id);
}

/** The claim's one statement (tests read its plan). */
export function claimStatement(request: ClaimRequest) {
  const skip = request.skipWebhooks ?? [];
  // Per webhook, its oldest due deliveries through `webhook_deliveries_claim` (webhook, due
  // time, id), each checked against its job's oldest in flight through `webhook_deliveries_in_flight`:
  // a few index probes per claimed row, however long the queue. The shape is chosen so that the
  // plan stays this one without statistics (PGlite has no autovacuum, hence no ANALYZE): a
  // lateral with its own limit, `min(id)` (an index lookup, not a join the planner may hash) and
  // the update by `= any(array(…))` (the primary key).
  return sql<ClaimRow>`
    with due as (
      select c.id from webhooks w
      cross join lateral (
        select d.id, d.next_attempt_at from webhook_deliveries d
        where d.webhook_id = w.id and d.status in ('PENDING', 'FAILED') and d.next_attempt_at <= ${request.now}
          and (d.job_key is null or d.id = (
            select min(e.id) from webhook_deliveries e
            where e.webhook_id = d.webhook_id and e.job_key = d.job_key and e.status in ('PENDING', 'FAILED')))
        order by d.next_attempt_at, d.id
        limit ${request.perWebhook}
        for update of d skip locked
      ) c
      where w.enabled
        ${skip.length > 0 ? sql`and w.id <> all(${sql.val([...skip])}::uuid[])` : sql``}
      order by c.next_attempt_at, c.id
      limit ${request.limit}
    )
    update webhook_deliveries set next_attempt_at = ${request.leaseUntil}, attempts = webhook_deliveries.attempts + 1
    from webhooks w
    where webhook_deliveries.id = any(array(select id from due)) and w.id = webhook_deliveries.webhook_id
    returning webhook_deliveries.id, webhook_deliveries.webhook_id, webhook_deliveries.payload, webhook_deliveries.message_id,
      webhook_deliveries.attempts, w.url, w.secret_sealed, w.previous_secret_sealed, w.previous_secret_until`;
}

/**
 * Gives back claimed deliveries that were never attempted (this instance is stopping, or their
 * webhook was disabled meanwhile): due again at once and the attempt uncounted, so another
 * instance (or this one after a restart) takes them without waiting for the lease to lapse.
 * Only rows still held by that claim (same attempt count) change.
 */
export async function releaseClaims(db: Kysely<Database>, deliveries: readonly ClaimedDelivery[], now: Date): Promise<void> {
  if (deliveries.length === 0) return;
  const rows = deliveries.map((delivery) => sql`(${delivery.id}::bigint, ${delivery.attempts}::integer)`);
  await sql`
    update webhook_deliveries d set next_attempt_at = ${now}, attempts = d.attempts - 1
    from (values ${sql.join(rows)}) as v (id, attempts)
    where d.id = v.id and d.attempts = v.attempts and d.status in ('PENDING', 'FAILED')`.execute(db);
}
