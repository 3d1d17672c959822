/**
 * The stream behind `jobUpdates`: the feed's updates for the refs the caller may read, preceded
 * by one final `ProviderError` (UNAUTHORIZED) for each ref it may not, decided once at subscribe
 * time. The stream completes when the feed does, at once when nothing is left to watch, and when
 * the server shuts down (so that SSE clients see a clean end rather than a cut connection).
 *
 * It is the feed's own iterator (no layer of ours in between): `return()` reaches the feed at
 * once, even while a `next()` is pending, so a departed client keeps no watch.
 */
import type { JobUpdate } from '../jobs/job-feed.js';
import type { JobRef } from '../jobs/model.js';
import { deniedFailure, partitionRefs } from '../security/caller.js';
import type { Context } from './builder.js';

/** The `jobUpdates` stream for `refs`, as `context.caller` may see them. */
export function jobStream(refs: readonly JobRef[], context: Context, now: () => Date = () => new Date()): AsyncIterableIterator<JobUpdate> {
  const { allowed, denied } = partitionRefs(context.caller, refs);
  const before: JobUpdate[] = denied.map((ref) => ({ result: deniedFailure(ref, now()), previousState: null, at: now() }));
  return context.feed.updates(allowed, { before, stop: context.stopping });
}
