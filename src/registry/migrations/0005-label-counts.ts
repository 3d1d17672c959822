/**
 * Cheap `totalCount`s for label filters, and a GIN index that answers at once (issue 10, "Speed
 * and size").
 *
 * - `tracked_jobs_labels` is made `fastupdate = off`, and its pending list flushed. With the
 *   default (on), entries of new jobs wait in an unsorted pending list of up to 4 MB that every
 *   search reads whole until a vacuum merges it; PGlite has no autovacuum, so it is merged only
 *   when full. Measured over 100 000 jobs: a label search that matches nothing cost 11 ms on
 *   PostgreSQL and 185 ms on PGlite, 0.2–0.6 ms with the list merged. The cost moves to the
 *   writes: a job's few labels go into the index when it is tracked (or relabelled).
 * - `tracked_job_label_counts` holds signed deltas per label and group (the groups of
 *   `tracked_job_counts`, migration 0003), appended by statement-level triggers exactly as there
 *   (no counter row is ever updated, so writers share no lock), folded by the same compaction.
 *   A filter naming one label, with or without the group filters, is then a sum of a few rows
 *   instead of counting every job carrying the label (10–30 ms for 1 000 jobs). Filters with
 *   several labels, `search` or tracking times still count `tracked_jobs`.
 */
import { type Kysely, type Migration, sql } from 'kysely';

/** A job's group (as in 0003): its counted columns, `state` '' while it has none. A job counts once per label it has. */
const GROUP = "provider, kind, account, coalesce(state, ''), done";

const UP = [
  'alter index tracked_jobs_labels set (fastupdate = off)',
  "select gin_clean_pending_list('tracked_jobs_labels')",
  `create table tracked_job_label_counts (
    label text not null,
    provider text not null,
    kind text not null,
    account text not null,
    state text not null,
    done boolean not null,
    jobs bigint not null
  )`,
  'create index tracked_job_label_counts_label on tracked_job_label_counts (label, provider, kind, account, state, done)',
  `create function tracked_job_label_counts_insert() returns trigger language plpgsql as $$
  begin
    insert into tracked_job_label_counts
      select label, ${GROUP}, count(*) from new_rows, lateral (select distinct unnest(labels)) as distinct_labels (label) group by 1, 2, 3, 4, 5, 6;
    return null;
  end $$`,
  `create function tracked_job_label_counts_delete() returns trigger language plpgsql as $$
  begin
    insert into tracked_job_label_counts
      select label, ${GROUP}, -count(*) from old_rows, lateral (select distinct unnest(labels)) as distinct_labels (label) group by 1, 2, 3, 4, 5, 6;
    return null;
  end $$`,
  // An update that changes neither labels nor a counted column cancels out: no row.
  `create function tracked_job_label_counts_update() returns trigger language plpgsql as $$
  begin
    insert into tracked_job_label_counts
      select label, provider, kind, account, state, done, sum(delta) from (
        select label, ${GROUP}, 1 as delta from new_rows, lateral (select distinct unnest(labels)) as distinct_labels (label)
        union all
        select label, ${GROUP}, -1 from old_rows, lateral (select distinct unnest(labels)) as distinct_labels (label)
      ) as changes (label, provider, kind, account, state, done, delta)
      group by 1, 2, 3, 4, 5, 6
      having sum(delta) <> 0;
    return null;
  end $$`,
  `create function tracked_job_label_counts_truncate() returns trigger language plpgsql as $$
  begin
    delete from tracked_job_label_counts;
    return null;
  end $$`,
  `create trigger tracked_job_label_counts_insert after insert on tracked_jobs
    referencing new table as new_rows for each statement execute function tracked_job_label_counts_insert()`,
  `create trigger tracked_job_label_counts_delete after delete on tracked_jobs
    referencing old table as old_rows for each statement execute function tracked_job_label_counts_delete()`,
  `create trigger tracked_job_label_counts_update after update on tracked_jobs
    referencing old table as old_rows new table as new_rows for each statement execute function tracked_job_label_counts_update()`,
  `create trigger tracked_job_label_counts_truncate after truncate on tracked_jobs
    for each statement execute function tracked_job_label_counts_truncate()`,
  // The jobs tracked before this migration.
  `insert into tracked_job_label_counts
    select label, ${GROUP}, count(*) from tracked_jobs, lateral (select distinct unnest(labels)) as distinct_labels (label) group by 1, 2, 3, 4, 5, 6`,
];

const DOWN = [
  'drop trigger tracked_job_label_counts_truncate on tracked_jobs',
  'drop trigger tracked_job_label_counts_update on tracked_jobs',
  'drop trigger tracked_job_label_counts_delete on tracked_jobs',
  'drop trigger tracked_job_label_counts_insert on tracked_jobs',
  'drop function tracked_job_label_counts_truncate()',
  'drop function tracked_job_label_counts_update()',
  'drop function tracked_job_label_counts_delete()',
  'drop function tracked_job_label_counts_insert()',
  'drop table tracked_job_label_counts',
  'alter index tracked_jobs_labels reset (fastupdate)',
];

export const labelCountsSchema: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    for (const statement of UP) await sql.raw(statement).execute(db);
  },
  async down(db: Kysely<any>): Promise<void> {
    for (const statement of DOWN) await sql.raw(statement).execute(db);
  },
};
