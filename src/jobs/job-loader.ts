/**
 * Per-request batching. A request's refs are collected over one tick and handed to the status
 * store together, so that a `jobs` query with 300 Zendesk refs becomes three `show_many` calls.
 * The loader is made per request (never per subscription): its own memo would otherwise serve a
 * subscription's first answer forever; freshness is the store's business.
 */
import DataLoader from 'dataloader';
import type { JobOutcome, JobRef } from './model.js';
import { refKey } from './model.js';
import type { StatusStore } from './status-store.js';

export type JobLoader = DataLoader<JobRef, JobOutcome, string>;

/**
 * What one request's loader answered, ref by ref: what a response built from them depends on,
 * so that the response cache can tell later whether the store still answers the same.
 * Nothing is kept until `record` is called: a subscription's context (and loader) lives as long
 * as the subscription, and would otherwise keep every event's answers.
 */
export class LoadedAnswers {
  readonly refs: JobRef[] = [];
  readonly outcomes: JobOutcome[] = [];
  private recording = false;

  /** From now on, keeps what the loader answers (the response cache calls it before executing a query it may cache). */
  record(): void {
    this.recording = true;
  }

  add(refs: readonly JobRef[], outcomes: readonly JobOutcome[]): void {
    if (!this.recording) return;
    for (let index = 0; index < refs.length; index += 1) {
      this.refs.push(refs[index]!);
      this.outcomes.push(outcomes[index]!);
    }
  }
}

/**
 * Only `load` is used, so that callers may put a filter in front of the store (API key scopes).
 * `answers`, when given, learns every batch's answers (after the filter: a denied ref's answer is
 * recorded as the caller got it).
 */
export function createJobLoader(store: Pick<StatusStore, 'load'>, answers?: LoadedAnswers): JobLoader {
  return new DataLoader(
    async (refs) => {
      const outcomes = await store.load(refs);
      answers?.add(refs, outcomes);
      return outcomes;
    },
    { cacheKeyFn: refKey },
  );
}
