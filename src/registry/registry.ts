/**
 * The registry's repository: every query on tracked jobs, history and idempotency keys, bound to
 * one database and one clock. Each method is a thin call into its module (tracking, listing,
 * observations, retention, idempotency), which take the database handle explicitly so that a
 * caller holding a transaction can run them inside it (`registry.transaction`).
 */
import type { Kysely, Transaction } from 'kysely';
import type { JobOutcome, JobRef } from '../jobs/model.js';
import type { KindCatalog } from '../jobs/ports.js';
import type { Connection, Page, PageArgs } from './connection.js';
import {
  type IdempotencyClaim,
  type IdempotencyRequest,
  claimIdempotencyKey,
  completeIdempotencyKey,
  purgeExpiredIdempotencyKeys,
  releaseIdempotencyKey,
} from './idempotency.js';
import { type ListTrackedJobsOptions, countTrackedJobs, listTrackedJobPage, listTrackedJobs } from './listing.js';
import {
  type CheckedMark,
  type HistoryEntry,
  type ObservationBatchItem,
  type ObservationResult,
  type RecordObservationOptions,
  type RecordObservationsOptions,
  history,
  markChecked,
  recordObservation,
  recordObservations,
} from './observations.js';
import { sweepFinished } from './retention.js';
import type { Database } from './schema.js';
import type { TrackedJob } from './tracked-job.js';
import { compactTrackedJobCounts } from './tracked-job-counts.js';
import { type TrackResult, type UnfinishedJob, getTracked, getTrackedById, setLabels, trackJobs, unfinishedJobs, untrackJobs } from './tracking.js';

export const DEFAULT_NOT_FOUND_GRACE_MS = 10_000;

export interface RegistryOptions {
  /** Which provider serves each kind (the provider catalog, handed in by the composition root). */
  readonly catalog: Pick<KindCatalog, 'providerOf'>;
  /** Milliseconds since the epoch; the service's clock (tests drive one by hand). */
  readonly clock?: { now(): number };
  /** `NOT_FOUND_GRACE_MS`. */
  readonly notFoundGraceMs?: number;
}

export interface Registry {
  /** Tracks each ref (again: labels merged); one result per ref, in order, in one transaction. */
  trackJobs(refs: readonly JobRef[], labels?: readonly string[], trackedBy?: string | null): Promise<TrackResult[]>;
  /** Forgets the refs; answers those that were tracked. */
  untrackJobs(refs: readonly JobRef[]): Promise<JobRef[]>;
  /** Replaces a job's labels; null when it is not tracked. */
  setLabels(ref: JobRef, labels: readonly string[]): Promise<TrackedJob | null>;
  getTracked(refs: readonly JobRef[]): Promise<(TrackedJob | null)[]>;
  getTrackedById(id: number): Promise<TrackedJob | null>;
  /** A page with its `totalCount`. */
  listTrackedJobs(options?: ListTrackedJobsOptions): Promise<Connection<TrackedJob>>;
  /** A page without the count (see `listing.ts`). */
  listTrackedJobPage(options?: ListTrackedJobsOptions): Promise<Page<TrackedJob>>;
  /** The `totalCount` of a list: the jobs its filter matches. */
  countTrackedJobs(options?: Pick<ListTrackedJobsOptions, 'filter' | 'visibleProviders'>): Promise<number>;
  /** Folds the per-group count deltas (see `tracked-job-counts.ts`); answers the rows folded. */
  compactCounts(): Promise<number>;
  /** Unfinished tracked jobs, a page at a time (see `tracking.ts`). */
  unfinishedJobs(batchSize?: number): AsyncGenerator<UnfinishedJob[], void, undefined>;
  /** Records a poll's outcome: last status, and a history entry once per change. */
  recordObservation(
    ref: JobRef,
    outcome: JobOutcome,
    options?: Omit<RecordObservationOptions, 'notFoundGraceMs'>,
  ): Promise<ObservationResult>;
  /** Records several jobs' observations in one transaction (see `observations.ts`); one result list per item. */
  recordObservations(
    items: readonly ObservationBatchItem[],
    options?: Omit<RecordObservationsOptions, 'notFoundGraceMs'>,
  ): Promise<ObservationResult[][]>;
  /** Moves `checked_at` of jobs whose answer changed nothing, in one statement; answers the rows moved. */
  markChecked(marks: readonly CheckedMark[]): Promise<number>;
  history(jobId: number, args?: PageArgs): Promise<Connection<HistoryEntry>>;
  /** Forgets jobs final for longer than `retentionMs`, in batches; answers how many. */
  sweepFinished(retentionMs: number, batchSize?: number): Promise<number>;
  claimIdempotencyKey(request: Omit<IdempotencyRequest, 'now'>): Promise<IdempotencyClaim>;
  completeIdempotencyKey(account: string, key: string, result: unknown): Promise<void>;
  releaseIdempotencyKey(account: string, key: string): Promise<void>;
  purgeExpiredIdempotencyKeys(): Promise<number>;
  /**
   * Runs `fn` in one transaction with a registry bound to it: everything it does commits
   * together or not at all. On PGlite, `fn` must not use the outer registry (it would wait for
   * the transaction it is in).
   */
  transaction<T>(fn: (registry: Registry, trx: Transaction<Database>) => Promise<T>): Promise<T>;
}

/** The repository over `db` (a `Kysely` or a transaction). */
export function createRegistry(db: Kysely<Database>, options: RegistryOptions): Registry {
  const clock = options.clock ?? { now: () => Date.now() };
  const now = (): Date => new Date(clock.now());
  const notFoundGraceMs = options.notFoundGraceMs ?? DEFAULT_NOT_FOUND_GRACE_MS;
  const registry: Registry = {
    trackJobs: (refs, labels, trackedBy) => trackJobs(db, refs, { labels: labels ?? [], trackedBy: trackedBy ?? null, now: now(), providerOf: options.catalog.providerOf }),
    untrackJobs: (refs) => untrackJobs(db, refs),
    setLabels: (ref, labels) => setLabels(db, ref, labels),
    getTracked: (refs) => getTracked(db, refs),
    getTrackedById: (id) => getTrackedById(db, id),
    listTrackedJobs: (listOptions) => listTrackedJobs(db, listOptions),
    listTrackedJobPage: (listOptions) => listTrackedJobPage(db, listOptions),
    countTrackedJobs: (countOptions) => countTrackedJobs(db, countOptions),
    compactCounts: () => compactTrackedJobCounts(db),
    unfinishedJobs: (batchSize) => unfinishedJobs(db, batchSize),
    recordObservation: (ref, outcome, observationOptions = {}) => recordObservation(db, ref, outcome, { ...observationOptions, notFoundGraceMs }),
    recordObservations: (items, observationOptions = {}) => recordObservations(db, items, { ...observationOptions, notFoundGraceMs }),
    markChecked: (marks) => markChecked(db, marks),
    history: (jobId, args) => history(db, jobId, args),
    sweepFinished: (retentionMs, batchSize) => sweepFinished(db, new Date(clock.now() - retentionMs), batchSize),
    claimIdempotencyKey: (request) => claimIdempotencyKey(db, { ...request, now: now() }),
    completeIdempotencyKey: (account, key, result) => completeIdempotencyKey(db, account, key, result),
    releaseIdempotencyKey: (account, key) => releaseIdempotencyKey(db, account, key),
    purgeExpiredIdempotencyKeys: () => purgeExpiredIdempotencyKeys(db, now()),
    transaction: (fn) => db.transaction().execute((trx) => fn(createRegistry(trx, options), trx)),
  };
  return registry;
}
