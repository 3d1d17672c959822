/**
 * The dispatcher's claim reads each webhook's due deliveries in order (`webhooks/claim.ts`): an
 * index on (webhook, due time, id) over the deliveries in flight lets it read only the few it
 * takes, instead of every delivery in flight sorted (the `webhook_deliveries_due` index is by
 * status first, so it gives no order across PENDING and FAILED). Small: only rows in flight.
 */
import { type Kysely, type Migration, sql } from 'kysely';

export const webhookClaimIndexSchema: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await sql`create index webhook_deliveries_claim on webhook_deliveries (webhook_id, next_attempt_at, id) where status in ('PENDING', 'FAILED')`.execute(db);
  },
  async down(db: Kysely<any>): Promise<void> {
    await sql`drop index webhook_deliveries_claim`.execute(db);
  },
};
