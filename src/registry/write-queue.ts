/**
 * A bounded queue of writes: items wait in arrival order and are written `batchSize` at a time,
 * at most `concurrency` batches in flight. The tracker queues jobs with answers to write here, so
 * a burst of changes becomes a few transactions in a row instead of thousands at once (which on
 * PGlite, one session, queued without bound and starved the event loop).
 *
 * An item is queued once however often it is added while it waits; the writer decides what to do
 * with an item that failed (the tracker queues it again later).
 */

export interface WriteQueueOptions<T> {
  /** Writes one batch. Must not reject (a rejection is only counted as settled). */
  readonly write: (batch: T[]) => Promise<void>;
  /** Items per batch (one transaction). */
  readonly batchSize: number;
  /** Batches in flight at once. */
  readonly concurrency: number;
}

export class WriteQueue<T> {
  private readonly waiting = new Set<T>();
  private running = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: WriteQueueOptions<T>) {}

  /** Items waiting for a batch (not those being written). */
  get size(): number {
    return this.waiting.size;
  }

  /** Batches being written now. */
  get inFlight(): number {
    return this.running;
  }

  /** Queues `item` (once) and starts a batch when there is room. */
  add(item: T): void {
    this.waiting.add(item);
    this.drain();
  }

  /** Takes a waiting item out again (a job no longer watched). */
  delete(item: T): void {
    this.waiting.delete(item);
  }

  /** Resolves once nothing waits and nothing is being written. */
  idle(): Promise<void> {
    if (this.running === 0 && this.waiting.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private drain(): void {
    while (this.running < this.options.concurrency && this.waiting.size > 0) {
      const batch: T[] = [];
      for (const item of this.waiting) {
        batch.push(item);
        if (batch.length >= this.options.batchSize) break;
      }
      for (const item of batch) this.waiting.delete(item);
      this.running += 1;
      void this.options
        .write(batch)
        .catch(() => {})
        .finally(() => {
          this.running -= 1;
          this.drain();
          if (this.running === 0 && this.waiting.size === 0) {
            const waiters = this.idleWaiters;
            this.idleWaiters = [];
            for (const resolve of waiters) resolve();
          }
        });
    }
  }
}
