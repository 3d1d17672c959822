/**
 * The webhook tables as Kysely sees them (migration `0002-webhooks`; see it for what each column
 * means), beside the registry's: the outbox writes them inside the registry's transactions, so
 * one database type covers both.
 */
import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';
import type { Database } from '../registry/schema.js';

type Timestamp = ColumnType<Date, Date, Date>;
/** Read parsed, written as JSON text (the same on pg and PGlite). */
type Json<T> = ColumnType<T, string, string>;

export interface WebhooksTable {
  id: string;
  url: string;
  events: ColumnType<string[], string[], string[]>;
  filter: Json<unknown> | null;
  providers: ColumnType<string[] | null, string[] | null, string[] | null>;
  description: string | null;
  enabled: Generated<boolean>;
  disabled_reason: string | null;
  created_by: string | null;
  created_at: Timestamp;
  failing_since: Timestamp | null;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_until: Timestamp | null;
}

export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED' | 'GAVE_UP';

export interface WebhookDeliveriesTable {
  id: Generated<number>;
  webhook_id: string;
  job_key: string | null;
  event: string;
  payload: string;
  message_id: string;
  status: ColumnType<DeliveryStatus, DeliveryStatus | undefined, DeliveryStatus>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp | null;
  last_response_status: number | null;
  last_error: string | null;
  created_at: Timestamp;
  delivered_at: Timestamp | null;
}

export interface WebhookDatabase extends Database {
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

/** The registry's handle seen with the webhook tables (the same database, one schema). */
export function withWebhookTables(db: Kysely<Database> | Transaction<Database>): Kysely<WebhookDatabase> {
  return db as unknown as Kysely<WebhookDatabase>;
}
