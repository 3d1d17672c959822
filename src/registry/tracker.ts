/**
 * The tracker: every tracked job that is not final is watched by the shared poller, whether or
 * not anyone subscribes, and every answer this instance polled is recorded in the registry.
 *
 * - At start it pages through `unfinishedJobs()` and takes a poller watch on each (finished jobs
 *   are never held in memory).
 * - The poller tells it of each answer on the instance that polled (the lease holder, see
 *   `PollObserver`): it records the answer with `recordObservation`, which writes a history entry
 *   once per change (a uniqueness constraint makes a second writer harmless), and AFTER the
 *   commit publishes `CHANGED`. A job that became final is released.
 * - Tracked/untracked sets stay in step across instances through the pub/sub (`tracked-jobs`
 *   topic, Redis in cluster mode): every instance's tracker watches on `TRACKED` and releases on
 *   `UNTRACKED` or a final `CHANGED`. The poll leases keep one poll per interval cluster-wide.
 *
 * `hooks` is the outbox port for webhooks: it runs INSIDE the transaction that tracks jobs or
 * writes a change, so that what it writes commits with the cause or not at all.
 */
import type { Transaction } from 'kysely';
import type { TrackedJobMessage, JobPubSub } from '../jobs/events.js';
import type { JobOutcome, JobRef } from '../jobs/model.js';
import { refKey } from '../jobs/model.js';
import type { PollObserver } from '../jobs/ports.js';
import type { Logger } from '../logger.js';
import type { ObservationResult } from './observations.js';
import type { Registry } from './registry.js';
import type { Database } from './schema.js';
import { type TrackedJob, reviveTrackedJob } from './tracked-job.js';

/** Written in the same transaction as the rows that cause them (the webhooks outbox). */
export interface RegistryHooks {
  /** Jobs this call started tracking. */
  onTracked(trx: Transaction<Database>, jobs: readonly TrackedJob[]): Promise<void>;
  /** An observation that wrote a history entry or made a job final. */
  onChanged(trx: Transaction<Database>, result: ObservationResult): Promise<void>;
}

export const NO_HOOKS: RegistryHooks = { onTracked: async () => {}, onChanged: async () => {} };

/** What the tracker needs of the poller. */
export interface TrackerPoller {
  watch(ref: JobRef, known?: JobOutcome): () => void;
}

export interface TrackerOptions {
  readonly poller: TrackerPoller;
  readonly pubsub: JobPubSub;
  readonly logger?: Logger | undefined;
  readonly hooks?: RegistryHooks | undefined;
  /** Each history entry this instance wrote. */
  readonly onHistoryWrite?: (() => void) | undefined;
  /** Each registry call that failed (database away). */
  readonly onError?: (() => void) | undefined;
}

export class Tracker implements PollObserver {
  private readonly watches = new Map<string, () => void>();
  private registry: Registry | null = null;
  private stopped = false;
  private readonly hooks: RegistryHooks;

  constructor(private readonly options: TrackerOptions) {
    this.hooks = options.hooks ?? NO_HOOKS;
    this.listen();
  }

  /** Unfinished tracked jobs watched by this instance (the gauge). */
  get watched(): number {
    return this.watches.size;
  }

  /** Whether this instance watches the job for the registry. */
  isWatching(ref: JobRef): boolean {
    return this.watches.has(refKey(ref));
  }

  /** Starts recording with `registry` and watches every tracked, unfinished job, a page at a time. */
  async resume(registry: Registry): Promise<void> {
    this.registry = registry;
    let count = 0;
    for await (const page of registry.unfinishedJobs(1000)) {
      if (this.stopped) return;
      for (const job of page) this.watch(job.ref);
      count += page.length;
    }
    this.options.logger?.debug({ jobs: count }, 'tracker resumed the unfinished tracked jobs');
  }

  /** Watches a tracked job that is not final (idempotent). */
  watch(ref: JobRef, known?: JobOutcome): void {
    const key = refKey(ref);
    if (this.stopped || this.watches.has(key)) return;
    this.watches.set(key, this.options.poller.watch(ref, known));
  }

  /** Releases the watch on a job (untracked, or final). */
  unwatch(ref: JobRef): void {
    const key = refKey(ref);
    this.watches.get(key)?.();
    this.watches.delete(key);
  }

  /** Announces to every instance (this one included) what the registry just committed. */
  publish(message: TrackedJobMessage): void {
    this.options.pubsub.publish('tracked-jobs', message);
  }

  /** PollObserver: records an answer for a job this tracker watches; never throws. */
  observed(ref: JobRef, outcome: JobOutcome): void {
    const registry = this.registry;
    if (!registry || !this.watches.has(refKey(ref))) return;
    void this.record(registry, ref, outcome).catch((error: unknown) => {
      this.options.onError?.();
      this.options.logger?.warn({ err: error instanceof Error ? error.message : String(error), job: refKey(ref) }, 'tracker could not record an observation');
    });
  }

  private async record(registry: Registry, ref: JobRef, outcome: JobOutcome): Promise<void> {
    const result = await registry.recordObservation(ref, outcome, {
      inTransaction: async (trx, written) => {
        if (written.changed || written.becameFinal) await this.hooks.onChanged(trx, written);
      },
    });
    if (!result.tracked || !result.job) return;
    if (result.changed) this.options.onHistoryWrite?.();
    if (result.changed || result.becameFinal) {
      this.publish({ type: 'CHANGED', job: result.job, previousState: result.previousState, at: outcome.checkedAt });
    }
    if (result.job.final) this.unwatch(ref);
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
        else if (message.type === 'TRACKED' && this.registry) this.watch(job.ref, job.outcome ?? undefined);
      }
    })().catch((error: unknown) => this.options.logger?.error({ err: error }, 'tracker stopped following events'));
  }

  /** Releases every watch and stops following events. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const release of this.watches.values()) release();
    this.watches.clear();
    // The topic subscription is left to end with the pub/sub itself: unsubscribing now would queue
    // a Redis command that, with Redis just gone, can hold the cluster's closing connection open.
  }
}
