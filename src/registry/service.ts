/**
 * The registry as the rest of the service uses it: the database (opened, and re-opened until it
 * answers), the repository, the tracker and the retention sweep, behind calls that never hang.
 *
 * - Every call is bounded by `timeoutMs`: a database that is away or stalled answers
 *   `REGISTRY_UNAVAILABLE` in time, while part 1 (which never touches the registry) goes on.
 * - PostgreSQL unreachable at start: the service starts anyway and retries opening (connect and
 *   migrate) every `retryMs` until it works, then resumes the tracker; no restart needed.
 *   PGlite failing to open is fatal at start (`start` rejects): nothing can fix it while running.
 * - `trackJobs` commits before it answers: what was acknowledged survives `kill -9`.
 */
import type { JobPubSub, TrackedJobMessage } from '../jobs/events.js';
import type { JobOutcome, JobRef } from '../jobs/model.js';
import { refKey } from '../jobs/model.js';
import type { KindCatalog } from '../jobs/ports.js';
import { withinOrNull } from '../jobs/within.js';
import type { Logger } from '../logger.js';
import type { Connection, Page, PageArgs } from './connection.js';
import type { RegistryDatabase } from './database.js';
import { RegistryError, isRegistryError } from './errors.js';
import type { ListTrackedJobsOptions } from './listing.js';
import type { IdempotencyClaim, IdempotencyRequest } from './idempotency.js';
import type { HistoryEntry, ObservationResult } from './observations.js';
import { type Registry, createRegistry } from './registry.js';
import type { TrackedJob } from './tracked-job.js';
import { type RegistryHooks, NO_HOOKS, Tracker, type TrackerPoller } from './tracker.js';

export interface RegistryServiceOptions {
  /** Opens (and migrates) the database; called again after a failure until it works. */
  readonly open: () => Promise<RegistryDatabase>;
  /** `postgres` keeps retrying when the first open fails; `pglite` stops start-up. */
  readonly kind: 'postgres' | 'pglite';
  /** How readiness and errors name the database (never with a password). */
  readonly name: string;
  readonly catalog: Pick<KindCatalog, 'providerOf'>;
  readonly clock: { now(): number };
  readonly notFoundGraceMs: number;
  /** Bound on every registry call (ms). */
  readonly timeoutMs: number;
  /** Between attempts to open an unreachable database (ms). */
  readonly retryMs?: number;
  /** `TRACK_RETENTION_DAYS` in ms. */
  readonly retentionMs: number;
  /** Between retention sweeps (ms); default an hour. */
  readonly sweepEveryMs?: number;
  /** Between compactions of the listing's per-group counts (ms); default a minute. */
  readonly compactCountsEveryMs?: number;
  /** What `trackJobs` asks for each ref's first answer (the status store, one batch). */
  readonly load: (refs: readonly JobRef[]) => Promise<JobOutcome[]>;
  readonly poller: TrackerPoller;
  readonly pubsub: JobPubSub;
  readonly logger: Logger;
  readonly hooks?: RegistryHooks;
  readonly onHistoryWrite?: () => void;
  readonly onError?: () => void;
}

/** One ref's answer to `trackJobs`: its current outcome and the tracked job. */
export interface TrackedAnswer {
  readonly outcome: JobOutcome;
  readonly job: TrackedJob;
}

export interface RegistryService {
  /** Opens the database and resumes the tracker; rejects only when an embedded database fails to open. */
  start(): Promise<void>;
  /** The poller's observer (set it on the poller). */
  readonly tracker: Tracker;
  /** Whether the database is open and answered its last check. */
  available(): boolean;
  /** Problems for `/ready` (empty: ready); pings the database. */
  readiness(): Promise<string[]>;
  trackJobs(refs: readonly JobRef[], labels: readonly string[], trackedBy: string | null): Promise<TrackedAnswer[]>;
  untrackJobs(refs: readonly JobRef[]): Promise<JobRef[]>;
  setLabels(ref: JobRef, labels: readonly string[]): Promise<TrackedJob | null>;
  getTracked(refs: readonly JobRef[]): Promise<(TrackedJob | null)[]>;
  listTrackedJobs(options: ListTrackedJobsOptions): Promise<Connection<TrackedJob>>;
  /** A page without its count: `trackedJobs` counts only when `totalCount` is selected. */
  listTrackedJobPage(options: ListTrackedJobsOptions): Promise<Page<TrackedJob>>;
  countTrackedJobs(options: Pick<ListTrackedJobsOptions, 'filter' | 'visibleProviders'>): Promise<number>;
  /**
   * The database's snapshot token (`RegistryDatabase.snapshot`): what the response cache keeps
   * listing pages against. Null when it does not answer within `SNAPSHOT_WAIT_MS`, and at once
   * while the database is known to be away (`available()` false). Never logs and never changes
   * `available()`: the page's own call does that.
   */
  snapshotToken(): Promise<string | null>;
  history(jobId: number, args: PageArgs): Promise<Connection<HistoryEntry>>;
  /** Every instance's TRACKED, CHANGED and UNTRACKED announcements from now on (the live list). */
  events(): AsyncIterableIterator<TrackedJobMessage>;
  /** Idempotency keys of start mutations (see `idempotency.ts`), bounded like every call. */
  claimIdempotencyKey(request: Omit<IdempotencyRequest, 'now'>): Promise<IdempotencyClaim>;
  completeIdempotencyKey(account: string, key: string, result: unknown): Promise<void>;
  releaseIdempotencyKey(account: string, key: string): Promise<void>;
  /** One retention sweep (finished jobs, expired idempotency keys); answers the jobs deleted. */
  sweep(): Promise<number>;
  close(): Promise<void>;
}

const UNAVAILABLE_MESSAGE = 'The job registry is unavailable right now (its database cannot be reached); try again shortly';

export function createRegistryService(options: RegistryServiceOptions): RegistryService {
  const { logger } = options;
  const retryMs = options.retryMs ?? 2000;
  const tracker = new Tracker({
    poller: options.poller,
    pubsub: options.pubsub,
    logger,
    hooks: options.hooks ?? NO_HOOKS,
    onHistoryWrite: options.onHistoryWrite,
    onError: options.onError,
  });
  let database: RegistryDatabase | null = null;
  let registry: Registry | null = null;
  let healthy = false;
  let lastProblem: string | null = null;
  let closed = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let sweepTimer: NodeJS.Timeout | null = null;
  let compactTimer: NodeJS.Timeout | null = null;
  let opening: Promise<void> | null = null;

  const unavailable = (cause?: unknown) => new RegistryError('REGISTRY_UNAVAILABLE', UNAVAILABLE_MESSAGE, { cause });

  /** Runs `fn` bounded by the timeout; database trouble becomes REGISTRY_UNAVAILABLE. */
  async function call<T>(fn: (registry: Registry) => Promise<T>): Promise<T> {
    const current = registry;
    if (!current) throw unavailable();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(unavailable(new Error('timed out'))), options.timeoutMs);
      timer.unref();
    });
    try {
      const result = await Promise.race([fn(current), timeout]);
      healthy = true;
      return result;
    } catch (error) {
      if (isRegistryError(error) && error.code !== 'REGISTRY_UNAVAILABLE') throw error;
      options.onError?.();
      healthy = false;
      lastProblem = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      logger.warn({ err: lastProblem }, 'registry call failed');
      throw isRegistryError(error) ? error : unavailable(error);
    } finally {
      clearTimeout(timer);
    }
  }

  async function openOnce(): Promise<void> {
    const opened = await options.open();
    if (closed) {
      await opened.close();
      return;
    }
    database = opened;
    registry = createRegistry(opened.db, { catalog: options.catalog, clock: options.clock, notFoundGraceMs: options.notFoundGraceMs });
    healthy = true;
    lastProblem = null;
    await tracker.resume(registry);
    scheduleSweeps();
  }

  function retryLater(): void {
    if (closed) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      opening = openOnce().catch((error: unknown) => {
        lastProblem = error instanceof Error ? error.message : String(error);
        logger.warn({ err: lastProblem, database: options.name }, 'registry database still unreachable; retrying');
        retryLater();
      });
    }, retryMs);
    retryTimer.unref();
  }

  function scheduleSweeps(): void {
    const run = () =>
      void service.sweep().catch((error: unknown) => logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'retention sweep failed'));
    run();
    sweepTimer = setInterval(run, options.sweepEveryMs ?? 3_600_000);
    sweepTimer.unref();
    // The count deltas grow with every tracked, untracked or changed job; folding them keeps
    // `totalCount` a sum of a few rows. A failure waits for the next round (counts stay exact).
    compactTimer = setInterval(
      () =>
        void call((current) => current.compactCounts()).catch((error: unknown) =>
          logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'compacting the listing counts failed'),
        ),
      options.compactCountsEveryMs ?? 60_000,
    );
    compactTimer.unref();
  }

  const service: RegistryService = {
    tracker,
    async start() {
      try {
        opening = openOnce();
        await opening;
      } catch (error) {
        if (options.kind === 'pglite') throw error;
        lastProblem = error instanceof Error ? error.message : String(error);
        logger.error({ err: lastProblem, database: options.name }, 'registry database unreachable at start; part 1 serves, the registry retries');
        retryLater();
      }
    },
    available: () => registry !== null && healthy,
    async readiness() {
      if (!database) return [`database: ${options.name} not reachable${lastProblem ? ` (${lastProblem})` : ''}; tracked jobs are unavailable`];
      try {
        await call(() => database!.ping());
        return [];
      } catch {
        return [`database: ${options.name} not reachable${lastProblem ? ` (${lastProblem})` : ''}; tracked jobs are unavailable`];
      }
    },
    async trackJobs(refs, labels, trackedBy) {
      if (!registry) throw unavailable();
      // The first answers come from the status store (one batch), before the transaction.
      const outcomes = await options.load(refs);
      const byKey = new Map(refs.map((ref, index) => [refKey(ref), outcomes[index]!]));
      const hooks = options.hooks ?? NO_HOOKS;
      const { results, jobs, observed } = await call((current) =>
        current.transaction(async (trx, handle) => {
          const tracked = await trx.trackJobs(refs, labels, trackedBy);
          const created = new Set(tracked.filter((result) => result.created).map((result) => refKey(result.job.ref)));
          const idOf = new Map(tracked.map((result) => [refKey(result.job.ref), result.job.id]));
          const after = new Map<string, TrackedJob>();
          // Changes the first answer showed of jobs tracked before: news like any poll's. All
          // refs' first answers in one batch: a few statements for 500 refs, not four per ref.
          const observed = new Map<string, ObservationResult>();
          const keys = [...byKey.keys()].filter((key) => idOf.has(key));
          const recorded = await trx.recordObservations(
            keys.map((key) => ({ id: idOf.get(key)!, outcomes: [byKey.get(key)!] })),
            {
              inTransaction: async (_inner, result) => {
                const key = refKey(result.job!.ref);
                if (!created.has(key) && (result.changed || result.becameFinal)) observed.set(key, result);
              },
              // The outbox's rows for all of them in one write.
              beforeCommit: (inner) => hooks.onChangedMany(inner, [...observed.values()]),
            },
          );
          for (const [index, key] of keys.entries()) {
            const job = recorded[index]?.[0]?.job;
            if (job) after.set(key, job);
          }
          const createdJobs = tracked.filter((result) => result.created).map((result) => after.get(refKey(result.job.ref)) ?? result.job);
          await hooks.onTracked(handle, dedupe(createdJobs));
          return { results: tracked, jobs: after, observed };
        }),
      );
      // Committed: announce, and watch what is not final yet. A job tracked again is not TRACKED
      // again: it is CHANGED when its first answer showed a change or its labels grew.
      const announced = new Set<string>();
      const at = new Date(options.clock.now());
      for (const result of results) {
        const key = refKey(result.job.ref);
        const job = jobs.get(key) ?? result.job;
        if (announced.has(key)) continue;
        announced.add(key);
        const change = observed.get(key);
        if (result.created) tracker.publish({ type: 'TRACKED', job, previousState: null, at });
        else if (change) tracker.publish({ type: 'CHANGED', job, previousState: change.previousState, previousLabels: result.previousLabels, at: job.checkedAt ?? at });
        else if (result.previousLabels.length !== job.labels.length) tracker.publish({ type: 'CHANGED', job, previousState: job.state, previousLabels: result.previousLabels, at });
        if (change?.changed) options.onHistoryWrite?.();
        tracker.watchTracked(job);
        tracker.noteRecorded(job);
      }
      return refs.map((ref, index) => ({ outcome: outcomes[index]!, job: jobs.get(refKey(ref)) ?? results[index]!.job }));
    },
    async untrackJobs(refs) {
      const { before, gone } = await call(async (current) => {
        const found = await current.getTracked(refs);
        return { before: found, gone: await current.untrackJobs(refs) };
      });
      const known = new Map(before.filter((job): job is TrackedJob => job !== null).map((job) => [refKey(job.ref), job]));
      for (const ref of gone) {
        tracker.unwatch(ref);
        const job = known.get(refKey(ref));
        if (job) tracker.publish({ type: 'UNTRACKED', job, previousState: job.state, at: new Date(options.clock.now()) });
      }
      return gone;
    },
    async setLabels(ref, labels) {
      const { before, job } = await call((current) =>
        current.transaction(async (trx) => {
          const [found] = await trx.getTracked([ref]);
          return { before: found ?? null, job: await trx.setLabels(ref, labels) };
        }),
      );
      // A label change is no observed change (no history, no webhook), but it can move the job
      // into or out of a live list's filter: CHANGED, with the state unchanged.
      if (job && before && !sameLabels(before.labels, job.labels)) {
        tracker.publish({ type: 'CHANGED', job, previousState: job.state, previousLabels: before.labels, at: new Date(options.clock.now()) });
      }
      return job;
    },
    getTracked: (refs) => call((current) => current.getTracked(refs)),
    listTrackedJobs: (listOptions) => call((current) => current.listTrackedJobs(listOptions)),
    listTrackedJobPage: (listOptions) => call((current) => current.listTrackedJobPage(listOptions)),
    countTrackedJobs: (countOptions) => call((current) => current.countTrackedJobs(countOptions)),
    snapshotToken: () =>
      database && registry && healthy
        ? withinOrNull(database.snapshot().catch(() => null), Math.min(SNAPSHOT_WAIT_MS, options.timeoutMs))
        : Promise.resolve(null),
    history: (jobId, args) => call((current) => current.history(jobId, args)),
    claimIdempotencyKey: (request) => call((current) => current.claimIdempotencyKey(request)),
    completeIdempotencyKey: (account, key, result) => call((current) => current.completeIdempotencyKey(account, key, result)),
    releaseIdempotencyKey: (account, key) => call((current) => current.releaseIdempotencyKey(account, key)),
    events: () => options.pubsub.subscribe('tracked-jobs') as AsyncIterableIterator<TrackedJobMessage>,
    async sweep() {
      const deleted = await call((current) => current.sweepFinished(options.retentionMs));
      await call((current) => current.purgeExpiredIdempotencyKeys());
      if (deleted > 0) logger.info({ deleted }, 'retention: forgot finished tracked jobs');
      return deleted;
    },
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      if (sweepTimer) clearInterval(sweepTimer);
      if (compactTimer) clearInterval(compactTimer);
      await opening?.catch(() => {});
      await tracker.stop();
      await database?.close();
      database = null;
      registry = null;
    },
  };
  return service;
}

function sameLabels(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((label, index) => label === b[index]);
}

function dedupe(jobs: readonly TrackedJob[]): TrackedJob[] {
  return [...new Map(jobs.map((job) => [job.id, job])).values()];
}

/**
 * How long a listing waits for the database's snapshot before executing without the cache: short,
 * since a database that slow would be asked again by the page itself.
 */
const SNAPSHOT_WAIT_MS = 250;
