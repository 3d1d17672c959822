/**
 * Cheap `totalCount`s for the listing (issue 10, "Speed and size").
 *
 * `count(*)` over 100 000 tracked jobs reads every row (or every index entry, and on PGlite,
 * which has no autovacuum to keep the visibility map, every row behind it too): tens of
 * milliseconds, most of a listing's cost. So the counts of the filters a list is mostly asked
 * with (providers, kinds, accounts, states, done, and the providers an API key may read) are
 * kept beside the table:
 *
 * - `tracked_job_counts` holds signed deltas per group (provider, kind, account, state, done);
 *   a group's count is the sum of its rows. `state` is '' for a job never observed (no state
 *   filter names '', so such jobs match no state, as in `tracked_jobs`).
 * - Statement-level triggers on `tracked_jobs` append one delta row per group a statement
 *   changed (transition tables: an upsert of 500 jobs is one aggregate, an update that changes
 *   no counted column appends nothing). Appending, never updating a counter row, is deliberate:
 *   a counter row would be one lock that every concurrent tracking call and every observation of
 *   that group waits on until commit, and two transactions taking two counter rows in opposite
 *   orders would deadlock. Deltas take no lock at all.
 * - `compactTrackedJobCounts` (run periodically by the registry service) folds the deltas of
 *   each group into one row, in one statement, so the table stays a few rows per group.
 * - TRUNCATE of `tracked_jobs` (the tests' reset) empties the counts too.
 *
 * The other filters (labels, search, tracking time) still count `tracked_jobs`, through their
 * indexes (GIN on labels, the native id's prefix index, the tracking-time index).
 */
import { type Kysely, type Migration, sql } from 'kysely';

/** A job's group: its counted columns, `state` '' while it has none. */
const GROUP = "provider, kind, account, coalesce(state, ''), done";

const UP = [
  `create table tracked_job_counts (
    provider text not null,
    kind text not null,
    account text not null,
    state text not null,
    done boolean not null,
    jobs bigint not null
  )`,
  'create index tracked_job_counts_group on tracked_job_counts (provider, kind, account, state, done)',
  `create function tracked_job_counts_insert() returns trigger language plpgsql as $$
  begin
    insert into tracked_job_counts select ${GROUP}, count(*) from new_rows group by 1, 2, 3, 4, 5;
    return null;
  end $$`,
  `create function tracked_job_counts_delete() returns trigger language plpgsql as $$
  begin
    insert into tracked_job_counts select ${GROUP}, -count(*) from old_rows group by 1, 2, 3, 4, 5;
    return null;
  end $$`,
  // Most updates (an observation that changes nothing counted, new labels) cancel out: no row.
  `create function tracked_job_counts_update() returns trigger language plpgsql as $$
  begin
    insert into tracked_job_counts
      select provider, kind, account, state, done, sum(delta) from (
        select ${GROUP} as state, 1 as delta from new_rows
        union all
        select ${GROUP}, -1 from old_rows
      ) as changes (provider, kind, account, state, done, delta)
      group by 1, 2, 3, 4, 5
      having sum(delta) <> 0;
    return null;
  end $$`,
  `create function tracked_job_counts_truncate() returns trigger language plpgsql as $$
  begin
    delete from tracked_job_counts;
    return null;
  end $$`,
  `create trigger tracked_job_counts_insert after insert on tracked_jobs
    referencing new table as new_rows for each statement execute function tracked_job_counts_insert()`,
  `create trigger tracked_job_counts_delete after delete on tracked_jobs
    referencing old table as old_rows for each statement execute function tracked_job_counts_delete()`,
  `create trigger tracked_job_counts_update after update on tracked_jobs
    referencing old table as old_rows new table as new_rows for each statement execute function tracked_job_counts_update()`,
  `create trigger tracked_job_counts_truncate after truncate on tracked_jobs
    for each statement execute function tracked_job_counts_truncate()`,
  // The jobs tracked before this migration.
  `insert into tracked_job_counts select ${GROUP}, count(*) from tracked_jobs group by 1, 2, 3, 4, 5`,
];

const DOWN = [
  'drop trigger tracked_job_counts_truncate on tracked_jobs',
  'drop trigger tracked_job_counts_update on tracked_jobs',
  'drop trigger tracked_job_counts_delete on tracked_jobs',
  'drop trigger tracked_job_counts_insert on tracked_jobs',
  'drop function tracked_job_counts_truncate()',
  'drop function tracked_job_counts_update()',
  'drop function tracked_job_counts_delete()',
  'drop function tracked_job_counts_insert()',
  'drop table tracked_job_counts',
];

export const listingCountsSchema: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    for (const statement of UP) await sql.raw(statement).execute(db);
  },
  async down(db: Kysely<any>): Promise<void> {
    for (const statement of DOWN) await sql.raw(statement).execute(db);
  },
};
