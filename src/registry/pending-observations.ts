/**
 * Which poll answers the tracker must write, and how the answers of a job wait for their write.
 *
 * Most answers repeat what the registry already holds (a job runs for minutes, it is polled every
 * few seconds): those cost no transaction. The tracker remembers, per watched job, what the
 * database holds (`Recorded`) and sends an answer to the database only when the database would
 * change in more than the time it was last checked (see `needsWrite`, which mirrors
 * `applyObservation` in `observations.ts`). The repeats are bookkeeping, batched elsewhere.
 *
 * While a job's write is waiting (or in flight), its later answers queue behind it, coalesced by
 * `enqueue`: every change of phase (state and doneness, or the kind of failure) is kept, and so
 * is the latest answer; a progress tick within one phase replaces the queued tick before it,
 * unless that one opened the phase. With RUNNING 5 % stored, RUNNING 10 %, RUNNING 20 %, COMPLETED
 * arriving during one pending write are written as RUNNING 20 %, COMPLETED; with QUEUED stored,
 * RUNNING 10 %, 20 %, 30 % are written as 10 % (the transition) and 30 %. So the history keeps
 * every state change, the final answer and the latest progress, and loses only intermediate
 * ticks, and only while the database is behind: when it keeps up nothing waits and every tick is
 * written. The CHANGED events of `trackedJobUpdates` are published after the commit, for exactly
 * the entries written, so no event announces an entry the history lacks.
 */
import { type JobOutcome, isFailure, outcomeSignature } from '../jobs/model.js';

/** What the registry holds of a job, as far as this instance knows. */
export interface Recorded {
  /** `storedKey` of the stored outcome; null before the first answer was stored. */
  readonly key: string | null;
  /** `phaseOf` the stored outcome; null before the first. */
  readonly phase: string | null;
  /** Whether the provider ever answered with a snapshot (`first_seen_at` is set). */
  readonly seen: boolean;
}

/** A job's queued answers beyond this are thinned (only when the database stays away long). */
export const MAX_QUEUED_ANSWERS = 32;

/** What makes a stored outcome differ: the history signature and, for a snapshot, the provider's own word. */
export function storedKey(outcome: JobOutcome): string {
  return isFailure(outcome) ? outcomeSignature(outcome) : `${outcomeSignature(outcome)}|${outcome.rawStatus}`;
}

/** The phase of an answer: answers of one phase differ only in progress or message. */
export function phaseOf(outcome: JobOutcome): string {
  return isFailure(outcome) ? `failure:${outcome.failure}` : `${outcome.state}|${outcome.done}`;
}

/** What the registry holds once `outcome` is stored. */
export function recordedOf(outcome: JobOutcome | null, seen: boolean): Recorded {
  return outcome ? { key: storedKey(outcome), phase: phaseOf(outcome), seen } : { key: null, phase: null, seen };
}

/**
 * Whether `outcome` would change the stored job in more than its `checked_at`, given what the
 * database holds and the last answer already queued for it (`last`, undefined when none).
 * - a snapshot: when it differs from the last one stored or queued;
 * - not found: always (for a job seen before it is final at once; for a job never seen, each
 *   answer may be the one that ends the grace, which the database judges);
 * - another failure: only while the job was never seen (it is then the outcome shown); for a
 *   job seen before it changes only `checked_at`.
 */
export function needsWrite(recorded: Recorded, last: JobOutcome | undefined, outcome: JobOutcome): boolean {
  const seen = recorded.seen || (last !== undefined && !isFailure(last));
  if (isFailure(outcome)) {
    if (outcome.failure === 'NOT_FOUND') return true;
    if (seen) return false;
  }
  return storedKey(outcome) !== (last ? storedKey(last) : recorded.key);
}

/**
 * Queues `outcome` behind `queued` (mutated), coalescing as the header says. `recordedPhase` is
 * the phase before the first queued answer (what the database holds).
 */
export function enqueue(queued: JobOutcome[], outcome: JobOutcome, recordedPhase: string | null): void {
  const last = queued[queued.length - 1];
  if (last !== undefined) {
    const before = queued.length >= 2 ? phaseOf(queued[queued.length - 2]!) : recordedPhase;
    const phase = phaseOf(outcome);
    // The last queued answer is a tick inside the phase the new one continues: drop it.
    if (phase === phaseOf(last) && phase === before) {
      queued[queued.length - 1] = outcome;
      return;
    }
  }
  queued.push(outcome);
  if (queued.length > MAX_QUEUED_ANSWERS) thin(queued, recordedPhase);
}

/** Drops the oldest answer that did not open a phase (else the oldest): keeps memory bounded. */
function thin(queued: JobOutcome[], recordedPhase: string | null): void {
  for (let index = 0; index < queued.length - 1; index++) {
    const before = index === 0 ? recordedPhase : phaseOf(queued[index - 1]!);
    if (phaseOf(queued[index]!) === before) {
      queued.splice(index, 1);
      return;
    }
  }
  queued.shift();
}
