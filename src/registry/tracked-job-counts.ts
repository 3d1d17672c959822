/**
 * Folding the per-group (and per-label) count deltas that the triggers of
 * `migrations/0003-listing-counts.ts` and `0005-label-counts.ts` append, so that summing a group
 * stays a few rows however many jobs came and went.
 *
 * One statement deletes the deltas it sees and inserts their sums: deltas appended meanwhile
 * are not in its snapshot and stay for the next round; a second compaction running at the same
 * moment (another instance) waits on the rows the first deletes, then skips them. So no count
 * is ever lost or doubled, and nothing waits on a counter row.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

/**
 * Folds each group's deltas into one row (dropping groups that sum to zero), in both counts
 * tables (per group, and per label and group: `migrations/0005-label-counts.ts`); answers the
 * rows folded.
 */
export async function compactTrackedJobCounts(db: Kysely<Database>): Promise<number> {
  const result = await sql<{ folded: number | string }>`
    with folded as (delete from tracked_job_counts returning *),
    summed as (
      insert into tracked_job_counts
      select provider, kind, account, state, done, sum(jobs) from folded
      group by provider, kind, account, state, done
      having sum(jobs) <> 0
    ),
    folded_labels as (delete from tracked_job_label_counts returning *),
    summed_labels as (
      insert into tracked_job_label_counts
      select label, provider, kind, account, state, done, sum(jobs) from folded_labels
      group by label, provider, kind, account, state, done
      having sum(jobs) <> 0
    )
    select (select count(*) from folded) + (select count(*) from folded_labels) as folded`.execute(db);
  return Number(result.rows[0]?.folded ?? 0);
}
