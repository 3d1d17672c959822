/**
 * The stream behind `jobUpdates`: the feed's updates for the refs the caller may read, preceded
 * by one final `ProviderError` (UNAUTHORIZED) for each ref it may not, decided once at subscribe
 * time. The stream completes when the feed does, at once when nothing is left to watch, and when
 * the server shuts down (so that SSE clients see a clean end rather than a cut connection).
 *
 * A hand-written iterator rather than an async generator: `return()` must reach the feed at once,
 * even while a `next()` is pending, or a departed client would keep its watches until the next change.
 */
import type { JobUpdate } from '../jobs/job-feed.js';
import type { JobRef } from '../jobs/model.js';
import { deniedFailure, partitionRefs } from '../security/caller.js';
import type { Context } from './builder.js';

/** The `jobUpdates` stream for `refs`, as `context.caller` may see them. */
export function jobStream(refs: readonly JobRef[], context: Context, now: () => Date = () => new Date()): AsyncIterableIterator<JobUpdate> {
  const { allowed, denied } = partitionRefs(context.caller, refs);
  const first: JobUpdate[] = denied.map((ref) => ({ result: deniedFailure(ref, now()), previousState: null, at: now() }));
  const feed = allowed.length > 0 ? context.feed.updates(allowed) : null;
  let finished = false;

  const finish = async (): Promise<IteratorResult<JobUpdate>> => {
    if (!finished) {
      finished = true;
      context.stopping.removeEventListener('abort', stop);
      // Ending the feed also settles a `next()` pending on it, as done.
      await feed?.return?.();
    }
    return { value: undefined, done: true };
  };
  const stop = () => void finish();
  context.stopping.addEventListener('abort', stop, { once: true });

  const iterator: AsyncIterableIterator<JobUpdate> = {
    next: async () => {
      if (finished) return { value: undefined, done: true };
      const update = first.shift();
      if (update) return { value: update, done: false };
      if (!feed || context.stopping.aborted) return finish();
      const next = await feed.next();
      return next.done || finished ? finish() : next;
    },
    return: finish,
    throw: async (error: unknown) => {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
