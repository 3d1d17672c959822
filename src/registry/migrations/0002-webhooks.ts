/**
 * Webhooks and their outbox (issue 13).
 *
 * - `webhooks`: one row per registered receiver. `events` are the schema's `WebhookEvent` values,
 *   `filter` a `TrackedJobFilter` as JSON (null: every job), `providers` the providers the
 *   creating API key may read (null: all), so that a webhook never carries a job its creator could
 *   not read. Secrets are never stored in clear: `secret_sealed` (and `previous_secret_sealed`
 *   while a rotation's overlap lasts, until `previous_secret_until`) are AES-256-GCM sealed with a
 *   key that is not in the database (`webhooks/secret-box.ts`). `failing_since` is the first
 *   failure of an unbroken run of failures (five days of it disable the webhook).
 * - `webhook_deliveries`: the outbox. A row is written in the same transaction as the history
 *   entry (or tracking row) that causes it, with the exact body (`payload`, JSON text kept as
 *   text so that the bytes signed at every attempt are the bytes stored) and the Standard Webhooks
 *   message id. `job_key` (kind:account:native id; null for `webhook.test`) orders deliveries per
 *   job and webhook: one is due only when no earlier one of the same pair is still in flight
 *   (PENDING or FAILED, i.e. waiting for a retry). `next_attempt_at` doubles as the claim lease.
 */
import { type Kysely, type Migration, sql } from 'kysely';

const UP = [
  `create table webhooks (
    id uuid primary key,
    url text not null,
    events text[] not null,
    filter jsonb,
    providers text[],
    description text,
    enabled boolean not null default true,
    disabled_reason text,
    created_by text,
    created_at timestamptz(3) not null,
    failing_since timestamptz(3),
    secret_sealed text not null,
    previous_secret_sealed text,
    previous_secret_until timestamptz(3)
  )`,
  'create index webhooks_created_by on webhooks (created_by, created_at)',
  `create table webhook_deliveries (
    id bigserial primary key,
    webhook_id uuid not null references webhooks (id) on delete cascade,
    job_key text,
    event text not null,
    payload text not null,
    message_id text not null,
    status text not null default 'PENDING' check (status in ('PENDING', 'DELIVERED', 'FAILED', 'GAVE_UP')),
    attempts integer not null default 0,
    next_attempt_at timestamptz(3),
    last_response_status integer,
    last_error text,
    created_at timestamptz(3) not null,
    delivered_at timestamptz(3)
  )`,
  // What the dispatcher claims: due deliveries in flight.
  "create index webhook_deliveries_due on webhook_deliveries (status, next_attempt_at) where status in ('PENDING', 'FAILED')",
  // "Is an earlier delivery of this webhook and job still in flight?"
  "create index webhook_deliveries_in_flight on webhook_deliveries (webhook_id, job_key, id) where status in ('PENDING', 'FAILED')",
  // Webhook.deliveries, newest first.
  'create index webhook_deliveries_by_webhook on webhook_deliveries (webhook_id, created_at desc, id desc)',
];

const DOWN = ['drop table webhook_deliveries', 'drop table webhooks'];

export const webhooksSchema: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    for (const statement of UP) await sql.raw(statement).execute(db);
  },
  async down(db: Kysely<any>): Promise<void> {
    for (const statement of DOWN) await sql.raw(statement).execute(db);
  },
};
