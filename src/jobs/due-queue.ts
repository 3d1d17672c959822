/**
 * The poller's due times, earliest first, so that a tick costs what is due rather than what is
 * watched (ten thousand watched jobs scanned on every tick, every settled burst and every new
 * watch were most of a busy service's CPU).
 *
 * A min-heap (`tinyqueue`) with lazy removal: changing a job's due time pushes a new item and makes
 * its older ones stale, and stale items are dropped when they reach the top (or all at once when
 * they outnumber the live ones), so neither a change nor a release searches the heap.
 */
import TinyQueue from 'tinyqueue';

/** What the queue needs of a scheduled thing: its due time and a count of its changes. */
export interface Schedulable {
  /** When it is next due; null while it is not scheduled. Set only through `DueQueue.set`. */
  dueAt: number | null;
  /** Bumped by `DueQueue.set` on each change; an item of an older value is stale. */
  dueVersion: number;
}

interface Item<T> {
  readonly at: number;
  readonly version: number;
  readonly entry: T;
}

/** Stale items tolerated per live one before the heap is rebuilt from the live ones. */
const STALE_PER_LIVE = 3;

export class DueQueue<T extends Schedulable> {
  private heap = new TinyQueue<Item<T>>([], (a, b) => a.at - b.at);

  /** `live(entry)`: whether the entry still belongs to the owner (a released one is dropped). */
  constructor(private readonly live: (entry: T) => boolean) {}

  /** Sets `entry.dueAt` (null: not scheduled). Every due time the owner sets goes through here. */
  set(entry: T, at: number | null): void {
    entry.dueAt = at;
    entry.dueVersion += 1;
    if (at === null) return;
    this.heap.push({ at, version: entry.dueVersion, entry });
  }

  /** The earliest due time of a live entry, or Infinity. */
  earliest(): number {
    return this.top()?.at ?? Infinity;
  }

  /**
   * Removes and returns, earliest first, the live entries due at or before `until`; their items
   * are gone, so the caller either takes them (`set(entry, null)`) or sets them again.
   */
  takeUntil(until: number): T[] {
    const taken: T[] = [];
    for (let item = this.top(); item && item.at <= until; item = this.top()) {
      this.heap.pop();
      taken.push(item.entry);
    }
    return taken;
  }

  /** Puts back an entry `takeUntil` handed out and the caller left as it was. */
  restore(entry: T): void {
    if (entry.dueAt !== null) this.heap.push({ at: entry.dueAt, version: entry.dueVersion, entry });
  }

  /** Forgets every item. */
  clear(): void {
    this.heap = new TinyQueue<Item<T>>([], (a, b) => a.at - b.at);
  }

  /** Drops stale items from the top and rebuilds the heap when stale ones outnumber the live. */
  compact(entries: Iterable<T>, liveCount: number): void {
    if (this.heap.length <= STALE_PER_LIVE * liveCount + 64) return;
    const items: Item<T>[] = [];
    for (const entry of entries) if (entry.dueAt !== null) items.push({ at: entry.dueAt, version: entry.dueVersion, entry });
    this.heap = new TinyQueue(items, (a, b) => a.at - b.at);
  }

  private top(): Item<T> | undefined {
    for (let item = this.heap.peek(); item; item = this.heap.peek()) {
      if (item.version === item.entry.dueVersion && this.live(item.entry)) return item;
      this.heap.pop();
    }
    return undefined;
  }
}
