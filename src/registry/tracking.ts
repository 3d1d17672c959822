/**
 * Tracking and forgetting jobs, their labels, and reading tracked jobs back by ref.
 *
 * Tracking is an upsert: tracking a job again keeps its tracking time, its tracker and its
 * status, and merges the new labels after the old ones. All refs of one call are written in one
 * transaction, so an answered `trackJobs` is wholly in the database or not at all.
 */
import { type Kysely, sql } from 'kysely';
import { type JobKind, type JobOutcome, type JobRef, type Provider, refKey } from '../jobs/model.js';
import { RegistryError } from './errors.js';
import { MAX_LABELS, checkLabels, mergeLabels } from './labels.js';
import { refsMatch, rowKey, uniqueRefs } from './refs.js';
import { inTransaction } from './transactions.js';
import type { Database } from './schema.js';
import { type TrackedJob, outcomeFromJson, trackedJobOf } from './tracked-job.js';

type Db = Kysely<Database>;

const CHECK_VIOLATION = '23514';

export interface TrackResult {
  readonly job: TrackedJob;
  /** True when this call started tracking the job; false when it was tracked already. */
  readonly created: boolean;
  /** The job's labels before this call (empty for a job it started tracking). */
  readonly previousLabels: readonly string[];
}

/**
 * Tracks each ref (again: labels merged), one result per ref in input order (a ref given twice
 * answers twice, the same row). Throws `LABELS_INVALID` when the labels break the rules or a job
 * would end up with more than 10; then nothing is written.
 */
export async function trackJobs(
  db: Db,
  refs: readonly JobRef[],
  options: { labels?: readonly string[]; trackedBy?: string | null; now: Date; providerOf: (kind: JobKind) => Provider },
): Promise<TrackResult[]> {
  const { labels = [], trackedBy = null, now } = options;
  const checked = checkLabels(labels);
  if (!checked.ok) throw new RegistryError('LABELS_INVALID', checked.message);
  const unique = uniqueRefs(refs);
  if (unique.length === 0) return [];
  let existing: { kind: string; account: string; native_id: string; labels: string[] }[] = [];
  const rows = await inTransaction(db, async (trx) => {
    // Lock the rows that exist so that the label check below holds until commit.
    existing = await trx.selectFrom('tracked_jobs').select(['kind', 'account', 'native_id', 'labels']).where(refsMatch(unique)).forUpdate().execute();
    for (const row of existing) {
      const merged = mergeLabels(row.labels, checked.labels);
      if (merged.length > MAX_LABELS) {
        throw new RegistryError('LABELS_INVALID', `job ${row.native_id} would have ${merged.length} labels (at most ${MAX_LABELS})`);
      }
    }
    return trx
      .insertInto('tracked_jobs')
      .values(
        unique.map((ref) => ({
          provider: options.providerOf(ref.kind),
          kind: ref.kind,
          account: ref.account,
          native_id: ref.nativeId,
          tracked_at: now,
          tracked_by: trackedBy,
          labels: checked.labels,
          changed_at: now,
        })),
      )
      .onConflict((conflict) =>
        conflict.constraint('tracked_jobs_ref').doUpdateSet({
          // The merge again in SQL: a row inserted by a concurrent call after the lock above
          // is merged right too (and the table's check refuses an 11th label).
          labels: sql<string[]>`tracked_jobs.labels || array(
            select label from unnest(excluded.labels) with ordinality as added(label, position)
            where not (label = any(tracked_jobs.labels)) order by position)`,
        }),
      )
      .returningAll()
      // A row the insert created has no deleting transaction yet: xmax is 0.
      .returning(sql<boolean>`(xmax = 0)`.as('created'))
      .execute()
      .catch((error: unknown) => {
        if ((error as { code?: unknown }).code === CHECK_VIOLATION) {
          throw new RegistryError('LABELS_INVALID', `a job would have more than ${MAX_LABELS} labels`, { cause: error });
        }
        throw error;
      });
  });
  const byKey = new Map(rows.map((row) => [rowKey(row), row]));
  const before = new Map(rows.map((row) => [rowKey(row), [] as string[]]));
  for (const row of existing) before.set(rowKey(row), row.labels);
  return refs.map((ref) => {
    const { created, ...row } = byKey.get(refKey(ref))!;
    return { job: trackedJobOf(row), created, previousLabels: created ? [] : (before.get(refKey(ref)) ?? row.labels) };
  });
}

/** Forgets the given jobs (their history goes with them); answers those that were tracked, in input order. */
export async function untrackJobs(db: Db, refs: readonly JobRef[]): Promise<JobRef[]> {
  const unique = uniqueRefs(refs);
  if (unique.length === 0) return [];
  const deleted = await db.deleteFrom('tracked_jobs').where(refsMatch(unique)).returning(['kind', 'account', 'native_id']).execute();
  const keys = new Set(deleted.map(rowKey));
  return unique.filter((ref) => keys.has(refKey(ref)));
}

/**
 * Replaces a tracked job's labels. Answers the job, or null when it is not tracked; throws
 * `LABELS_INVALID` when the labels break the rules.
 */
export async function setLabels(db: Db, ref: JobRef, labels: readonly string[]): Promise<TrackedJob | null> {
  const checked = checkLabels(labels);
  if (!checked.ok) throw new RegistryError('LABELS_INVALID', checked.message);
  const row = await db
    .updateTable('tracked_jobs')
    .set({ labels: checked.labels })
    .where('kind', '=', ref.kind)
    .where('account', '=', ref.account)
    .where('native_id', '=', ref.nativeId)
    .returningAll()
    .executeTakeFirst();
  return row ? trackedJobOf(row) : null;
}

/** The tracked job of each ref, or null where it is not tracked, in input order. */
export async function getTracked(db: Db, refs: readonly JobRef[]): Promise<(TrackedJob | null)[]> {
  const unique = uniqueRefs(refs);
  if (unique.length === 0) return [];
  const rows = await db.selectFrom('tracked_jobs').selectAll().where(refsMatch(unique)).execute();
  const byKey = new Map(rows.map((row) => [rowKey(row), trackedJobOf(row)]));
  return refs.map((ref) => byKey.get(refKey(ref)) ?? null);
}

/** The tracked job with this registry id, or null. */
export async function getTrackedById(db: Db, id: number): Promise<TrackedJob | null> {
  const row = await db.selectFrom('tracked_jobs').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? trackedJobOf(row) : null;
}

export interface UnfinishedJob {
  readonly id: number;
  readonly ref: JobRef;
  /** The last outcome stored (null before the first answer). */
  readonly outcome: JobOutcome | null;
  /** Whether the provider ever answered with a snapshot. */
  readonly seen: boolean;
}

/**
 * The tracked jobs that are not final (for the tracker to resume), `batchSize` at a time in id
 * order: one page in memory at once, whatever the table holds. Jobs tracked while it runs may or
 * may not appear; the tracker watches those as they are tracked.
 */
export async function* unfinishedJobs(db: Db, batchSize = 1000): AsyncGenerator<UnfinishedJob[], void, undefined> {
  let afterId = 0;
  for (;;) {
    const rows = await db
      .selectFrom('tracked_jobs')
      .select(['id', 'kind', 'account', 'native_id', 'outcome', 'first_seen_at'])
      .where('final', '=', false)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(batchSize)
      .execute();
    if (rows.length === 0) return;
    afterId = rows[rows.length - 1]!.id;
    yield rows.map((row) => ({
      id: row.id,
      ref: { kind: row.kind as JobRef['kind'], account: row.account, nativeId: row.native_id },
      outcome: row.outcome == null ? null : outcomeFromJson(row.outcome),
      seen: row.first_seen_at !== null,
    }));
    if (rows.length < batchSize) return;
  }
}
