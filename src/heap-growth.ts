/**
 * How far V8 lets the JavaScript heap grow past the last full collection before the next one, once
 * the heap is large.
 *
 * V8's own factor adapts between 1.1× and 4× to how fast the program allocates, so a service with
 * thousands of subscribers (each event a burst of short-lived objects) runs its heap at about twice
 * what is alive: hundreds of megabytes of garbage. A fixed, smaller factor keeps the resident size
 * near the live size at about the same collector work there (BENCHMARKS.md, "Heap growth"). On a
 * small heap the same factor only means many more full collections for a few megabytes (cached
 * listing pages at 50 clients on PostgreSQL: half the requests per second), so it applies only
 * while the heap holds more than `fromBytes`.
 *
 * V8 reads the flag whenever it sets the next limit, so setting it while running takes effect at
 * the next collection.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';

export interface HeapGrowthOptions {
  /** `HEAP_GROWING_PERCENT`: the factor is 1 + percent / 100 on a large heap; 0 leaves V8's own always. */
  readonly percent: number;
  /** Heap in use (garbage included) from which the factor applies; V8's own returns below half of it. */
  readonly fromBytes?: number;
  /** How often the heap is looked at. */
  readonly everyMs?: number;
}

/**
 * Heap in use from which `HEAP_GROWING_PERCENT` applies: a few thousand subscribers' worth. A
 * service answering queries alone stays well below it, garbage included.
 */
export const LARGE_HEAP_BYTES = 128 * 1024 * 1024;

/**
 * Applies the factor while the heap is large, for the life of the process. The heap is looked at
 * often, since a limit V8 has already set with its own factor stands until the next full collection.
 */
export function limitHeapGrowth({ percent, fromBytes = LARGE_HEAP_BYTES, everyMs = 250 }: HeapGrowthOptions): void {
  if (percent <= 0) return;
  let limited = false;
  const look = () => {
    const used = getHeapStatistics().used_heap_size;
    if (!limited && used > fromBytes) {
      limited = true;
      setFlagsFromString(`--heap-growing-percent=${percent}`);
    } else if (limited && used < fromBytes / 2) {
      limited = false;
      setFlagsFromString('--heap-growing-percent=0');
    }
  };
  setInterval(look, everyMs).unref();
  look();
}
