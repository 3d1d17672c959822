/**
 * The dispatcher: delivers the outbox, on every instance, each delivery once cluster-wide.
 *
 * - Claiming: one statement picks due deliveries (`next_attempt_at` passed, webhook enabled)
 *   with `FOR UPDATE … SKIP LOCKED`, so instances claiming together never pick the same row, and
 *   in the same statement sets `next_attempt_at` to a lease (now + `leaseMs`) and counts the
 *   attempt. Then it commits: no transaction or lock is held while the receiver is asked.
 *   A process killed mid-attempt leaves the lease to expire; the delivery is then claimed again
 *   (at least once; the `webhook-id` is the same, so receivers can deduplicate).
 * - Order per job and webhook: a delivery is due only when no earlier delivery of the same
 *   webhook and job is still in flight (PENDING, or FAILED awaiting its retry). A later event
 *   therefore waits for an earlier one to be delivered or given up. `webhook.test` deliveries
 *   have no job and no order.
 * - Recording: DELIVERED on 2xx; otherwise FAILED with the next attempt from the schedule
 *   (jittered), or GAVE_UP after the last; `410 Gone` gives up and disables the webhook with a
 *   reason, as does failing without a single success for five days. The update only applies
 *   while the row is still this claim's (same attempt count), so a late answer after a lapsed
 *   lease cannot overwrite a newer attempt.
 * - Pace: at most `concurrency` attempts at once per instance (8), woken when a delivery is
 *   written (through the registry's post-commit announcements) and every `intervalMs` for
 *   retries and other instances' rows. Attempts are plain HTTP on their own sockets, apart from
 *   the upstream clients, so the poller is not slowed.
 */
import { type Kysely, sql } from 'kysely';
import type { Logger } from '../logger.js';
import type { Database } from '../registry/schema.js';
import type { GuardOptions } from './address-guard.js';
import { type DeliveryResult, deliver } from './deliver.js';
import { RETRY_DELAYS_MS, type Random, afterAttempt, disabledReason, failingSinceAfter } from './schedule.js';
import { signatureHeaders } from './signing.js';
import { withWebhookTables } from './tables.js';

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

/** The secrets that sign an attempt, or why there are none (the key changed). */
export type SecretsResult = { readonly ok: true; readonly secrets: readonly [string, string?] } | { readonly ok: false; readonly message: string };

export type DeliveryOutcome = 'delivered' | 'failed' | 'gave_up';

export interface DispatcherOptions {
  /** The database, once the registry has it open (null meanwhile: nothing is claimed). */
  readonly db: () => Kysely<Database> | null;
  /** Opens a claimed delivery's sealed secrets. */
  readonly secrets: (delivery: ClaimedDelivery, now: number) => Promise<SecretsResult>;
  readonly guard: GuardOptions;
  readonly clock: { now(): number };
  readonly logger?: Logger | undefined;
  /** Between claims when nothing wakes it (ms); default 1000. */
  readonly intervalMs?: number;
  /** Attempts at once on this instance; default 8. */
  readonly concurrency?: number;
  /** How long a claim holds a delivery (ms), well above the attempt's timeout; default 60 s. */
  readonly leaseMs?: number;
  /** Per attempt (ms); default 10 s. */
  readonly timeoutMs?: number;
  /** The retry waits; default the contract's. */
  readonly retryDelaysMs?: readonly number[];
  readonly random?: Random;
  readonly onOutcome?: (outcome: DeliveryOutcome) => void;
  /** After each recorded attempt (tests, benchmarks). */
  readonly onAttempt?: (delivery: ClaimedDelivery, result: DeliveryResult) => void;
}

export interface Dispatcher {
  start(): void;
  /** Claims now (a delivery was written); cheap when already busy. */
  wake(): void;
  /** Attempts in flight on this instance. */
  inFlight(): number;
  /** Stops claiming and waits for the attempts in flight to be recorded. */
  stop(): Promise<void>;
}

interface ClaimRow {
  id: number;
  webhook_id: string;
  payload: string;
  message_id: string;
  attempts: number;
  url: string;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_until: Date | null;
}

/** Claims up to `limit` due deliveries (see the header); exported for tests. */
export async function claimDue(db: Kysely<Database>, limit: number, now: Date, leaseUntil: Date): Promise<ClaimedDelivery[]> {
  const result = await sql<ClaimRow>`
    with due as (
      select d.id from webhook_deliveries d
      join webhooks w on w.id = d.webhook_id
      where d.status in ('PENDING', 'FAILED') and d.next_attempt_at <= ${now} and w.enabled
        and not exists (
          select 1 from webhook_deliveries e
          where e.webhook_id = d.webhook_id and e.job_key = d.job_key and e.id < d.id
            and e.status in ('PENDING', 'FAILED'))
      order by d.next_attempt_at, d.id
      limit ${limit}
      for update of d skip locked
    )
    update webhook_deliveries set next_attempt_at = ${leaseUntil}, attempts = webhook_deliveries.attempts + 1
    from due, webhooks w
    where webhook_deliveries.id = due.id and w.id = webhook_deliveries.webhook_id
    returning webhook_deliveries.id, webhook_deliveries.webhook_id, webhook_deliveries.payload, webhook_deliveries.message_id,
      webhook_deliveries.attempts, w.url, w.secret_sealed, w.previous_secret_sealed, w.previous_secret_until`.execute(db);
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

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const intervalMs = options.intervalMs ?? 1000;
  const concurrency = options.concurrency ?? 8;
  const leaseMs = options.leaseMs ?? 60_000;
  const delays = options.retryDelaysMs ?? RETRY_DELAYS_MS;
  const random = options.random ?? Math.random;
  const attempts = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | null = null;
  let pumping: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  function pump(): Promise<void> {
    if (pumping) {
      again = true;
      return pumping;
    }
    pumping = claimLoop().finally(() => {
      pumping = null;
    });
    return pumping;
  }

  async function claimLoop(): Promise<void> {
    try {
      do {
        again = false;
        while (!stopped && attempts.size < concurrency) {
          const db = options.db();
          if (!db) break;
          const wanted = concurrency - attempts.size;
          const now = options.clock.now();
          const claimed = await claimDue(db, wanted, new Date(now), new Date(now + leaseMs));
          for (const delivery of claimed) {
            const running: Promise<void> = attempt(db, delivery).finally(() => {
              attempts.delete(running);
              if (!stopped) void pump();
            });
            attempts.add(running);
          }
          if (claimed.length < wanted) break;
        }
      } while (again && !stopped);
    } catch (error) {
      options.logger?.warn({ err: error instanceof Error ? error.message : String(error) }, 'webhook dispatcher could not claim deliveries');
    }
  }

  async function attempt(db: Kysely<Database>, delivery: ClaimedDelivery): Promise<void> {
    try {
      const now = options.clock.now();
      const secrets = await options.secrets(delivery, now);
      const result: DeliveryResult = secrets.ok
        ? await deliver({
            ...options.guard,
            url: delivery.url,
            body: delivery.payload,
            headers: signatureHeaders({ id: delivery.messageId, timestamp: new Date(now), body: delivery.payload, secrets: secrets.secrets }),
            ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
          })
        : { ok: false, status: null, code: 'REFUSED', error: secrets.message, gone: false, responseBytes: 0, truncated: false, durationMs: 0 };
      await record(db, delivery, result);
      options.onAttempt?.(delivery, result);
    } catch (error) {
      // The database went away between claim and record: the lease lapses and the delivery is tried again.
      options.logger?.warn({ err: error instanceof Error ? error.message : String(error), delivery: delivery.id }, 'webhook attempt could not be recorded');
    }
  }

  async function record(db: Kysely<Database>, delivery: ClaimedDelivery, result: DeliveryResult): Promise<void> {
    const now = options.clock.now();
    const next = afterAttempt(delivery.attempts, result, now, random, delays);
    const outcome: DeliveryOutcome = next.status === 'DELIVERED' ? 'delivered' : next.status === 'FAILED' ? 'failed' : 'gave_up';
    const applied = await withWebhookTables(db)
      .transaction()
      .execute(async (trx) => {
        const updated = await trx
          .updateTable('webhook_deliveries')
          .set({
            status: next.status,
            next_attempt_at: next.nextAttemptAt === null ? null : new Date(next.nextAttemptAt),
            last_response_status: result.status,
            last_error: result.error,
            delivered_at: result.ok ? new Date(now) : null,
          })
          .where('id', '=', delivery.id)
          .where('attempts', '=', delivery.attempts)
          .where('status', 'in', ['PENDING', 'FAILED'])
          .returning('id')
          .executeTakeFirst();
        if (!updated) return false;
        const webhook = await trx.selectFrom('webhooks').select(['failing_since', 'enabled']).where('id', '=', delivery.webhookId).forUpdate().executeTakeFirst();
        if (!webhook) return true;
        const failingSince = failingSinceAfter(webhook.failing_since?.getTime() ?? null, result.ok, now);
        const reason = webhook.enabled ? disabledReason({ failingSince, gone: result.gone, now }) : null;
        await trx
          .updateTable('webhooks')
          .set({
            failing_since: failingSince === null ? null : new Date(failingSince),
            ...(reason === null ? {} : { enabled: false, disabled_reason: reason }),
          })
          .where('id', '=', delivery.webhookId)
          .execute();
        if (reason !== null) options.logger?.warn({ webhook: delivery.webhookId, reason }, 'webhook disabled');
        return true;
      });
    if (applied) options.onOutcome?.(outcome);
  }

  return {
    start() {
      if (timer || stopped) return;
      timer = setInterval(() => void pump(), intervalMs);
      timer.unref();
      void pump();
    },
    wake() {
      if (!stopped) void pump();
    },
    inFlight: () => attempts.size,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      await pumping;
      await Promise.allSettled([...attempts]);
    },
  };
}
