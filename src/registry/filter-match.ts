/**
 * `TrackedJobFilter` evaluated on one job in memory, for the live list (`trackedJobUpdates`):
 * the same rules as the SQL of `listing.ts`, so that a subscriber sees events for exactly the
 * jobs the list shows, and a CHANGED for a job that just left it (`changeMatchesFilter`).
 */
import type { JobState, Provider } from '../jobs/model.js';
import type { TrackedJobFilter } from './listing.js';
import type { TrackedJob } from './tracked-job.js';

/** Whether `job` passes `filter` and is of a provider in `visibleProviders` (undefined: all). */
export function matchesFilter(job: TrackedJob, filter: TrackedJobFilter | null | undefined, visibleProviders?: readonly Provider[]): boolean {
  if (visibleProviders && !visibleProviders.includes(job.provider)) return false;
  if (!filter) return true;
  if (filter.providers && !filter.providers.includes(job.provider)) return false;
  if (filter.kinds && !filter.kinds.includes(job.ref.kind)) return false;
  if (filter.accounts && !filter.accounts.includes(job.ref.account)) return false;
  if (filter.states && (job.state === null || !filter.states.includes(job.state))) return false;
  if (filter.done != null && job.done !== filter.done) return false;
  if (filter.labels && !filter.labels.every((label) => job.labels.includes(label))) return false;
  if (filter.trackedAfter && !(job.trackedAt.getTime() > filter.trackedAfter.getTime())) return false;
  if (filter.trackedBefore && !(job.trackedAt.getTime() < filter.trackedBefore.getTime())) return false;
  if (filter.search && !job.ref.nativeId.startsWith(filter.search) && !job.labels.includes(filter.search)) return false;
  return true;
}

/**
 * Whether a CHANGED event concerns a subscriber with `filter`: the job passes it after the change,
 * or passed it before (so the subscriber learns that it left: a state or a label it filtered on is
 * gone). Before is what the event tells: `previousState`, `previousLabels` (absent: unchanged), and
 * not done when the state changed (a done job changes no more).
 */
export function changeMatchesFilter(
  job: TrackedJob,
  change: { readonly previousState: JobState | null; readonly previousLabels?: readonly string[] | undefined },
  filter: TrackedJobFilter | null | undefined,
  visibleProviders?: readonly Provider[],
): boolean {
  if (matchesFilter(job, filter, visibleProviders)) return true;
  const stateChanged = change.previousState !== job.state;
  const before: TrackedJob = {
    ...job,
    state: change.previousState,
    done: stateChanged ? false : job.done,
    labels: change.previousLabels ?? job.labels,
  };
  return matchesFilter(before, filter, visibleProviders);
}
