/**
 * Job events travel through a yoga pub/sub, one topic per job (`job` + ref key). In memory by
 * default; cluster mode swaps the event target for Redis, which carries JSON, so events are
 * plain data and `reviveOutcome` restores what JSON loses (dates).
 */
import { createPubSub, type PubSub } from 'graphql-yoga';
import type { JobOutcome, JobState } from './model.js';

/** What the poller publishes when a job's outcome changes. */
export interface JobEvent {
  readonly key: string;
  readonly outcome: JobOutcome;
}

/**
 * What the registry's tracker publishes on the `tracked-jobs` topic: a job tracked, changed or
 * untracked. Plain data, since it may cross Redis; `job` is the registry's view of the job after
 * the event (`registry/tracked-job.ts` revives it), opaque to the domain.
 */
export interface TrackedJobMessage {
  readonly type: 'TRACKED' | 'CHANGED' | 'UNTRACKED';
  readonly job: unknown;
  readonly previousState: JobState | null;
  /** CHANGED: the labels before, when they changed (a live list's filter may have let the job in or out). */
  readonly previousLabels?: readonly string[];
  readonly at: Date | string;
}

type Topics = { job: [key: string, event: JobEvent]; 'tracked-jobs': [event: TrackedJobMessage] };

export type JobPubSub = PubSub<Topics>;

export type JobEventTarget = NonNullable<Parameters<typeof createPubSub<Topics>>[0]>['eventTarget'];

/** An in-memory pub/sub unless an event target (Redis) is given. */
export function createJobPubSub(eventTarget?: JobEventTarget): JobPubSub {
  return createPubSub<Topics>(eventTarget ? { eventTarget } : {});
}

/** Undoes JSON's damage to an outcome that crossed a process boundary. */
export function reviveOutcome(outcome: JobOutcome): JobOutcome {
  const checkedAt = outcome.checkedAt instanceof Date ? outcome.checkedAt : new Date(outcome.checkedAt as unknown as string);
  return checkedAt === outcome.checkedAt ? outcome : { ...outcome, checkedAt };
}
