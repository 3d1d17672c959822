/**
 * Recording attempts, many in one transaction: a burst of deliveries costs a few statements per
 * batch rather than a transaction per attempt.
 *
 * - Each delivery becomes DELIVERED (2xx), FAILED with its next attempt (from the schedule,
 *   jittered) or GAVE_UP (after the last attempt, or `410 Gone`). An update applies only while
 *   the row is still this claim's (same attempt count, still in flight), so a late answer after a
 *   lapsed lease cannot overwrite a newer attempt; such results are left out of what follows.
 * - Each webhook's health, from the applied results in the order they finished: `failing_since`
 *   is cleared by a success and set by the first failure after it; a webhook is disabled with a
 *   reason on `410 Gone` or after failing for five days (`schedule.ts`). A batch of successes on
 *   a healthy webhook writes nothing to its row, so deliveries do not queue on the webhook's lock,
 *   and costs one statement, no transaction.
 */
import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../registry/schema.js';
import type { ClaimedDelivery } from './claim.js';
import type { DeliveryResult } from './deliver.js';
import { type AttemptStatus, type Random, afterAttempt, disabledReason, failingSinceAfter } from './schedule.js';
import { type WebhookDatabase, withWebhookTables } from './tables.js';

/** One finished attempt, waiting to be recorded. */
export interface FinishedAttempt {
  readonly delivery: ClaimedDelivery;
  readonly result: DeliveryResult;
  /** When the attempt finished (ms). */
  readonly at: number;
}

export type DeliveryOutcome = 'delivered' | 'failed' | 'gave_up';

export interface RecordOptions {
  readonly random: Random;
  readonly delays: readonly number[];
}

/** What a batch changed: the attempts that applied, with their outcome, and webhooks disabled. */
export interface Recorded {
  readonly applied: readonly { readonly attempt: FinishedAttempt; readonly outcome: DeliveryOutcome }[];
  readonly disabled: readonly { readonly webhookId: string; readonly reason: string }[];
}

const OUTCOME: Record<AttemptStatus, DeliveryOutcome> = { DELIVERED: 'delivered', FAILED: 'failed', GAVE_UP: 'gave_up' };

/**
 * Records `attempts` (in the order they finished). A batch of successes only (the common case)
 * is ONE statement with no transaction around it: the deliveries and the clearing of
 * `failing_since` of webhooks that were failing, together. A batch with a failure is one
 * transaction: the deliveries, then each webhook's failure run under its row lock.
 */
export async function recordAttempts(db: Kysely<Database>, attempts: readonly FinishedAttempt[], options: RecordOptions): Promise<Recorded> {
  if (attempts.length === 0) return { applied: [], disabled: [] };
  const planned = attempts.map((attempt) => ({ attempt, next: afterAttempt(attempt.delivery.attempts, attempt.result, attempt.at, options.random, options.delays) }));
  const appliedOf = (ids: readonly (number | string)[]) => {
    const appliedIds = new Set(ids.map(Number));
    return planned.filter(({ attempt }) => appliedIds.has(attempt.delivery.id)).map(({ attempt, next }) => ({ attempt, outcome: OUTCOME[next.status] }));
  };
  if (attempts.every((attempt) => attempt.result.ok)) {
    const updated = await sql<{ id: number | string }>`
      with updated as (${updateDeliveries(planned)}), cleared as (
        update webhooks set failing_since = null
        where id in (select webhook_id from updated) and failing_since is not null)
      select id from updated`.execute(db);
    return { applied: appliedOf(updated.rows.map((row) => row.id)), disabled: [] };
  }
  return withWebhookTables(db)
    .transaction()
    .execute(async (trx) => {
      const updated = await sql<{ id: number | string }>`${updateDeliveries(planned)}`.execute(trx);
      const applied = appliedOf(updated.rows.map((row) => row.id));
      const disabled: { webhookId: string; reason: string }[] = [];
      for (const [webhookId, results] of byWebhook(applied.map(({ attempt }) => attempt))) {
        const reason = await recordHealth(trx, webhookId, results);
        if (reason !== null) disabled.push({ webhookId, reason });
      }
      return { applied, disabled };
    });
}

/**
 * The update of the deliveries' rows, each only while it is still this claim's (same attempt
 * count, still in flight); returns the ids and webhooks of the rows it changed.
 */
function updateDeliveries(planned: readonly { readonly attempt: FinishedAttempt; readonly next: ReturnType<typeof afterAttempt> }[]) {
  const rows = planned.map(({ attempt, next }) => {
    const { delivery, result } = attempt;
    const nextAt = next.nextAttemptAt === null ? null : new Date(next.nextAttemptAt);
    const deliveredAt = result.ok ? new Date(attempt.at) : null;
    return sql`(${delivery.id}::bigint, ${delivery.attempts}::integer, ${next.status}::text, ${nextAt}::timestamptz, ${result.status}::integer, ${result.error}::text, ${deliveredAt}::timestamptz)`;
  });
  return sql`
    update webhook_deliveries d set status = v.status, next_attempt_at = v.next_attempt_at,
      last_response_status = v.last_response_status, last_error = v.last_error, delivered_at = v.delivered_at
    from (values ${sql.join(rows)}) as v (id, attempts, status, next_attempt_at, last_response_status, last_error, delivered_at)
    where d.id = v.id and d.attempts = v.attempts and d.status in ('PENDING', 'FAILED')
    returning d.id, d.webhook_id`;
}

function byWebhook(attempts: readonly FinishedAttempt[]): Map<string, FinishedAttempt[]> {
  const groups = new Map<string, FinishedAttempt[]>();
  for (const attempt of attempts) {
    const group = groups.get(attempt.delivery.webhookId);
    if (group) group.push(attempt);
    else groups.set(attempt.delivery.webhookId, [attempt]);
  }
  return groups;
}

/** Updates one webhook's failure run after `results`; answers why it was disabled, or null. */
async function recordHealth(trx: Transaction<WebhookDatabase>, webhookId: string, results: readonly FinishedAttempt[]): Promise<string | null> {
  if (results.every((attempt) => attempt.result.ok)) {
    // The common case: one statement, which writes (and locks) only a webhook that was failing.
    await trx.updateTable('webhooks').set({ failing_since: null }).where('id', '=', webhookId).where('failing_since', 'is not', null).execute();
    return null;
  }
  const webhook = await trx.selectFrom('webhooks').select(['failing_since', 'enabled']).where('id', '=', webhookId).forUpdate().executeTakeFirst();
  if (!webhook) return null;
  let failingSince = webhook.failing_since?.getTime() ?? null;
  for (const attempt of results) failingSince = failingSinceAfter(failingSince, attempt.result.ok, attempt.at);
  const last = results[results.length - 1]!;
  const gone = results.some((attempt) => attempt.result.gone);
  const reason = webhook.enabled ? disabledReason({ failingSince, gone, now: last.at }) : null;
  await trx
    .updateTable('webhooks')
    .set({
      failing_since: failingSince === null ? null : new Date(failingSince),
      ...(reason === null ? {} : { enabled: false, disabled_reason: reason }),
    })
    .where('id', '=', webhookId)
    .execute();
  return reason;
}
