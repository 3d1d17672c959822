/**
 * The registry benchmarks' data: `rows` tracked jobs written straight into `tracked_jobs` with
 * one `insert … select from generate_series` (tracking them through the API would take far
 * longer than the measurement), in the schema the service's own migrations made.
 *
 * What the rows look like, so that every filter of the scenario has something to find:
 * - the four kinds in turn (so each provider holds a quarter or a half), account `default`;
 * - native ids `job-000001` … (a `search` prefix such as `job-0999` matches 100 rows);
 * - tracked one second apart from three days ago, in id order; `changed_at` scrambled within the
 *   following day (up to 100 000 rows stay in the past);
 * - every tenth job unfinished (RUNNING, not done, not final: what the tracker resumes);
 *   of the others every ninth FAILED, the rest COMPLETED;
 * - one label of `nightly`, `manual`, `import` each, and `rare` on one job in a hundred;
 * - a stored outcome (the last snapshot, as JSON) like the one the tracker writes, so that each
 *   listed node is a full job type and not an "unavailable" error.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../src/registry/schema.js';

/**
 * Where the seeded tracking times start (ms since the epoch): three days ago, whole seconds, so
 * that every seeded time is in the past and none is old enough for the retention sweep (which
 * runs at the service's start) to forget a finished job.
 */
export const SEED_EPOCH_MS = Math.floor(Date.now() / 1000) * 1000 - 3 * 86_400_000;

export async function seedTrackedJobs(db: Kysely<Database>, rows: number): Promise<void> {
  await sql`
    insert into tracked_jobs (provider, kind, account, native_id, tracked_at, tracked_by, labels, state, raw_status, done, final,
                              outcome, checked_at, changed_at, first_seen_at, started_at, finished_at, final_at)
    select provider, kind, 'default', native_id, tracked_at, null, labels, state, raw_status, done, done,
           jsonb_build_object(
             'ref', jsonb_build_object('kind', kind, 'account', 'default', 'nativeId', native_id),
             'state', state, 'rawStatus', raw_status, 'done', done,
             'progress', jsonb_build_object('completed', completed, 'total', 1000, 'percent', completed / 10.0),
             'message', case when state = 'FAILED' then 'Some items failed' end,
             'checkedAt', to_char(changed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
             'details', case kind
               when 'IMAGEKIT_BULK_JOB' then jsonb_build_object('kind', kind, 'type', 'COPY_FOLDER', 'purgeRequestId', null)
               when 'IMAGEKIT_PURGE_REQUEST' then jsonb_build_object('kind', kind)
               when 'SAYMON_BULK_OP' then jsonb_build_object('kind', kind, 'finished', done)
               else jsonb_build_object('kind', kind, 'url', null, 'total', 1000, 'jobType', 'bulk_update', 'results', null)
             end
           ),
           changed_at, changed_at, tracked_at, tracked_at, case when done then changed_at end, case when done then changed_at end
    from (
      select n,
             (array['IMAGEKIT', 'IMAGEKIT', 'SAYMON', 'ZENDESK'])[1 + n % 4] as provider,
             (array['IMAGEKIT_BULK_JOB', 'IMAGEKIT_PURGE_REQUEST', 'SAYMON_BULK_OP', 'ZENDESK_JOB_STATUS'])[1 + n % 4] as kind,
             'job-' || lpad(n::text, 6, '0') as native_id,
             ${new Date(SEED_EPOCH_MS)}::timestamptz + n * interval '1 second' as tracked_at,
             ${new Date(SEED_EPOCH_MS)}::timestamptz + n * interval '1 second' + (1 + n * 7919 % 86400) * interval '1 second' as changed_at,
             array[(array['nightly', 'manual', 'import'])[1 + n % 3]] || case when n % 100 = 1 then array['rare'] else array[]::text[] end as labels,
             case when n % 10 = 0 then 'RUNNING' when n % 9 = 0 then 'FAILED' else 'COMPLETED' end as state,
             case when n % 10 = 0 then 'working' when n % 9 = 0 then 'failed' else 'completed' end as raw_status,
             n % 10 <> 0 as done,
             case when n % 10 = 0 then n % 1000 else 1000 end as completed
      from generate_series(1, ${rows}) as n
    ) as seeded`.execute(db);
  await sql`analyze tracked_jobs`.execute(db);
}
