/**
 * Job events travel through a yoga pub/sub, one topic per job (`job` + ref key). In memory by
 * default; cluster mode swaps the event target for Redis, which carries JSON, so events are
 * plain data and `reviveOutcome` restores what JSON loses (dates).
 */
import { createPubSub, type PubSub } from 'graphql-yoga';
import type { JobOutcome } from './model.js';

/** What the poller publishes when a job's outcome changes. */
export interface JobEvent {
  readonly key: string;
  readonly outcome: JobOutcome;
}

export type JobPubSub = PubSub<{ job: [key: string, event: JobEvent] }>;

export type JobEventTarget = NonNullable<Parameters<typeof createPubSub<{ job: [key: string, event: JobEvent] }>>[0]>['eventTarget'];

/** An in-memory pub/sub unless an event target (Redis) is given. */
export function createJobPubSub(eventTarget?: JobEventTarget): JobPubSub {
  return createPubSub<{ job: [key: string, event: JobEvent] }>(eventTarget ? { eventTarget } : {});
}

/** Undoes JSON's damage to an outcome that crossed a process boundary. */
export function reviveOutcome(outcome: JobOutcome): JobOutcome {
  const checkedAt = outcome.checkedAt instanceof Date ? outcome.checkedAt : new Date(outcome.checkedAt as unknown as string);
  return checkedAt === outcome.checkedAt ? outcome : { ...outcome, checkedAt };
}
