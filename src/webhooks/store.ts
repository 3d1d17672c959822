/**
 * Webhook rows: registering, changing, forgetting and listing webhooks, their deliveries newest
 * first, and the `webhook.test` delivery. Pure SQL over the registry's database; the service
 * (`service.ts`) validates input and seals secrets before calling in.
 *
 * Ownership: every call takes `owner`, the API key's name. A key sees and changes only the
 * webhooks it created; `owner === null` (the open API) sees them all.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Provider } from '../jobs/model.js';
import { type Connection, type PageArgs, decodeCursor, encodeCursor, pageRequest } from '../registry/connection.js';
import type { TrackedJobFilter } from '../registry/listing.js';
import type { Database } from '../registry/schema.js';
import { filterFromJson } from './outbox.js';
import type { WebhookEvent } from './payload.js';
import { type DeliveryStatus, type WebhookDeliveriesTable, type WebhooksTable, withWebhookTables } from './tables.js';

/** A webhook as the rest of the service reads it: never its secrets. */
export interface Webhook {
  readonly id: string;
  readonly url: string;
  readonly events: readonly WebhookEvent[];
  readonly filter: TrackedJobFilter | null;
  readonly description: string | null;
  readonly enabled: boolean;
  readonly disabledReason: string | null;
  readonly createdBy: string | null;
  readonly createdAt: Date;
  readonly failingSince: Date | null;
}

export interface WebhookDelivery {
  readonly id: number;
  readonly webhookId: string;
  readonly event: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly lastResponseStatus: number | null;
  readonly lastError: string | null;
  readonly createdAt: Date;
  readonly deliveredAt: Date | null;
  readonly nextAttemptAt: Date | null;
}

const PUBLIC_COLUMNS = ['id', 'url', 'events', 'filter', 'description', 'enabled', 'disabled_reason', 'created_by', 'created_at', 'failing_since'] as const;
type PublicRow = Pick<Selectable<WebhooksTable>, (typeof PUBLIC_COLUMNS)[number]>;

function webhookOf(row: PublicRow): Webhook {
  return {
    id: row.id,
    url: row.url,
    events: row.events as WebhookEvent[],
    filter: filterFromJson(row.filter),
    description: row.description,
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    createdBy: row.created_by,
    createdAt: row.created_at,
    failingSince: row.failing_since,
  };
}

function deliveryOf(row: Selectable<WebhookDeliveriesTable>): WebhookDelivery {
  // While claimed, `next_attempt_at` is the lease's end, not a planned attempt: the attempt is now.
  return {
    id: row.id,
    webhookId: row.webhook_id,
    event: row.event,
    status: row.status,
    attempts: row.attempts,
    lastResponseStatus: row.last_response_status,
    lastError: row.last_error,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
    nextAttemptAt: row.status === 'PENDING' || row.status === 'FAILED' ? row.next_attempt_at : null,
  };
}

export interface NewWebhook {
  readonly id: string;
  readonly url: string;
  readonly events: readonly WebhookEvent[];
  readonly filter: TrackedJobFilter | null;
  readonly providers: readonly Provider[] | null;
  readonly description: string | null;
  readonly createdBy: string | null;
  readonly createdAt: Date;
  readonly secretSealed: string;
}

export async function insertWebhook(db: Kysely<Database>, webhook: NewWebhook): Promise<Webhook> {
  const row = await withWebhookTables(db)
    .insertInto('webhooks')
    .values({
      id: webhook.id,
      url: webhook.url,
      events: [...webhook.events],
      filter: webhook.filter ? JSON.stringify(webhook.filter) : null,
      providers: webhook.providers ? [...webhook.providers] : null,
      description: webhook.description,
      created_by: webhook.createdBy,
      created_at: webhook.createdAt,
      secret_sealed: webhook.secretSealed,
    })
    .returning(PUBLIC_COLUMNS)
    .executeTakeFirstOrThrow();
  return webhookOf(row);
}

export interface WebhookPatch {
  readonly url?: string;
  readonly events?: readonly WebhookEvent[];
  /** Undefined: unchanged; null: every job. */
  readonly filter?: TrackedJobFilter | null;
  readonly description?: string | null;
  readonly enabled?: boolean;
}

/** Applies `patch`; null when no webhook of `owner` has this id. Enabling clears the reason and the failure run. */
export async function updateWebhook(db: Kysely<Database>, id: string, owner: string | null, patch: WebhookPatch): Promise<Webhook | null> {
  const set: Record<string, unknown> = {};
  if (patch.url !== undefined) set.url = patch.url;
  if (patch.events !== undefined) set.events = [...patch.events];
  if (patch.filter !== undefined) set.filter = patch.filter ? JSON.stringify(patch.filter) : null;
  if (patch.description !== undefined) set.description = patch.description;
  if (patch.enabled !== undefined) {
    set.enabled = patch.enabled;
    if (patch.enabled) Object.assign(set, { disabled_reason: null, failing_since: null });
    else set.disabled_reason = 'disabled by updateWebhook';
  }
  const tables = withWebhookTables(db);
  if (Object.keys(set).length === 0) return getWebhook(db, id, owner);
  const query = tables.updateTable('webhooks').set(set).where('id', '=', id).returning(PUBLIC_COLUMNS);
  const row = await (owner === null ? query : query.where('created_by', '=', owner)).executeTakeFirst();
  return row ? webhookOf(row) : null;
}

/** Forgets a webhook and its deliveries; whether it existed (for `owner`). */
export async function deleteWebhook(db: Kysely<Database>, id: string, owner: string | null): Promise<boolean> {
  const query = withWebhookTables(db).deleteFrom('webhooks').where('id', '=', id);
  const deleted = await (owner === null ? query : query.where('created_by', '=', owner)).returning('id').executeTakeFirst();
  return deleted !== undefined;
}

/** Replaces the secret; the old one keeps signing until `previousUntil`. */
export async function rotateSecret(
  db: Kysely<Database>,
  id: string,
  owner: string | null,
  sealed: { readonly current: string; readonly previousUntil: Date },
): Promise<Webhook | null> {
  return withWebhookTables(db)
    .transaction()
    .execute(async (trx) => {
      const select = trx.selectFrom('webhooks').select(['id', 'secret_sealed']).where('id', '=', id).forUpdate();
      const found = await (owner === null ? select : select.where('created_by', '=', owner)).executeTakeFirst();
      if (!found) return null;
      const row = await trx
        .updateTable('webhooks')
        .set({ secret_sealed: sealed.current, previous_secret_sealed: found.secret_sealed, previous_secret_until: sealed.previousUntil })
        .where('id', '=', id)
        .returning(PUBLIC_COLUMNS)
        .executeTakeFirstOrThrow();
      return webhookOf(row);
    });
}

export async function getWebhook(db: Kysely<Database>, id: string, owner: string | null): Promise<Webhook | null> {
  const query = withWebhookTables(db).selectFrom('webhooks').select(PUBLIC_COLUMNS).where('id', '=', id);
  const row = await (owner === null ? query : query.where('created_by', '=', owner)).executeTakeFirst();
  return row ? webhookOf(row) : null;
}

/** The webhooks `owner` may see, oldest first. */
export async function listWebhooks(db: Kysely<Database>, owner: string | null): Promise<Webhook[]> {
  const query = withWebhookTables(db).selectFrom('webhooks').select(PUBLIC_COLUMNS).orderBy('created_at').orderBy('id');
  const rows = await (owner === null ? query : query.where('created_by', '=', owner)).execute();
  return rows.map(webhookOf);
}

export const DEFAULT_DELIVERIES_PAGE_SIZE = 20;

/** A webhook's deliveries, newest first (`first`/`after`); `CURSOR_INVALID` for a cursor of another list. */
export async function listDeliveries(db: Kysely<Database>, webhookId: string, args: PageArgs): Promise<Connection<WebhookDelivery>> {
  const request = pageRequest({ first: args.first, after: args.after }, DEFAULT_DELIVERIES_PAGE_SIZE);
  const tag = ['deliveries', webhookId];
  const afterId = request.cursor === null ? null : decodeCursor(request.cursor, tag, 1)[0]!;
  const tables = withWebhookTables(db);
  const [rows, count] = await Promise.all([
    tables
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('webhook_id', '=', webhookId)
      .$if(afterId !== null, (query) => query.where('id', '<', afterId!))
      .orderBy('id', 'desc')
      .limit(request.size + 1)
      .execute(),
    tables.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll<number>().as('count')).where('webhook_id', '=', webhookId).executeTakeFirstOrThrow(),
  ]);
  const page = rows.slice(0, request.size);
  const edges = page.map((row) => ({ cursor: encodeCursor([...tag, row.id]), node: deliveryOf(row) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > request.size,
      hasPreviousPage: afterId !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    totalCount: Number(count.count),
  };
}

/** Writes one delivery (a `webhook.test`, no job: unordered) due now. */
export async function insertDelivery(
  db: Kysely<Database>,
  delivery: { readonly webhookId: string; readonly event: string; readonly payload: string; readonly messageId: string; readonly at: Date },
): Promise<WebhookDelivery> {
  const row = await withWebhookTables(db)
    .insertInto('webhook_deliveries')
    .values({
      webhook_id: delivery.webhookId,
      job_key: null,
      event: delivery.event,
      payload: delivery.payload,
      message_id: delivery.messageId,
      status: 'PENDING',
      next_attempt_at: delivery.at,
      created_at: delivery.at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return deliveryOf(row);
}

/** Deliveries in flight (PENDING or FAILED awaiting a retry) and the oldest one's creation. */
export async function queueStats(db: Kysely<Database>): Promise<{ depth: number; oldest: Date | null }> {
  const row = await withWebhookTables(db)
    .selectFrom('webhook_deliveries')
    .select((eb) => [eb.fn.countAll<number>().as('depth'), eb.fn.min('created_at').as('oldest')])
    .where('status', 'in', ['PENDING', 'FAILED'])
    .executeTakeFirstOrThrow();
  return { depth: Number(row.depth), oldest: (row.oldest as Date | null) ?? null };
}
