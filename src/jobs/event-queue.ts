/**
 * An async iterator fed by pushes: the one layer between the job feed and a subscription.
 *
 * What a `Repeater` does for the feed, with less per value: a push hands the value straight to a
 * waiting `next()` (one promise settled) or appends it to the buffer, where a `Repeater` also
 * makes a promise per push and chains every `next()` through its own. With ten thousand
 * subscribers and one event per subscriber a second, that difference is most of the feed's
 * garbage.
 *
 * Like a `Repeater`, it starts on the first `next()` (`begin`), and the producer's clean-up runs
 * exactly once, as soon as either side ends it: the producer (`end`, buffered values are still
 * handed out, or `fail`) or the consumer (`return`, nothing more is handed out).
 */

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

type Waiter<T> = {
  resolve: (result: IteratorResult<T>) => void;
  reject: (error: unknown) => void;
  /** From `take`: offered each value pushed while this waits; true when it took the value. */
  sink?: (value: T) => boolean;
};

export class EventQueue<T> implements AsyncIterableIterator<T> {
  private buffer: T[] = [];
  /** `next()` calls waiting for a value, oldest first. */
  private waiters: Waiter<T>[] = [];
  private state: 'new' | 'open' | 'ended' = 'new';
  private failure: { error: unknown } | null = null;
  private cleanUp: (() => void) | null = null;

  /** `begin` starts the producer; what it returns is called once when the queue ends. */
  constructor(private readonly begin: (queue: EventQueue<T>) => () => void) {}

  get ended(): boolean {
    return this.state === 'ended';
  }

  push(value: T): void {
    if (this.state === 'ended') return;
    const waiter = this.waiters[0];
    if (!waiter) return void this.buffer.push(value);
    if (waiter.sink?.(value)) return;
    // The sink may have ended the queue meanwhile; then that waiter is settled already.
    if (this.waiters[0] !== waiter) return;
    this.waiters.shift();
    waiter.resolve({ value, done: false });
  }

  /** The producer is done: what is buffered is still handed out, then the iterator is done. */
  end(): void {
    if (this.state === 'ended') return;
    this.finish();
    for (const waiter of this.waiters.splice(0)) waiter.resolve(DONE);
  }

  /** The producer failed: what is buffered is handed out, then `next()` rejects once with `error`. */
  fail(error: unknown): void {
    if (this.state === 'ended') return;
    this.failure = { error };
    this.finish();
    const [first, ...rest] = this.waiters.splice(0);
    if (first) {
      this.failure = null;
      first.reject(error);
    }
    for (const waiter of rest) waiter.resolve(DONE);
  }

  next(): Promise<IteratorResult<T>> {
    this.start();
    if (this.buffer.length > 0) return Promise.resolve({ value: this.buffer.shift()!, done: false });
    return this.wait();
  }

  /**
   * Like `next()`, but each value is first offered to `sink`, synchronously and in order: the
   * buffered ones now, then every one pushed while the returned promise waits. A value `sink`
   * takes (returns true) is done with; the first it declines settles the promise, as `next()`
   * would have. For a consumer that can finish most values on the spot (a subscription writing
   * to its socket) without a promise per value.
   */
  take(sink: (value: T) => boolean): Promise<IteratorResult<T>> {
    this.start();
    while (this.buffer.length > 0) {
      const value = this.buffer.shift()!;
      if (!sink(value)) return Promise.resolve({ value, done: false });
    }
    return this.wait(sink);
  }

  /** The consumer leaves: nothing more is handed out, waiting `next()` calls are done. */
  return(): Promise<IteratorResult<T>> {
    this.buffer = [];
    this.failure = null;
    this.end();
    return Promise.resolve(DONE);
  }

  throw(error: unknown): Promise<IteratorResult<T>> {
    void this.return();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Starts the producer on the first `next()` or `take()`. */
  private start(): void {
    if (this.state !== 'new') return;
    this.state = 'open';
    this.cleanUp = this.begin(this);
    // `begin` may have ended the queue already; then clean up now.
    if (this.state === ('ended' as string)) this.runCleanUp();
  }

  /** What a `next()` gets when nothing is buffered: the end, the failure, or a wait for the next push. */
  private wait(sink?: (value: T) => boolean): Promise<IteratorResult<T>> {
    if (this.state === 'ended') {
      if (this.failure) {
        const { error } = this.failure;
        this.failure = null;
        return Promise.reject(error);
      }
      return Promise.resolve(DONE);
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject, sink }));
  }

  private finish(): void {
    const wasOpen = this.state === 'open';
    this.state = 'ended';
    if (wasOpen) this.runCleanUp();
  }

  private runCleanUp(): void {
    const cleanUp = this.cleanUp;
    this.cleanUp = null;
    cleanUp?.();
  }
}
