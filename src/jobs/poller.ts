/**
 * The poller asks only for what someone watches.
 *
 * Watches are reference counted per job, so a job is polled once per interval however many
 * subscriptions watch it. One timer serves every job: when it fires, all jobs due are refreshed
 * through the status store in one call, which batches them per account (Zendesk `show_many`
 * chunks) and refreshes the cache that queries read. A change is published on the job's topic;
 * the interval resets on change, grows while nothing changes and backs off on errors, honouring
 * the provider's requested wait.
 *
 * Batch alignment: when a batch call (a kind whose client answers many ids per call) goes out for
 * an account, the other jobs of that account and kind that are due within their own interval ride
 * along, filling the call; they would be polled before the next such call anyway. The jobs of one
 * call share one jitter draw, so their schedules align and stay aligned, whenever each was
 * watched. Single-id kinds are never pulled forward: that would only add calls.
 *
 * Pacing: before polling, each call asks the account's `Pacer` (`pacer.ts`) for a turn. Calls
 * refused wait for the next free turn, oldest due first, so every job is still polled (at a
 * longer interval) when an account allows fewer calls than the watchers would need.
 *
 * In a cluster, every instance watching a job schedules it, but before each poll it asks its
 * `PollCoordinator` whether the job is its to poll (a Redis lease): only the holder asks upstream;
 * the others ask again at the base interval, so a dead holder is replaced soon after its lease
 * lapses. Subscribers everywhere still get each change, since events travel through the shared
 * pub/sub. The interval's growth and backoff live with the holder; a new holder starts over at
 * the base interval.
 */
import type { Logger } from '../logger.js';
import type { Clock } from '../clock.js';
import type { JobPubSub } from './events.js';
import { NotFoundGrace } from './not-found-grace.js';
import { localPollCoordinator } from './poll-coordinator.js';
import type { PollClaim, PollCoordinator, PollObserver } from './ports.js';
import {
  type JobOutcome,
  type JobRef,
  MAX_PROVIDER_WAIT_MS,
  isFailure,
  isFinal,
  outcomeSignature,
  refKey,
} from './model.js';
import type { StatusStore } from './status-store.js';
import { DueQueue } from './due-queue.js';

/** How watched jobs are polled (`Config.poll`). */
export interface PollOptions {
  /** `POLL_INTERVAL_MS`, default 2000: first interval per job, and the interval after each change. */
  readonly intervalMs: number;
  /**
   * `POLL_MAX_INTERVAL_MS`, default 30000, at least `intervalMs`: the interval grows toward this
   * while nothing changes; error backoff stops here too (unless the provider asks for longer).
   */
  readonly maxIntervalMs: number;
  /**
   * `NOT_FOUND_GRACE_MS`, default 10000: how long a never-seen job may answer "not found" before
   * that is final (see `NotFoundGrace`, which the poller and the feed share); 0 or omitted: at once.
   */
  readonly notFoundGraceMs?: number;
}

export interface PollerOptions extends Omit<PollOptions, 'notFoundGraceMs'> {
  readonly store: StatusStore;
  readonly pubsub: JobPubSub;
  readonly clock: Clock;
  /** Jitter source, 0..1; tests pass a constant. */
  readonly random?: () => number;
  readonly logger?: Logger;
  /** Called after each upstream refresh with the number of jobs it covered. */
  readonly onPoll?: (jobs: number) => void;
  /** Who polls which job; default: this process polls everything it watches. */
  readonly coordinator?: PollCoordinator;
  /** When a not found is final (shared with the feed); default: at once. */
  readonly notFound?: NotFoundGrace;
  /** Told of every answer this instance polled (the registry's tracker records them); may be set later with `observe`. */
  readonly observer?: PollObserver;
}

interface Watched {
  readonly ref: JobRef;
  /** `refKey(ref)`. */
  readonly key: string;
  /** Ids one upstream call of its account and kind carries (`StatusStore.batchSizeFor`). */
  readonly batchSize: number;
  /** Watch order, so that jobs due together are polled in the order they were watched. */
  readonly order: number;
  watchers: number;
  intervalMs: number;
  /** When the job is next due; null while a poll is in flight or once it is final. Set through `due`. */
  dueAt: number | null;
  dueVersion: number;
  /**
   * Set when the account's pacer had no turn for the job's call: when it was first due. Such a job
   * goes first at the next turn, and its next interval counts from when it was actually polled.
   */
  overdueSince: number | null;
  /** The jitter draw shared by the jobs of the call this job was last polled in (batch kinds). */
  draw: number | null;
  /**
   * When the poll in flight (or the last one) was due. The next one is due an interval after it,
   * not after the answer, so a slow upstream does not stretch every interval by its latency.
   */
  polledAt: number;
  /** Set while a job due within the tick's slack is taken early: when it was due. */
  onTimeAt: number | null;
  last: JobOutcome | undefined;
}

/** How early a due job may be taken with a tick's others: a hundredth of its interval, at most 50 ms. */
function onTimeSlack(intervalMs: number): number {
  return Math.min(MAX_ON_TIME_SLACK_MS, intervalMs / 100);
}
const MAX_ON_TIME_SLACK_MS = 50;

/** Growth factor while nothing changes. */
const GROWTH = 1.5;
/**
 * The longest delay `setTimeout` takes (2^31-1 ms); a longer one fires after 1 ms, with a warning.
 * A job due later is looked at when this timer fires, and the timer set again for what remains.
 */
const MAX_TIMER_DELAY_MS = 2_147_483_647;

/** Jitter: ±10 % of each delay, so jobs watched together drift apart gently (one draw per batch call). */
const JITTER = 0.1;

/** Jobs one upstream call can carry together: same kind, same account (the store's grouping). */
function batchKey(ref: JobRef): string {
  return `${ref.kind}:${ref.account}`;
}

export class Poller {
  private readonly watched = new Map<string, Watched>();
  /** Due times of the watched jobs, earliest first. */
  private readonly due = new DueQueue<Watched>((entry) => this.isCurrent(entry));
  /** The watched jobs of each account and kind that a call carries many of (riders, see `takeDue`). */
  private readonly batchGroups = new Map<string, Set<Watched>>();
  private watchOrder = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerDueAt = Infinity;
  private stopped = false;
  private polls = 0;
  private schedulePending = false;
  private readonly random: () => number;
  private readonly coordinator: PollCoordinator;
  private readonly notFound: NotFoundGrace;
  private observer: PollObserver | undefined;

  constructor(private readonly options: PollerOptions) {
    this.random = options.random ?? Math.random;
    this.coordinator = options.coordinator ?? localPollCoordinator;
    this.notFound = options.notFound ?? new NotFoundGrace({ graceMs: 0, clock: options.clock });
    this.observer = options.observer;
  }

  /** Sets the one observer of poll answers (the tracker, wired after the job service is built). */
  observe(observer: PollObserver | undefined): void {
    this.observer = observer;
  }

  /**
   * Starts (or joins) polling a job; returns the release function. Releasing twice is harmless.
   * `known` is the outcome the watcher already has, so the first poll only publishes real news.
   */
  watch(ref: JobRef, known?: JobOutcome): () => void {
    const key = refKey(ref);
    let entry = this.watched.get(key);
    if (!entry) {
      const peeked = known ?? this.options.store.peek(ref);
      const last = peeked && this.notFound.judge(peeked);
      const final = last !== undefined && isFinal(last);
      const batchSize = this.options.store.batchSizeFor(ref);
      entry = { ref, key, batchSize, order: this.watchOrder++, watchers: 0, intervalMs: this.options.intervalMs, dueAt: null, dueVersion: 0, overdueSince: null, draw: null, polledAt: this.options.clock.now(), onTimeAt: null, last };
      this.watched.set(key, entry);
      if (batchSize > 1) this.batchGroupOf(ref).add(entry);
      if (!final && !this.stopped) this.due.set(entry, this.options.clock.now() + this.jittered(this.options.intervalMs));
      this.coordinator.watch(key);
      this.schedule();
    }
    entry.watchers += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release(key);
    };
  }

  /** For tests and metrics: jobs watched, jobs with a poll scheduled, timers alive. */
  stats(): { watched: number; scheduled: number; timers: number } {
    let scheduled = 0;
    for (const entry of this.watched.values()) if (entry.dueAt !== null) scheduled += 1;
    return { watched: this.watched.size, scheduled, timers: this.timer ? 1 : 0 };
  }

  /** Job polls made so far (one per job per refresh), for tests and metrics. */
  get pollCount(): number {
    return this.polls;
  }

  /** Stops every poll; watches taken later are remembered but never polled. */
  stop(): void {
    this.stopped = true;
    this.clearTimer();
    this.watched.clear();
    this.batchGroups.clear();
    this.due.clear();
  }

  private release(key: string): void {
    const entry = this.watched.get(key);
    if (!entry) return;
    entry.watchers -= 1;
    if (entry.watchers > 0) return;
    this.watched.delete(key);
    this.batchGroups.get(batchKey(entry.ref))?.delete(entry);
    this.coordinator.unwatch(key);
    if (this.watched.size === 0) this.clearTimer();
  }

  /** Keeps one timer, set for the earliest due job. */
  private schedule(): void {
    if (this.stopped) return;
    this.due.compact(this.watched.values(), this.watched.size);
    const earliest = this.due.earliest();
    if (earliest === this.timerDueAt && this.timer) return;
    this.clearTimer();
    if (earliest === Infinity) return;
    this.timerDueAt = earliest;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerDueAt = Infinity;
      void this.tick();
    }, Math.min(MAX_TIMER_DELAY_MS, Math.max(0, earliest - this.options.clock.now())));
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerDueAt = Infinity;
  }

  private async tick(): Promise<void> {
    const candidates = this.takeDue(this.options.clock.now());
    if (candidates.length === 0) return this.schedule();
    // Pauses other instances were told about (cluster mode) count like our own.
    await this.options.store.syncPauses(candidates.map((entry) => entry.ref));
    const due: Watched[] = [];
    for (const entry of candidates) {
      if (!this.isCurrent(entry)) continue;
      const pausedMs = this.options.store.pauseRemainingFor(entry.ref);
      if (pausedMs > 0) {
        // The account was told to slow down (by any caller): wait for its reset without asking.
        this.due.set(entry, this.options.clock.now() + pausedMs);
        continue;
      }
      due.push(entry);
    }
    this.schedule();
    const mine = this.paced(await this.claim(due));
    if (mine.length === 0) return;
    this.polls += mine.length;
    this.options.onPoll?.(mine.length);
    // Each job is settled (and its change published) as soon as its own upstream call returns.
    const answers = this.options.store.refreshEach(mine.map((entry) => entry.ref), { paced: true });
    await Promise.all(
      answers.map((answer, index) => {
        const entry = mine[index]!;
        return answer.then(
          (outcome) => this.settle(entry, outcome),
          (error: unknown) => {
            // The store never rejects by design; if it does, try again later rather than stop polling.
            this.options.logger?.error({ err: error }, 'poll failed unexpectedly');
            if (this.isCurrent(entry)) this.reschedule(entry, this.backoff(entry.intervalMs, null));
          },
        ).finally(() => this.scheduleSoon());
      }),
    );
  }

  /**
   * Takes the jobs due now, and for each batch call among them the jobs of the same account and
   * kind due within their own interval, oldest first, until the call is full. Taken jobs have no
   * due time until their poll is settled, so that no other tick picks them meanwhile.
   */
  private takeDue(now: number): Watched[] {
    const taken: Watched[] = [];
    // Due within a hundredth of its interval counts as due now: jittered due times are all
    // different, and a tick per due time made ten thousand jobs cost a tick each.
    for (const entry of this.due.takeUntil(now + MAX_ON_TIME_SLACK_MS)) {
      if (entry.dueAt! > now + onTimeSlack(entry.intervalMs)) {
        this.due.restore(entry);
        continue;
      }
      if (entry.dueAt! > now) entry.onTimeAt = entry.dueAt;
      taken.push(entry);
    }
    taken.sort((a, b) => a.order - b.order);
    const dueInGroup = new Map<string, { due: number; batchSize: number }>();
    for (const entry of taken) {
      if (entry.batchSize <= 1) continue;
      const key = batchKey(entry.ref);
      const group = dueInGroup.get(key) ?? { due: 0, batchSize: entry.batchSize };
      group.due += 1;
      dueInGroup.set(key, group);
    }
    for (const [key, { due, batchSize }] of dueInGroup) {
      const room = Math.ceil(due / batchSize) * batchSize - due;
      if (room === 0) continue;
      const waiting: Watched[] = [];
      for (const entry of this.batchGroups.get(key)!) {
        if (entry.dueAt !== null && entry.onTimeAt === null && entry.dueAt > now && entry.dueAt <= now + entry.intervalMs) waiting.push(entry);
      }
      waiting.sort((a, b) => a.dueAt! - b.dueAt!);
      taken.push(...waiting.slice(0, room));
    }
    // One jitter draw per account and kind: jobs polled together are due together again.
    const draws = new Map<string, number>();
    for (const entry of taken) {
      // A job that waited for its turn, or rides along early, counts its next interval from now;
      // one taken within the slack, from when it was due (so that its interval does not shrink).
      entry.polledAt = entry.onTimeAt ?? (entry.overdueSince !== null || entry.dueAt! > now ? now : entry.dueAt!);
      entry.onTimeAt = null;
      this.due.set(entry, null);
      const key = batchKey(entry.ref);
      if (entry.batchSize <= 1) entry.draw = null;
      else entry.draw = draws.get(key) ?? draws.set(key, this.random()).get(key)!;
    }
    return taken;
  }

  private batchGroupOf(ref: JobRef): Set<Watched> {
    const key = batchKey(ref);
    const group = this.batchGroups.get(key) ?? new Set<Watched>();
    this.batchGroups.set(key, group);
    return group;
  }

  /**
   * Asks each account's pacer for a turn per upstream call, oldest due first; jobs whose call gets
   * none stay due and are looked at again when the pacer expects a free turn.
   */
  private paced(mine: Watched[]): Watched[] {
    const pacer = this.options.store.pacer;
    const now = this.options.clock.now();
    const calls = new Map<string, Watched[][]>();
    const since = (entry: Watched) => entry.overdueSince ?? entry.polledAt;
    for (const entry of [...mine].sort((a, b) => since(a) - since(b))) {
      const key = batchKey(entry.ref);
      const list = calls.get(key) ?? [];
      calls.set(key, list);
      const last = list[list.length - 1];
      if (last && last.length < entry.batchSize) last.push(entry);
      else list.push([entry]);
    }
    // Calls of all groups of an account, oldest first, compete for the same turns.
    const ordered = [...calls.values()].flat().sort((a, b) => since(a[0]!) - since(b[0]!));
    const granted: Watched[] = [];
    let deferred = false;
    for (const call of ordered) {
      const account = this.options.store.accountKeyOf(call[0]!.ref);
      if (pacer.tryTake(account, 'poll', now)) {
        for (const entry of call) entry.overdueSince = null;
        granted.push(...call);
        continue;
      }
      deferred = true;
      const waitMs = Math.max(1, pacer.waitMs(account, 'poll', now));
      for (const entry of call) {
        entry.overdueSince ??= entry.polledAt;
        this.due.set(entry, now + waitMs);
      }
    }
    if (deferred) this.schedule();
    return granted;
  }

  /** One `schedule` per burst of settled polls rather than one per job. */
  private scheduleSoon(): void {
    if (this.schedulePending) return;
    this.schedulePending = true;
    queueMicrotask(() => {
      this.schedulePending = false;
      this.schedule();
    });
  }

  /**
   * Asks the coordinator which due jobs are this instance's to poll now. The others are asked for
   * again after the base interval (not their grown one), so a lapsed lease is taken over quickly.
   */
  private async claim(due: Watched[]): Promise<Watched[]> {
    if (due.length === 0) return [];
    const claims = await this.coordinator.claim(due.map((entry) => refKey(entry.ref)));
    const mine: Watched[] = [];
    for (const entry of due) {
      if (!this.isCurrent(entry)) continue;
      const claim: PollClaim = claims.get(refKey(entry.ref)) ?? 'elsewhere';
      if (claim === 'elsewhere') {
        entry.overdueSince = null;
        this.due.set(entry, this.options.clock.now() + this.jittered(this.options.intervalMs));
        continue;
      }
      if (claim === 'new') {
        // What we last saw may not be what subscribers elsewhere last got: publish the next answer.
        entry.last = undefined;
        entry.intervalMs = this.options.intervalMs;
      }
      mine.push(entry);
    }
    this.schedule();
    return mine;
  }

  /** False once the entry was released (or polling stopped) while a poll was being prepared. */
  private isCurrent(entry: Watched): boolean {
    return !this.stopped && this.watched.get(entry.key) === entry;
  }

  private settle(entry: Watched, answer: JobOutcome): void {
    if (!this.isCurrent(entry)) return; // released while in flight
    this.observer?.observed(entry.ref, answer, entry.last);
    // A never-seen job's not found stays provisional through its grace: keep polling it.
    const outcome = this.notFound.judge(answer);
    // A first sighting is news to publish, but says nothing about whether the job is moving.
    const firstSighting = entry.last === undefined;
    const changed = firstSighting || outcomeSignature(entry.last!) !== outcomeSignature(outcome);
    entry.last = outcome;
    if (changed) this.options.pubsub.publish('job', refKey(entry.ref), { key: refKey(entry.ref), outcome });
    if (isFinal(outcome)) {
      this.coordinator.finish(refKey(entry.ref));
      return;
    }
    const graceEndsAt = isFailure(outcome) && outcome.provisional ? this.notFound.graceEndsAt(entry.ref) : null;
    if (graceEndsAt !== null) {
      // A fresh job may appear any moment: ask at the base interval, and once more as the grace ends.
      this.reschedule(entry, this.options.intervalMs);
      this.due.set(entry, Math.max(this.options.clock.now(), Math.min(entry.dueAt!, graceEndsAt)));
    } else if (isFailure(outcome) && outcome.retryAfterMs !== null) {
      // The provider's wait counts from its answer, which is now.
      this.reschedule(entry, this.backoff(entry.intervalMs, outcome.retryAfterMs), this.options.clock.now());
    } else if (isFailure(outcome)) {
      this.reschedule(entry, this.backoff(entry.intervalMs, null));
    } else if (changed && !firstSighting) {
      this.reschedule(entry, this.options.intervalMs);
    } else {
      this.reschedule(entry, Math.min(this.options.maxIntervalMs, entry.intervalMs * GROWTH));
    }
  }

  /** Errors double the interval (bounded), but a provider's explicit wait always wins, up to an hour. */
  private backoff(intervalMs: number, retryAfterMs: number | null): number {
    return Math.max(Math.min(this.options.maxIntervalMs, intervalMs * 2), Math.min(MAX_PROVIDER_WAIT_MS, retryAfterMs ?? 0));
  }

  private reschedule(entry: Watched, intervalMs: number, from = entry.polledAt): void {
    entry.intervalMs = Math.round(intervalMs);
    this.due.set(entry, Math.max(this.options.clock.now(), from + this.jittered(entry.intervalMs, entry.draw ?? undefined)));
  }

  private jittered(ms: number, draw = this.random()): number {
    return Math.round(ms * (1 - JITTER + 2 * JITTER * draw));
  }
}
