/**
 * The tracker: every tracked job that is not final is watched by the shared poller, whether or
 * not anyone subscribes, and what the answers this instance polled change is recorded in the
 * registry.
 *
 * - At start it pages through `unfinishedJobs()` and takes a poller watch on each, remembering
 *   what the database holds of it (`Recorded`); finished jobs are never held in memory.
 * - The poller tells it of each answer on the instance that polled (the lease holder, see
 *   `PollObserver`). An answer that changes the job (`needsWrite`) is queued for a write; a
 *   repeat costs no transaction: its time is kept and written with every other repeat in one
 *   statement per `checkedFlushMs` (`markChecked`).
 * - Writes go through a `WriteQueue`: up to `writeBatchSize` jobs per transaction, at most
 *   `writeConcurrency` transactions in flight. A job's answers that arrive while its write waits
 *   are coalesced (`pending-observations.ts`: every state change and the latest answer are kept).
 *   Each transaction writes, per job, a history entry per change (once cluster-wide: the row
 *   lock and the uniqueness of (job, seq)), the last known status, and the hooks' outbox rows;
 *   AFTER the commit the tracker publishes one `CHANGED` per entry written. A job that became
 *   final is released. A failed write is tried again after `retryMs` (alone when its batch
 *   failed), as long as the job is watched, so a database that comes back gets every change.
 * - After a lease changed hands (the poller's `previous` is undefined) what this instance
 *   remembers may be stale: the next answer is written whatever it is, and the database decides.
 * - Tracked/untracked sets stay in step across instances through the pub/sub (`tracked-jobs`
 *   topic, Redis in cluster mode): every instance's tracker watches on `TRACKED` and releases on
 *   `UNTRACKED` or a final `CHANGED`. The poll leases keep one poll per interval cluster-wide.
 *
 * `hooks` is the outbox port for webhooks: it runs INSIDE the transaction that tracks jobs or
 * writes a change, so that what it writes commits with the cause or not at all; a write batch's
 * changes go to it together (`onChangedMany`), after every job's own writes, before the commit.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Transaction } from 'kysely';
import type { TrackedJobMessage, JobPubSub } from '../jobs/events.js';
import type { JobOutcome, JobRef } from '../jobs/model.js';
import { isFailure, refKey } from '../jobs/model.js';
import type { PollObserver } from '../jobs/ports.js';
import type { Logger } from '../logger.js';
import type { CheckedMark, ObservationResult } from './observations.js';
import { type Recorded, enqueue, needsWrite, phaseOf, recordedOf } from './pending-observations.js';
import type { Registry } from './registry.js';
import type { Database } from './schema.js';
import { type TrackedJob, reviveTrackedJob } from './tracked-job.js';
import { WriteQueue } from './write-queue.js';

/** Written in the same transaction as the rows that cause them (the webhooks outbox). */
export interface RegistryHooks {
  /** Jobs this call started tracking. */
  onTracked(trx: Transaction<Database>, jobs: readonly TrackedJob[]): Promise<void>;
  /** An observation that wrote a history entry or made a job final. */
  onChanged(trx: Transaction<Database>, result: ObservationResult): Promise<void>;
  /** The same for several observations of one transaction (a tracker batch), in order: one write for all. */
  onChangedMany(trx: Transaction<Database>, results: readonly ObservationResult[]): Promise<void>;
}

export const NO_HOOKS: RegistryHooks = { onTracked: async () => {}, onChanged: async () => {}, onChangedMany: async () => {} };

/** What the tracker needs of the poller. */
export interface TrackerPoller {
  watch(ref: JobRef, known?: JobOutcome): () => void;
}

/** A tracked job to watch: its registry id, ref, and what the database holds of it. */
export interface WatchableJob {
  readonly id: number;
  readonly ref: JobRef;
  /** The last outcome stored (null before the first answer). */
  readonly outcome: JobOutcome | null;
  /** Whether the provider ever answered with a snapshot. */
  readonly seen: boolean;
}

export interface TrackerOptions {
  readonly poller: TrackerPoller;
  readonly pubsub: JobPubSub;
  readonly logger?: Logger | undefined;
  readonly hooks?: RegistryHooks | undefined;
  /** Each history entry this instance wrote. */
  readonly onHistoryWrite?: (() => void) | undefined;
  /** Each registry write that failed (database away). */
  readonly onError?: (() => void) | undefined;
  /** Jobs per write transaction; default 100. */
  readonly writeBatchSize?: number | undefined;
  /** Write transactions in flight at once; default 2. */
  readonly writeConcurrency?: number | undefined;
  /** How often the times of answers that changed nothing are written (one statement); default 5000 ms. */
  readonly checkedFlushMs?: number | undefined;
  /** Before a failed write is tried again; default 2000 ms. */
  readonly retryMs?: number | undefined;
}

/** How long `stop` waits for writes in flight. */
const STOP_WAIT_MS = 2000;

/** One watched job: its poller watch, what the database holds, and what waits to be written. */
interface Watch {
  readonly key: string;
  readonly id: number;
  readonly ref: JobRef;
  readonly release: () => void;
  recorded: Recorded;
  /** The next answer is written whatever it is (a lease changed hands). */
  stale: boolean;
  /** Answers waiting for their write, oldest first (coalesced). */
  queued: JobOutcome[];
  /** Answers being written (or waiting to be tried again); null when none. */
  writing: JobOutcome[] | null;
  /** An answer that changed nothing, not written yet. */
  checked: CheckedMark | null;
}

export class Tracker implements PollObserver {
  private readonly watches = new Map<string, Watch>();
  private registry: Registry | null = null;
  private stopped = false;
  private readonly hooks: RegistryHooks;
  private readonly queue: WriteQueue<Watch>;
  private readonly retryMs: number;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private checkedTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private writes = 0;

  constructor(private readonly options: TrackerOptions) {
    this.hooks = options.hooks ?? NO_HOOKS;
    this.retryMs = options.retryMs ?? 2000;
    this.queue = new WriteQueue<Watch>({
      write: (batch) => this.writeBatch(batch),
      batchSize: options.writeBatchSize ?? 100,
      concurrency: options.writeConcurrency ?? 2,
    });
    this.listen();
  }

  /** Unfinished tracked jobs watched by this instance (the gauge). */
  get watched(): number {
    return this.watches.size;
  }

  /** Write transactions this tracker committed or tried (for tests and the bench). */
  get writeTransactions(): number {
    return this.writes;
  }

  /** Whether this instance watches the job for the registry. */
  isWatching(ref: JobRef): boolean {
    return this.watches.has(refKey(ref));
  }

  /** Starts recording with `registry` and watches every tracked, unfinished job, a page at a time. */
  async resume(registry: Registry): Promise<void> {
    this.registry = registry;
    this.startCheckedTimer();
    let count = 0;
    for await (const page of registry.unfinishedJobs(1000)) {
      if (this.stopped) return;
      for (const job of page) this.watch(job);
      count += page.length;
    }
    this.options.logger?.debug({ jobs: count }, 'tracker resumed the unfinished tracked jobs');
  }

  /** Watches a tracked job that is not final (idempotent). */
  watch(job: WatchableJob): void {
    const key = refKey(job.ref);
    if (this.stopped || this.watches.has(key)) return;
    const release = this.options.poller.watch(job.ref, job.outcome ?? undefined);
    this.watches.set(key, { key, id: job.id, ref: job.ref, release, recorded: recordedOf(job.outcome, job.seen), stale: false, queued: [], writing: null, checked: null });
  }

  /** Watches a job as the registry just returned it (a no-op when it is final). */
  watchTracked(job: TrackedJob): void {
    if (!job.final) this.watch({ id: job.id, ref: job.ref, outcome: job.outcome, seen: job.firstSeenAt !== null });
  }

  /**
   * Tells the tracker what the database now holds of a job it watches, after another writer
   * (`trackJobs`' first answer) recorded an observation, so the next repeat is not written again.
   */
  noteRecorded(job: TrackedJob): void {
    const watch = this.watches.get(refKey(job.ref));
    if (watch && watch.queued.length === 0 && watch.writing === null) watch.recorded = recordedOf(job.outcome, job.firstSeenAt !== null);
  }

  /** Releases the watch on a job (untracked, or final); what waits for it is dropped. */
  unwatch(ref: JobRef): void {
    const key = refKey(ref);
    const watch = this.watches.get(key);
    if (!watch) return;
    watch.release();
    this.queue.delete(watch);
    this.watches.delete(key);
  }

  /** Announces to every instance (this one included) what the registry just committed. */
  publish(message: TrackedJobMessage): void {
    this.options.pubsub.publish('tracked-jobs', message);
  }

  /** PollObserver: takes an answer for a job this tracker watches; never throws, never waits. */
  observed(ref: JobRef, outcome: JobOutcome, previous?: JobOutcome): void {
    if (!this.registry) return;
    const watch = this.watches.get(refKey(ref));
    if (!watch) return;
    // A lease that changed hands: another instance may have written meanwhile.
    if (previous === undefined) watch.stale = true;
    const last = watch.queued[watch.queued.length - 1] ?? watch.writing?.[watch.writing.length - 1];
    if (!watch.stale && !needsWrite(watch.recorded, last, outcome)) {
      // Nothing but the time it was asked: one statement for all of them, every interval.
      watch.checked = { id: watch.id, at: outcome.checkedAt, confirmed: !isFailure(outcome) };
      return;
    }
    watch.stale = false;
    watch.checked = null;
    const writing = watch.writing?.[watch.writing.length - 1];
    enqueue(watch.queued, outcome, writing ? phaseOf(writing) : watch.recorded.phase);
    if (watch.writing === null) this.queue.add(watch);
  }

  /** Resolves once every queued write is done and the pending bookkeeping written (tests, shutdown). */
  async settled(): Promise<void> {
    await this.queue.idle();
    await this.flushChecked();
  }

  /** One transaction for a batch of jobs; on failure, each job alone, then later again. */
  private async writeBatch(batch: Watch[]): Promise<void> {
    const registry = this.registry;
    for (const watch of batch) {
      watch.writing = watch.queued;
      watch.queued = [];
    }
    if (!registry) return this.retryLater(batch);
    try {
      await this.write(registry, batch);
    } catch (error) {
      this.failed(error, batch.length);
      if (batch.length === 1) return this.retryLater(batch);
      // One job's trouble must not hold back the others: each alone, until the first failure.
      for (const [index, watch] of batch.entries()) {
        try {
          await this.write(registry, [watch]);
        } catch (alone) {
          this.failed(alone, 1);
          return this.retryLater(batch.slice(index));
        }
      }
    }
  }

  private async write(registry: Registry, batch: Watch[]): Promise<void> {
    this.writes += 1;
    /** What the hooks write, for the whole batch at once before the commit. */
    const changes: ObservationResult[] = [];
    const answers = await registry.recordObservations(
      batch.map((watch) => ({ id: watch.id, outcomes: watch.writing ?? [] })),
      {
        inTransaction: async (_trx, written) => {
          if (written.changed || written.becameFinal) changes.push(written);
          // On in-memory PGlite every statement runs in this event loop and resolves in a
          // microtask: a turn per observation lets timers and sockets (the poller's) run during a
          // batch of 100 jobs instead of after its commit.
          await nextTurn();
        },
        beforeCommit: (trx) => this.hooks.onChangedMany(trx, changes),
      },
    );
    // Committed: announce every change, in order, then follow on.
    for (const [index, watch] of batch.entries()) {
      const outcomes = watch.writing ?? [];
      const results = answers[index] ?? [];
      watch.writing = null;
      let job: TrackedJob | null = null;
      for (const [at, result] of results.entries()) {
        if (!result.tracked || !result.job) break;
        job = result.job;
        if (result.changed) this.options.onHistoryWrite?.();
        if (result.changed || result.becameFinal) {
          this.publish({ type: 'CHANGED', job: result.job, previousState: result.previousState, at: outcomes[at]!.checkedAt });
        }
      }
      if (this.watches.get(watch.key) !== watch) continue; // released meanwhile
      if (!job || job.final) {
        this.unwatch(watch.ref);
        continue;
      }
      watch.recorded = recordedOf(job.outcome, job.firstSeenAt !== null);
      if (watch.queued.length > 0) this.queue.add(watch);
    }
  }

  private failed(error: unknown, jobs: number): void {
    this.options.onError?.();
    this.options.logger?.warn({ err: error instanceof Error ? error.message : String(error), jobs }, 'tracker could not record observations; trying again');
  }

  /** Puts the answers of `batch` back in front of what arrived since, and queues them again later. */
  private retryLater(batch: Watch[]): void {
    for (const watch of batch) {
      const failed = watch.writing ?? [];
      // Keep what `writing` held blocking the job's queue until the retry, so that order holds.
      const timer = setTimeout(() => {
        this.retryTimers.delete(timer);
        if (this.stopped || this.watches.get(watch.key) !== watch) return;
        const queued = [...failed];
        for (const outcome of watch.queued) enqueue(queued, outcome, watch.recorded.phase);
        watch.queued = queued;
        watch.writing = null;
        if (watch.queued.length > 0) this.queue.add(watch);
      }, this.retryMs);
      timer.unref();
      this.retryTimers.add(timer);
    }
  }

  private startCheckedTimer(): void {
    if (this.checkedTimer || this.stopped) return;
    this.checkedTimer = setInterval(() => void this.flushChecked(), this.options.checkedFlushMs ?? 5000);
    this.checkedTimer.unref();
  }

  /** Writes the times of every answer that changed nothing since the last flush, in one statement. */
  private flushChecked(): Promise<void> {
    if (this.flushing) return this.flushing;
    const registry = this.registry;
    if (!registry) return Promise.resolve();
    const marks: CheckedMark[] = [];
    for (const watch of this.watches.values()) {
      // A job whose write waits keeps its mark: moving checked_at first would make the database
      // take the waiting answers for stale ones.
      if (!watch.checked || watch.queued.length > 0 || watch.writing !== null) continue;
      marks.push(watch.checked);
      watch.checked = null;
    }
    if (marks.length === 0) return Promise.resolve();
    this.flushing = registry
      .markChecked(marks)
      .then(
        () => {},
        (error: unknown) => this.failed(error, marks.length),
      )
      .finally(() => (this.flushing = null));
    return this.flushing;
  }

  /** Follows every instance's announcements, keeping this instance's watches in step. */
  private listen(): void {
    const events = this.options.pubsub.subscribe('tracked-jobs')[Symbol.asyncIterator]();
    void (async () => {
      for (;;) {
        const next = await events.next();
        if (next.done || this.stopped) return;
        const message = next.value;
        const job = reviveTrackedJob(message.job);
        if (message.type === 'UNTRACKED' || job.final) this.unwatch(job.ref);
        else if (message.type === 'TRACKED' && this.registry) this.watchTracked(job);
      }
    })().catch((error: unknown) => this.options.logger?.error({ err: error }, 'tracker stopped following events'));
  }

  /** Releases every watch and stops following events; writes already started finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.checkedTimer) clearInterval(this.checkedTimer);
    this.checkedTimer = null;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    for (const watch of this.watches.values()) {
      watch.release();
      this.queue.delete(watch);
    }
    this.watches.clear();
    // Writes in flight finish (their commit or failure is theirs); a stalled database must not hold shutdown.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.queue.idle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)))]);
    clearTimeout(timer);
    // The topic subscription is left to end with the pub/sub itself: unsubscribing now would queue
    // a Redis command that, with Redis just gone, can hold the cluster's closing connection open.
  }
}
