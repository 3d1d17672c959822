/**
 * The outbox: the registry's hooks (`RegistryHooks`), writing one delivery row per matching
 * enabled webhook per event, INSIDE the transaction that tracks the job or records its change.
 * So an event exists exactly when its cause committed: a crash before the commit loses both, a
 * crash after it loses neither, and the dispatcher (`dispatcher.ts`) delivers it later.
 *
 * Events: `JOB_TRACKED` → `job.tracked` when a job starts being tracked; `JOB_CHANGED` →
 * `job.changed` for every observed change (the last one included); `JOB_FINISHED` →
 * `job.finished` once, when the job becomes done. A finishing observation writes `job.changed`
 * before `job.finished`, so ids (and deliveries) follow the order the events happened in.
 * Per job, the registry serialises these transactions (the job's row lock), so per job the
 * `id` order is the event order.
 *
 * A tracker batch (up to 100 jobs in one transaction) comes as one `onChangedMany`: one insert
 * for all its events. Webhooks are read in the same transaction (a small table), once per
 * transaction however many jobs it writes, so a webhook created, changed or disabled on any
 * instance counts from its commit on, cluster-wide, with no cache to invalidate beyond the
 * transaction.
 */
import type { Transaction } from 'kysely';
import { refKey, type Provider } from '../jobs/model.js';
import { matchesFilter } from '../registry/filter-match.js';
import type { TrackedJobFilter } from '../registry/listing.js';
import type { ObservationResult } from '../registry/observations.js';
import type { Database } from '../registry/schema.js';
import type { RegistryHooks } from '../registry/tracker.js';
import type { TrackedJob } from '../registry/tracked-job.js';
import { type GlobalIdOf, webhookJob } from './job-json.js';
import { type WebhookEvent, eventType, jobEventBody } from './payload.js';
import { newMessageId } from './signing.js';
import { withWebhookTables } from './tables.js';

export interface OutboxOptions {
  readonly globalIdOf: GlobalIdOf;
  readonly clock: { now(): number };
  /** Each delivery row written (counted before the commit; a rolled-back one never runs). */
  readonly onEnqueued?: (count: number) => void;
}

/** Delivery rows per insert statement at most. */
const INSERT_CHUNK = 1000;

/** A webhook as the outbox matches it. */
interface Subscriber {
  readonly id: string;
  readonly events: readonly WebhookEvent[];
  readonly filter: TrackedJobFilter | null;
  readonly providers: readonly Provider[] | undefined;
}

interface PendingEvent {
  readonly event: WebhookEvent;
  readonly job: TrackedJob;
  readonly previousState: string | null;
  readonly at: Date;
}

async function readSubscribers(trx: Transaction<Database>): Promise<Subscriber[]> {
  const rows = await withWebhookTables(trx).selectFrom('webhooks').select(['id', 'events', 'filter', 'providers']).where('enabled', '=', true).execute();
  return rows.map((row) => ({
    id: row.id,
    events: row.events as WebhookEvent[],
    filter: filterFromJson(row.filter),
    providers: (row.providers as Provider[] | null) ?? undefined,
  }));
}

/** A stored filter (JSON) as a `TrackedJobFilter`: its dates were strings. */
export function filterFromJson(value: unknown): TrackedJobFilter | null {
  if (value === null || value === undefined) return null;
  const stored = value as Record<string, unknown>;
  const date = (field: unknown) => (typeof field === 'string' ? new Date(field) : null);
  return { ...(stored as TrackedJobFilter), trackedAfter: date(stored.trackedAfter), trackedBefore: date(stored.trackedBefore) };
}

/** The registry hooks that fill the outbox. */
export function createOutbox(options: OutboxOptions): RegistryHooks {
  /** The enabled webhooks as each open transaction read them (forgotten with the transaction). */
  const read = new WeakMap<Transaction<Database>, Promise<Subscriber[]>>();

  function subscribers(trx: Transaction<Database>): Promise<Subscriber[]> {
    let found = read.get(trx);
    if (!found) {
      found = readSubscribers(trx);
      read.set(trx, found);
      // A failed read is not kept: the transaction fails with it anyway.
      found.catch(() => read.delete(trx));
    }
    return found;
  }

  /** `job.changed` for a change, then `job.finished` when the job became done. */
  function changeEvents(result: ObservationResult): PendingEvent[] {
    const job = result.job;
    if (!job) return [];
    const at = job.checkedAt ?? new Date(options.clock.now());
    const events: PendingEvent[] = [];
    if (result.changed) events.push({ event: 'JOB_CHANGED', job, previousState: result.previousState, at });
    // Hooks run only for a change or a job becoming final; once done, nothing is recorded again.
    if (job.done && (result.changed || result.becameFinal)) events.push({ event: 'JOB_FINISHED', job, previousState: result.previousState, at });
    return events;
  }

  async function write(trx: Transaction<Database>, events: readonly PendingEvent[]): Promise<void> {
    if (events.length === 0) return;
    const hooks = await subscribers(trx);
    if (hooks.length === 0) return;
    const createdAt = new Date(options.clock.now());
    const rows = [];
    for (const pending of events) {
      for (const hook of hooks) {
        if (!hook.events.includes(pending.event) || !matchesFilter(pending.job, hook.filter, hook.providers)) continue;
        const payload = jobEventBody(eventType(pending.event) as 'job.tracked' | 'job.changed' | 'job.finished', {
          job: webhookJob(pending.job, options.globalIdOf),
          previousState: pending.previousState,
          at: pending.at.getTime(),
        });
        rows.push({
          webhook_id: hook.id,
          job_key: refKey(pending.job.ref),
          event: eventType(pending.event),
          payload,
          message_id: newMessageId(),
          status: 'PENDING' as const,
          next_attempt_at: createdAt,
          created_at: createdAt,
        });
      }
    }
    // Chunks keep a statement well under PostgreSQL's 65 535 parameters (8 per row) with many webhooks.
    for (let from = 0; from < rows.length; from += INSERT_CHUNK) {
      await withWebhookTables(trx).insertInto('webhook_deliveries').values(rows.slice(from, from + INSERT_CHUNK)).execute();
    }
    if (rows.length > 0) options.onEnqueued?.(rows.length);
  }

  return {
    async onTracked(trx, jobs) {
      await write(
        trx,
        jobs.map((job) => ({ event: 'JOB_TRACKED', job, previousState: null, at: job.trackedAt })),
      );
    },
    onChanged: (trx, result: ObservationResult) => write(trx, changeEvents(result)),
    // A tracker batch: every job's events in one insert (ids in event order, job after job).
    onChangedMany: (trx, results) => write(trx, results.flatMap(changeEvents)),
  };
}
