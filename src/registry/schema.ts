/**
 * The registry's tables as Kysely sees them (see `migrations/` for what each column means).
 * bigint columns arrive as JS numbers on both databases (`database.ts` sets pg's parser so):
 * ids and counts stay far below 2^53.
 */
import type { ColumnType, Generated } from 'kysely';

/** A timestamp: read as a Date, written as a Date. */
type Timestamp = ColumnType<Date, Date, Date>;
/** A jsonb column: written as JSON text (the same on pg and PGlite), read parsed. */
type Json<T> = ColumnType<T, string, string>;

export interface TrackedJobsTable {
  id: Generated<number>;
  provider: string;
  kind: string;
  account: string;
  native_id: string;
  tracked_at: Timestamp;
  tracked_by: string | null;
  labels: ColumnType<string[], string[], string[]>;
  state: string | null;
  raw_status: string | null;
  done: Generated<boolean>;
  final: Generated<boolean>;
  outcome: Json<unknown> | null;
  checked_at: Timestamp | null;
  changed_at: Timestamp;
  first_seen_at: Timestamp | null;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  not_found_since: Timestamp | null;
  final_at: Timestamp | null;
}

export interface JobHistoryTable {
  job_id: number;
  seq: number;
  state: string;
  raw_status: string;
  progress: Json<unknown> | null;
  message: string | null;
  at: Timestamp;
  signature: string;
}

export interface IdempotencyKeysTable {
  account: string;
  key: string;
  operation: string;
  request_hash: string;
  result: Json<unknown> | null;
  created_at: Timestamp;
  expires_at: Timestamp;
}

/** Signed deltas of the number of tracked jobs per group; a group's count is their sum (`migrations/0003`). */
export interface TrackedJobCountsTable {
  provider: string;
  kind: string;
  account: string;
  /** '' for jobs never observed. */
  state: string;
  done: boolean;
  jobs: number;
}

/** The same deltas per label and group: the count of a one-label filter (`migrations/0005`). */
export interface TrackedJobLabelCountsTable extends TrackedJobCountsTable {
  label: string;
}

export interface Database {
  tracked_jobs: TrackedJobsTable;
  tracked_job_counts: TrackedJobCountsTable;
  tracked_job_label_counts: TrackedJobLabelCountsTable;
  job_history: JobHistoryTable;
  idempotency_keys: IdempotencyKeysTable;
}
