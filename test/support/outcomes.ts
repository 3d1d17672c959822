/** Narrowing an outcome in a test, with a message that says what came instead. */
import { type JobFailure, type JobOutcome, type JobSnapshot, isFailure } from '../../src/jobs/model.js';

export function snapshot(outcome: JobOutcome | undefined): JobSnapshot {
  if (!outcome || isFailure(outcome)) throw new Error(`expected a snapshot, got ${outcome ? `${outcome.failure}: ${outcome.message}` : 'nothing'}`);
  return outcome;
}

export function failure(outcome: JobOutcome | undefined): JobFailure {
  if (!outcome || !isFailure(outcome)) throw new Error(`expected a failure, got ${outcome ? outcome.state : 'nothing'}`);
  return outcome;
}
