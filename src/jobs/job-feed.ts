/**
 * Live updates for a set of refs: each job's current outcome, then one update per change,
 * ending when every job is final (done or not found).
 *
 * One pub/sub subscription per job per process, however many streams watch it: streams register
 * local listeners here, and this module holds the single topic subscription (in memory, or a
 * Redis channel in cluster mode) while any listener remains.
 *
 * Events are at most once: if the channel was interrupted (Redis lost and back), `resync` asks the
 * store for every watched job again, and each stream reports what it had not yet seen.
 *
 * Deliveries yield: one poll answer can change a hundred jobs watched by ten thousand streams, and
 * handing all of them their event in one go would hold the event loop for the whole fan-out while
 * the poller's timers and the upstream answers wait (polls then slip below their interval, and the
 * account's in-flight slots stay taken by answers nobody reads). So every listener call goes
 * through one queue, at most `deliverySlice` of them per turn of the event loop, in the order the
 * events arrived; between slices `setImmediate` lets timers and I/O run.
 */
import type { Clock } from '../clock.js';
import { type JobPubSub, reviveOutcome } from './events.js';
import { type JobOutcome, type JobRef, type JobState, isFailure, isFinal, outcomeSignature, refKey } from './model.js';
import { EventQueue } from './event-queue.js';
import { NotFoundGrace } from './not-found-grace.js';
import { onStop } from './on-stop.js';
import type { Poller } from './poller.js';
import type { StatusStore } from './status-store.js';

export interface JobUpdate {
  readonly result: JobOutcome;
  /** The state this stream last reported for the job; null on the job's first update. */
  readonly previousState: JobState | null;
  readonly at: Date;
}

/**
 * One outcome as every stream watching its job sees it: judged, keyed and signed once, however
 * many streams it reaches. `catchUp`: it comes from a resync, not an event, and may be older than
 * one already reported. `updateFor`: the update object every stream with the same
 * `previousState` gets for this event, so that what is made of it downstream (a GraphQL result)
 * can be made once.
 */
interface FeedEvent {
  readonly outcome: JobOutcome;
  readonly key: string;
  readonly signature: string;
  readonly catchUp: boolean;
  readonly updateFor?: ((previousState: JobState | null) => JobUpdate) | undefined;
}

type Listener = (event: FeedEvent) => void;

interface Topic {
  readonly ref: JobRef;
  readonly listeners: Set<Listener>;
  readonly events: AsyncIterator<unknown>;
}

/** What one stream has told its subscriber about one job. */
interface Reported {
  signature: string | null;
  state: JobState | null;
  /** When the reported outcome was checked (epoch ms). */
  checkedAt: number;
  final: boolean;
  release: (() => void) | null;
}

export interface UpdatesOptions {
  /** Updates handed out first (e.g. refs the caller may not read, answered at subscribe time). */
  readonly before?: readonly JobUpdate[];
  /** Ends the stream when it aborts (the server shutting down). */
  readonly stop?: AbortSignal;
}

export interface JobFeedOptions {
  readonly store: StatusStore;
  readonly poller: Poller;
  readonly pubsub: JobPubSub;
  readonly clock: Clock;
  /** When a not found is final (shared with the poller); default: at once. */
  readonly notFound?: NotFoundGrace;
  /** Listener calls per turn of the event loop before the feed yields; default `DELIVERY_SLICE`. */
  readonly deliverySlice?: number;
}

/**
 * Listener calls per turn of the event loop. Each call goes on to execute (or reuse) the event's
 * result, serialize it and write it to a socket, some 20–50 µs in all: a slice is a few
 * milliseconds of work, short enough for a poll timer not to notice, long enough that yielding
 * costs nothing measurable.
 */
export const DELIVERY_SLICE = 200;

/** One event (or catch-up) for the listeners of one topic, handed out in order. */
interface Delivery {
  readonly topic: Topic;
  readonly listeners: readonly Listener[];
  next: number;
  readonly event: FeedEvent;
}

export class JobFeed {
  private readonly topics = new Map<string, Topic>();
  private streams = 0;
  private readonly notFound: NotFoundGrace;
  private readonly slice: number;
  /** Deliveries not yet complete, oldest first; `queue[0]` may be partly handed out. */
  private queue: Delivery[] = [];
  /** Listener calls made since the feed last yielded. */
  private spent = 0;
  /** The `setImmediate` that ends the current turn's slice, when one is pending. */
  private resumeScheduled = false;
  private draining = false;

  constructor(private readonly options: JobFeedOptions) {
    this.notFound = options.notFound ?? new NotFoundGrace({ graceMs: 0, clock: options.clock });
    this.slice = Math.max(1, options.deliverySlice ?? DELIVERY_SLICE);
  }

  /** For tests and metrics: open streams, job topics subscribed, local listeners. */
  stats(): { streams: number; topics: number; listeners: number } {
    let listeners = 0;
    for (const topic of this.topics.values()) listeners += topic.listeners.size;
    return { streams: this.streams, topics: this.topics.size, listeners };
  }

  /**
   * Streams updates for `refs` (duplicates count once), after the updates in `before`. Returning
   * from the iterator (client gone, `complete`), or `stop` aborting (shutdown), releases every
   * listener and watch it took. With no refs, the stream ends after `before`.
   */
  updates(refs: readonly JobRef[], options: UpdatesOptions = {}): AsyncIterableIterator<JobUpdate> {
    const unique = new Map(refs.map((ref) => [refKey(ref), ref]));
    return new EventQueue<JobUpdate>((queue) => {
      for (const update of options.before ?? []) queue.push(update);
      if (options.stop?.aborted) {
        void queue.return();
        return () => {};
      }
      if (unique.size === 0) {
        queue.end();
        return () => {};
      }
      this.streams += 1;
      const reported = new Map<string, Reported>();
      for (const key of unique.keys()) reported.set(key, { signature: null, state: null, checkedAt: 0, final: false, release: null });
      let early: FeedEvent[] | null = [];
      let open = unique.size;

      const report: Listener = ({ outcome, key, signature, catchUp, updateFor }) => {
        const entry = reported.get(key);
        if (!entry || entry.final || entry.signature === signature) return;
        if (catchUp && outcome.checkedAt.getTime() < entry.checkedAt) return;
        // A provisional not found becoming final is no news to the subscriber: it only ends the watch.
        const confirmed = entry.signature === 'failure:NOT_FOUND:provisional' && isFinal(outcome) && isFailure(outcome);
        if (!confirmed) {
          queue.push(updateFor?.(entry.state) ?? { result: outcome, previousState: entry.state, at: new Date(this.options.clock.now()) });
        }
        entry.signature = signature;
        entry.checkedAt = outcome.checkedAt.getTime();
        if (!isFailure(outcome)) entry.state = outcome.state;
        if (isFinal(outcome)) {
          entry.final = true;
          open -= 1;
          entry.release?.();
          entry.release = null;
        }
        if (open === 0) queue.end();
      };
      // Changes published while the first answers are on their way wait their turn.
      const listener: Listener = (event) => (early ? early.push(event) : report(event));
      for (const ref of unique.values()) this.listen(ref, listener);
      const unstop = options.stop ? onStop(options.stop, () => void queue.return()) : () => {};

      this.options.store.load([...unique.values()]).then(
        (current) => {
          if (queue.ended) return;
          const loaded = current.map((outcome) => this.prepare(outcome, false));
          loaded.forEach(report);
          // `current` is in the order of `unique`.
          [...unique.entries()].forEach(([key, ref], index) => {
            const entry = reported.get(key)!;
            if (!entry.final && !queue.ended) entry.release = this.options.poller.watch(ref, loaded[index]!.outcome);
          });
          const queued = early ?? [];
          early = null;
          queued.forEach(report);
        },
        (error: unknown) => queue.fail(error),
      );

      return () => {
        unstop();
        for (const [key, entry] of reported) {
          entry.release?.();
          entry.release = null;
          this.unlisten(key, listener);
        }
        this.streams -= 1;
      };
    });
  }

  /**
   * Asks the store for every job some stream here watches, and hands each stream what it has not
   * seen (never anything older than what it reported). For after an interruption of the event
   * channel, during which events may have been lost. Never rejects.
   */
  async resync(): Promise<void> {
    const refs = [...this.topics.values()].map((topic) => topic.ref);
    if (refs.length === 0) return;
    // Not `load`: this process's own memory may be what fell behind while the channel was down.
    const outcomes = await this.options.store.reload(refs).catch(() => []);
    for (const outcome of outcomes) {
      const topic = this.topics.get(refKey(outcome.ref));
      if (topic) this.deliver({ topic, listeners: [...topic.listeners], next: 0, event: this.prepare(outcome, true) });
    }
  }

  /**
   * The event every stream gets for `outcome`. Events come judged by the poller that published
   * them (the lease holder's, in a cluster), which `judge` leaves as they are; loads and resyncs
   * are judged here.
   */
  private prepare(outcome: JobOutcome, catchUp: boolean, updateFor?: (previousState: JobState | null) => JobUpdate): FeedEvent {
    const judged = this.notFound.judge(outcome);
    return { outcome: judged, key: refKey(judged.ref), signature: outcomeSignature(judged), catchUp, updateFor };
  }

  private listen(ref: JobRef, listener: Listener): void {
    const key = refKey(ref);
    let topic = this.topics.get(key);
    if (!topic) {
      const events = this.options.pubsub.subscribe('job', key)[Symbol.asyncIterator]();
      topic = { ref, listeners: new Set(), events };
      this.topics.set(key, topic);
      void this.dispatch(topic);
    }
    topic.listeners.add(listener);
  }

  private unlisten(key: string, listener: Listener): void {
    const topic = this.topics.get(key);
    if (!topic) return;
    topic.listeners.delete(listener);
    if (topic.listeners.size > 0) return;
    this.topics.delete(key);
    void topic.events.return?.();
  }

  private async dispatch(topic: Topic): Promise<void> {
    for (;;) {
      const next = await topic.events.next();
      if (next.done) return;
      const outcome = reviveOutcome((next.value as { outcome: JobOutcome }).outcome);
      const at = new Date(this.options.clock.now());
      const updates = new Map<JobState | null, JobUpdate>();
      const updateFor = (previousState: JobState | null): JobUpdate => {
        let update = updates.get(previousState);
        if (!update) {
          update = { result: outcome, previousState, at };
          updates.set(previousState, update);
        }
        return update;
      };
      this.deliver({ topic, listeners: [...topic.listeners], next: 0, event: this.prepare(outcome, false, updateFor) });
    }
  }

  /** Queues one delivery; what the current slice still allows is handed out at once. */
  private deliver(delivery: Delivery): void {
    this.queue.push(delivery);
    this.drain();
  }

  /** Hands out queued deliveries until the slice is spent, then yields until the next turn. */
  private drain(): void {
    // Listeners only push to their streams, but a delivery queued from within one waits its turn.
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const delivery = this.queue[0]!;
        while (delivery.next < delivery.listeners.length) {
          if (this.spent >= this.slice) return this.yieldTurn();
          const listener = delivery.listeners[delivery.next++]!;
          this.spent += 1;
          // A stream that left meanwhile gets nothing.
          if (delivery.topic.listeners.has(listener)) listener(delivery.event);
        }
        this.queue.shift();
      }
      // The slice counts per turn: the next turn starts afresh even if nothing is left to hand out.
      if (this.spent > 0) this.yieldTurn();
    } finally {
      this.draining = false;
    }
  }

  private yieldTurn(): void {
    if (this.resumeScheduled) return;
    this.resumeScheduled = true;
    setImmediate(() => {
      this.resumeScheduled = false;
      this.spent = 0;
      this.drain();
    });
  }
}
