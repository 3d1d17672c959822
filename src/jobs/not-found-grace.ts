/**
 * Fresh jobs may 404 briefly (`NOT_FOUND_GRACE_MS`): a provider can answer "not found" for a job
 * it accepted a moment ago. A job never seen before that answers "not found" is reported as such
 * but stays watched until it has been not found for the grace; a job seen before (a snapshot of
 * it was observed) that disappears is final at once.
 *
 * One judge per process, shared by the poller (which keeps polling through the grace) and the
 * feed (which keeps the ref open): both pass every outcome they handle through `judge`, which
 * remembers sightings and first 404s and marks a not found within its grace `provisional`.
 * In a cluster the lease holder's poller judges what it publishes, and other instances take its
 * word: events carry the mark. "Seen" is what this process observed through the poller and the
 * feed; queries alone do not count (they answer `JobNotFoundError` at once either way).
 */
import type { Clock } from '../clock.js';
import { type JobOutcome, type JobRef, isFailure, refKey } from './model.js';

export interface NotFoundGraceOptions {
  /** `NOT_FOUND_GRACE_MS`; 0: every not found is final at once. */
  readonly graceMs: number;
  readonly clock: Clock;
  /** Jobs remembered at most; the least recently judged are forgotten first. */
  readonly maxEntries?: number;
}

interface Sighting {
  seen: boolean;
  /** When the current run of "not found" answers began; null while found. */
  notFoundSince: number | null;
}

export class NotFoundGrace {
  private readonly jobs = new Map<string, Sighting>();
  private readonly maxEntries: number;

  constructor(private readonly options: NotFoundGraceOptions) {
    this.maxEntries = options.maxEntries ?? 50_000;
  }

  /**
   * Records `outcome` and answers it as watchers should treat it: a not found of a never-seen
   * job within its grace comes back `provisional` (not final); anything else as it is. An
   * outcome already judged elsewhere (a published event) is returned untouched.
   */
  judge(outcome: JobOutcome): JobOutcome {
    if (isFailure(outcome) && outcome.provisional !== undefined) return outcome;
    const key = refKey(outcome.ref);
    if (!isFailure(outcome)) {
      this.remember(key, { seen: true, notFoundSince: null });
      return outcome;
    }
    if (outcome.failure !== 'NOT_FOUND') return outcome;
    const sighting = this.jobs.get(key) ?? { seen: false, notFoundSince: null };
    const now = this.options.clock.now();
    sighting.notFoundSince ??= now;
    this.remember(key, sighting);
    // Marked either way, so that an instance taking this judgment from an event does not judge again.
    const provisional = !sighting.seen && now - sighting.notFoundSince < this.options.graceMs;
    return { ...outcome, provisional };
  }

  /** When the grace of a provisional not found ends (epoch ms), or null when the job is not in one. */
  graceEndsAt(ref: JobRef): number | null {
    const sighting = this.jobs.get(refKey(ref));
    if (!sighting || sighting.seen || sighting.notFoundSince === null) return null;
    return sighting.notFoundSince + this.options.graceMs;
  }

  private remember(key: string, sighting: Sighting): void {
    this.jobs.delete(key);
    this.jobs.set(key, sighting);
    if (this.jobs.size > this.maxEntries) this.jobs.delete(this.jobs.keys().next().value!);
  }
}
