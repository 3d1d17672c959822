/**
 * The registry's first schema: tracked jobs, their history, idempotency keys.
 *
 * - `tracked_jobs` holds one row per tracked job, named by (kind, account, native_id) and keyed by
 *   a surrogate `id` that history rows and cursors point at. Besides what the caller gave
 *   (labels, who tracked it) it holds the last known status so that listing never calls a
 *   provider: `state`/`raw_status`/`done` of the last snapshot, `outcome` (the last JobOutcome as
 *   JSON: a snapshot, or a failure while no snapshot was ever had), and the milestones
 *   (`first_seen_at`, `started_at`, `finished_at`, `not_found_since`, `final_at`). `final` means
 *   the tracker stops polling: done, or not found past the grace.
 *   `changed_at` starts at `tracked_at` (never null) so that it can be a keyset sort key.
 * - `job_history` is the list of observed changes, `seq` 1, 2, … per job; its primary key is
 *   what keeps two writers from appending the same entry twice.
 * - `idempotency_keys` remembers, per account, which start a client's key made and what it
 *   answered (`result` is null while the first start is in flight).
 *
 * Every timestamp is `timestamptz(3)`: the service writes times from its own clock in
 * milliseconds, and cursors carry them as milliseconds, so the database must not keep more.
 */
import { type Kysely, type Migration, sql } from 'kysely';

const UP = [
  `create table tracked_jobs (
    id bigserial primary key,
    provider text not null,
    kind text not null,
    account text not null,
    native_id text not null,
    tracked_at timestamptz(3) not null,
    tracked_by text,
    labels text[] not null default '{}' check (cardinality(labels) <= 10),
    state text,
    raw_status text,
    done boolean not null default false,
    final boolean not null default false,
    outcome jsonb,
    checked_at timestamptz(3),
    changed_at timestamptz(3) not null,
    first_seen_at timestamptz(3),
    started_at timestamptz(3),
    finished_at timestamptz(3),
    not_found_since timestamptz(3),
    final_at timestamptz(3),
    constraint tracked_jobs_ref unique (kind, account, native_id)
  )`,
  // Listing: newest first (read backwards for oldest first), by last change, and the same
  // orders within the filters users pick most (one provider, state, kind or account).
  'create index tracked_jobs_tracked on tracked_jobs (tracked_at desc, id desc)',
  'create index tracked_jobs_changed on tracked_jobs (changed_at desc, id desc)',
  'create index tracked_jobs_provider on tracked_jobs (provider, tracked_at desc, id desc)',
  'create index tracked_jobs_state on tracked_jobs (state, tracked_at desc, id desc)',
  'create index tracked_jobs_kind on tracked_jobs (kind, tracked_at desc, id desc)',
  'create index tracked_jobs_account on tracked_jobs (account, tracked_at desc, id desc)',
  // `search`: a prefix of the native id (LIKE 'abc%' needs text_pattern_ops under any collation).
  'create index tracked_jobs_native_id_prefix on tracked_jobs (native_id text_pattern_ops)',
  // `labels` (all of them: @>) and `search` (one label: = any).
  'create index tracked_jobs_labels on tracked_jobs using gin (labels)',
  // What the tracker resumes at start-up, and what retention forgets.
  'create index tracked_jobs_unfinished on tracked_jobs (id) where not final',
  'create index tracked_jobs_final_at on tracked_jobs (final_at, id) where final',
  `create table job_history (
    job_id bigint not null references tracked_jobs (id) on delete cascade,
    seq integer not null,
    state text not null,
    raw_status text not null,
    progress jsonb,
    message text,
    at timestamptz(3) not null,
    signature text not null,
    primary key (job_id, seq)
  )`,
  `create table idempotency_keys (
    account text not null,
    key text not null,
    operation text not null,
    request_hash text not null,
    result jsonb,
    created_at timestamptz(3) not null,
    expires_at timestamptz(3) not null,
    primary key (account, key)
  )`,
  'create index idempotency_keys_expires on idempotency_keys (expires_at)',
];

const DOWN = ['drop table idempotency_keys', 'drop table job_history', 'drop table tracked_jobs'];

export const registrySchema: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    for (const statement of UP) await sql.raw(statement).execute(db);
  },
  async down(db: Kysely<any>): Promise<void> {
    for (const statement of DOWN) await sql.raw(statement).execute(db);
  },
};
