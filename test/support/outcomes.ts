/** Narrowing an outcome in a test, with a message that says what came instead. */
import { type JobFailure, type JobOutcome, type JobRef, type JobSnapshot, type JobState, isFailure } from '../../src/jobs/model.js';

export function snapshot(outcome: JobOutcome | undefined): JobSnapshot {
  if (!outcome || isFailure(outcome)) throw new Error(`expected a snapshot, got ${outcome ? `${outcome.failure}: ${outcome.message}` : 'nothing'}`);
  return outcome;
}

export function failure(outcome: JobOutcome | undefined): JobFailure {
  if (!outcome || !isFailure(outcome)) throw new Error(`expected a failure, got ${outcome ? outcome.state : 'nothing'}`);
  return outcome;
}

/** A job reference of `kind` on `account`. */
export const ref = (kind: JobRef['kind'], nativeId: string, account = 'default'): JobRef => ({ kind, account, nativeId });

/** What a poll of `job` answered at `at`: a bare Zendesk-shaped snapshot in `state`. */
export function observed(job: JobRef, state: JobState, done: boolean, at: number): JobOutcome {
  return {
    ref: job,
    state,
    rawStatus: state.toLowerCase(),
    done,
    progress: null,
    message: null,
    checkedAt: new Date(at),
    details: { kind: 'ZENDESK_JOB_STATUS', url: null, total: null, jobType: null, results: null },
  };
}
